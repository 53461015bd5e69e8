"""Where every page came from: `pages/NNN.json` written as each page is finished (provider,
model and revision, seed, prompt, attempts, QA figures, seconds), gathered into the book
folder's `provenance.json` with the tool's version, the spec's hash and the cost a remote
provider reported. A buyer's question ("was this drawn by a model? which one?") and a
reviewer's ("why was page 7 flagged?") are answered from it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from bot import __version__
from bot.book.providers.base import ImageRequest, Provider
from bot.book.spec import BookSpec
from bot.fsutil import atomic_write

PROVENANCE = "provenance.json"


def record_path(pages_dir: Path, index: int) -> Path:
    return pages_dir / f"{index + 1:03d}.json"


def page_record(
    provider: Provider,
    request: ImageRequest,
    *,
    attempts: int,
    reasons: tuple[str, ...],
    metrics: dict[str, float | int],
    seconds: float,
    sha256: str,
) -> dict[str, Any]:
    """One finished page's provenance (the kept attempt's request and QA)."""
    told = provider.describe(request)
    return {
        "page": request.index + 1,
        "subject": request.subject,
        "provider": provider.name,
        "model": provider.model_id,
        "revision": told.revision,
        "seed": request.seed,
        "prompt": told.prompt,
        "attempts": attempts,
        "qa": {"ok": not reasons, "reasons": list(reasons), "metrics": metrics},
        "seconds": round(seconds, 3),
        "cost": told.cost,
        "substitute": told.substitute,
        "png_sha256": sha256,
    }


def write_page_record(pages_dir: Path, record: dict[str, Any]) -> None:
    data = json.dumps(record, indent=1, sort_keys=True).encode()
    atomic_write(record_path(pages_dir, int(record["page"]) - 1), data, durable=False)


def read_page_records(pages_dir: Path, total: int) -> list[dict[str, Any]]:
    """The records of pages 1..total that exist and still describe the page on disk."""
    records = []
    for index in range(total):
        path = record_path(pages_dir, index)
        png = pages_dir / f"{index + 1:03d}.png"
        try:
            record = json.loads(path.read_text("utf-8"))
            digest = hashlib.sha256(png.read_bytes()).hexdigest()
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and record.get("png_sha256") == digest:
            records.append(record)
    return records


def spec_hash(spec: BookSpec) -> str:
    text = json.dumps(spec.to_data(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_provenance(spec: BookSpec, out: Path) -> dict[str, Any]:
    """`out/provenance.json` from the page records; pages without one (made by hand, or by
    an older version) are listed as unknown."""
    records = read_page_records(out / "pages", spec.pages.total)
    known = {int(r["page"]) for r in records}
    costs = [float(r["cost"]) for r in records if r.get("cost") is not None]
    book = {
        "tool": "ebook-bot",
        "version": __version__,
        "spec_sha256": spec_hash(spec),
        "title": spec.title,
        "pages": records,
        "unknown_pages": [n for n in range(1, spec.pages.total + 1) if n not in known],
        "flagged_pages": [r["page"] for r in records if not r["qa"]["ok"]],
        "remote_cost": round(sum(costs), 6) if costs else None,
        "not_drawn": sorted({r["subject"] for r in records if r.get("substitute")}),
    }
    atomic_write(out / PROVENANCE, json.dumps(book, indent=1, sort_keys=True).encode())
    return book
