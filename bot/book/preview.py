"""`preview.png`: the whole cover wrap, then every page, small enough for a PR body.

The wrap is rendered from cover.pdf itself (pypdfium2), so a reviewer judges the real cover:
back, spine and front as they will print.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

from bot.book.pages import THUMB_WIDTH
from bot.book.pdf.fonts import REGULAR, font_path
from bot.fsutil import atomic_write

MAX_BYTES = 1_000_000
COLS = 8
GAP, LABEL = 12, 18
INK = (60, 60, 60)
WRAP_COLOURS = 48


def render_pdf_page(path: Path, width_px: int) -> Image.Image:
    """Page 1 of a PDF as RGB, `width_px` wide (MediaBox, bleed included)."""
    pdf = pdfium.PdfDocument(path)
    try:
        page = pdf[0]
        scale = width_px / page.get_width()
        image: Image.Image = page.render(scale=scale).to_pil().convert("RGB")
        page.close()
    finally:
        pdf.close()
    return image


def contact_sheet(wrap: Image.Image, thumbs: Sequence[Image.Image], thumb_w: int) -> Image.Image:
    """The wrap across the top at full sheet width, then numbered page thumbnails in rows."""
    width = COLS * (thumb_w + GAP) + GAP
    cover = wrap.copy()
    cover.thumbnail((width - 2 * GAP, width), Image.Resampling.LANCZOS)
    cell_h = max([t.height for t in thumbs] or [thumb_w]) + LABEL
    rows = -(-len(thumbs) // COLS)
    top = GAP + cover.height + LABEL + GAP
    sheet = Image.new("RGB", (width, top + rows * (cell_h + GAP)), (236, 236, 236))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype(str(font_path(REGULAR)), 12)
    sheet.paste(cover, (GAP, GAP))
    label = "cover: back | spine | front (bleed included)"
    draw.text((GAP, GAP + cover.height + 2), label, fill=INK, font=font)
    for i, thumb in enumerate(thumbs):
        row, col = divmod(i, COLS)
        x, y = GAP + col * (thumb_w + GAP), top + row * (cell_h + GAP)
        sheet.paste(thumb.convert("RGB"), (x, y))
        draw.text((x, y + thumb.height + 2), f"page {i + 1}", fill=INK, font=font)
    return sheet


def _narrower(thumbs: Sequence[Image.Image], width: int) -> list[Image.Image]:
    return [
        t if t.width <= width else t.resize((width, round(t.height * width / t.width)))
        for t in thumbs
    ]


def sheet_palette(wrap: Image.Image) -> Image.Image:
    """64 colours for the sheet: 48 from the cover itself (so its fills keep their hue)
    and 16 greys for the line-art pages and labels."""
    cover = wrap.quantize(WRAP_COLOURS, dither=Image.Dither.NONE).getpalette() or []
    colours = cover[: WRAP_COLOURS * 3]
    colours += [0, 0, 0] * (WRAP_COLOURS - len(colours) // 3)
    colours += [v for g in range(0, 256, 17) for v in (g, g, g)]
    palette = Image.new("P", (1, 1))
    palette.putpalette(colours)
    return palette


def write_preview(cover_pdf: Path, thumbs: Sequence[Image.Image], out: Path) -> int:
    """Write the wrap of `cover_pdf` and the page `thumbs` (at most THUMB_WIDTH wide) as one
    PNG of at most 1 MB; returns its size in bytes.

    Encoded once at the usual zlib level; only a sheet that comes out too big is shrunk, by
    an estimate from its size (bytes grow about with the area), and encoded once more."""
    thumb_w = max([t.width for t in thumbs] or [THUMB_WIDTH])
    wrap = render_pdf_page(cover_pdf, COLS * (thumb_w + GAP) - GAP)
    palette = sheet_palette(wrap)
    while True:
        sheet = contact_sheet(wrap, _narrower(thumbs, thumb_w), thumb_w)
        buf = io.BytesIO()
        sheet.quantize(palette=palette, dither=Image.Dither.NONE).save(buf, "PNG", compress_level=6)
        data = buf.getvalue()
        if len(data) <= MAX_BYTES or thumb_w <= 40:
            break
        thumb_w = max(
            40, min(int(thumb_w * 0.9), int(thumb_w * (MAX_BYTES / len(data)) ** 0.5 * 0.93))
        )
    atomic_write(out, data)
    return len(data)
