"""`ebook-bot runs`: what the ledger knows, as text a person reads in a terminal or a log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.book.ledger import Ledger
from bot.book.ledger.models import Page, PageStatus, Run, utcnow
from bot.text import one_line

DONE, FAILED, RUNNING = PageStatus.DONE, PageStatus.FAILED, PageStatus.RUNNING


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*header).rstrip(), *(fmt.format(*r).rstrip() for r in rows)]


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _duration(run: Run) -> str:
    end = run.finished_at or utcnow()
    seconds = max(0.0, (end - run.started_at).total_seconds())
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def runs_table(runs: Sequence[Run]) -> list[str]:
    rows = [
        (
            str(r.id),
            r.book if r.issue is None else f"#{r.issue}",
            r.status,
            _when(r.started_at),
            _duration(r),
            str(r.pages_made),
            f"{r.gpu_seconds:.1f}",
            r.mode,
            r.runner,
            one_line(r.error, 60),
        )
        for r in runs
    ]
    header = (
        "RUN",
        "BOOK",
        "STATUS",
        "STARTED (UTC)",
        "TIME",
        "MADE",
        "GPU S",
        "MODE",
        "RUNNER",
        "ERROR",
    )
    return _table(header, rows)


def _label(page: Page) -> str:
    return "cover" if page.kind == "cover" else f"page {page.idx + 1}"


def pages_summary(pages: Sequence[Page]) -> list[str]:
    counts = {s: sum(p.status == s for p in pages) for s in PageStatus}
    lines = [
        f"pages: {len(pages)} ("
        + ", ".join(f"{counts[s]} {s}" for s in PageStatus if counts[s])
        + ")"
    ]
    now = utcnow()
    for p in pages:
        if p.status == RUNNING:
            expired = p.lease_expires is not None and p.lease_expires < now
            lease = (
                "lease expired, will be retaken"
                if expired
                else f"lease to {_when(p.lease_expires)}"
            )
            lines.append(f"  {_label(p)}: being made by {p.lease_owner} ({lease})")
    for p in pages:
        if p.status == FAILED:
            lines.append(f"  {_label(p)} failed: {one_line(p.error, 200)}")
    flagged = [p for p in pages if p.status == DONE and p.reasons]
    if flagged:
        lines.append(f"flagged by line-art QA (best attempt kept): {len(flagged)}")
        lines.extend(f"  {_label(p)}: {one_line(p.reasons, 200)}" for p in flagged[:20])
    timed = sorted(
        (p for p in pages if p.status == DONE and p.duration), key=lambda p: -(p.duration or 0)
    )
    if timed:
        mean = sum(p.duration or 0 for p in timed) / len(timed)
        slow = ", ".join(f"{_label(p)} {p.duration:.2f} s" for p in timed[:5])
        lines.append(f"time per page: mean {mean:.2f} s; slowest: {slow}")
        retried = [p for p in timed if p.attempts > 1]
        if retried:
            lines.append(f"pages that needed more than one attempt: {len(retried)}")
    return lines


def report(ledger: Ledger, *, book: str | None, name: str | None = None, limit: int = 20) -> str:
    """All runs, or one book's runs and pages (`book`: its ledger key; `name`: as shown)."""
    key = book
    runs = ledger.runs(book=key, limit=limit)
    if key is None:
        if not runs:
            return "no runs recorded yet\n"
        return "\n".join(runs_table(runs)) + "\n"
    pages = ledger.pages(key)
    if not runs and not pages:
        return f"no runs recorded for {name or key}\n"
    lines = [f"book {key}", *runs_table(runs), "", *pages_summary(pages)]
    return "\n".join(lines) + "\n"
