"""Front-cover art: line art coloured in with the cover's palette, and any art fitted to the
cover's frame without cropping into the drawing.

Pure functions over images; pixel sizes are at 300 DPI.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image
from scipy import ndimage

from bot.book.palette import hex_to_rgb

_RING_TOL = 0.006  # centre distances this close (share of the size) are one ring
_AREA_TOL = 0.2  # and areas within 20 %: one symmetric set of regions
GROUND_PROBE = 0.04  # how far inside the corners (share of the size) the ground is sought


def _rgb8(colour: str) -> np.ndarray:
    return np.array([round(c * 255) for c in hex_to_rgb(colour)], np.uint8)


def region_classes(labels: np.ndarray, count: int) -> np.ndarray:
    """A class number per region (index 0 unused): regions at the same distance from the
    centre with about the same area share a class, so the petals of one ring of a mandala
    get one colour. Classes are numbered outwards from the centre."""
    if count == 0:
        return np.zeros(1, np.int64)
    h, w = labels.shape
    idx = np.arange(1, count + 1)
    area = ndimage.sum_labels(np.ones_like(labels), labels, idx)
    cy, cx = np.array(ndimage.center_of_mass(np.ones_like(labels), labels, idx)).T
    dist = np.hypot(cy - (h - 1) / 2, cx - (w - 1) / 2) / max(h, w)
    order = np.lexsort((area, dist))
    classes = np.zeros(count + 1, np.int64)
    open_sets: list[tuple[float, float, int]] = []  # (distance, area, class) of recent sets
    next_class = 0
    for i in order:
        d, a = float(dist[i]), float(area[i])
        open_sets = [s for s in open_sets if d - s[0] <= _RING_TOL]
        match = next((s for s in open_sets if abs(a - s[1]) <= _AREA_TOL * max(a, s[1])), None)
        if match is None:
            match = (d, a, next_class)
            next_class += 1
            open_sets.append(match)
        classes[i + 1] = match[2]
    return classes


def ground_label(labels: np.ndarray) -> int:
    """The region behind the drawing: the one found most often just inside the corners
    (past a border line), 0 when every probe falls on a line."""
    h, w = labels.shape
    dx, dy = max(1, round(w * GROUND_PROBE)), max(1, round(h * GROUND_PROBE))
    probes = [labels[dy, dx], labels[dy, w - 1 - dx], labels[h - 1 - dy, dx]]
    probes.append(labels[h - 1 - dy, w - 1 - dx])
    found = [int(v) for v in probes if v]
    return max(sorted(set(found)), key=found.count) if found else 0


def colour_in(line_art: Image.Image, fills: Sequence[str], line: str = "#1c1c1c") -> Image.Image:
    """Fill each closed region of `line_art` (black lines on white) with one of `fills`:
    symmetric sets of regions share a colour, neighbouring rings differ, and the ground
    takes the first, lightest fill."""
    white = np.asarray(line_art.convert("1"), dtype=bool)
    labels, count = ndimage.label(white)
    classes = region_classes(labels, count)
    palette = np.array([_rgb8(c) for c in fills])
    # a stride coprime with the palette size walks all its colours before repeating
    stride = next(s for s in (3, 2, 1) if np.gcd(s, len(fills)) == 1)
    colours = palette[(classes * stride) % len(fills)]
    colours[0] = _rgb8(line)
    ground = ground_label(labels)
    if ground:
        is_ground = classes == classes[ground]  # e.g. both halves of a ground
        is_ground[0] = False
        colours[is_ground] = _rgb8(fills[0])
    return Image.fromarray(colours[labels].astype(np.uint8), "RGB")


def fit_art(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`image` scaled to fit inside `size` with its aspect kept, centred on a ground of its
    own edge colour: a model's picture of another shape is never stretched or cropped."""
    rgb = image.convert("RGB")
    if rgb.size == size:
        return rgb
    scale = min(size[0] / rgb.width, size[1] / rgb.height)
    w, h = max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale))
    scaled = rgb.resize((w, h), Image.Resampling.LANCZOS)
    pixels = np.asarray(rgb)
    edge = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    ground = tuple(int(v) for v in np.median(edge, axis=0))
    out = Image.new("RGB", size, ground)
    out.paste(scaled, ((size[0] - w) // 2, (size[1] - h) // 2))
    return out
