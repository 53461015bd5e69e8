"""The back panel of the cover: a heading, the blurb, sample pages, facts a buyer looks
for, KDP's barcode area and the ISBN under it. Pure geometry, in points."""

from __future__ import annotations

import math
from dataclasses import replace

from bot.book.kdp import (
    BARCODE_INSET,
    BARCODE_SIZE,
    COVER_MARGIN,
    OUTSIDE_MARGIN,
    POINTS,
    Box,
    art_size_px,
)
from bot.book.palette import CoverPalette
from bot.book.pdf.cover_parts import TextRun, Thumb, centred, fit_lines
from bot.book.pdf.document import BookFonts
from bot.book.pdf.shaping import right_to_left
from bot.book.pdf.textface import wrap
from bot.book.spec import BookSpec, Trim

ISBN_BAND = 0.2  # inches under the barcode area for the ISBN line
THUMB_ANGLES = (-5.0, 3.5, -2.5, 4.5)  # degrees: a loose, hand-laid row of sample pages
ROW_GAP = 0.2  # inches between two rows of sample pages
TWO_ROWS = 1.15  # two rows only when their cards come out this much wider than one row's
CARD_MAX_IN = 3.2  # the widest a sample page is drawn
BLURB_SIZES = (12.5, 12.0, 11.5, 11.0)
BLURB_LEADING = 1.35
BLURB_CENTRED_LINES = 4  # up to this many lines the blurb is centred, like a cover's copy


def sample_indices(total: int, count: int, avoid: frozenset[int] = frozenset()) -> list[int]:
    """`count` pages spread evenly over a book of `total` pictures, first and last included,
    leaving out the pictures in `avoid` (those QA flagged: an empty or blotted page must not
    sell the book); all pictures when every one is in `avoid`."""
    good = [i for i in range(total) if i not in avoid] or list(range(total))
    if len(good) <= count:
        return good
    return [
        good[j] for j in sorted({round(i * (len(good) - 1) / (count - 1)) for i in range(count)})
    ]


def barcode_area(spec: BookSpec, back: Box) -> Box:
    """KDP's barcode area: 2 x 1.2 in, 0.25 in from the spine fold and the bottom edge;
    raised by a line when the ISBN is printed under it."""
    bw, bh = BARCODE_SIZE[0] * POINTS, BARCODE_SIZE[1] * POINTS
    inset = BARCODE_INSET * POINTS
    lift = ISBN_BAND * POINTS if spec.cover.isbn else 0.0
    return Box(back.x + back.w - inset - bw, back.y + inset + lift, bw, bh)


def back_texts(
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
    runs, last = centred("heading", lines, font, size, cx, top, 1.05, ink, ground)
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
        body, last = centred(
            "blurb", para, fonts.regular, blurb_size, cx, first, BLURB_LEADING, ink, ground
        )
        if len(para) > BLURB_CENTRED_LINES:  # a longer paragraph reads better ragged
            half = max(fonts.regular.width(ln, blurb_size) for ln in para) / 2
            if right_to_left(spec.cover.back_text):  # flush right: where its lines start
                body = [replace(r, x=cx + half - r.font.width(r.text, r.size)) for r in body]
            else:
                body = [replace(run, x=cx - half) for run in body]
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


LARGE_WIDTH = 8.0  # inches: from this page width up a trim is sold as "large"


def trim_words(spec: BookSpec) -> str:
    """The book's real page size in words, e.g. "Large 8.5 x 11 in pages" (with a times sign)."""
    w, h = spec.trim.value.split("x")
    size = f"{w} \u00d7 {h} in"
    if spec.trim is Trim.T8_27X11_69:
        size = f"A4 ({size})"
    large = "Large " if spec.trim.inches[0] >= LARGE_WIDTH else ""
    return f"{large}{size} pages"


def features(spec: BookSpec) -> list[str]:
    """Facts a buyer looks for, from the spec: page count, one-sided printing, size."""
    out = [f"{spec.pages.total} coloring pages"]
    if spec.single_sided:
        out.append("One picture per page, blank backs")
    out.append(trim_words(spec))
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


def sample_cards(
    spec: BookSpec, back: Box, top: float, barcode: Box, avoid: frozenset[int] = frozenset()
) -> tuple[Thumb, ...]:
    """Sample pages between the paragraph and the barcode area: in one loose, slightly
    overlapping row, or in two rows where the panel is tall enough for larger cards (a
    letter-size back has room for twice the height of one row)."""
    margin = COVER_MARGIN * POINTS
    indices = sample_indices(spec.pages.total, 4 if back.w >= 7.5 * POINTS else 3, avoid)
    count = len(indices)
    zone_top, zone_bottom = top - 0.3 * POINTS, barcode.y + barcode.h + 0.3 * POINTS
    zone = Box(back.x + margin, zone_bottom, back.w - 2 * margin, zone_top - zone_bottom)
    if count == 0 or zone.h <= 0:
        return ()
    angles = THUMB_ANGLES[:count]
    aspect = back.h / back.w  # a card has the page's shape
    turn = [(abs(math.cos(math.radians(a))), abs(math.sin(math.radians(a)))) for a in angles]
    spread = max(cos + aspect * sin for cos, sin in turn)  # turned width per card width
    tall = max(sin + aspect * cos for cos, sin in turn)  # turned height per card width
    layouts = [_grid(count, rows, zone, spread, tall) for rows in (1, 2) if rows <= count]
    rows, card_w = max(layouts, key=lambda grid: grid[1] / (1.0 if grid[0] == 1 else TWO_ROWS))
    card_h = card_w * aspect
    art = _card_art(spec, card_w, card_h)
    per_row = math.ceil(count / rows)
    gap = ROW_GAP * POINTS
    grid_h = rows * card_w * tall + (rows - 1) * gap
    first_y = zone.y + zone.h / 2 + grid_h / 2 - card_w * tall / 2
    cards = []
    for i, index in enumerate(indices):
        row, col = divmod(i, per_row)
        in_row = min(per_row, count - row * per_row)
        if rows == 1 and in_row > 1:  # one row: spread over the width
            step = (zone.w - card_w * spread) / (in_row - 1)
        else:  # a grid: columns side by side, the block centred
            step = min(card_w * spread + gap, zone.w / max(1, in_row))
        cx = zone.x + zone.w / 2 + step * (col - (in_row - 1) / 2)
        cy = first_y - row * (card_w * tall + gap)
        cards.append(Thumb(index, cx, cy, card_w, card_h, angles[i], art))
    return tuple(cards)


def _grid(count: int, rows: int, zone: Box, spread: float, tall: float) -> tuple[int, float]:
    """The card width that `rows` rows of the cards fit in `zone` with (neighbours in a
    row may overlap a little, a loose pile; rows do not)."""
    per_row = math.ceil(count / rows)
    overlap = 1.15 if per_row > 1 else 1.0
    height = (zone.h - (rows - 1) * ROW_GAP * POINTS) / (rows * tall)
    return rows, min(zone.w / per_row * overlap / spread, height, CARD_MAX_IN * POINTS)


def _card_art(spec: BookSpec, card_w: float, card_h: float) -> Box:
    """Where a page's art sits on its card: the page's margins, scaled to the card."""
    scale = card_w / (spec.trim.inches[0] * POINTS)
    margin = OUTSIDE_MARGIN * POINTS * scale
    px_w, px_h = art_size_px(spec)
    room_w, room_h = card_w - 2 * margin, card_h - 2 * margin
    fit = min(room_w / px_w, room_h / px_h)
    w, h = px_w * fit, px_h * fit
    return Box(-w / 2, -h / 2, w, h)
