"""Faults a user can meet (a damaged ledger, a file-size limit, a bad page, a second build in
the same folder): each is one or two lines naming the file and the fix, a non-zero exit,
no traceback, and nothing half-written."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.fsutil import FolderBusy, folder_lock
from tests.conftest import EXAMPLES, ROOT, minimal_spec, write_spec


def spec_file(tmp_path: Path, pages: int = 2) -> Path:
    subjects = ["mandala", "maze", "stars"][:pages]
    return write_spec(tmp_path / "book.yaml", minimal_spec(trim="6x9", pages=subjects))


def cli(
    *args: str, state: Path, fsize: int | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`ebook-bot ARGS` in a process of its own (with a file-size limit when `fsize`)."""

    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "EBOOK_BOT_STATE_DIR": str(state), **(env or {})},
        timeout=180,
        preexec_fn=limit,
    )


def one_or_two_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("page ")]
    assert 1 <= len(lines) <= 2, result.stderr
    return lines


def test_a_damaged_ledger_is_named_with_the_fix(tmp_path: Path) -> None:
    """It was a 21-line traceback and exit 3 ("a bug")."""
    state = tmp_path / "state"
    state.mkdir()
    ledger = state / "ledger.sqlite"
    ledger.write_bytes(b"this is not a database, it was overwritten by something " * 20)
    out = tmp_path / "out"
    result = cli("build", str(spec_file(tmp_path)), "--out", str(out), state=state)
    assert result.returncode == 2
    (line,) = one_or_two_lines(result)
    assert line.startswith(f"ledger {ledger}: file is not a database; the file is damaged")
    assert f"mv {ledger} {ledger}.bad" in line
    assert not out.exists()


def test_a_ledger_write_past_the_file_size_limit_is_one_line(tmp_path: Path) -> None:
    """RLIMIT_FSIZE under the ledger's size: it was four chained tracebacks."""
    state = tmp_path / "state"
    result = cli(
        "build", str(spec_file(tmp_path)), "--out", str(tmp_path / "out"), state=state, fsize=60_000
    )
    assert result.returncode == 2
    (line,) = one_or_two_lines(result)
    assert line.startswith(f"ledger {state / 'ledger.sqlite'}: ")
    assert "ulimit -f" in line


def test_file_too_large_names_the_file(tmp_path: Path) -> None:
    """`assemble` under a file-size limit the cover PDF is over: "File too large" named no
    file; now it names cover.pdf, and no temporary file is left beside it."""
    state, out = tmp_path / "state", tmp_path / "out"
    spec = spec_file(tmp_path)
    assert cli("generate", str(spec), "--out", str(out), state=state).returncode == 0
    result = cli("assemble", str(spec), "--out", str(out), state=state, fsize=100_000)
    assert result.returncode == 2
    (line,) = one_or_two_lines(result)
    assert line.startswith(f"{out / 'cover.pdf'}: File too large (")
    assert "ulimit -f" in line
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_second_build_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    """Two builds into one --out: the second one said "missing 004.png, run generate
    first" while the first was still making it; now it is refused at once, naming who
    holds the folder, and the first finishes its book."""
    state, out = tmp_path / "state", tmp_path / "out"
    spec = spec_file(tmp_path, pages=3)
    first = subprocess.Popen(
        [sys.executable, "-m", "bot", "build", str(spec), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "EBOOK_BOT_STATE_DIR": str(state)},
    )
    deadline = time.monotonic() + 60
    while not (out / "pages" / "cover.png").exists():  # the first is making pages
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    first.send_signal(signal.SIGSTOP)  # paused mid-book, holding the folder
    try:
        second = cli("build", str(spec), "--out", str(out), state=state)
    finally:
        first.send_signal(signal.SIGCONT)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 2
    (line,) = one_or_two_lines(second)
    assert line == (
        f"--out {out}: another ebook-bot is writing this folder (ebook-bot build "
        f"(pid {first.pid})); wait for it to finish, or give another --out"
    )


