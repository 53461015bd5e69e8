"""The diffusers provider on the real loading and inference path, with a tiny random-weight
SDXL pipeline built here and saved with `save_pretrained` (no weights downloaded)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.book.assets import AssetKind
from bot.book.providers import ImageRequest
from bot.book.providers.diffusers_sdxl import DiffusersProvider, ModelMissingError, generation_size
from bot.cli import main
from bot.config import DiffusersConfig
from tests.conftest import ROOT, cuda_gpu, minimal_spec, write_spec

pytest.importorskip("torch", reason="the gpu extra (torch) is not installed")
pytest.importorskip("diffusers", reason="the gpu extra (diffusers) is not installed")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.tiny_sdxl import build_tiny_sdxl

    return build_tiny_sdxl(tmp_path_factory.mktemp("models"))


def request(index: int, seed: int, kind: AssetKind = AssetKind.PAGE) -> ImageRequest:
    return ImageRequest(kind, index, "a sleeping fox", seed, 2550, 3300)


def test_canvas_is_portrait_near_512_in_multiples_of_8() -> None:
    assert generation_size(2550, 3300, 512) == (512, 664)  # 8.5x11
    assert generation_size(2588, 2588, 512) == (512, 512)
    w, h = generation_size(3300, 2550, 512)
    assert (w, h) == (664, 512)
    assert all(v % 8 == 0 for v in generation_size(1800, 2700, 768))


def test_same_seed_same_page_other_seed_other_page(tiny_model: Path) -> None:
    provider = DiffusersProvider(DiffusersConfig(model=str(tiny_model), steps=1, batch_size=4))
    first = provider.generate([request(0, 1), request(1, 2)])
    again = provider.generate([request(0, 1), request(1, 2)])
    assert [im.size for im in first] == [(512, 664), (512, 664)]
    assert first[0].tobytes() == again[0].tobytes()
    assert first[0].tobytes() != first[1].tobytes()
    assert provider.model_id == str(tiny_model)
    # device-agnostic: on the GPU runner fp16 on CUDA, elsewhere fp32 on the CPU
    assert provider.capabilities.gpu is cuda_gpu()
    assert provider._dtype_name == ("fp16" if cuda_gpu() else "fp32")


def test_split_unet_and_vae_stages_give_the_pipelines_own_images(tiny_model: Path) -> None:
    """Latents then our decode: the same pixels as the pipeline's own `output_type="pil"`,
    and the time of each stage is kept."""
    import torch

    from bot.book.providers.prompts import prompt_for

    # fp32 everywhere: on CUDA the default is fp16 with the VAE kept in fp32, and the
    # pipeline's own decode (the reference here) then fails on the dtype mismatch (seen on
    # an H200); the split is the same in either precision
    config = DiffusersConfig(model=str(tiny_model), steps=1, batch_size=2, dtype="fp32")
    provider = DiffusersProvider(config)
    ours = provider.generate([request(0, 5), request(1, 6)])
    pipe = provider.load()
    theirs = pipe(
        prompt=[prompt_for(request(0, 5)), prompt_for(request(1, 6))],
        num_inference_steps=1,
        guidance_scale=0.0,
        width=512,
        height=664,
        generator=[torch.Generator("cpu").manual_seed(s) for s in (5, 6)],
        output_type="pil",
    ).images
    assert [a.tobytes() for a in ours] == [b.convert("RGB").tobytes() for b in theirs]
    assert set(provider.stage_seconds) == {"unet", "vae"}
    assert all(s > 0 for s in provider.stage_seconds.values())


def test_channels_last_makes_the_same_pages(tiny_model: Path) -> None:
    plain = DiffusersProvider(DiffusersConfig(model=str(tiny_model), steps=1))
    nhwc = DiffusersProvider(DiffusersConfig(model=str(tiny_model), steps=1, channels_last=True))
    a, b = plain.generate([request(0, 9)])[0], nhwc.generate([request(0, 9)])[0]
    diff = max(abs(x - y) for x, y in zip(a.tobytes(), b.tobytes(), strict=True))
    assert diff <= 2  # float reassociation at most, never another picture


def test_cover_and_pages_batch_by_canvas(tiny_model: Path) -> None:
    provider = DiffusersProvider(DiffusersConfig(model=str(tiny_model), steps=1))
    cover = ImageRequest(AssetKind.COVER, 0, "a fox", 3, 2400, 2400)
    images = provider.generate([request(0, 1), cover, request(1, 2)])
    assert [im.size for im in images] == [(512, 664), (512, 512), (512, 664)]


def test_missing_local_folder_is_a_clear_error(tmp_path: Path) -> None:
    provider = DiffusersProvider(DiffusersConfig(model=str(tmp_path / "nowhere")))
    with pytest.raises(ModelMissingError, match="EBOOK_BOT_DIFFUSERS_MODEL"):
        provider.generate([request(0, 1)])


def test_hub_model_missing_from_the_cache_names_models_pull(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    provider = DiffusersProvider(DiffusersConfig(model="example-org/not-pulled"))
    with pytest.raises(ModelMissingError) as info:
        provider.generate([request(0, 1)])
    assert "ebook-bot models pull" in str(info.value)
    assert "example-org/not-pulled" in str(info.value)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=600,
    )


@pytest.mark.slow
def test_build_with_the_diffusers_provider_end_to_end(tiny_model: Path, tmp_path: Path) -> None:
    """`ebook-bot build SPEC --provider diffusers` with EBOOK_BOT_DIFFUSERS_MODEL pointing at
    the saved tiny pipeline: loading, batched inference, line art, QA, PDFs, preflight."""
    spec = write_spec(
        tmp_path / "book.yaml",
        minimal_spec(trim="6x9", pages={"subjects": ["a fox", "an owl", "a whale"]}),
    )
    out = tmp_path / "out"
    env = {
        "EBOOK_BOT_DIFFUSERS_MODEL": str(tiny_model),
        "EBOOK_BOT_DIFFUSERS_STEPS": "1",
        "EBOOK_BOT_STATE_DIR": str(tmp_path / "state"),
    }
    result = _run(["build", str(spec), "--out", str(out), "--provider", "diffusers"], env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "preflight: passed" in result.stdout
    # a random-weight model draws noise: QA flags it, the build still succeeds and says so
    assert "flagged pages: 3" in result.stdout
    # the libraries' own chatter (CLIP truncation, weight-loading bars) stays out of the
    # terminal unless EBOOK_BOT_LOG_LEVEL=DEBUG
    for chatter in ("truncated", "Loading weights", "[transformers]", "it/s"):
        assert chatter not in result.stderr, result.stderr[-2000:]
    assert sorted(p.name for p in (out / "pages").glob("*.png")) == [
        "001.png",
        "001.thumb.png",
        "002.png",
        "002.thumb.png",
        "003.png",
        "003.thumb.png",
        "cover.png",
    ]
    assert _run(["check", str(out / "interior.pdf"), str(out / "cover.pdf")], env).returncode == 0
    runs = _run(["runs"], env)
    assert runs.returncode == 0 and " done " in runs.stdout

    missing = _run(
        ["build", str(spec), "--out", str(tmp_path / "o2"), "--provider", "diffusers"],
        {**env, "EBOOK_BOT_DIFFUSERS_MODEL": str(tmp_path / "absent")},
    )
    assert missing.returncode == 2  # a setting to fix, not a failed book
    assert "Traceback" not in missing.stderr
    assert missing.stderr.splitlines()[-1].startswith("EBOOK_BOT_DIFFUSERS_MODEL: ")
    assert not (tmp_path / "o2").exists()  # nothing half-written


def test_models_pull_with_a_local_folder_and_offline_hub(
    tiny_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    assert main(["models", "pull", str(tiny_model)]) == 0
    assert "a local folder, nothing to download" in capsys.readouterr().out
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # no network here: a clear error, no traceback
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    assert main(["models", "pull", "example-org/not-pulled"]) == 1
    err = capsys.readouterr().err
    assert "models pull: could not download example-org/not-pulled" in err
    assert "Traceback" not in err


def test_missing_model_stops_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("EBOOK_BOT_STATE_DIR", str(tmp_path / "state"))
    spec = write_spec(tmp_path / "book.yaml", minimal_spec())
    code = main(["build", str(spec), "--out", str(tmp_path / "out"), "--provider", "diffusers"])
    assert code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        "diffusers model 'stabilityai/sdxl-turbo' is not on this machine: run `ebook-bot models "
        "pull` where there is network, or set EBOOK_BOT_DIFFUSERS_MODEL to a local folder"
    )
    assert not (tmp_path / "out").exists()


def test_missing_gpu_extra_names_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bot.book.providers.models as models

    real = models.importlib.util.find_spec
    monkeypatch.setattr(
        models.importlib.util, "find_spec", lambda name: None if name == "diffusers" else real(name)
    )
    monkeypatch.setenv("EBOOK_BOT_STATE_DIR", str(tmp_path / "state"))
    spec = write_spec(tmp_path / "book.yaml", minimal_spec())
    code = main(["build", str(spec), "--out", str(tmp_path / "out"), "--provider", "diffusers"])
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "provider diffusers needs diffusers: pip install 'ebook-bot[gpu]'"
    ]
    assert not (tmp_path / "out").exists()
