"""Line weight: measured with the distance transform, and brought into the audience's range by
changing only the lines outside it (thin ones grown, thick ones thinned evenly without
breaking), so a drawing keeps its style and its joints."""

from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage

from bot.book.lineart.tables import StrokeRange


def stroke_widths(ink: np.ndarray, skel: np.ndarray) -> np.ndarray:
    """The full stroke width (px) at each centre-line pixel: twice the distance to paper."""
    dist = cv2.distanceTransform(ink, cv2.DIST_L2, 5)
    return np.asarray(2.0 * dist[skel > 0] - 0.5, dtype=np.float32).clip(min=1.0)


def ridge_widths(ink: np.ndarray, dist: np.ndarray | None = None) -> np.ndarray:
    """Stroke widths (px) without a skeleton: the distance transform's local maxima (cheap at
    print size, for QA); `dist`, the ink's distance transform when the caller has it."""
    if dist is None:
        dist = cv2.distanceTransform(ink, cv2.DIST_L2, 5)
    peak = cv2.dilate(dist, np.ones((3, 3), np.uint8))
    ridge = (dist > 0) & (dist >= peak)
    # 2d - 1 is exact for odd widths and one short for even ones: split the difference
    return np.asarray(2.0 * dist[ridge] - 0.5, dtype=np.float32).clip(min=1.0)


BLOB = 1.6  # a part this many times wider than the page's thick lines is a solid (a pupil,
SOLID_IN = 0.35  # a nose, a fill), as is anything wider than this: both kept as drawn
SPINE_PX = 1.5  # a spine drawn at print size is about 3 px wide
THIN_MAX_IN = 0.02  # a thinned line's edge moves in at most this far: it still covers the
# drawn line within the distance a buyer cannot tell apart (a bolder style stays bolder)
SLACK = 0.1  # a line is outside its range when it misses it by more than this share


def target_width(median_in: float, strokes: StrokeRange, thicken_in: float) -> float:
    """The width to draw at: the source's own weight when it is in the audience's range,
    the middle of the range when it is thinner, the top when thicker; plus what the user
    asked for, never past the range's top."""
    width = median_in + thicken_in
    if width < strokes.min_in:
        width = (strokes.min_in + strokes.max_in) / 2
    return min(width, strokes.max_in)


def opening(ink: np.ndarray, dist: np.ndarray, radius: float) -> np.ndarray:
    """The ink a disk of `radius` fits in (bool), from the ink's distance transform."""
    core = (dist > radius).astype(np.uint8)
    if not core.any():
        return np.zeros(ink.shape, bool)
    back = cv2.distanceTransform(1 - core, cv2.DIST_L2, 5)
    return (back <= radius) & (ink > 0)


def _near(mask: np.ndarray, px: float) -> np.ndarray:
    """Pixels within `px` of `mask` (bool)."""
    return np.asarray(cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 5) <= px)


def reweight(
    ink: np.ndarray,
    strokes: StrokeRange,
    dpi: int,
    thicken_in: float = 0.0,
    spine: np.ndarray | None = None,
) -> np.ndarray:
    """Print ink (uint8 0/1) with only the lines outside the audience's range changed:
    lines thinner than its floor grown (just into the range, or by what the user asked
    for), lines wider than its ceiling thinned evenly to it without breaking (the
    `spine`, centre lines at print size, is kept the target width), solids (parts much
    wider than the lines: pupils, noses, fills) and lines inside the range as drawn."""
    dist = cv2.distanceTransform(ink, cv2.DIST_L2, 5)
    ridge = (dist > 0) & (dist >= cv2.dilate(dist, np.ones((3, 3), np.uint8)))
    widths = 2.0 * dist - 0.5  # at a ridge pixel: the stroke's width (as `ridge_widths`)
    if not ridge.any():
        return ink
    low, high = strokes.min_in * dpi, strokes.max_in * dpi
    out = ink
    if (widths[ridge] > high * (1 + SLACK)).mean() > 0.02:  # cheap test first
        out = _thin_thick(ink, dist, ridge, high, dpi, spine)
    median = float(np.median(widths[ridge]))
    grow = low * (1 + SLACK)  # the smallest change: just into the range
    if thicken_in > 0:  # bolder on request: every line, up to the range's top
        low = grow = min(high, median + thicken_in * dpi)
    if (widths[ridge] < low * (1 - SLACK)).mean() > 0.05:
        out = _grow_thin(out, ink, dist, ridge, (low, grow))
    return out


