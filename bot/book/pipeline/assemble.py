"""`assemble`: interior.pdf, cover.pdf and preview.png from a book's pages, then preflight.

Stages (inputs are checked before anything is written):
  1. plan the interior; every page file must be there
  2. the interior (G4 masters embedded as they are) and the full-wrap cover
  3. the preview contact sheet
  4. preflight both PDFs against KDP's rules
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from bot.book.assets import COVER_ART, png_path
from bot.book.credit import provider_credit
from bot.book.kdp import InteriorPlan, plan_interior
from bot.book.pages import load_g4, load_png
from bot.book.pdf.cover import write_cover
from bot.book.pdf.interior import write_interior
from bot.book.preflight import check_pdf
from bot.book.preview import write_preview
from bot.book.spec import BookSpec
from bot.config import RepoConfig, provider_names
from bot.errors import PreflightError, UserInputError


@dataclass
class AssembleResult:
    plan: InteriorPlan
    interior_bytes: int
    cover_bytes: int
    preview_bytes: int
    seconds: float


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
    pages_dir = out / "pages"
    missing = missing_pages(spec, pages_dir)
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise UserInputError(
            f"{pages_dir}: missing {', '.join(missing[:5])}{more}; "
            "run `ebook-bot generate` for this spec first"
        )
    # 2. the PDFs
    interior, cover_pdf = out / "interior.pdf", out / "cover.pdf"
    config = config or RepoConfig()
    names = provider_names(spec.providers.cover, spec.providers.coloring_page, config)
    credit = provider_credit(*names, config)
    write_interior(spec, plan, lambda i: load_g4(pages_dir, i), interior, credit=credit)
    with Image.open(pages_dir / COVER_ART) as art:
        art.load()
        write_cover(
            spec, plan.page_count, art, cover_pdf, load_sample=lambda i: load_png(pages_dir, i)
        )
    # 3. the preview
    pages = (png_path(pages_dir, i) for i in range(spec.pages.total))
    preview_bytes = write_preview(cover_pdf, pages, out / "preview.png")
    # 4. preflight
    problems = check_pdf(interior) + check_pdf(cover_pdf)
    if problems:
        raise PreflightError("the built PDFs fail print preflight", problems)
    return AssembleResult(
        plan,
        interior.stat().st_size,
        cover_pdf.stat().st_size,
        preview_bytes,
        time.perf_counter() - started,
    )
