"""Line weight: measured with the distance transform, and set for the audience by drawing
every line again from its centre line at the chosen width (anti-aliased, then thresholded at
print size, so the strokes are smooth and even)."""

from __future__ import annotations

import math

import cv2
import numpy as np

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


def target_width(median_in: float, strokes: StrokeRange, thicken_in: float) -> float:
    """The width to draw at: the source's own weight when it is in the audience's range,
    the middle of the range when it is thinner, the top when thicker; plus what the user
    asked for, never past the range's top."""
    width = median_in + thicken_in
    if width < strokes.min_in:
        width = (strokes.min_in + strokes.max_in) / 2
    return min(width, strokes.max_in)


def solid_parts(ink: np.ndarray, line_max_px: float) -> np.ndarray:
    """Ink belonging to blobs wider than any line (kept as they are; QA judges them)."""
    dist = cv2.distanceTransform(ink, cv2.DIST_L2, 3)
    core = (dist > line_max_px / 2).astype(np.uint8)
    if not core.any():
        return core
    grow = round(line_max_px / 2) * 2 + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow))
    return np.asarray(cv2.dilate(core, kernel) & ink, dtype=np.uint8)


def restroke(
    skel: np.ndarray, solid: np.ndarray, width_px: float, out_size: tuple[int, int]
) -> np.ndarray:
    """Lines of `width_px` (analysis pixels) around the centre lines, plus the solid parts,
    at `out_size` (w, h): print ink (uint8 0/1). The distance to the nearest centre line is
    scaled up (a distance field interpolates smoothly, as font renderers know) and cut at
    half the width, so the strokes come out even and without the pixel steps."""
    far = cv2.distanceTransform((1 - (skel | solid)).astype(np.uint8), cv2.DIST_L2, 5)
    big = cv2.resize(far, out_size, interpolation=cv2.INTER_LINEAR)
    return np.asarray(big <= width_px / 2, dtype=np.uint8)


def adjust(ink: np.ndarray, median_px: float, target_px: float) -> np.ndarray:
    """Print-size ink brought from `median_px` to `target_px` wide by growing, or by shrinking
    the thick parts only (lines already thin are kept, never broken)."""
    r = math.ceil(abs(target_px - median_px) / 2 - 0.25)
    if r == 0:
        return ink
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    if target_px > median_px:
        return np.asarray(cv2.dilate(ink, kernel), dtype=np.uint8)
    thick = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
    return np.asarray(cv2.erode(ink, kernel) | (ink & (1 - thick)), dtype=np.uint8)
