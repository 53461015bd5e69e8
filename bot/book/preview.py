"""`preview.png`: a contact sheet of the cover and every page, small enough for a PR body."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.book.pdf.fonts import REGULAR, font_path
from bot.fsutil import atomic_write

MAX_BYTES = 1_000_000


def contact_sheet(cover: Image.Image, pages: Iterable[Path], thumb_w: int = 170) -> Image.Image:
    """Cover first (twice as wide), then numbered page thumbnails, in rows."""
    paths = list(pages)
    cols = 8
    gap, label = 12, 18
    thumbs: list[tuple[Image.Image, str]] = []
    for i, path in enumerate(paths):
        with Image.open(path) as im:
            im.draft("L", (thumb_w * 2, thumb_w * 3))
            grey = im.convert("L")
            grey.thumbnail((thumb_w, thumb_w * 2), Image.Resampling.LANCZOS)
            thumbs.append((grey, str(i + 1)))
    cover_thumb = cover.convert("RGB")
    cover_thumb.thumbnail((thumb_w * 2 + gap, thumb_w * 3), Image.Resampling.LANCZOS)
    cell_h = max([t.height for t, _ in thumbs] or [thumb_w]) + label
    cover_rows = -(-(cover_thumb.height + label) // (cell_h + gap))
    slots: list[tuple[int, int]] = []
    slot = 0
    while len(slots) < len(thumbs):
        row, col = divmod(slot, cols)
        if not (row < cover_rows and col < 2):  # those cells hold the cover
            slots.append((row, col))
        slot += 1
    rows = max([cover_rows, *(r + 1 for r, _ in slots)])
    width = cols * (thumb_w + gap) + gap
    sheet = Image.new("RGB", (width, gap + rows * (cell_h + gap)), (236, 236, 236))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype(str(font_path(REGULAR)), 12)
    sheet.paste(cover_thumb, (gap, gap))
    draw.text((gap, gap + cover_thumb.height + 2), "cover", fill=(60, 60, 60), font=font)
    for (thumb, name), (row, col) in zip(thumbs, slots, strict=True):
        x, y = gap + col * (thumb_w + gap), gap + row * (cell_h + gap)
        sheet.paste(thumb.convert("RGB"), (x, y))
        draw.text((x, y + thumb.height + 2), f"page {name}", fill=(60, 60, 60), font=font)
    return sheet


def write_preview(cover: Image.Image, pages: Iterable[Path], out: Path) -> int:
    """Write the contact sheet as PNG, shrinking it until it is at most 1 MB; returns bytes."""
    paths = list(pages)
    thumb_w = 170
    while True:
        sheet = contact_sheet(cover, paths, thumb_w)
        buf = io.BytesIO()
        sheet.quantize(64, dither=Image.Dither.NONE).save(buf, "PNG", optimize=True)
        data = buf.getvalue()
        if len(data) <= MAX_BYTES or thumb_w <= 40:
            break
        thumb_w = int(thumb_w * 0.8)
    atomic_write(out, data)
    return len(data)
