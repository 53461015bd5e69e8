"""A remote image model over HTTP (httpx): OpenRouter's chat endpoint with image output, or
an OpenAI-style `/images/generations` endpoint.

Timeouts on every request; 429 and 5xx (and dropped connections) retried with exponential
backoff that honours `Retry-After`, a bounded number of times; every answer checked to be
a decodable image of the shape asked for. The API key is a secret: it goes in one header
and never into a message, an exception or a log line.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from PIL import Image, UnidentifiedImageError
from pydantic import SecretStr

from bot.book.providers.base import Capabilities, ImageRequest, Provenance
from bot.book.providers.prompts import prompt_for
from bot.config import RemoteConfig, RepoConfig
from bot.errors import BotError, UserInputError

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
MAX_BACKOFF = 60.0
MAX_IMAGE_BYTES = 40_000_000
# the aspect ratios OpenRouter's image models take in `image_config`
ASPECTS = {
    "1:1": 1.0,
    "2:3": 2 / 3,
    "3:4": 3 / 4,
    "4:5": 4 / 5,
    "3:2": 1.5,
    "4:3": 4 / 3,
    "5:4": 1.25,
}


class RemoteProviderError(BotError):
    """The remote image service failed after its retries, or answered with no usable image."""


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def nearest_aspect(width: int, height: int) -> str:
    wanted = width / height
    return min(ASPECTS, key=lambda k: abs(ASPECTS[k] - wanted))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, min(float(value), MAX_BACKOFF))
    except ValueError:
        return None


def _decode_image(data: bytes, request: ImageRequest) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            image = im.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _Retryable(f"the answer is not a decodable image ({type(exc).__name__})") from None
    w, h = image.size
    if min(w, h) < 256:
        raise _Retryable(f"the image is only {w}x{h} px")
    if abs(w / h - request.width / request.height) > 0.2 * (request.width / request.height):
        raise _Retryable(
            f"the image is {w}x{h} px, not the shape of {request.width}x{request.height}"
        )
    return image


class RemoteProvider:
    """`openrouter` in the registry; any OpenAI-compatible service by `base_url` and `api`."""

    name = "openrouter"
    # a seed is sent, but a remote model need not honour it; each call costs money
    capabilities = Capabilities(seeded=False, batch_size=1, retries=True, gpu=False)

    def __init__(
        self,
        config: RepoConfig | RemoteConfig | None = None,
        *,
        api_key: SecretStr | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if isinstance(config, RepoConfig):
            config = config.openrouter
        self.config = config or RemoteConfig()
        self.model_id: str | None = self.config.model
        api_key = api_key or self.config.api_key
        if api_key is None or not api_key.get_secret_value():
            raise UserInputError(
                "EBOOK_BOT_OPENROUTER_API_KEY: not set (the openrouter provider needs an API key; "
                "pass it from a repository secret)"
            )
        self._key = api_key
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=self.config.base_url,
            timeout=httpx.Timeout(self.config.timeout, connect=10.0),
            transport=transport,
            headers={"User-Agent": "ebook-bot", "X-Title": "ebook-bot"},
        )
        self._costs: dict[tuple[str, int, int], float] = {}  # what the API charged, by request

    @property
    def fingerprint(self) -> str:
        return f"{self.config.base_url}|{self.config.model}|{self.config.api}"

    def check(self) -> None:
        """The key was checked when this provider was made; the service is asked per page."""

    def describe(self, request: ImageRequest) -> Provenance:
        cost = self._costs.get((request.kind, request.index, request.seed))
        return Provenance(prompt_for(request), None, cost)

    def _charge(self, request: ImageRequest, data: Any) -> None:
        """Add what the service said this call cost (OpenRouter: `usage.cost`)."""
        cost = _dig(data, "usage", "cost")
        if isinstance(cost, int | float) and not isinstance(cost, bool) and cost >= 0:
            key = (request.kind, request.index, request.seed)
            self._costs[key] = self._costs.get(key, 0.0) + float(cost)

    def generate(self, requests: Sequence[ImageRequest]) -> list[Image.Image]:
        return [self._with_retries(r) for r in requests]

    def _with_retries(self, request: ImageRequest) -> Image.Image:
        attempts = self.config.max_retries + 1
        last = ""
        for attempt in range(1, attempts + 1):
            try:
                return self._once(request)
            except _Retryable as exc:
                last = exc.reason
                if attempt == attempts:
                    break
                delay = exc.retry_after
                if delay is None:
                    delay = min(MAX_BACKOFF, 2.0 ** (attempt - 1)) * (0.5 + random.random() / 2)  # noqa: S311 (jitter)
                log.warning(
                    "%s: %s; retry %d of %d in %.1f s",
                    self.name,
                    exc.reason,
                    attempt,
                    attempts - 1,
                    delay,
                )
                self._sleep(delay)
        raise RemoteProviderError(
            f"{self.name}: no image for {request.kind} {request.index + 1} after {attempts} "
            f"attempt(s): {last}"
        )

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        headers = {"Authorization": f"Bearer {self._key.get_secret_value()}"}
        try:
            response = self._client.post(path, json=body, headers=headers)
        except httpx.TimeoutException:
            raise _Retryable(f"timed out after {self.config.timeout:g} s") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__})") from None
        if response.status_code in RETRY_STATUS:
            raise _Retryable(f"HTTP {response.status_code}", _retry_after(response))
        if response.status_code in (401, 403):
            raise RemoteProviderError(
                f"{self.name}: HTTP {response.status_code}: the API key was refused "
                "(check EBOOK_BOT_OPENROUTER_API_KEY)"
            )
        if response.status_code >= 400:
            raise RemoteProviderError(
                f"{self.name}: HTTP {response.status_code}: {self._safe(response.text)}"
            )
        try:
            return response.json()
        except ValueError:
            raise _Retryable("the answer is not JSON") from None

    def _safe(self, text: str) -> str:
        """A service's error text, short, one line, and never with our key in it."""
        line = " ".join(text.split())[:300]
        return line.replace(self._key.get_secret_value(), "***")

    def _once(self, request: ImageRequest) -> Image.Image:
        prompt = prompt_for(request)
        if self.config.api == "images":
            data = self._post(
                "/images/generations",
                {
                    "model": self.config.model,
                    "prompt": prompt,
                    "n": 1,
                    "size": "1024x1536" if request.height > request.width else "1024x1024",
                    "response_format": "b64_json",
                },
            )
            encoded = _dig(data, "data", 0, "b64_json")
        else:
            data = self._post(
                "/chat/completions",
                {
                    "model": self.config.model,
                    "messages": [{"role": "user", "content": prompt}],
                    "modalities": ["image", "text"],
                    "seed": request.seed % 2**31,
                    "image_config": {"aspect_ratio": nearest_aspect(request.width, request.height)},
                    "usage": {"include": True},  # OpenRouter then reports the call's cost
                },
            )
            self._charge(request, data)
            url = _dig(data, "choices", 0, "message", "images", 0, "image_url", "url")
            encoded = url.partition("base64,")[2] if isinstance(url, str) else None
        if not isinstance(encoded, str) or not encoded:
            raise _Retryable("the answer has no image in it")
        if len(encoded) > MAX_IMAGE_BYTES * 4 // 3:
            raise _Retryable("the image is too large")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise _Retryable("the image is not valid base64") from None
        return _decode_image(raw, request)


def _dig(data: Any, *path: str | int) -> Any:
    """`data[path[0]][path[1]]...`, or None where the answer lacks a step."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(data, list) or len(data) <= step:
                return None
            data = data[step]
        elif isinstance(data, dict):
            data = data.get(step)
        else:
            return None
    return data
