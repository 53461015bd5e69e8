"""Line weight: measured with the distance transform, and brought into the audience's range by
changing only the lines outside it (thin ones grown, thick ones thinned evenly without
breaking), so a drawing keeps its style and its joints."""

from __future__ import annotations

import math

import cv2
import numpy as np
from scipy import ndimage

from bot.book.lineart import solids
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


BLOB = 1.2  # a part this many times wider than the page's thick lines, when compact (no
COMPACT = 3.5  # longer than this many half-widths) is a solid (a pupil, a nose), as is
SOLID_IN = 0.35  # anything wider than this (a fill): all kept as drawn, when at least
FILL_DISCS = 3  # this many such discs big (one smaller may be where very bold lines meet)
RIM_PX = 3  # a solid's edge where it narrows into the lines it joins: kept with it
THIN_SHARE = 0.1  # lines are grown when this share of the centre lines is under the floor
# (fewer: the tips and corners every drawing has)
SLACK = 0.1  # a line is outside its range when it misses it by more than this share


def target_width(median_in: float, strokes: StrokeRange, thicken_in: float) -> float:
    """The width to draw at: the source's own weight when it is in the audience's range,
    the middle of the range when it is thinner, the top when thicker; plus what the user
    asked for, never past the range's top."""
    width = median_in + thicken_in
    if width < strokes.min_in:
        width = (strokes.min_in + strokes.max_in) / 2
    return min(width, strokes.max_in)


DISC_MAX_PX = 16  # reaches up to this are a dilation by a disc (a few rows of kernel);
# further ones a distance transform (its cost does not grow with the reach)


def disc(px: float) -> np.ndarray:
    """The pixels within `px` of the centre (uint8): a kernel for `cv2.dilate`."""
    r = int(px)
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    return np.asarray(yy * yy + xx * xx <= px * px, np.uint8)


def _near_in(mask: np.ndarray, px: float, box: tuple[slice, slice]) -> np.ndarray:
    """Pixels of `box` within `px` of `mask` (bool, the box's size). OpenCV takes the
    image's edge as far away (paper past it for a dilation, no path through it for a
    distance), so a box holding the part of `mask` within `px` of it gives the whole
    page's answer."""
    if px <= DISC_MAX_PX:
        return cv2.dilate(mask[box].astype(np.uint8), disc(px)) > 0
    far = (~mask[box]).astype(np.uint8)
    return np.asarray(cv2.distanceTransform(far, cv2.DIST_L2, 5) <= px)


def opening(ink: np.ndarray, dist: np.ndarray, radius: float) -> np.ndarray:
    """The ink a disk of `radius` fits in (bool), from the ink's distance transform."""
    core = dist > radius
    out = np.zeros(ink.shape, bool)
    box = solids.box(core, int(radius) + 1)  # nothing further than `radius` from the core
    if box is not None:
        out[box] = _near_in(core, radius, box) & (ink[box] > 0)
    return out


def _near(mask: np.ndarray, px: float) -> np.ndarray:
    """Pixels within `px` of `mask` (bool)."""
    out = np.zeros(mask.shape, bool)
    box = solids.box(mask, int(px) + 1)
    if box is not None:
        out[box] = _near_in(mask, px, box)
    return out


EIGHTHS = 8.0
SLIT_PX = 1.5  # growing lines leaves at least twice this much paper between two of them


def _grown(ink: np.ndarray, spine: np.ndarray, px: float) -> np.ndarray:
    """Pixels within `px` of `spine` (bool), but never across the paper between two lines:
    a paper pixel is taken only where the white around it is wider than it, by SLIT_PX,
    so the artist's narrow slits and small areas stay open (and no joint fills into a dot)."""
    room = cv2.distanceTransform((ink == 0).astype(np.uint8), cv2.DIST_L2, 5)
    # in eighths of a pixel, 8 bits (OpenCV's fast dilation): a pixel near a line is at
    # most `px` from it, and white wider than 31 px is wider than it whatever its size
    room = cv2.convertScaleAbs(room, alpha=EIGHTHS)
    reach = 2 * int(np.ceil(px + SLIT_PX)) + 3
    wide = cv2.dilate(room, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach)))
    slit = np.full_like(wide, round(SLIT_PX * EIGHTHS))
    roomy = cv2.compare(room, cv2.subtract(wide, slit), cv2.CMP_LE) > 0
    size = 2 * round(px) + 1  # (a disc dilation: a tenth of a distance transform's time)
    near = cv2.dilate(
        spine.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    )
    return np.asarray((near > 0) & ((ink > 0) | roomy))


