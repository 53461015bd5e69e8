"""Where everything on the full-wrap cover goes: pure geometry from the spec, in points.

The wrap is back | spine | front with 0.125 in bleed all round; the origin is the lower-left
corner of the bleed. Text runs carry their font, size, colour and the colour under them, so
tests can check the safe area and contrast without drawing; `bot.book.pdf.cover` draws them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.book.kdp import (
    BLEED,
    COVER_MARGIN,
    COVER_MAT,
    COVER_SAFE,
    POINTS,
    SPINE_CLEARANCE,
    SPINE_TEXT_MIN_PAGES,
    Box,
    cover_art_frame,
    cover_size,
    spine_width,
)
from bot.book.palette import CoverPalette, spec_palette
from bot.book.pdf.cover_back import back_texts, barcode_area, sample_cards, sample_indices
from bot.book.pdf.cover_parts import Badge, TextRun, Thumb, block_height, centred, fit_lines
from bot.book.pdf.document import BookFonts
from bot.book.spec import Audience, BookSpec

__all__ = ["Badge", "CoverLayout", "TextRun", "Thumb", "cover_layout", "sample_indices"]

EN_DASH = "\u2013"


@dataclass(frozen=True)
class CoverLayout:
    """Panels of the wrap and everything placed on them, in points."""

    width: float
    height: float
    back: Box  # trim area of each panel
    spine: Box
    front: Box
    barcode: Box
    palette: CoverPalette
    art_frame: Box  # the white mat round the front art
    art: Box  # where the art goes (fitted inside, aspect kept)
    texts: tuple[TextRun, ...]
    badge: Badge | None
    thumbs: tuple[Thumb, ...]

    @property
    def spine_text_allowed(self) -> bool:
        return self.spine.w > 0

    def safe(self, panel: Box) -> Box:
        """`panel` less KDP's 0.125 in safe margin on every side."""
        s = COVER_SAFE * POINTS
        return Box(panel.x + s, panel.y + s, panel.w - 2 * s, panel.h - 2 * s)

    def runs(self, role: str) -> list[TextRun]:
        return [t for t in self.texts if t.role == role]


def default_badge(spec: BookSpec) -> str:
    """The badge a spec without `cover.badge` gets: the page count, and the ages for kids."""
    count = f"{spec.pages.total} coloring pages"
    if spec.audience in (Audience.AGES_3_5, Audience.AGES_6_8, Audience.AGES_9_12):
        ages = spec.audience.value.replace("-", EN_DASH)
        return f"{count} · Ages {ages}"
    return f"{count} · For {spec.audience.value}"


def badge_text(spec: BookSpec) -> str:
    return default_badge(spec) if spec.cover.badge is None else spec.cover.badge


def cover_layout(
    spec: BookSpec,
    page_count: int,
    fonts: BookFonts | None = None,
    avoid: frozenset[int] = frozenset(),
) -> CoverLayout:
    """Lay out the cover of an interior of `page_count` pages; the back's sample pages are
    chosen outside `avoid` (the pictures QA flagged)."""
    fonts = fonts or BookFonts()
    w_in, h_in = cover_size(spec.trim, page_count, spec.paper)
    trim_w, trim_h = (v * POINTS for v in spec.trim.inches)
    b = BLEED * POINTS
    back = Box(b, b, trim_w, trim_h)
    spine = Box(back.x + back.w, b, spine_width(page_count, spec.paper) * POINTS, trim_h)
    front = Box(spine.x + spine.w, b, trim_w, trim_h)
    palette = spec_palette(spec)
    frame, art = _art_boxes(spec, front)
    badge, badge_runs = _badge(spec, fonts, palette, front)
    band_bottom = frame.y + frame.h + 0.1 * POINTS
    top = badge.box.y - 0.2 * POINTS if badge else front.y + front.h - COVER_MARGIN * POINTS
    texts = _front_texts(spec, fonts, palette, front, band_bottom, top)
    texts += _author(spec, fonts, palette, front, frame)
    barcode = barcode_area(spec, back)
    back_runs, blurb_bottom = back_texts(spec, fonts, palette, back, barcode)
    thumbs = sample_cards(spec, back, blurb_bottom, barcode, avoid)
    spine_runs = _spine_texts(spec, fonts, palette, spine, page_count)
    return CoverLayout(
        w_in * POINTS,
        h_in * POINTS,
        back,
        spine,
        front,
        barcode,
        palette,
        frame,
        art,
        (*texts, *badge_runs, *back_runs, *spine_runs),
        badge,
        thumbs,
    )


