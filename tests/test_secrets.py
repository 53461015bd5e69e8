"""No log line or error message prints a secret: the GitHub token, the database password,
the OpenRouter key, the Hugging Face token or the Drive key, whatever library's error text
carries it. Each command runs for real, at DEBUG, failing the ways that quote their inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.cli import main
from tests.conftest import EXAMPLES, ROOT, minimal_spec, write_spec

TOKEN = "ghp_S3cretTokenValue0123456789abcdefABCD"
PASSWORD = "p@ss:w0rd/Secret!"
API_KEY = "sk-or-v1-S3CRETkey0123456789abcdef"
HF = "hf_S3cretHuggingFaceToken012345"
PEM_LINE = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7S3CRET"
DRIVE_KEY = json.dumps(
    {
        "type": "service_account",
        "project_id": "p",
        "private_key_id": "0123456789abcdefS3CRET",
        "private_key": f"-----BEGIN PRIVATE KEY-----\n{PEM_LINE}\n-----END PRIVATE KEY-----\n",
        "client_email": "bot@p.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
)
SECRETS = [TOKEN, PASSWORD, quote(PASSWORD, safe=""), API_KEY, HF, PEM_LINE, "S3CRET"]


def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EBOOK_BOT_", "GITHUB_"))}
    return {
        **env,
        "PYTHONPATH": str(ROOT),
        "EBOOK_BOT_LOG_LEVEL": "DEBUG",
        "EBOOK_BOT_STATE_DIR": str(tmp_path / "state"),
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": "octo/books",
        "GITHUB_API_URL": "http://127.0.0.1:9/api/v3",  # nothing listens: connection refused
        "DATABASE_URL": f"postgresql://bot:{quote(PASSWORD, safe='')}@127.0.0.1:9/ebook",
        "EBOOK_BOT_OPENROUTER_API_KEY": API_KEY,
        "EBOOK_BOT_OPENROUTER_BASE_URL": "http://127.0.0.1:9/v1",
        "HF_TOKEN": HF,
        "EBOOK_BOT_DRIVE_FOLDER_ID": "0AFolderIdForTests0123",
        "EBOOK_BOT_DRIVE_CREDENTIALS_JSON": DRIVE_KEY,
    }


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env or environment(tmp_path),
        timeout=120,
    )
    return result.stdout + result.stderr


def assert_clean(output: str) -> None:
    leaked = [s for s in SECRETS if s in output]
    assert leaked == [], output


def test_doctor_with_every_service_unreachable(tmp_path: Path) -> None:
    output = run(tmp_path, "doctor")
    assert "FAIL" in output and "database" in output  # it did try, and failed
    assert_clean(output)
    assert_clean(run(tmp_path, "doctor", "--json"))


@pytest.mark.parametrize("args", [["db", "current"], ["db", "upgrade"], ["runs"], ["runs", "3"]])
def test_database_errors(tmp_path: Path, args: list[str]) -> None:
    output = run(tmp_path, *args)
    assert "127.0.0.1" in output  # the error names the server...
    assert_clean(output)  # ...but never the password


def test_unparseable_database_url(tmp_path: Path) -> None:
    env = {**environment(tmp_path), "DATABASE_URL": f"postgresql://bot:{PASSWORD}@host:port/db"}
    assert_clean(run(tmp_path, "db", "current", env=env))


def test_remote_provider_failing(tmp_path: Path) -> None:
    config = tmp_path / "ebook-bot.yml"
    config.write_text("openrouter:\n  max_retries: 0\n  timeout: 5\n")
    env = {**environment(tmp_path), "DATABASE_URL": ""}
    spec = write_spec(tmp_path / "s.yaml", minimal_spec(pages=["a fox"]))
    output = run(
        tmp_path,
        "build",
        str(spec),
        "--out",
        "out",
        "--provider",
        "openrouter",
        "--config",
        str(config),
        env=env,
    )
    assert "openrouter" in output and "connection failed" in output
    assert_clean(output)
    ledger = (tmp_path / "state" / "ledger.sqlite").read_bytes()
    assert not any(s.encode() in ledger for s in SECRETS)


def test_github_unreachable_in_every_github_command(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"inputs": {"issue_number": "3"}, "repository": {}}))
    env = {**environment(tmp_path), "DATABASE_URL": ""}
    for args in (
        ["init-from-issue", "--event", str(event), "--event-name", "workflow_dispatch"],
        ["mark-book", "--issue", "3", "--outcome", "failure"],
        ["make-book", "--issue", "3", "--checkout", str(EXAMPLES)],
    ):
        assert_clean(run(tmp_path, *args, env=env))


def test_bad_settings_name_the_variable_never_the_value(tmp_path: Path) -> None:
    env = {**environment(tmp_path), "EBOOK_BOT_LEASE_SECONDS": TOKEN}
    output = run(tmp_path, "runs", env=env)
    assert "EBOOK_BOT_LEASE_SECONDS" in output
    assert_clean(output)


def test_a_bug_traceback_masks_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Even an unexpected error whose message quotes a secret prints it masked."""
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("EBOOK_BOT_STATE_DIR", str(tmp_path))
    import bot.commands.ops

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError(f"the server said: bad credentials {TOKEN}")

    monkeypatch.setattr("bot.book.ledger.report.report", broken)
    assert bot.commands.ops is not None
    assert main(["runs"]) == 3
    output = capsys.readouterr()
    assert "bad credentials ***" in output.err
    assert_clean(output.out + output.err)
