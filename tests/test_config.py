"""Provider per asset kind: `.github/ebook-bot.yml`, the spec, the environment, `--provider`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import RepoConfig, load_repo_config, provider_names, with_environment
from bot.errors import UserInputError
from bot.settings import load_settings
from tests.conftest import minimal_spec, write_spec


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".github" / "ebook-bot.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_repo_config()
    assert config == RepoConfig()
    assert provider_names(None, None, config) == ("procedural", "procedural")
    assert config.diffusers.model == "stabilityai/sdxl-turbo"
    assert config.generation.runs_on == ["self-hosted", "gpu"]


def test_file_chooses_per_asset_kind_and_spec_wins(tmp_path: Path) -> None:
    path = config_file(
        tmp_path,
        "providers:\n  cover: openrouter\n  coloring_page: diffusers\n"
        "diffusers:\n  steps: 4\n  batch_size: 8\n",
    )
    config = load_repo_config(path)
    assert provider_names(None, None, config) == ("openrouter", "diffusers")
    assert provider_names("procedural", None, config) == ("procedural", "diffusers")
    assert (config.diffusers.steps, config.diffusers.batch_size) == (4, 8)


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_repo_config(config_file(tmp_path, "diffusers:\n  model: org/from-file\n"))
    monkeypatch.setenv("EBOOK_BOT_DIFFUSERS_MODEL", "/models/from-env")
    monkeypatch.setenv("EBOOK_BOT_DIFFUSERS_STEPS", "3")
    merged = with_environment(config, load_settings())
    assert merged.diffusers.model == "/models/from-env"
    assert merged.diffusers.steps == 3


def test_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EBOOK_BOT_DIFFUSERS_STEPS", "99")
    with pytest.raises(UserInputError) as info:
        with_environment(RepoConfig(), load_settings())
    assert any(p.startswith("EBOOK_BOT_DIFFUSERS_STEPS:") for p in info.value.problems)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("providers:\n  cover: Not A Name\n", "providers.cover:"),
        ("diffusers:\n  width: 500\n", "diffusers.width:"),
        ("openrouter:\n  base_url: http://evil.example\n", "openrouter.base_url:"),
        ("colour: red\n", "colour: unknown field"),
        ("generation:\n  runs_on: ['gpu; rm -rf /']\n", "generation.runs_on[0]:"),
    ],
)
def test_bad_config_names_the_field(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(UserInputError) as info:
        load_repo_config(config_file(tmp_path, text))
    assert any(problem in p for p in info.value.problems), info.value.problems


def test_yaml_tags_are_refused_in_the_config(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="tags"):
        load_repo_config(config_file(tmp_path, "providers: !!python/object:os.system {}\n"))


def test_precedence_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The repository config picks openrouter for covers (no key here: a clear refusal);
    the spec's own `providers.cover` and then `--provider` override it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EBOOK_BOT_OPENROUTER_API_KEY", raising=False)
    config_file(tmp_path, "providers:\n  cover: openrouter\n")
    spec = write_spec(tmp_path / "book.yaml", minimal_spec(trim="6x9"))
    assert main(["build", str(spec), "--out", str(tmp_path / "a")]) == 2
    assert "EBOOK_BOT_OPENROUTER_API_KEY: not set" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()

    assert main(["build", str(spec), "--out", str(tmp_path / "b"), "--provider", "procedural"]) == 0
    own = write_spec(
        tmp_path / "own.yaml", minimal_spec(trim="6x9", providers={"cover": "procedural"})
    )
    assert main(["build", str(own), "--out", str(tmp_path / "c")]) == 0
    assert (tmp_path / "c" / "cover.pdf").exists()
    assert os.environ.get("EBOOK_BOT_OPENROUTER_API_KEY") is None
