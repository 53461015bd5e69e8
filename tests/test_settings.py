"""Settings: every variable documented in .env.example, bad values named, secrets never
printed; logging with stage times and GitHub Actions annotations."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

import pytest

from bot.cli import main
from bot.log import setup, stage
from bot.settings import Settings, load_settings, variable_names
from tests.conftest import ROOT

SECRET = "ghp_supersecret_token_value_1234567890"


def documented() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))


def test_every_setting_is_in_env_example_and_nothing_else() -> None:
    names = set(variable_names())
    assert names == documented()
    assert "EBOOK_BOT_DIFFUSERS_MODEL" in names and "DATABASE_URL" in names


def test_env_example_defaults_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / ".env.example").read_text()
    for name, value in re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", text, re.MULTILINE):
        if value:
            monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.lease_seconds == 900 and settings.log_level == "INFO"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EBOOK_BOT_LEASE_SECONDS", "soon"),
        ("EBOOK_BOT_DIFFUSERS_DTYPE", "fp8"),
        ("GITHUB_API_URL", "ftp://example.com"),
        ("EBOOK_BOT_LOG_LEVEL", "LOUD"),
        ("EBOOK_BOT_DRIVE_FOLDER_ID", "../../etc"),
    ],
)
def test_bad_value_exits_2_naming_the_variable_not_the_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    monkeypatch.setenv(variable, value)
    assert main(["runs"]) == 2
    captured = capsys.readouterr()
    assert f"{variable}:" in captured.err
    assert "Traceback" not in captured.err
    assert SECRET not in captured.out + captured.err


def test_secrets_are_hidden_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    monkeypatch.setenv("EBOOK_BOT_OPENROUTER_API_KEY", "sk-or-secret-key")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:hunter2@db/ledger")
    text = repr(Settings()) + str(Settings().model_dump())
    for secret in (SECRET, "sk-or-secret-key", "hunter2"):
        assert secret not in text


def test_token_never_in_a_debug_log_of_a_github_command(tmp_path) -> None:
    """A whole `init-from-issue --dry-run` at DEBUG level, failing on purpose."""
    event = tmp_path / "event.json"
    event.write_text('{"action": "opened", "issue": {"number": 1}}')
    env = {
        "PATH": "/usr/bin:/bin",
        "GITHUB_TOKEN": SECRET,
        "GITHUB_REPOSITORY": "octo/repo",
        "GITHUB_API_URL": "http://127.0.0.1:9",
        "EBOOK_BOT_LOG_LEVEL": "DEBUG",
        "EBOOK_BOT_STATE_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "init-from-issue",
            "--event",
            str(event),
            "--event-name",
            "issues",
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert SECRET not in result.stdout + result.stderr


def test_stage_groups_and_times_under_actions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    setup("INFO", actions=True)
    with stage("assemble"):
        logging.getLogger("bot.test").warning("page 3 flagged")
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "::group::assemble"
    assert "::warning::page 3 flagged" in err
    assert "::endgroup::" in err
    assert re.search(r"stage assemble: done in \d+\.\d s", err)
    setup("INFO")


def test_stage_says_when_it_stopped(capsys: pytest.CaptureFixture[str]) -> None:
    setup("INFO")
    with pytest.raises(RuntimeError), stage("generate"):
        raise RuntimeError("boom")
    assert "stage generate: stopped in" in capsys.readouterr().err
