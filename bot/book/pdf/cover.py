"""The full-wrap cover PDF: back, spine and front on one page with bleed all round."""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from bot.book.kdp import (
    BARCODE_INSET,
    BARCODE_SIZE,
    BLEED,
    COVER_SAFE,
    OUTSIDE_MARGIN,
    POINTS,
    SPINE_CLEARANCE,
    SPINE_TEXT_MIN_PAGES,
    Box,
    cover_size,
    spine_width,
)
from bot.book.pdf.content import Content
from bot.book.pdf.document import BookDocument, BookFonts, book_info
from bot.book.pdf.fonts import wrap
from bot.book.pdf.interior import fit_image
from bot.book.pdf.writer import Name, PdfStreamWriter, PdfValue
from bot.book.spec import BookSpec
from bot.fsutil import atomic_open


@dataclass(frozen=True)
class CoverLayout:
    """Panels of the wrap, in points from the lower-left corner of the bleed."""

    width: float
    height: float
    back: Box  # trim area of each panel
    spine: Box
    front: Box
    barcode: Box

    @property
    def spine_text_allowed(self) -> bool:
        return self.spine.w > 0


def cover_layout(spec: BookSpec, page_count: int) -> CoverLayout:
    w_in, h_in = cover_size(spec.trim, page_count, spec.paper)
    trim_w, trim_h = spec.trim.inches
    spine = spine_width(page_count, spec.paper)
    b = BLEED * POINTS
    back = Box(b, b, trim_w * POINTS, trim_h * POINTS)
    spine_box = Box(back.x + back.w, b, spine * POINTS, trim_h * POINTS)
    front = Box(spine_box.x + spine_box.w, b, trim_w * POINTS, trim_h * POINTS)
    bw, bh = BARCODE_SIZE[0] * POINTS, BARCODE_SIZE[1] * POINTS
    inset = BARCODE_INSET * POINTS
    barcode = Box(back.x + back.w - inset - bw, back.y + inset, bw, bh)
    return CoverLayout(w_in * POINTS, h_in * POINTS, back, spine_box, front, barcode)


def _rgb_xobject(img: Image.Image) -> tuple[dict[str, PdfValue], bytes]:
    rgb = img.convert("RGB")
    info: dict[str, PdfValue] = {
        "Type": Name("XObject"),
        "Subtype": Name("Image"),
        "Width": rgb.width,
        "Height": rgb.height,
        "ColorSpace": Name("DeviceRGB"),
        "BitsPerComponent": 8,
        "Filter": Name("FlateDecode"),
    }
    return info, zlib.compress(rgb.tobytes(), 6)


def write_cover(spec: BookSpec, page_count: int, art: Image.Image, out: Path) -> CoverLayout:
    """Write the cover for an interior of `page_count` pages; returns its layout."""
    layout = cover_layout(spec, page_count)
    fonts = BookFonts()
    c = Content()
    c.fill_rect(0, 0, layout.width, layout.height, spec.cover.background)
    _front(c, spec, layout, fonts, art)
    if page_count >= SPINE_TEXT_MIN_PAGES:
        _spine(c, spec, layout, fonts)
    _back(c, spec, layout, fonts)
    with atomic_open(out) as fp:
        _write(fp, spec, layout, fonts, c, art)
    return layout


def _front(
    c: Content, spec: BookSpec, layout: CoverLayout, fonts: BookFonts, art: Image.Image
) -> None:
    """Title, subtitle, art and author on the front panel."""
    regular, bold = fonts.regular, fonts.bold
    colour = spec.cover.title_color
    front, margin = layout.front, OUTSIDE_MARGIN * POINTS
    text_w = front.w - 2 * margin
    cx = front.x + front.w / 2
    y = front.y + front.h - margin - 36
    size = 40.0
    lines = wrap(bold, spec.title, size, text_w)
    while (len(lines) > 3 or any(bold.width(ln, size) > text_w for ln in lines)) and size > 14:
        size *= 0.9
        lines = wrap(bold, spec.title, size, text_w)
    for line in lines:
        c.text(bold, size, cx, y, line, align="center", colour=colour)
        y -= size * 1.2
    if spec.subtitle:
        for line in wrap(regular, spec.subtitle, 16, text_w)[:3]:
            c.text(regular, 16, cx, y, line, align="center", colour=colour)
            y -= 16 * 1.3
    author_y = front.y + margin
    c.text(regular, 18, cx, author_y, spec.author, align="center", colour=colour)
    art_box = Box(front.x + margin, author_y + 30, text_w, y - 12 - (author_y + 30))
    placed = fit_image(art.width, art.height, art_box)
    c.image("Im1", placed.x, placed.y, placed.w, placed.h)


def _spine(c: Content, spec: BookSpec, layout: CoverLayout, fonts: BookFonts) -> None:
    """Title and author, top to bottom (only books thick enough carry spine text)."""
    spine, bold = layout.spine, fonts.bold
    room = spine.w - 2 * SPINE_CLEARANCE * POINTS
    # DejaVu's ascender-to-descender height is about 1 em; round down to stay inside
    spine_size = math.floor(min(room, 14.0) * 100) / 100
    label = f"{spec.title}  \u2022  {spec.author}"
    max_len = spine.h - 2 * OUTSIDE_MARGIN * POINTS
    while bold.width(label, spine_size) > max_len and spine_size > 4:
        spine_size *= 0.9
    # rotated text grows to the right of its baseline: ~0.76 em up, ~0.24 em down
    baseline_x = spine.x + spine.w / 2 - spine_size * 0.26
    y = spine.y + spine.h / 2
    colour = spec.cover.title_color
    c.text(bold, spine_size, baseline_x, y, label, align="center", rotate=True, colour=colour)


def _back(c: Content, spec: BookSpec, layout: CoverLayout, fonts: BookFonts) -> None:
    """The description above the barcode area, which stays empty."""
    back, margin = layout.back, OUTSIDE_MARGIN * POINTS
    safe = COVER_SAFE * POINTS
    if not spec.cover.back_text:
        return
    size = 12.0
    top = back.y + back.h - margin - size
    for line in wrap(fonts.regular, spec.cover.back_text, size, back.w - 2 * margin)[:30]:
        if top < layout.barcode.y + layout.barcode.h + safe:
            break
        c.text(fonts.regular, size, back.x + margin, top, line, colour=spec.cover.title_color)
        top -= size * 1.4


def _write(
    fp: BinaryIO,
    spec: BookSpec,
    layout: CoverLayout,
    fonts: BookFonts,
    c: Content,
    art: Image.Image,
) -> None:
    doc = BookDocument(PdfStreamWriter(fp), fonts)
    w = doc.writer
    image_info, image_data = _rgb_xobject(art)
    image = w.add_stream(image_info, image_data)
    contents = w.add_stream({}, c.data(), compress=True)
    media: list[PdfValue] = [0, 0, layout.width, layout.height]
    trim: list[PdfValue] = [BLEED * POINTS, BLEED * POINTS]
    trim += [layout.width - BLEED * POINTS, layout.height - BLEED * POINTS]
    page = w.add(
        {
            "Type": Name("Page"),
            "Parent": doc.tree,
            "MediaBox": media,
            "TrimBox": trim,
            "BleedBox": media,
            "Resources": {
                "Font": {name: ref for name, ref in sorted(doc.font_refs.items())},
                "XObject": {"Im1": image},
            },
            "Contents": contents,
        }
    )
    title = f"{spec.title} (cover)"
    doc.finish([page], book_info(spec, title=title, with_subject=False))
