"""Synthetic dirty line art, like a diffusion model's output, with its clean ground truth.

`make(seed)` draws a page of separate closed shapes (circles, polygons, flowers, nested
shapes, a narrow band between two close parallel lines) and then dirties a copy the way model
output is dirty: anti-aliased 1-3 px lines, mid-grey shading (flat and gradient) inside some
shapes, outlines broken by small gaps, salt noise, coloured ink on tinted, unevenly lit paper,
JPEG at quality 60-75. The clean drawing says how many closed areas a perfect cleanup keeps.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

SIZE = (640, 832)  # SDXL-like source, portrait
SS = 2  # supersampling for anti-aliased lines


@dataclass(frozen=True)
class Dirty:
    image: Image.Image  # the dirty RGB source
    lines: np.ndarray  # the clean drawing's ink (bool, SIZE)
    shaded: np.ndarray  # where shading was laid (bool, SIZE): should end up white
    closed_areas: int  # closed areas of the clean drawing
    gaps: int  # outline breaks made


def closed_areas(ink: np.ndarray) -> int:
    """Paper regions not touching the image border (4-connected)."""
    labels, count = ndimage.label(~ink)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return count - int(np.count_nonzero(border))


def _polygon(cx: float, cy: float, r: float, sides: int, turn: float) -> list[tuple[float, float]]:
    return [
        (
            cx + r * math.cos(turn + 2 * math.pi * k / sides),
            cy + r * math.sin(turn + 2 * math.pi * k / sides),
        )
        for k in range(sides)
    ]


def _shape(
    draw: ImageDraw.ImageDraw,
    kind: int,
    box: tuple[float, float, float],
    width: int,
    fill: int | None,
) -> None:
    """One closed shape centred in a cell (cx, cy, r), outline `width`, optional fill."""
    cx, cy, r = (v * SS for v in box)
    w = width * SS
    if kind == 0:  # circle
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=0, width=w, fill=fill)
    elif kind in (1, 2, 3):  # triangle, square, hexagon
        pts = _polygon(cx, cy, r, (3, 4, 6)[kind - 1], 0.3 * kind)
        draw.polygon(pts, outline=0, width=w, fill=fill)
    elif kind == 4:  # nested: square with a circle inside
        draw.rectangle((cx - r, cy - r, cx + r, cy + r), outline=0, width=w, fill=fill)
        q = r * 0.55
        draw.ellipse((cx - q, cy - q, cx + q, cy + q), outline=0, width=w)
    elif kind == 5:  # flower: four petals around a centre
        for k in range(4):
            a = math.pi / 2 * k + math.pi / 4
            px, py = cx + 0.5 * r * math.cos(a), cy + 0.5 * r * math.sin(a)
            draw.ellipse(
                (px - r * 0.42, py - r * 0.42, px + r * 0.42, py + r * 0.42),
                outline=0,
                width=w,
                fill=fill,
            )
        q = r * 0.25
        draw.ellipse((cx - q, cy - q, cx + q, cy + q), outline=0, width=w, fill=255)
    else:  # a narrow band: two parallel lines 3 stroke widths apart, closed at the ends
        gap = 3 * w + w
        draw.rectangle((cx - r, cy - gap / 2, cx + r, cy + gap / 2), outline=0, width=w)


SHADES = {False: (150, 190), True: (80, 130)}  # flat shading's grey: mid, dark
CLIPS = {False: (110, 215), True: (60, 160)}  # ... and where its gradient stops


def _draw(
    rng: np.random.Generator, shading: bool, dark: bool = False
) -> tuple[Image.Image, Image.Image, int]:
    """The clean drawing and (when `shading`) the same with shading, both at SS x SIZE."""
    clean = Image.new("L", (SIZE[0] * SS, SIZE[1] * SS), 255)
    shaded = clean.copy()
    cols, rows = 3, 4
    cw, ch = SIZE[0] / cols, SIZE[1] / rows
    widths = rng.choice([1, 2, 2, 3], size=cols * rows)
    kinds = rng.permutation(np.resize(np.arange(7), cols * rows))
    shade_cells = set(rng.choice(cols * rows, size=4, replace=False).tolist()) if shading else set()
    for i in range(cols * rows):
        cx = (i % cols + 0.5) * cw + rng.uniform(-6, 6)
        cy = (i // cols + 0.5) * ch + rng.uniform(-6, 6)
        r = min(cw, ch) * rng.uniform(0.3, 0.4)
        _shape(ImageDraw.Draw(clean), int(kinds[i]), (cx, cy, r), int(widths[i]), None)
        fill = int(rng.integers(*SHADES[dark])) if i in shade_cells and kinds[i] != 6 else None
        if fill is not None:  # the fill first, then every outline over it
            _shape(ImageDraw.Draw(shaded), int(kinds[i]), (cx, cy, r), int(widths[i]), fill)
        _shape(ImageDraw.Draw(shaded), int(kinds[i]), (cx, cy, r), int(widths[i]), None)
    return clean, shaded, len(shade_cells)


def _gradient_shading(
    shaded: np.ndarray, clean: np.ndarray, rng: np.random.Generator, dark: bool = False
) -> np.ndarray:
    """Make the flat fills uneven: a vertical ramp of +-30 grey levels across the page."""
    fill = (shaded < 250) & (clean > 250)
    ramp = np.linspace(-30, 30, shaded.shape[0])[:, None] * rng.choice([-1, 1])
    out = shaded.astype(np.float32)
    out[fill] = np.clip(out + ramp, *CLIPS[dark])[fill]
    return out


def make(
    seed: int, *, shading: bool = True, dark: bool = False, gaps: int = 10, noise: int = 300
) -> Dirty:
    """A dirty page and its truth; `dark`: heavy shading (grey 60-160, as a model shades
    when asked for "line art" and gives a half-tone drawing) instead of mid-grey."""
    rng = np.random.default_rng(seed)
    clean_ss, shaded_ss, _ = _draw(rng, shading, dark)
    clean = np.asarray(clean_ss.resize(SIZE, Image.Resampling.BOX), dtype=np.float32)
    lines = clean < 128
    truth = closed_areas(lines)
    grey = _gradient_shading(
        np.asarray(shaded_ss, dtype=np.float32), np.asarray(clean_ss, dtype=np.float32), rng, dark
    )
    grey = np.asarray(
        Image.fromarray(grey.astype(np.uint8)).resize(SIZE, Image.Resampling.BOX), dtype=np.float32
    )
    shaded = (grey < 235) & ~ndimage.binary_dilation(lines, iterations=2)
    # gaps: paper over short stretches of outline (1-6 px), away from other lines
    ys, xs = np.nonzero(lines)
    made = 0
    for k in rng.choice(len(ys), size=min(gaps, len(ys)), replace=False):
        r = rng.uniform(0.5, 3.0)
        y, x = ys[k], xs[k]
        yy, xx = np.ogrid[: SIZE[1], : SIZE[0]]
        grey[(yy - y) ** 2 + (xx - x) ** 2 <= (r + 1.5) ** 2] = 255
        made += 1
    # salt noise: dark dots of 1-2 px
    for _ in range(noise):
        y, x = int(rng.integers(0, SIZE[1] - 2)), int(rng.integers(0, SIZE[0] - 2))
        d = int(rng.integers(1, 3))
        grey[y : y + d, x : x + d] = rng.uniform(20, 120)
    rgb = _ink_and_paper(grey, rng)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=int(rng.integers(60, 76)))
    buf.seek(0)
    return Dirty(Image.open(buf).convert("RGB"), lines, shaded, truth, made)


def _ink_and_paper(grey: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Coloured ink on tinted paper lit unevenly: darkness mixes ink into paper."""
    ink = np.array(rng.choice([(0, 0, 0), (30, 40, 110), (90, 55, 30)]), dtype=np.float32)
    paper = np.array(
        [rng.uniform(225, 250), rng.uniform(215, 240), rng.uniform(185, 225)], np.float32
    )
    dark = 1.0 - grey / 255.0
    rgb = paper * (1 - dark[..., None]) + ink * dark[..., None]
    h, w = grey.shape
    yy, xx = np.mgrid[0:h, 0:w]
    light = 1.0 - 0.12 * ((xx / w) * rng.uniform(0.5, 1) + (yy / h) * rng.uniform(0, 1))
    return np.clip(rgb * light[..., None], 0, 255).astype(np.uint8)
