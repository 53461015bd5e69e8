"""The full-wrap cover PDF: back, spine and front on one page with bleed all round.

`bot.book.pdf.cover_layout` decides where everything goes; this module draws it: the ground, the
framed colour art, the title plate's text, the badge, sample pages on the back, the barcode
area and the spine.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from bot.book.kdp import BLEED, POINTS, Box
from bot.book.palette import contrast_ratio
from bot.book.pdf.content import Content
from bot.book.pdf.cover_layout import CoverLayout, Thumb, cover_layout
from bot.book.pdf.document import BookDocument, BookFonts, book_info
from bot.book.pdf.interior import fit_image
from bot.book.pdf.writer import Name, PdfStreamWriter, PdfValue, Ref
from bot.book.spec import BookSpec
from bot.fsutil import atomic_open

__all__ = ["CoverLayout", "cover_layout", "write_cover"]

log = logging.getLogger(__name__)

THUMB_DPI = 450  # sample pages are shrunk to this: sharp in print, above KDP's 300
WHITE = "#ffffff"
FRAME_EDGE_CONTRAST = 1.5


def _xobject(img: Image.Image) -> tuple[dict[str, PdfValue], bytes]:
    """An 8-bit RGB or grey image, Flate-compressed (level 3: a third larger than level 6
    and two and a half times faster, for a cover file that stays well under KDP's limit)."""
    grey = img.mode in ("1", "L")
    pixels = img.convert("L" if grey else "RGB")
    info: dict[str, PdfValue] = {
        "Type": Name("XObject"),
        "Subtype": Name("Image"),
        "Width": pixels.width,
        "Height": pixels.height,
        "ColorSpace": Name("DeviceGray" if grey else "DeviceRGB"),
        "BitsPerComponent": 8,
        "Filter": Name("FlateDecode"),
    }
    return info, zlib.compress(pixels.tobytes(), 3)


def shrink_sample(page: Image.Image, shown: Box, dpi: int = THUMB_DPI) -> Image.Image:
    """A page's line art in grey, shrunk to `dpi` at its shown size (never enlarged)."""
    grey = page.convert("L")
    w = max(1, round(shown.w / POINTS * dpi))
    h = max(1, round(shown.h / POINTS * dpi))
    if w >= grey.width or h >= grey.height:
        return grey
    return grey.resize((w, h), Image.Resampling.BOX)  # area average keeps thin lines


def _draw_thumb(c: Content, layout: CoverLayout, thumb: Thumb, name: str | None) -> None:
    """A white page card, turned, with a soft shadow, a hairline edge and the art."""
    w, h = thumb.w, thumb.h
    c.push_turn(thumb.cx, thumb.cy, thumb.angle)
    c.fill_rect(-w / 2 + 2.5, -h / 2 - 3.0, w, h, layout.palette.shadow)
    c.fill_rect(-w / 2, -h / 2, w, h, WHITE)
    c.stroke_rect(-w / 2, -h / 2, w, h, 0.6, layout.palette.line)
    if name is not None:
        a = thumb.art
        c.image(name, a.x, a.y, a.w, a.h)
    c.pop()


def _draw_front(c: Content, layout: CoverLayout, art: Image.Image) -> None:
    frame = layout.art_frame
    c.fill_rect(frame.x + 3, frame.y - 4, frame.w, frame.h, layout.palette.shadow)
    c.fill_rect(frame.x, frame.y, frame.w, frame.h, WHITE)
    if contrast_ratio(WHITE, layout.palette.background) < FRAME_EDGE_CONTRAST:
        # a white mat on a pale ground needs an edge to read as a frame
        c.stroke_rect(frame.x, frame.y, frame.w, frame.h, 0.75, layout.palette.line)
    placed = fit_image(art.width, art.height, layout.art)
    c.image("Art", placed.x, placed.y, placed.w, placed.h)
    if layout.badge is not None:
        b = layout.badge.box
        c.fill_pill(b.x, b.y, b.w, b.h, layout.badge.colour)


def _draw(c: Content, layout: CoverLayout, art: Image.Image, thumbs: list[str | None]) -> None:
    c.fill_rect(0, 0, layout.width, layout.height, layout.palette.background)
    _draw_front(c, layout, art)
    for thumb, name in zip(layout.thumbs, thumbs, strict=True):
        _draw_thumb(c, layout, thumb, name)
    bc = layout.barcode
    c.fill_rect(bc.x, bc.y, bc.w, bc.h, WHITE)  # KDP prints its barcode on white
    for run in layout.texts:
        c.text(run.font, run.size, run.x, run.y, run.text, colour=run.colour, rotate=run.rotate)


def _log_contrast(spec: BookSpec, layout: CoverLayout) -> None:
    ink, ground = layout.palette.ink, layout.palette.background
    if ink.lower() != spec.cover.title_color.lower():
        log.warning(
            "cover.title_color %s on cover.background %s has contrast %.1f:1 (under 4.5:1); "
            "the cover prints its text in %s (%.1f:1)",
            spec.cover.title_color,
            ground,
            contrast_ratio(spec.cover.title_color, ground),
            ink,
            contrast_ratio(ink, ground),
        )


def write_cover(
    spec: BookSpec,
    page_count: int,
    art: Image.Image,
    out: Path,
    *,
    load_sample: Callable[[int], Image.Image] | None = None,
    avoid: frozenset[int] = frozenset(),
) -> CoverLayout:
    """Write the cover for an interior of `page_count` pages; returns its layout.

    `art` is the colour front art; `load_sample(i)` gives picture `i`'s line art for the
    sample pages on the back (without it the cards stay blank), chosen outside `avoid`.
    """
    fonts = BookFonts()
    layout = cover_layout(spec, page_count, fonts, avoid)
    _log_contrast(spec, layout)
    with atomic_open(out) as fp:
        doc = BookDocument(PdfStreamWriter(fp), fonts)
        w = doc.writer
        xobjects: dict[str, PdfValue] = {"Art": w.add_stream(*_xobject(art))}
        names: list[str | None] = []
        for i, thumb in enumerate(layout.thumbs):
            if load_sample is None:
                names.append(None)
                continue
            sample = shrink_sample(load_sample(thumb.index), thumb.art)
            names.append(f"Pg{i + 1}")
            xobjects[f"Pg{i + 1}"] = w.add_stream(*_xobject(sample))
        c = Content()
        _draw(c, layout, art, names)
        page = _page(doc, layout, w.add_stream({}, c.data(), compress=True), xobjects)
        doc.finish([page], book_info(spec, title=f"{spec.title} (cover)", with_subject=False))
    return layout


def _page(
    doc: BookDocument, layout: CoverLayout, contents: Ref, xobjects: dict[str, PdfValue]
) -> Ref:
    media: list[PdfValue] = [0, 0, layout.width, layout.height]
    b = BLEED * POINTS
    trim: list[PdfValue] = [b, b, layout.width - b, layout.height - b]
    return doc.writer.add(
        {
            "Type": Name("Page"),
            "Parent": doc.tree,
            "MediaBox": media,
            "TrimBox": trim,
            "BleedBox": media,
            "Resources": {
                "Font": dict(sorted(doc.used_fonts().items())),
                "XObject": xobjects,
            },
            "Contents": contents,
        }
    )