def reweight(
    ink: np.ndarray,
    strokes: StrokeRange,
    dpi: int,
    thicken_in: float = 0.0,
    spine: np.ndarray | None = None,
    *,
    thin: bool = True,
    spine_width: int = 3,
) -> np.ndarray:
    """Print ink (uint8 0/1) with only the lines outside the audience's range changed, each
    by what it lacks or has too much: a line thinner than the floor grown into the range
    (or bolder, up to its top, on request), a line wider than the ceiling (when `thin`) cut
    down to it around its centre line, evenly, and never broken (the `spine`, its centre
    lines at print size, `spine_width` px wide, stays); solids (pupils, noses, fills) and
    lines inside the range
    as drawn."""
    dist = solids.distance(ink)
    ridge = solids.ridge(dist)
    if not ridge.any():
        return ink
    widths = 2.0 * dist[ridge] - 0.5  # as `ridge_widths`
    low, high = strokes.min_in * dpi, strokes.max_in * dpi
    median = float(np.median(widths))
    # a page of hairlines gets the range's middle; a few thin lines on a page in range
    # just the floor (the smallest change)
    grow = (low + high) / 2 if median < low else low * (1 + SLACK)
    if thicken_in > 0:  # bolder on request: every line, up to the range's top
        low = grow = min(high, median + thicken_in * dpi)
    out = ink > 0
    if thin and (widths > high * (1 + SLACK)).mean() > 0.02:
        out = _thinned(ink, dist, ridge, (high, dpi), spine, spine_width)
    if (widths < low * (1 - SLACK)).mean() > THIN_SHARE:
        if spine is None:
            spine = skeleton_at_half(ink)
        thin_spine = (spine > 0) & (2 * dist < low * (1 - SLACK))
        out |= _grown(ink, thin_spine, max(1.0, (grow - spine_width) / 2))  # `grow` wide
    return np.asarray(out, dtype=np.uint8)


def _thinned(
    ink: np.ndarray,
    dist: np.ndarray,
    ridge: np.ndarray,
    limits: tuple[float, int],
    spine: np.ndarray | None,
    spine_width: int,
) -> np.ndarray:
    """The ink (bool) with lines over `high` px wide (`limits`: high, dpi) cut down to
    their centre 0.9 `high` px: each pixel's line width is the widest the ink is around it
    (a max filter of the distance transform, at a quarter size), so the cut is even along
    a line and takes the corners of its ends; the spine keeps the line whole where lines meet."""
    high, dpi = limits
    h, w = ink.shape
    small = cv2.resize(
        cv2.dilate(dist, np.ones((4, 4), np.uint8)),
        (max(1, w // 4), max(1, h // 4)),
        interpolation=cv2.INTER_NEAREST,
    )
    reach = round(SOLID_IN * dpi / 8) * 2 + 1
    local = 2 * cv2.resize(
        _dilated(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))),
        (w, h),
        interpolation=cv2.INTER_LINEAR,
    )
    target = 0.9 * high
    out = ink > 0
    centre = spine if spine is not None else skeleton_at_half(ink)
    zone = (local > high * (1 + SLACK)) & out & ~_solids(ink, dist, ridge, (high, dpi), centre)
    if spine is None:
        spine = skeleton_at_half(ink * zone)
    keep = max(1.0, (target - spine_width) / 2)  # ink this near the spine stays
    box = solids.box(zone, int(keep) + 1)  # (the spine near the zone lies in it)
    if box is not None:
        cut = zone[box] & (dist[box] < (local[box] - target) / 2 + 1)  # an edge pixel is 1
        cut &= ~_near_in(spine > 0, keep, box)  # from the paper
        out[box] &= ~cut
    return out