@pytest.mark.parametrize("command", ["assemble", "generate"])
def test_a_command_is_refused_while_a_build_holds_the_folder(
    tmp_path: Path, copy_book: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p.name: p.read_bytes() for p in copy_book.iterdir() if p.is_file()}
    with folder_lock(copy_book, "ebook-bot build"):
        code = main([command, str(EXAMPLES / "mandalas-adults.yaml"), "--out", str(copy_book)])
    assert code == 2
    assert "another ebook-bot is writing this folder" in capsys.readouterr().err
    after = {p.name: p.read_bytes() for p in copy_book.iterdir() if p.is_file()}
    assert after == before


def test_generates_share_a_folder(tmp_path: Path) -> None:
    """Workers of one book (--shard, --claim) write one folder together: a generate
    holding it does not keep another out."""
    out = tmp_path / "out"
    out.mkdir()
    with folder_lock(out, "ebook-bot generate", shared=True) as alone:
        assert alone
        with folder_lock(out, "ebook-bot generate", shared=True) as second:
            assert not second
        with pytest.raises(FolderBusy), folder_lock(out, "ebook-bot build"):
            pass
    with folder_lock(out, "ebook-bot build") as alone:  # all gone: a build holds it alone
        assert alone
        with pytest.raises(FolderBusy), folder_lock(out, "ebook-bot generate", shared=True):
            pass
    assert not (out / ".ebook-bot.lock").exists()
    with folder_lock(out, "ebook-bot assemble") as alone:  # and the next one makes it again
        assert alone


def test_temporary_files_a_killed_run_left_are_removed(copy_book: Path) -> None:
    """A kill mid-write leaves `.interior.pdf.XXXXXXXX.tmp`: the next run removes it (and
    nothing else: a dot file of the user's stays)."""
    stale = [
        copy_book / ".interior.pdf.k3j_x9q2.tmp",
        copy_book / "pages" / ".004.png.abcd1234.tmp",
    ]
    for path in stale:
        path.write_bytes(b"half a file")
    mine = copy_book / ".notes.tmp"
    mine.write_text("the user's", "utf-8")
    spec = str(EXAMPLES / "mandalas-adults.yaml")
    assert main(["assemble", spec, "--out", str(copy_book), "--pages", "6"]) == 0
    assert not [p for p in stale if p.exists()]
    assert mine.exists()
    assert not (copy_book / ".ebook-bot.lock").exists()  # no lock file left in the book


@pytest.mark.parametrize(("name", "cut"), [("003.png", 0), ("004.png", 3000), ("cover.png", 0)])
def test_assemble_names_a_page_that_does_not_decode(
    copy_book: Path, name: str, cut: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said `UnidentifiedImageError` (or "image file is truncated" for interior.pdf);
    now the page file and the fix, and `generate` then makes the page again."""
    page = copy_book / "pages" / name
    page.write_bytes(page.read_bytes()[:cut] if cut else b"not a picture")
    spec = str(EXAMPLES / "mandalas-adults.yaml")
    assert main(["assemble", spec, "--out", str(copy_book), "--pages", "6"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{page}: not a page image Pillow can read (")
    assert line.endswith("run `ebook-bot generate` for this spec to make it again")
    assert "Error" not in line
    assert main(["generate", spec, "--out", str(copy_book), "--pages", "6"]) == 0
    assert main(["assemble", spec, "--out", str(copy_book), "--pages", "6"]) == 0


def test_log_lines_print_controls_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    """A file name reaches the log too (a warning about an image, say)."""
    import logging

    from bot.log import LOGGER, setup

    setup("INFO")
    logging.getLogger(f"{LOGGER}.test").warning("cannot read %s", "evil\x1b]0;pwned\x07.png")
    err = capsys.readouterr().err
    assert "cannot read evil\\x1b]0;pwned\\x07.png" in err
    assert "\x1b" not in err and "\x07" not in err
