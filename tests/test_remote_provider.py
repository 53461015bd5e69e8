"""The OpenRouter provider over httpx.MockTransport: requests, retries, validation, secrets."""

from __future__ import annotations

import base64
import io
import json
import logging

import httpx
import pytest
from PIL import Image
from pydantic import SecretStr

from bot.book.assets import AssetKind
from bot.book.providers import ImageRequest
from bot.book.providers.remote import RemoteProvider, RemoteProviderError, nearest_aspect
from bot.config import RemoteConfig
from bot.errors import UserInputError

KEY = "sk-or-v1-TOPSECRET-0123456789"
PAGE = ImageRequest(AssetKind.PAGE, 4, "a sleeping fox", 12345, 2550, 3300)


def png(width: int = 768, height: int = 1024) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


def chat_answer(data: str | None = None) -> dict[str, object]:
    url = f"data:image/png;base64,{data if data is not None else png()}"
    return {
        "choices": [
            {
                "message": {
                    "role": "assistant",
                    "content": "",
                    "images": [{"type": "image_url", "image_url": {"url": url}}],
                }
            }
        ]
    }


class Server:
    """Answers in order; records every request."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def provider(server: Server, sleeps: list[float] | None = None, **config: object) -> RemoteProvider:
    return RemoteProvider(
        RemoteConfig(**config),  # type: ignore[arg-type]
        api_key=SecretStr(KEY),
        transport=httpx.MockTransport(server),
        sleep=(sleeps if sleeps is not None else []).append,
    )


def test_chat_request_and_image_answer() -> None:
    server = Server(httpx.Response(200, json=chat_answer()))
    image = provider(server).generate([PAGE])[0]
    assert image.size == (768, 1024)
    [req] = server.requests
    assert req.url == "https://openrouter.ai/api/v1/chat/completions"
    assert req.headers["authorization"] == f"Bearer {KEY}"
    body = json.loads(req.content)
    assert body["model"] == "google/gemini-2.5-flash-image"
    assert body["modalities"] == ["image", "text"]
    assert body["image_config"] == {"aspect_ratio": "3:4"}
    assert body["seed"] == 12345
    prompt = body["messages"][0]["content"]
    assert prompt.startswith("coloring book page of a sleeping fox")
    assert "no shading" in prompt and "pure white background" in prompt
    assert body["usage"] == {"include": True}


def test_the_cost_the_service_reports_is_kept_per_page() -> None:
    charged = {**chat_answer(), "usage": {"prompt_tokens": 12, "cost": 0.039}}
    retried = [
        httpx.Response(200, json={"usage": {"cost": 0.001}}),
        httpx.Response(200, json=charged),
    ]
    server = Server(*retried)
    p = provider(server)
    p.generate([PAGE])
    detail = p.describe(PAGE)
    assert detail.cost == pytest.approx(0.040)  # the failed try was paid for too
    assert detail.prompt.startswith("coloring book page of a sleeping fox")
    other = ImageRequest(AssetKind.PAGE, 5, "an owl", 1, 2550, 3300)
    assert p.describe(other).cost is None


def test_images_api_variant() -> None:
    answer = {"data": [{"b64_json": png(1024, 1536)}]}
    server = Server(httpx.Response(200, json=answer))
    image = provider(server, api="images", base_url="https://api.openai.com/v1").generate([PAGE])[0]
    assert image.size == (1024, 1536)
    body = json.loads(server.requests[0].content)
    assert server.requests[0].url.path == "/v1/images/generations"
    assert body["response_format"] == "b64_json" and body["size"] == "1024x1536"


def test_429_is_retried_after_retry_after() -> None:
    server = Server(
        httpx.Response(429, headers={"Retry-After": "7"}, json={"error": "slow down"}),
        httpx.Response(200, json=chat_answer()),
    )
    sleeps: list[float] = []
    provider(server, sleeps).generate([PAGE])[0]
    assert sleeps == [7.0]
    assert len(server.requests) == 2


def test_5xx_and_timeouts_retry_with_backoff_then_give_up() -> None:
    server = Server(
        httpx.Response(502),
        httpx.ReadTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.Response(503),
    )
    sleeps: list[float] = []
    with pytest.raises(RemoteProviderError) as info:
        provider(server, sleeps, max_retries=3).generate([PAGE])[0]
    assert len(server.requests) == 4  # 1 + 3 retries, then stop
    assert len(sleeps) == 3
    assert sleeps[0] < sleeps[2]  # exponential backoff
    assert "after 4 attempt(s): HTTP 503" in str(info.value)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"choices": []}, "no image in it"),
        (chat_answer("not-base64!!"), "not valid base64"),
        (chat_answer(base64.b64encode(b"GIF89a nonsense").decode()), "not a decodable image"),
        (chat_answer(png(64, 64)), "only 64x64 px"),
        (chat_answer(png(1536, 512)), "not the shape of 2550x3300"),
    ],
)
def test_unusable_answers_are_retried_then_named(answer: dict[str, object], reason: str) -> None:
    server = Server(httpx.Response(200, json=answer))
    with pytest.raises(RemoteProviderError, match=reason):
        provider(server, max_retries=1).generate([PAGE])[0]
    assert len(server.requests) == 2


def test_refused_key_fails_at_once_and_never_shows_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server = Server(httpx.Response(401, json={"error": f"bad key {KEY}"}))
    with pytest.raises(RemoteProviderError) as info:
        provider(server).generate([PAGE])[0]
    assert len(server.requests) == 1
    assert "EBOOK_BOT_OPENROUTER_API_KEY" in str(info.value)
    assert KEY not in str(info.value)
    assert KEY not in caplog.text


def test_service_echoing_the_key_in_an_error_is_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = Server(httpx.Response(400, text=f"invalid request for key {KEY}"))
    with pytest.raises(RemoteProviderError) as info:
        provider(server).generate([PAGE])[0]
    assert "***" in str(info.value)
    assert KEY not in str(info.value) and KEY not in caplog.text


def test_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EBOOK_BOT_OPENROUTER_API_KEY", raising=False)
    with pytest.raises(UserInputError, match="EBOOK_BOT_OPENROUTER_API_KEY: not set"):
        RemoteProvider(RemoteConfig())


def test_plain_http_base_url_is_refused() -> None:
    with pytest.raises(ValueError, match="https"):
        RemoteConfig(base_url="http://example.com/v1")


def test_nearest_aspect() -> None:
    assert nearest_aspect(2550, 3300) == "3:4"
    assert nearest_aspect(2400, 2400) == "1:1"
    assert nearest_aspect(3300, 2550) == "4:3"