def _dilated(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """`cv2.dilate` of a non-negative image with a centred `kernel`, found in the box of its
    non-zero pixels grown by the kernel's size: past it every window holds only 0s, and a
    window the box cuts loses only 0s, never more than the pixel's own value."""
    out = np.zeros_like(image)
    around = solids.box(image > 0, max(kernel.shape))
    if around is not None:
        out[around] = cv2.dilate(image[around], kernel)
    return out


def _solids(
    ink: np.ndarray,
    dist: np.ndarray,
    ridge: np.ndarray,
    limits: tuple[float, int],
    centre: np.ndarray,
) -> np.ndarray:
    """Solid blacks to keep as drawn (bool): anything wider than SOLID_IN, and compact
    parts (dots, pupils, noses) wider than the ceiling or much wider than the thick lines,
    with the rim where they narrow into the lines they join; not a joint or corner of
    bold lines, as compact as a pupil (`centre`: the ink's centre lines, see `alone`)."""
    high, dpi = limits
    thick = opening(ink, dist, high * (1 + SLACK) / 2)
    if not thick.any():
        return thick
    median = float(np.median(2.0 * dist[ridge & thick] - 0.5))
    fill = opening(ink, dist, SOLID_IN * dpi / 2)
    # a fill a few discs big is a fill; one about the disc's size may be very bold lines
    # meeting (their joint is that wide), and is kept only where it is alone like a pupil
    small = _smaller(fill, FILL_DISCS * math.pi * (SOLID_IN * dpi / 2) ** 2)
    compact = _compact(thick, dist) | _compact(opening(ink, dist, BLOB * median / 2), dist)
    solid = (fill & ~small) | solids.alone(compact | small, ink, median / 2, centre)
    return _near(solid, RIM_PX) & (ink > 0)


def _smaller(parts: np.ndarray, area: float) -> np.ndarray:
    """The pieces of `parts` (bool) under `area` pixels."""
    count, labels, stats, _ = solids.labelled(parts)
    if count <= 1:
        return np.zeros(parts.shape, bool)
    small = stats[:, cv2.CC_STAT_AREA] < area
    small[0] = False
    return np.asarray(small[labels])


def _compact(part: np.ndarray, dist: np.ndarray) -> np.ndarray:
    """The pieces of `part` (bool) no longer than COMPACT times their widest half-width:
    dots, pupils, noses, not lengths of line."""
    out = np.zeros(part.shape, bool)
    box = solids.box(part, 0)  # labelled where it is (OpenCV's statistics cost the whole image)
    if box is None:
        return out
    inside = part[box]
    count, labels = cv2.connectedComponents(inside.astype(np.uint8), connectivity=8)
    sides = [max(s.stop - s.start for s in obj) for obj in ndimage.find_objects(labels)]
    side = np.asarray([0, *sides], np.float64)
    label = labels[inside]
    # a piece is compact when it is somewhere at least side / COMPACT half-wide
    wide = np.float64(COMPACT) * dist[box][inside] >= side[label]
    dot = np.bincount(label[wide], minlength=count) > 0
    if dot[1:].all():  # (often: every piece; set only the pieces' pixels, not the box's)
        out[box] = inside
    else:
        out[box][inside] = dot[label]
    return out


def skeleton_at_half(ink: np.ndarray) -> np.ndarray:
    """Centre lines of print ink (uint8 0/1), found at half the size (a quarter the work)."""
    from bot.book.lineart.gaps import skeleton  # (scikit-image, only when needed)

    h, w = ink.shape
    small = cv2.resize(ink, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
    return place_spine(skeleton(small > 0), (w, h))


def spine_px(scale: float) -> int:
    """How wide `place_spine` draws a centre line scaled by `scale` (odd, connected)."""
    return max(1, int(np.ceil(scale))) | 1


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
    grow = spine_px(max(sy, sx))
    return np.asarray(cv2.dilate(out, np.ones((grow, grow), np.uint8)), dtype=np.uint8)