def _art_boxes(spec: BookSpec, front: Box) -> tuple[Box, Box]:
    x, y, w, h = (v * POINTS for v in cover_art_frame(spec.trim))
    frame = Box(front.x + x, front.y + y, w, h)
    mat = COVER_MAT * POINTS
    return frame, Box(frame.x + mat, frame.y + mat, frame.w - 2 * mat, frame.h - 2 * mat)


def _front_texts(
    spec: BookSpec,
    fonts: BookFonts,
    palette: CoverPalette,
    front: Box,
    band_bottom: float,
    band_top: float,
) -> list[TextRun]:
    """Title and subtitle centred in the band from `band_bottom` to `band_top`."""
    width = front.w - 2 * COVER_MARGIN * POINTS
    cx = front.x + front.w / 2
    title_font = fonts.title_font(spec.title)
    sub_font = fonts.title_font(spec.subtitle or "")
    size = front.w * 0.12
    while True:  # shrink the title until title and subtitle fit the band together
        lines, size = fit_lines(title_font, spec.title, size, width, 3, 16.0)
        sub_lines: list[str] = []
        sub_size = 0.0
        if spec.subtitle:
            sub_size = max(12.0, min(size * 0.45, front.w * 0.042))
            sub_lines, sub_size = fit_lines(sub_font, spec.subtitle, sub_size, width, 2, 9.0)
        height = block_height(title_font, lines, size, 1.02)
        if sub_lines:
            height += size * 0.35 + block_height(sub_font, sub_lines, sub_size, 1.25)
        if height <= band_top - band_bottom or size <= 16.0:
            break
        size *= 0.94
    top = band_top - (band_top - band_bottom - height) / 2
    ink, ground = palette.ink, palette.background
    runs, last = centred("title", lines, title_font, size, cx, top, 1.02, ink, ground)
    if sub_lines:
        sub_top = last + min(0.0, title_font.ink_extent(lines[-1], size)[0]) - size * 0.35
        sub, _ = centred("subtitle", sub_lines, sub_font, sub_size, cx, sub_top, 1.25, ink, ground)
        runs += sub
    return runs


def _author(
    spec: BookSpec, fonts: BookFonts, palette: CoverPalette, front: Box, frame: Box
) -> list[TextRun]:
    """The author, centred in the foot band under the art."""
    margin = COVER_MARGIN * POINTS
    font = fonts.title_font(spec.author)
    foot = frame.y - (front.y + margin)
    lines, size = fit_lines(
        font, spec.author, min(front.w * 0.045, foot * 0.62), front.w - 2 * margin, 1, 8.0
    )
    top = front.y + margin + (foot + font.ink_extent("H", size)[1]) / 2
    cx = front.x + front.w / 2
    return centred("author", lines, font, size, cx, top, 1.2, palette.ink, palette.background)[0]


def _badge(
    spec: BookSpec, fonts: BookFonts, palette: CoverPalette, front: Box
) -> tuple[Badge | None, list[TextRun]]:
    """The badge: a pill of the accent colour at the top of the title band."""
    text = badge_text(spec).upper()
    if not text:
        return None, []
    margin = COVER_MARGIN * POINTS
    font = fonts.title_font(text)
    h = min(max(front.w * 0.042, 18.0), 28.0)
    size, room = h * 0.5, front.w - 2 * margin - h
    while font.width(text, size) > room and size > 6.0:
        size *= 0.94
    w = font.width(text, size) + h
    box = Box(front.x + (front.w - w) / 2, front.y + front.h - margin - h, w, h)
    low, high = font.ink_extent(text, size)
    y = box.y + (h - (high + low)) / 2  # ink centred on the pill
    run = TextRun("badge", text, font, size, box.x + h / 2, y, palette.accent_ink, palette.accent)
    return Badge(box, palette.accent), [run]


def _spine_texts(
    spec: BookSpec, fonts: BookFonts, palette: CoverPalette, spine: Box, page_count: int
) -> list[TextRun]:
    """Title and author down the spine, from 79 pages, clear of both folds."""
    if page_count < SPINE_TEXT_MIN_PAGES:
        return []
    label = f"{spec.title}  •  {spec.author}"
    font = fonts.title_font(label)
    room = spine.w - 2 * SPINE_CLEARANCE * POINTS
    low, high = font.ink_extent(label, 1.0)
    size = min(room / (high - low), 20.0)
    size = math.floor(size * 100) / 100  # round down: never past the clearance
    length = spine.h - 2 * COVER_MARGIN * POINTS
    if font.width(label, size) > length:
        size = math.floor(size * length / font.width(label, size) * 100) / 100
    low, high = font.ink_extent(label, size)
    x = spine.x + spine.w / 2 - (low + high) / 2
    y = spine.y + spine.h / 2 + font.width(label, size) / 2
    return [TextRun("spine", label, font, size, x, y, palette.ink, palette.background, rotate=True)]
