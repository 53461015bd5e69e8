"""Provenance for pages a run reuses: a page kept from an earlier run (or adopted from disk)
whose `pages/NNN.json` is missing or describes other pixels gets one made from the ledger,
so `provenance.json` lists no finished page as unknown after any stop."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.book.assets import AssetKind, Key
from bot.book.ledger.models import Page
from bot.book.pages import page_identity
from bot.book.pipeline.inputs import image_request
from bot.book.provenance import page_record, record_path, write_page_record
from bot.book.providers import Provider
from bot.book.spec import BookSpec

NOT_RECORDED = "QA not recorded (a page found on disk without its record)"


def record_sha(pages_dir: Path, index: int) -> str | None:
    """The PNG hash a page's record describes, or None when it has no readable record."""
    try:
        record = json.loads(record_path(pages_dir, index).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    sha = record.get("png_sha256") if isinstance(record, dict) else None
    return sha if isinstance(sha, str) else None


def record_agrees(pages_dir: Path, key: Key, sha256: str) -> bool:
    """False when the page's record names other pixels than the file's (changed since)."""
    if key[0] == AssetKind.COVER:
        return True
    recorded = record_sha(pages_dir, key[1])
    return recorded is None or recorded == sha256


def complete_records(
    pages_dir: Path,
    kept: Iterable[Key],
    rows: Iterable[Page],
    spec: BookSpec,
    provider: Provider,
    size: tuple[int, int],
) -> list[int]:
    """Write the records kept pages lack; the indexes written."""
    by_key = {(AssetKind(r.kind), r.idx): r for r in rows}
    written = []
    for key in kept:
        row = by_key.get(key)
        found = page_identity(pages_dir / f"{key[1] + 1:03d}.png")
        if key[0] == AssetKind.COVER or row is None or found is None:
            continue
        if record_sha(pages_dir, key[1]) == found[0]:
            continue
        write_page_record(pages_dir, recovered_record(row, spec, provider, size, found[0]))
        written.append(key[1])
    return written


def recovered_record(
    row: Page, spec: BookSpec, provider: Provider, size: tuple[int, int], sha256: str
) -> dict[str, Any]:
    """A page's record from the ledger: what the ledger knows, and `recovered: true`. The
    kept attempt (its seed) is known when there was one, or when the last one passed."""
    reasons = tuple(r for r in (row.reasons or "").split("; ") if r)
    attempts = row.attempts or None  # an adopted page's are not known
    kept = attempts if attempts and (attempts == 1 or not reasons) else None
    request = image_request(spec, AssetKind.PAGE, row.idx, row.subject, size, (kept or 1) - 1)
    record = page_record(
        provider,
        request,
        attempts=attempts or 0,
        reasons=reasons,
        metrics={},
        seconds=row.duration or 0.0,
        sha256=sha256,
    )
    record["attempts"] = attempts
    record["recovered"] = True  # written after a stop, from the ledger (no QA figures)
    if kept is None:
        record["seed"] = None
    if attempts is None:  # adopted from disk: no QA was recorded for it, so a reviewer looks
        record["qa"] = {"ok": False, "reasons": [NOT_RECORDED], "metrics": {}}
    return record
