"""Where everything on the full-wrap cover goes: pure geometry from the spec, in points.

The wrap is back | spine | front with 0.125 in bleed all round; the origin is the lower-left
corner of the bleed. Text runs carry their font, size, colour and the colour under them, so
tests can check the safe area and contrast without drawing; `bot.pdf.cover` draws them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from bot.kdp import (
    BARCODE_INSET,
    BARCODE_SIZE,
    BLEED,
    COVER_MARGIN,
    COVER_MAT,
    COVER_SAFE,
    OUTSIDE_MARGIN,
    POINTS,
    SPINE_CLEARANCE,
    SPINE_TEXT_MIN_PAGES,
    Box,
    art_size_px,
    cover_art_frame,
    cover_size,
    spine_width,
)
from bot.palette import CoverPalette, spec_palette
from bot.pdf.document import BookFonts
from bot.pdf.fonts import EmbeddedFont, wrap
from bot.spec import Audience, BookSpec

ISBN_BAND = 0.2  # inches under the barcode area for the ISBN line
THUMB_ANGLES = (-5.0, 3.5, -2.5, 4.5)  # degrees: a loose, hand-laid row of sample pages
BLURB_SIZES = (12.5, 12.0, 11.5, 11.0)
BLURB_LEADING = 1.35
BLURB_CENTRED_LINES = 4  # up to this many lines the blurb is centred, like a cover's copy
EN_DASH = "\u2013"


@dataclass(frozen=True, eq=False)
class TextRun:
    """One line of text: `x`, `y` is the left end of its baseline (the top end, rotated)."""

    role: str  # title, subtitle, author, badge, heading, blurb, spine, isbn
    text: str
    font: EmbeddedFont
    size: float
    x: float
    y: float
    colour: str
    under: str  # the colour printed under the text
    rotate: bool = False

    @property
    def box(self) -> Box:
        """The ink of the line (glyph outlines, not the font's line height)."""
        low, high = self.font.ink_extent(self.text, self.size)
        width = self.font.width(self.text, self.size)
        if self.rotate:  # runs downwards, glyph tops towards +x
            return Box(self.x + low, self.y - width, high - low, width)
        return Box(self.x, self.y + low, width, high - low)


@dataclass(frozen=True)
class Badge:
    """The badge's pill (a rectangle with round ends) and its colour."""

    box: Box
    colour: str


@dataclass(frozen=True)
class Thumb:
    """A sample page on the back: a white card (trim-shaped) turned by `angle` degrees
    about its centre, the page's art inside it at `art` (in the card's own frame)."""

    index: int  # the page's art index
    cx: float
    cy: float
    w: float
    h: float
    angle: float
    art: Box  # relative to the card's centre, before turning

    def corners(self) -> list[tuple[float, float]]:
        a = math.radians(self.angle)
        cos, sin = math.cos(a), math.sin(a)
        out = []
        for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            x, y = dx * self.w / 2, dy * self.h / 2
            out.append((self.cx + x * cos - y * sin, self.cy + x * sin + y * cos))
        return out

    @property
    def bounds(self) -> Box:
        xs, ys = zip(*self.corners(), strict=True)
        return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


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


def sample_indices(total: int, count: int) -> list[int]:
    """`count` pages spread evenly over a book of `total` pictures, first and last included."""
    if total <= count:
        return list(range(total))
    return sorted({round(i * (total - 1) / (count - 1)) for i in range(count)})


def fit_lines(
    font: EmbeddedFont, text: str, size: float, width: float, max_lines: int, min_size: float
) -> tuple[list[str], float]:
    """Wrap `text` into at most `max_lines` lines no wider than `width`, shrinking the size
    (not below `min_size`) until it fits."""
    while True:
        lines = wrap(font, text, size, width)
        fits = len(lines) <= max_lines and all(font.width(ln, size) <= width for ln in lines)
        if fits or size <= min_size:
            return lines, size
        size = max(min_size, size * 0.94)


def _centred(
    role: str,
    lines: list[str],
    font: EmbeddedFont,
    size: float,
    cx: float,
    top: float,
    leading: float,
    colour: str,
    under: str,
) -> tuple[list[TextRun], float]:
    """Lines centred on `cx`, the first cap line touching `top`; returns them and the
    baseline of the last line."""
    runs = []
    y = top - font.ink_extent("H", size)[1]
    for line in lines:
        x = cx - font.width(line, size) / 2
        runs.append(TextRun(role, line, font, size, x, y, colour, under))
        y -= size * leading
    return runs, y + size * leading


def cover_layout(spec: BookSpec, page_count: int, fonts: BookFonts | None = None) -> CoverLayout:
    """Lay out the cover of an interior of `page_count` pages."""
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
    barcode = _barcode(spec, back)
    back_runs, blurb_bottom = _back_texts(spec, fonts, palette, back, barcode)
    thumbs = _thumbs(spec, back, blurb_bottom, barcode)
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
        height = _block_height(title_font, lines, size, 1.02)
        if sub_lines:
            height += size * 0.35 + _block_height(sub_font, sub_lines, sub_size, 1.25)
        if height <= band_top - band_bottom or size <= 16.0:
            break
        size *= 0.94
    top = band_top - (band_top - band_bottom - height) / 2
    ink, ground = palette.ink, palette.background
    runs, last = _centred("title", lines, title_font, size, cx, top, 1.02, ink, ground)
    if sub_lines:
        sub_top = last + min(0.0, title_font.ink_extent(lines[-1], size)[0]) - size * 0.35
        sub, _ = _centred("subtitle", sub_lines, sub_font, sub_size, cx, sub_top, 1.25, ink, ground)
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
    return _centred("author", lines, font, size, cx, top, 1.2, palette.ink, palette.background)[0]


def _block_height(font: EmbeddedFont, lines: list[str], size: float, leading: float) -> float:
    """Cap top of the first line to the lowest ink of the last."""
    return (
        font.ink_extent("H", size)[1]
        + (len(lines) - 1) * size * leading
        - min(0.0, font.ink_extent(lines[-1] if lines else "", size)[0])
    )


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


def _barcode(spec: BookSpec, back: Box) -> Box:
    """KDP's barcode area: 2 x 1.2 in, 0.25 in from the spine fold and the bottom edge;
    raised by a line when the ISBN is printed under it."""
    bw, bh = BARCODE_SIZE[0] * POINTS, BARCODE_SIZE[1] * POINTS
    inset = BARCODE_INSET * POINTS
    lift = ISBN_BAND * POINTS if spec.cover.isbn else 0.0
    return Box(back.x + back.w - inset - bw, back.y + inset + lift, bw, bh)


def _back_texts(
    spec: BookSpec, fonts: BookFonts, palette: CoverPalette, back: Box, barcode: Box
) -> tuple[list[TextRun], float]:
    """The title as a heading and the blurb as a centred paragraph; returns them and the
    lowest point of their ink."""
    margin = COVER_MARGIN * POINTS
    ink, ground = palette.ink, palette.background
    cx = back.x + back.w / 2
    font = fonts.title_font(spec.title)
    lines, size = fit_lines(font, spec.title, back.w * 0.065, back.w - 2 * margin, 2, 12.0)
    top = back.y + back.h - margin
    runs, last = _centred("heading", lines, font, size, cx, top, 1.05, ink, ground)
    bottom = last + min(0.0, font.ink_extent(lines[-1], size)[0])
    if spec.cover.back_text:
        # a column of about 60-75 characters reads best; narrower on a narrow book
        width = min(back.w - 2 * margin, 5.4 * POINTS)
        room = (back.h - 2 * margin) * 0.34
        for blurb_size in BLURB_SIZES:
            para = wrap(fonts.regular, spec.cover.back_text, blurb_size, width)
            if len(para) * blurb_size * BLURB_LEADING <= room:
                break
        first = bottom - 0.28 * POINTS
        body, last = _centred(
            "blurb", para, fonts.regular, blurb_size, cx, first, BLURB_LEADING, ink, ground
        )
        if len(para) > BLURB_CENTRED_LINES:  # a longer paragraph reads better ragged-right
            left = cx - max(fonts.regular.width(ln, blurb_size) for ln in para) / 2
            body = [replace(run, x=left) for run in body]
        runs += body
        bottom = last - fonts.regular.descent(blurb_size)
    runs += _features(spec, fonts, palette, back, barcode)
    if spec.cover.isbn:
        text = f"ISBN {spec.cover.isbn}"
        isbn_size = 8.0
        x = barcode.x + (barcode.w - fonts.regular.width(text, isbn_size)) / 2
        y = barcode.y - ISBN_BAND * POINTS * 0.7
        runs.append(TextRun("isbn", text, fonts.regular, isbn_size, x, y, ink, ground))
    return runs, bottom


def features(spec: BookSpec) -> list[str]:
    """Facts a buyer looks for, from the spec: page count, one-sided printing, size."""
    w, h = spec.trim.value.split("x")
    out = [f"{spec.pages.total} coloring pages"]
    if spec.single_sided:
        out.append("One picture per page, blank backs")
    out.append(f"Large {w} \u00d7 {h} in pages")
    return out


def _features(
    spec: BookSpec, fonts: BookFonts, palette: CoverPalette, back: Box, barcode: Box
) -> list[TextRun]:
    """The facts as a short list left of the barcode area, level with its top."""
    margin = COVER_MARGIN * POINTS
    font, size = fonts.regular, 10.5
    room = barcode.x - 0.2 * POINTS - (back.x + margin)
    runs = []
    y = barcode.y + barcode.h - font.ink_extent("H", size)[1]
    for line in features(spec):
        text = f"\u2022  {line}"
        while font.width(text, size) > room and size > 6.0:
            size *= 0.94
        runs.append(
            TextRun(
                "feature", text, font, size, back.x + margin, y, palette.ink, palette.background
            )
        )
        y -= size * 1.5
    return runs


def _thumbs(spec: BookSpec, back: Box, top: float, barcode: Box) -> tuple[Thumb, ...]:
    """Sample pages in a loose, slightly overlapping row between the paragraph and the
    barcode area."""
    margin = COVER_MARGIN * POINTS
    total = spec.pages.total
    count = min(4 if back.w >= 7.5 * POINTS else 3, total)
    zone_top, zone_bottom = top - 0.3 * POINTS, barcode.y + barcode.h + 0.3 * POINTS
    zone_w, zone_h = back.w - 2 * margin, zone_top - zone_bottom
    if count == 0 or zone_h <= 0:
        return ()
    angles = THUMB_ANGLES[:count]
    aspect = back.h / back.w  # a card has the page's shape
    turn = [(abs(math.cos(math.radians(a))), abs(math.sin(math.radians(a)))) for a in angles]
    spread = max(cos + aspect * sin for cos, sin in turn)  # turned width per card width
    tall = max(sin + aspect * cos for cos, sin in turn)
    # neighbours may overlap a little (a loose pile); the row stays inside the margins
    overlap = 1.15 if count > 1 else 1.0
    card_w = min(zone_w / count * overlap / spread, zone_h / tall, 3.2 * POINTS)
    card_h = card_w * aspect
    art = _card_art(spec, card_w, card_h)
    first = back.x + margin + card_w * spread / 2
    step = (zone_w - card_w * spread) / (count - 1) if count > 1 else 0.0
    cx0 = first if count > 1 else back.x + back.w / 2
    cy = zone_bottom + zone_h / 2
    return tuple(
        Thumb(index, cx0 + step * i, cy, card_w, card_h, angles[i], art)
        for i, index in enumerate(sample_indices(total, count))
    )


def _card_art(spec: BookSpec, card_w: float, card_h: float) -> Box:
    """Where a page's art sits on its card: the page's margins, scaled to the card."""
    scale = card_w / (spec.trim.inches[0] * POINTS)
    margin = OUTSIDE_MARGIN * POINTS * scale
    px_w, px_h = art_size_px(spec)
    room_w, room_h = card_w - 2 * margin, card_h - 2 * margin
    fit = min(room_w / px_w, room_h / px_h)
    w, h = px_w * fit, px_h * fit
    return Box(-w / 2, -h / 2, w, h)


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