def _grow_thin(
    out: np.ndarray,
    ink: np.ndarray,
    dist: np.ndarray,
    ridge: np.ndarray,
    sizes: tuple[float, float],
) -> np.ndarray:
    """`out` with the lines of `ink` under `sizes[0]` px wide grown to about `sizes[1]` px."""
    low, grow = sizes
    wide = opening(ink, dist, low * (1 - SLACK) / 2)
    thin = ink > 0
    if wide.any():  # the bumps on a wide line's edge are not thin lines
        thin &= ~_near(wide, 2)
    if thin.sum() < 0.05 * ink.sum():
        return out
    r = (grow - float(np.median(2.0 * dist[ridge & thin] - 0.5))) / 2
    if r < 0.5:
        return out
    return np.asarray(out | _near(thin, r), dtype=np.uint8)


def _thin_thick(
    ink: np.ndarray,
    dist: np.ndarray,
    ridge: np.ndarray,
    high: float,
    dpi: int,
    spine: np.ndarray | None,
) -> np.ndarray:
    """`ink` with its lines over `high` px wide thinned to about `high` px: eroded evenly,
    and the spine kept `high` px wide so no line breaks; solids kept."""
    thick = opening(ink, dist, high * (1 + SLACK) / 2)
    if not thick.any():
        return ink
    median = float(np.median(2.0 * dist[ridge & thick] - 0.5))
    blob = opening(ink, dist, max(BLOB * median / 2, high))
    blob |= opening(ink, dist, SOLID_IN * dpi / 2)
    zone = _near(thick & ~blob, 2) & (ink > 0) & ~blob & ~_dots(ink, dist)
    r = min((median - 0.9 * high) / 2, THIN_MAX_IN * dpi)
    target = median - 2 * r
    if r < 0.5 or not zone.any():
        return ink
    if spine is None:
        spine = skeleton_at_half(ink * zone)
    keep = (dist > r) | _near(spine > 0, max(1.0, target / 2 - SPINE_PX))
    return np.asarray(np.where(zone, keep & (ink > 0), ink), dtype=np.uint8)


def _dots(ink: np.ndarray, dist: np.ndarray) -> np.ndarray:
    """Ink pieces that are compact (an area under BLOB squared times their width squared):
    dots, pupils, spots, kept as drawn (bool)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    widest = 2 * np.asarray(ndimage.maximum(dist, labels, np.arange(count)), dtype=np.float64)
    dot = stats[:, cv2.CC_STAT_AREA] < BLOB**2 * widest**2
    dot[0] = False
    return np.asarray(dot[labels])


def skeleton_at_half(ink: np.ndarray) -> np.ndarray:
    """Centre lines of print ink (uint8 0/1), found at half the size (a quarter the work)."""
    from skimage.morphology import skeletonize

    h, w = ink.shape
    small = cv2.resize(ink, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
    skel = skeletonize(small > 0).astype(np.uint8)  # type: ignore[no-untyped-call]
    return place_spine(skel, (w, h))


def place_spine(skel: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Centre-line pixels of a smaller image drawn on a `size` (w, h) canvas, scaled (each
    pixel to the segment towards its neighbours, so the scaled line stays connected)."""
    out = np.zeros((size[1], size[0]), np.uint8)
    ys, xs = np.nonzero(skel)
    if ys.size == 0:
        return out
    sy, sx = size[1] / skel.shape[0], size[0] / skel.shape[1]
    py = np.clip(((ys + 0.5) * sy).astype(np.int64), 0, size[1] - 1)
    px = np.clip(((xs + 0.5) * sx).astype(np.int64), 0, size[0] - 1)
    out[py, px] = 1
    grow = max(1, int(np.ceil(max(sy, sx)))) | 1
    return np.asarray(cv2.dilate(out, np.ones((grow, grow), np.uint8)), dtype=np.uint8)
