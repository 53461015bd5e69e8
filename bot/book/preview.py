"""`preview.png`: the whole cover wrap, then the pages, small enough for a PR body.

The wrap is rendered from cover.pdf itself (pypdfium2), so a reviewer judges the real cover:
back, spine and front as they will print. A large book goes on several sheets
(`preview-2.png`, ...) of at most PER_SHEET pages, five across, so a thumbnail keeps its
full width where a PR body shows the sheet (about 900 pixels wide). Each thumbnail is
labelled with its printed page number and its picture number (the one `/regenerate` takes);
pages QA flagged are framed in red.
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
COLS = 5
PER_SHEET = 30  # pages on one sheet: six rows of five
GAP, LABEL = 12, 18
INK = (60, 60, 60)
FLAG = (204, 32, 32)
WRAP_COLOURS = 47  # and one red for flagged pages


def sheet_name(index: int) -> str:
    """The file of contact sheet `index` (0: preview.png, with the cover)."""
    return "preview.png" if index == 0 else f"preview-{index + 1}.png"


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


def contact_sheet(
    wrap: Image.Image | None,
    thumbs: Sequence[Image.Image],
    thumb_w: int,
    labels: Sequence[str],
    flagged: Sequence[bool],
) -> Image.Image:
    """The wrap across the top at full sheet width (first sheet only), then labelled page
    thumbnails in rows; flagged ones framed."""
    width = COLS * (thumb_w + GAP) + GAP
    font = ImageFont.truetype(str(font_path(REGULAR)), 12)
    top = GAP
    cover = None
    if wrap is not None:
        cover = wrap.copy()
        cover.thumbnail((width - 2 * GAP, width), Image.Resampling.LANCZOS)
        top = GAP + cover.height + LABEL + GAP
    cell_h = max([t.height for t in thumbs] or [thumb_w]) + LABEL
    rows = -(-len(thumbs) // COLS)
    sheet = Image.new("RGB", (width, top + rows * (cell_h + GAP)), (236, 236, 236))
    draw = ImageDraw.Draw(sheet)
    if cover is not None:
        sheet.paste(cover, (GAP, GAP))
        label = "cover: back | spine | front (bleed included)"
        draw.text((GAP, GAP + cover.height + 2), label, fill=INK, font=font)
    for i, thumb in enumerate(thumbs):
        row, col = divmod(i, COLS)
        x, y = GAP + col * (thumb_w + GAP), top + row * (cell_h + GAP)
        sheet.paste(thumb.convert("RGB"), (x, y))
        colour = FLAG if flagged[i] else INK
        if flagged[i]:
            box = (x - 3, y - 3, x + thumb.width + 2, y + thumb.height + 2)
            draw.rectangle(box, outline=FLAG, width=3)
        text = labels[i] + (" · QA flagged" if flagged[i] else "")
        draw.text((x, y + thumb.height + 3), text, fill=colour, font=font)
    return sheet


def _narrower(thumbs: Sequence[Image.Image], width: int) -> list[Image.Image]:
    return [
        t if t.width <= width else t.resize((width, round(t.height * width / t.width)))
        for t in thumbs
    ]


def sheet_palette(wrap: Image.Image) -> Image.Image:
    """64 colours for the sheet: 47 from the cover itself (so its fills keep their hue), the
    red that marks flagged pages and 16 greys for the line-art pages and labels."""
    cover = wrap.quantize(WRAP_COLOURS, dither=Image.Dither.NONE).getpalette() or []
    colours = cover[: WRAP_COLOURS * 3]
    colours += [0, 0, 0] * (WRAP_COLOURS - len(colours) // 3)
    colours += [*FLAG, *(v for g in range(0, 256, 17) for v in (g, g, g))]
    palette = Image.new("P", (1, 1))
    palette.putpalette(colours)
    return palette


def write_preview(
    cover_pdf: Path,
    thumbs: Sequence[Image.Image],
    out: Path,
    *,
    labels: Sequence[str] | None = None,
    flagged: frozenset[int] = frozenset(),
) -> int:
    """Write the wrap of `cover_pdf` and the page `thumbs` (at most THUMB_WIDTH wide) as
    `out` (preview.png) and, past PER_SHEET pages, further sheets beside it; each PNG at
    most 1 MB. `labels`: each page's label (default "page N"); `flagged`: page indexes QA
    flagged. Returns the size of `out` in bytes."""
    thumb_w = max([t.width for t in thumbs] or [THUMB_WIDTH])
    wrap = render_pdf_page(cover_pdf, COLS * (thumb_w + GAP) - GAP)
    palette = sheet_palette(wrap)
    names = list(labels) if labels is not None else [f"page {i + 1}" for i in range(len(thumbs))]
    sizes = []
    for index, start in enumerate(range(0, max(1, len(thumbs)), PER_SHEET)):
        part = range(start, min(start + PER_SHEET, len(thumbs)))
        data = _encode(
            wrap if index == 0 else None,
            [thumbs[i] for i in part],
            [names[i] for i in part],
            [i in flagged for i in part],
            palette,
            thumb_w,
        )
        atomic_write(out if index == 0 else out.with_name(f"{out.stem}-{index + 1}.png"), data)
        sizes.append(len(data))
    for stale in out.parent.glob(f"{out.stem}-*.png"):  # sheets of a larger earlier build
        number = stale.stem.removeprefix(f"{out.stem}-")
        if not number.isdigit() or int(number) > len(sizes):
            stale.unlink()
    return sizes[0]


def _encode(
    wrap: Image.Image | None,
    thumbs: Sequence[Image.Image],
    labels: Sequence[str],
    flagged: Sequence[bool],
    palette: Image.Image,
    thumb_w: int,
) -> bytes:
    """One sheet as PNG bytes, at most MAX_BYTES.

    Encoded once at the usual zlib level; only a sheet that comes out too big is shrunk, by
    an estimate from its size (bytes grow about with the area), and encoded once more."""
    while True:
        sheet = contact_sheet(wrap, _narrower(thumbs, thumb_w), thumb_w, labels, flagged)
        buf = io.BytesIO()
        sheet.quantize(palette=palette, dither=Image.Dither.NONE).save(buf, "PNG", compress_level=6)
        data = buf.getvalue()
        if len(data) <= MAX_BYTES or thumb_w <= 40:
            return data
        thumb_w = max(
            40, min(int(thumb_w * 0.9), int(thumb_w * (MAX_BYTES / len(data)) ** 0.5 * 0.93))
        )
