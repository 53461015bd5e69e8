"""Whether a spec's cover texts fit its trim: every line inside its panel's safe area, the
front's texts clear of the art, the back's clear of the barcode area. Texts that do not fit
even at the smallest sizes are refused before any work, naming the field."""

from __future__ import annotations

from bot.book.kdp import MIN_PAGES, POINTS, SPINE_CLEARANCE, Box
from bot.book.pdf.cover_layout import CoverLayout, TextRun, cover_layout
from bot.book.spec import BookSpec
from bot.errors import SpecError

FIELDS = {
    "title": "title",
    "heading": "title",
    "subtitle": "subtitle",
    "author": "author",
    "badge": "cover.badge",
    "blurb": "cover.back_text",
}
FRONT = ("title", "subtitle", "author", "badge")
EPS = 0.01


def _inside(inner: Box, outer: Box) -> bool:
    return (
        inner.x >= outer.x - EPS
        and inner.y >= outer.y - EPS
        and inner.x + inner.w <= outer.x + outer.w + EPS
        and inner.y + inner.h <= outer.y + outer.h + EPS
    )


def _overlaps(a: Box, b: Box) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def misplaced(layout: CoverLayout) -> list[TextRun]:
    """The text runs that leave their panel's safe area or cover the art or barcode."""
    c = SPINE_CLEARANCE * POINTS
    spine = Box(layout.spine.x + c, layout.spine.y, layout.spine.w - 2 * c, layout.spine.h)
    bad = []
    for run in layout.texts:
        if run.role == "spine":
            room = spine
        else:
            room = layout.safe(layout.front if run.role in FRONT else layout.back)
        box = run.box
        blocked = layout.art_frame if run.role in FRONT else layout.barcode
        if not _inside(box, room) or (run.role != "isbn" and _overlaps(box, blocked)):
            bad.append(run)
    return bad


def cover_text_problems(spec: BookSpec, page_count: int = MIN_PAGES) -> list[str]:
    """One line per field whose text does not fit the cover of `spec`'s trim."""
    problems: dict[str, str] = {}  # the first line per field
    for run in misplaced(cover_layout(spec, page_count)):
        field = FIELDS.get(run.role, run.role)
        if run.role in ("title", "subtitle") and spec.subtitle:
            field = "title and subtitle"
        panel = "back" if run.role in ("heading", "blurb") else "front"
        problems.setdefault(
            field,
            f"{field}: too long for the {panel} cover ({spec.trim.value} in trim) even at "
            f"{run.size:.0f} pt; shorten {'one' if ' and ' in field else 'it'}",
        )
    return list(problems.values())


def check_cover_texts(spec: BookSpec, page_count: int = MIN_PAGES) -> None:
    """Raise SpecError (exit 2) when a cover text cannot fit the trim."""
    problems = cover_text_problems(spec, page_count)
    if problems:
        raise SpecError("the cover's texts do not fit", problems)
