"""`assemble`: interior.pdf, cover.pdf and preview.png from a book's pages, then preflight.

Stages (inputs are checked before anything is written):
  1. plan the interior; every page file must be there
  2. the interior (G4 masters embedded as they are) and the full-wrap cover
  3. the preview contact sheet
  4. preflight both PDFs against KDP's rules
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image

from bot.book.assets import COVER_ART, png_path
from bot.book.credit import provider_credit
from bot.book.kdp import InteriorPlan, plan_interior
from bot.book.pages import load_g4, load_png, load_thumb, png_digest
from bot.book.pdf.cover import write_cover
from bot.book.pdf.cover_fit import check_cover_texts
from bot.book.pdf.interior import write_interior
from bot.book.preflight import book_problems, inspect_pdf
from bot.book.preview import write_preview
from bot.book.provenance import read_page_records, write_provenance
from bot.book.spec import BookSpec
from bot.config import RepoConfig, provider_names
from bot.errors import PreflightError, UserInputError

R = TypeVar("R")


@dataclass
class AssembleResult:
    plan: InteriorPlan
    interior_bytes: int
    cover_bytes: int
    preview_bytes: int
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)  # interior, cover, preview...


def missing_pages(spec: BookSpec, pages_dir: Path) -> list[str]:
    """The asset files a book still lacks, cover art first."""
    missing = [] if (pages_dir / COVER_ART).exists() else [COVER_ART]
    return missing + [
        png_path(pages_dir, i).name
        for i in range(spec.pages.total)
        if not png_path(pages_dir, i).exists()
    ]


def assemble(spec: BookSpec, out: Path, *, config: RepoConfig | None = None) -> AssembleResult:
    """interior.pdf, cover.pdf and preview.png from `out/pages`, then preflight both PDFs.
    `config` names the providers that made the book (for the copyright page's credit)."""
    started = time.perf_counter()
    # 1. inputs
    plan = plan_interior(spec)
    check_cover_texts(spec, plan.page_count)  # before the interior is written
    pages_dir = out / "pages"
    missing = missing_pages(spec, pages_dir)
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise UserInputError(
            f"{pages_dir}: missing {', '.join(missing[:5])}{more}; "
            "run `ebook-bot generate` for this spec first"
        )
    # 2. the PDFs; preflight and the preview overlap with what follows them (their image
    # and zlib work lets go of the GIL)
    interior, cover_pdf = out / "interior.pdf", out / "cover.pdf"
    config = config or RepoConfig()
    credit = provider_credit(
        *provider_names(spec.providers.cover, spec.providers.coloring_page, config), config
    )
    times: dict[str, float] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        digests = list(pool.map(lambda i: png_digest(pages_dir, i), range(spec.pages.total)))
        with _timed(times, "interior"):
            g4 = _named(pages_dir, lambda i: load_g4(pages_dir, i, digests[i]))
            write_interior(spec, plan, g4, interior, credit=credit)
        interior_check = pool.submit(_timed_call, times, "preflight", inspect_pdf, interior)
        flagged = _flagged(pages_dir, spec.pages.total)
        with _timed(times, "cover"), _reading(pages_dir / COVER_ART):
            with Image.open(pages_dir / COVER_ART) as art:
                art.load()
            sample = _named(pages_dir, lambda i: load_png(pages_dir, i))
            write_cover(spec, plan.page_count, art, cover_pdf, load_sample=sample, avoid=flagged)
        # 3. the preview, from the thumbnails made with the pages
        preview = pool.submit(
            _timed_call, times, "preview", _preview, plan, pages_dir, digests, flagged, out
        )
        # 4. preflight
        problems = book_problems(interior_check.result(), inspect_pdf(cover_pdf))
        preview_bytes = preview.result()
    write_provenance(spec, out)
    if problems:
        raise PreflightError("the built PDFs fail print preflight", problems)
    return AssembleResult(
        plan,
        interior.stat().st_size,
        cover_pdf.stat().st_size,
        preview_bytes,
        time.perf_counter() - started,
        times,
    )


def _flagged(pages_dir: Path, total: int) -> frozenset[int]:
    """The pictures (0-based) whose page record says QA flagged them."""
    return frozenset(
        r["page"] - 1 for r in read_page_records(pages_dir, total) if not r["qa"]["ok"]
    )


def _preview(
    plan: InteriorPlan, pages_dir: Path, digests: list[str], flagged: frozenset[int], out: Path
) -> int:
    """The contact sheets: each picture labelled with its printed page number and its own
    number (the one `/regenerate` takes); the pictures QA flagged marked."""
    thumb = _named(pages_dir, lambda i: load_thumb(pages_dir, i, digests[i]))
    thumbs = [thumb(i) for i in range(len(digests))]
    printed = {p.art_index: p.number for p in plan.pages if p.art_index is not None}
    labels = [f"page {printed.get(i, i + 1)} (#{i + 1})" for i in range(len(thumbs))]
    return write_preview(
        out / "cover.pdf", thumbs, out / "preview.png", labels=labels, flagged=flagged
    )


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """A page file that does not decode, named with the fix (not Pillow's exception)."""
    try:
        yield
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # the system's refusal names its file already
        why = str(exc) or type(exc).__name__
        raise UserInputError(
            f"{path}: not a page image Pillow can read ({why}); run `ebook-bot generate` "
            "for this spec to make it again"
        ) from None


def _named(pages_dir: Path, load: Callable[[int], R]) -> Callable[[int], R]:
    """`load(i)` with a page file that does not decode named (see `_reading`)."""

    def named(index: int) -> R:
        with _reading(png_path(pages_dir, index)):
            return load(index)

    return named


@contextlib.contextmanager
def _timed(times: dict[str, float], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        times[stage] = times.get(stage, 0.0) + time.perf_counter() - started


def _timed_call(times: dict[str, float], stage: str, fn: Callable[..., R], *args: Any) -> R:
    with _timed(times, stage):
        return fn(*args)
