"""The procedural provider's mosaic genre: rows of tiles with grout between them (a look of
its own, not the stained-glass tiling)."""

from __future__ import annotations

import numpy as np
from PIL import ImageDraw

BLACK = 0
MOSAIC_ROWS = (5, 7, 9, 12, 15)  # rows of tiles by detail


def mosaic(
    draw: ImageDraw.ImageDraw, w: int, h: int, rng: np.random.Generator, lw: int, detail: int
) -> None:
    """Rows of tiles of random widths, offset like laid stone, each tile a separate shape
    with grout between; with more detail some tiles hold a smaller tile or a diamond."""
    m = 3 * lw
    rows = MOSAIC_ROWS[detail]
    grout = max(3 * lw, round(min(w, h) * 0.012))
    row_h = (h - 2 * m - grout) / rows
    for r in range(rows):
        y0 = m + grout + r * row_h
        y1 = y0 + row_h - grout
        x = m + grout - (row_h * rng.uniform(0.2, 0.8) if r % 2 else 0.0)
        while x < w - m - grout:
            tile = row_h * rng.uniform(0.8, 1.8)
            x0, x1 = max(x, m + grout), min(x + tile - grout, w - m - grout)
            if x1 - x0 > row_h * 0.35:
                draw.rounded_rectangle((x0, y0, x1, y1), radius=2 * lw, outline=BLACK, width=lw)
                if detail >= 2 and rng.random() < 0.35:
                    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 4, (y1 - y0) / 4
                    pts = [(cx, cy - ry), (cx + rx, cy), (cx, cy + ry), (cx - rx, cy)]
                    draw.polygon(pts, outline=BLACK, width=lw)
            x += tile
    draw.rectangle((m - lw, m - lw, w - m + lw, h - m + lw), outline=BLACK, width=2 * lw)
