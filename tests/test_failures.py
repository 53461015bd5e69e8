"""Faults a user can meet (a damaged ledger, a file-size limit, a bad page, a second build in
the same folder): each is one or two lines naming the file and the fix, a non-zero exit,
no traceback, and nothing half-written."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, minimal_spec, write_spec


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
