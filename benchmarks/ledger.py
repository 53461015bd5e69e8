"""Run-ledger overhead per page, and how soon a killed `generate` is making pages again.

python -m benchmarks.ledger          # SQLite; PostgreSQL too when DATABASE_URL or
                                     # EBOOK_BOT_TEST_DATABASE_URL names one (its ledger
                                     # tables are dropped and recreated!)
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks._util import ROOT
from bot.book.ledger import PageInput, open_ledger
from bot.book.ledger.db import downgrade, make_engine, upgrade

PAGES = 200


def overhead(url: str) -> tuple[float, float]:
    """Median ms per page of the ledger's own work (claim, complete) and of sync, per page."""
    engine = make_engine(url)
    downgrade(engine)
    upgrade(engine)
    ledger = open_ledger(url)
    inputs = [PageInput("page", i, f"s{i}", i, f"k{i}") for i in range(PAGES)]
    t = time.perf_counter()
    ledger.sync("bench", inputs)
    sync_ms = (time.perf_counter() - t) * 1000 / PAGES
    per_page = []
    while True:
        t = time.perf_counter()
        claims = ledger.claim("bench", limit=1)
        if not claims:
            break
        ledger.complete(
            claims[0], sha256="x" * 64, attempts=1, reasons=[], duration=0.1, run_id=None
        )
        per_page.append((time.perf_counter() - t) * 1000)
    assert len(per_page) == PAGES
    engine.dispose()
    return statistics.median(per_page), sync_ms


def _first_new_page(proc: subprocess.Popen[bytes], pages: Path, before: set[str]) -> float:
    start = time.perf_counter()
    while True:
        now = {p.name for p in pages.glob("[0-9]*.png")}
        if now - before:
            return time.perf_counter() - start
        if proc.poll() is not None:
            raise RuntimeError("generate ended without making a page")
        time.sleep(0.001)


def restart(tmp: Path) -> tuple[float, float]:
    """Seconds from starting `generate` to its first new page: fresh, and after a SIGKILL."""
    spec = tmp / "book.yaml"
    subjects = [f"mandala {i}" for i in range(40)]
    spec.write_text(yaml.safe_dump({"title": "Bench", "author": "B", "pages": subjects}))
    out = tmp / "out"
    env = {**os.environ, "EBOOK_BOT_STATE_DIR": str(tmp / "state")}
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "-m", "bot", "generate", str(spec), "--out", str(out)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    fresh = _first_new_page(proc, out / "pages", set())
    while len(list((out / "pages").glob("[0-9]*.png"))) < 20:
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = {p.name for p in (out / "pages").glob("[0-9]*.png")}
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    resumed = _first_new_page(proc, out / "pages", before)
    proc.wait()
    return fresh, resumed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        targets = {"SQLite": f"sqlite:///{Path(tmp) / 'bench.sqlite'}"}
        pg = os.environ.get("DATABASE_URL") or os.environ.get("EBOOK_BOT_TEST_DATABASE_URL")
        if pg:
            targets["PostgreSQL"] = pg
        print(f"ledger overhead per page ({PAGES} pages, claim + complete, one page a time):")
        for name, url in targets.items():
            per_page, sync_ms = overhead(url)
            print(f"  {name:10s}: {per_page:.2f} ms/page (median); sync {sync_ms:.3f} ms/page")
        if "PostgreSQL" not in targets:
            print("  PostgreSQL: skipped (set DATABASE_URL or EBOOK_BOT_TEST_DATABASE_URL)")
        fresh, resumed = restart(Path(tmp))
        print("time to the first new page (40-page 8.5x11 book, procedural, SQLite ledger):")
        print(f"  fresh start: {fresh:.2f} s; restart after SIGKILL at page 20: {resumed:.2f} s")


if __name__ == "__main__":
    main()
