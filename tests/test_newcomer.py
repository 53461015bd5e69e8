"""What a newcomer meets: file modes, DPI metadata, help, suggestions and clear messages."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from bot.cli import build_parser, main
from bot.commands import COMMANDS
from bot.fsutil import atomic_write, file_mode
from tests.conftest import ROOT, minimal_spec, write_spec


def test_output_files_get_the_usual_mode(tmp_path: Path) -> None:
    """Not the temp file's 0600: a web server or another user can read the PDFs."""
    old = os.umask(0o022)
    file_mode.cache_clear()
    try:
        spec = write_spec(tmp_path / "s.yaml", minimal_spec(pages=["mandala"]))
        assert main(["build", str(spec), "--out", str(tmp_path / "out")]) == 0
        atomic_write(tmp_path / "plain.bin", b"x")
    finally:
        os.umask(old)
        file_mode.cache_clear()
    out = tmp_path / "out"
    for path in [
        out / "interior.pdf",
        out / "cover.pdf",
        out / "preview.png",
        out / "pages" / "001.png",
        out / "pages" / "001.tif",
        tmp_path / "plain.bin",
    ]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_a_stricter_umask_is_honoured(tmp_path: Path) -> None:
    old = os.umask(0o077)
    file_mode.cache_clear()
    try:
        atomic_write(tmp_path / "private.bin", b"x")
    finally:
        os.umask(old)
        file_mode.cache_clear()
    assert stat.S_IMODE((tmp_path / "private.bin").stat().st_mode) == 0o600


def test_page_pngs_carry_300_dpi(built_book: Path) -> None:
    pages = [*(built_book / "pages").glob("[0-9][0-9][0-9].png"), built_book / "pages/cover.png"]
    assert len(pages) == 7
    for path in pages:
        with Image.open(path) as im:
            assert tuple(round(v) for v in im.info["dpi"]) == (300, 300), path


@pytest.mark.parametrize("command", [c.name for c in COMMANDS])
def test_every_command_has_a_description_and_an_example(command: str) -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    help_text = sub.choices[command].format_help()  # type: ignore[attr-defined]
    description = help_text.split("\n\n")[1]
    assert len(description.split()) >= 12, description  # a paragraph, not a phrase
    examples = help_text.split("examples:\n")[1].splitlines()
    assert examples and all(f"ebook-bot {command}" in line for line in examples)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["buld"], "invalid choice: 'buld'"),
        (["build", "x.yaml", "--ot", "o"], "unrecognized argument '--ot' (did you mean '--out'?)"),
        (["db", "upgade"], "(did you mean 'upgrade'?)"),
        (["models", "pul"], "(did you mean 'pull'?)"),
        (["make-book", "--issue", "3", "--phase", "page"], "(did you mean 'pages'?)"),
    ],
)
def test_misspellings_get_a_suggestion(args: list[str], expected: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert expected in result.stderr
    if args == ["buld"]:
        assert "(did you mean 'build'?)" in result.stderr


def test_misspelt_spec_keys_and_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_spec(
        tmp_path / "s.yaml",
        "title: T\nauthor: A\naudeince: adults\npages: [a]\npaper: whit\n"
        "cover: {backgrund: '#ffffff'}",
    )
    assert main(["build", str(spec), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "audeince: unknown field (did you mean 'audience'?)" in err
    assert "paper: must be one of 'white' or 'cream' (did you mean 'white'?)" in err
    assert "cover.backgrund: unknown field (did you mean 'background'?)" in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the spec is empty (see specs/examples/ for a start)"),
        ("# just a comment\n", "the spec is empty"),
        ("- a\n- b\n", "a spec is a mapping of `key: value` lines, not a list"),
        ("just words\n", "a spec is a mapping of `key: value` lines, not a str"),
    ],
)
def test_empty_or_shapeless_spec(tmp_path: Path, text: str, expected: str) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(text)
    result = run_cli("build", str(spec), "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and expected in result.stderr
    assert "NoneType" not in result.stderr


def test_parse_issue_says_which_seed_it_used(tmp_path: Path) -> None:
    body = (ROOT / "tests/fixtures/issue_bodies/complete.md").read_text()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "parse-issue", "--body", "-"],
        input=body,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0
    assert "seed: 1" in result.stdout
    assert "parse-issue: seed 1 (no --issue N given" in result.stderr
    again = subprocess.run(
        [sys.executable, "-m", "bot", "parse-issue", "--body", "-", "--issue", "12"],
        input=body,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert "seed: 12" in again.stdout and again.stderr == ""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("EBOOK_BOT_STATE_DIR", "XDG_STATE_HOME")
    }
    return {**env, "HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT), **extra}


def _build(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    spec = write_spec(project / "s.yaml", minimal_spec(pages=["mandala"]))
    return subprocess.run(
        [sys.executable, "-m", "bot", "build", str(spec), "--out", "out"],
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        timeout=120,
    )


def test_the_ledger_lives_with_the_project(tmp_path: Path) -> None:
    result = _build(tmp_path, _env(tmp_path))
    assert result.returncode == 0, result.stderr
    local = tmp_path / "project" / ".ebook-bot"
    assert (local / "ledger.sqlite").exists()
    assert (local / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not (tmp_path / "home" / ".local" / "state" / "ebook-bot").exists()
    runs = subprocess.run(
        [sys.executable, "-m", "bot", "runs"],
        capture_output=True,
        text=True,
        cwd=tmp_path / "project",
        env=_env(tmp_path),
        timeout=60,
    )
    assert "dir:" in runs.stdout and "done" in runs.stdout


def test_the_old_shared_ledger_is_still_read(tmp_path: Path) -> None:
    legacy = tmp_path / "home" / ".local" / "state" / "ebook-bot"
    legacy.mkdir(parents=True)
    first = _build(tmp_path, _env(tmp_path, EBOOK_BOT_STATE_DIR=str(legacy)))  # an old setup
    assert first.returncode == 0, first.stderr
    again = _build(tmp_path, _env(tmp_path))
    assert again.returncode == 0
    assert "using the ledger at its old place" in again.stderr
    assert not (tmp_path / "project" / ".ebook-bot").exists()
    runs = subprocess.run(
        [sys.executable, "-m", "bot", "runs"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(tmp_path, EBOOK_BOT_STATE_DIR=str(legacy)),
        timeout=60,
    )
    assert runs.stdout.count(" done ") == 2  # both builds recorded in the old ledger


def test_state_dir_names_the_ledger_folder(tmp_path: Path) -> None:
    result = _build(tmp_path, _env(tmp_path, EBOOK_BOT_STATE_DIR=str(tmp_path / "runner")))
    assert result.returncode == 0
    assert (tmp_path / "runner" / "ledger.sqlite").exists()
    assert not (tmp_path / "project" / ".ebook-bot").exists()
