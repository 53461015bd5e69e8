"""`ebook-bot doctor`: one check per component, a stable JSON shape, exit 1 when unhealthy,
and never a secret in its output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.ops.doctor import CHECKS
from tests.conftest import cuda_gpu
from tests.fake_github import serving

SECRET = "ghp_supersecret_token_value_1234567890"


def doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["doctor", "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.out + captured.err


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "DATABASE_URL", "EBOOK_BOT_DRIVE_FOLDER_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EBOOK_BOT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)  # no .github/ebook-bot.yml: procedural, no GPU needed


def test_healthy_laptop_shape_and_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, report, _ = doctor(capsys)
    assert code == 0
    assert set(report) == {"version", "timestamp", "healthy", "checks"}
    assert list(report["checks"]) == list(CHECKS)
    for check in report["checks"].values():
        assert set(check) == {"status", "detail"} and check["status"] in ("ok", "warn", "fail")
        assert check["detail"]
    assert report["healthy"] is True
    assert report["checks"]["database"]["status"] == "ok"
    assert "revision 0001" in report["checks"]["database"]["detail"]
    assert report["checks"]["github"]["status"] == "warn"  # no token: only GitHub steps need it


def test_storage_is_checked_where_the_work_goes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, report, _ = doctor(capsys)  # a runner's state folder: made and checked
    assert report["checks"]["storage"]["detail"].startswith(f"{tmp_path / 'state'} writable")
    assert (tmp_path / "state").is_dir()
    monkeypatch.delenv("EBOOK_BOT_STATE_DIR")  # a laptop: the project folder, nothing made
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    _, report, _ = doctor(capsys)
    assert report["checks"]["storage"]["detail"].startswith(f"{tmp_path} writable")
    assert not (tmp_path / "xdg").exists()


def test_unmigrated_database_fails_with_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite'}")
    code, report, _ = doctor(capsys)
    assert code == 1 and report["healthy"] is False
    assert report["checks"]["database"]["status"] == "fail"
    assert "ebook-bot db upgrade" in report["checks"]["database"]["detail"]


def test_bad_setting_is_named_and_secrets_never_shown(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    monkeypatch.setenv("EBOOK_BOT_LEASE_SECONDS", "soon")
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:hunter2@127.0.0.1:1/ledger")
    code, report, text = doctor(capsys)
    assert code == 1
    assert "EBOOK_BOT_LEASE_SECONDS" in report["checks"]["settings"]["detail"]
    assert SECRET not in text and "hunter2" not in text


def test_github_check_reads_the_repository(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving() as fake:
        monkeypatch.setenv("GITHUB_TOKEN", SECRET)
        monkeypatch.setenv("GITHUB_REPOSITORY", fake.repo)
        monkeypatch.setenv("GITHUB_API_URL", fake.base)
        code, report, text = doctor(capsys)
        assert report["checks"]["github"]["status"] == "ok", report["checks"]["github"]
        assert fake.repo in report["checks"]["github"]["detail"]
        fake.fail("GET", r"/repos/[^/]+/[^/]+$", 404)
        code, report, text = doctor(capsys)
        assert code == 1 and report["checks"]["github"]["status"] == "fail"
        assert SECRET not in text


def test_missing_model_fails_and_names_models_pull(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "ebook-bot.yml").write_text(
        "providers:\n  coloring_page: diffusers\ndiffusers:\n  model: example-org/not-pulled\n"
    )
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    code, report, _ = doctor(capsys)
    assert code == 1
    assert report["checks"]["model"]["status"] == "fail"
    assert "ebook-bot models pull" in report["checks"]["model"]["detail"]
    gpu = report["checks"]["gpu"]
    if cuda_gpu():  # the GPU runner: the card is named and its free memory given
        import torch

        assert gpu["status"] in ("ok", "warn") and torch.cuda.get_device_name(0) in gpu["detail"]
    else:  # diffusers is configured: no CUDA is worth a warning (no torch, a failure)
        assert gpu["status"] in ("warn", "fail")


@pytest.mark.parametrize(
    ("card", "status", "words"),
    [
        ("---\nlicense: other\nlicense_name: sai-nc-community\n---\n", "warn", "NON-COMMERCIAL"),
        ("---\nlicense: openrail++\n---\n", "ok", "allows commercial use"),
        (None, "warn", "licence unknown"),
    ],
)
def test_model_licence_is_named_and_non_commercial_warns(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    card: str | None,
    status: str,
    words: str,
) -> None:
    model = tmp_path / "my-model"
    model.mkdir()
    (model / "model_index.json").write_text("{}")
    if card is not None:
        (model / "README.md").write_text(card + "# a model card\n")
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "ebook-bot.yml").write_text(
        f"providers:\n  coloring_page: diffusers\ndiffusers:\n  model: {model}\n"
    )
    _, report, _ = doctor(capsys)
    check = report["checks"]["model"]
    assert check["status"] == status and words in check["detail"]
    assert check["detail"].startswith("a local folder;")


def test_drive_with_bad_credentials_fails_by_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("googleapiclient")
    monkeypatch.setenv("EBOOK_BOT_DRIVE_FOLDER_ID", "0AParentFolderId123")
    monkeypatch.setenv("EBOOK_BOT_DRIVE_CREDENTIALS_JSON", '{"private_key": "SECRETKEY"}')
    code, report, text = doctor(capsys)
    assert code == 1
    assert report["checks"]["drive"]["detail"].startswith("EBOOK_BOT_DRIVE_CREDENTIALS_JSON")
    assert "SECRETKEY" not in text


def test_text_report_and_annotations(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert main(["doctor"]) == 1
    captured = capsys.readouterr()
    assert "FAIL  database" in captured.out and "unhealthy" in captured.out
    assert "::error title=doctor: database::" in captured.err
