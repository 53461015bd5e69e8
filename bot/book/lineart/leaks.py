"""Where colour leaks out of an outline: a line end that stops just short of another line
(a near miss), or two line ends that face each other across a wider gap (a broken outline,
like a sun drawn with a slice of its circle missing).

Only a gap between two parts of one connected drawing is a leak: closing it would close a
loop, so there is an area on its other side that the colour runs out of. A stroke on its
own that ends near a line (a hair, a blade of grass, a fur stroke, a dash) encloses nothing
whether it touches or not: the artist left it open, and colour flows round it anyway."""

from __future__ import annotations

import math

import cv2
import numpy as np
from scipy.spatial import cKDTree

from bot.book.lineart.gaps import End, line_ends, skeleton, targets

NEAR_CONE = math.radians(60)  # a near miss: the line it nearly meets lies this far off ahead
FACING_CONE = math.radians(45)  # a broken outline: each end points about at the other (a
# thick line's centre line curls at its end, so its direction is rough)
AREA_FACTOR = 5  # a gap leaks when the areas on both sides are this many times colourable
BROKEN, NEAR = 0, 1  # a gap's kind: a broken outline (two ends facing), a near miss
# the columns of `find`'s rows: the gap's middle, its width (px), its kind and its two ends
X, Y, WIDTH, KIND, AX, AY, BX, BY = range(8)


def _facing(ends: list[End], reach_px: float) -> list[tuple[End, End]]:
    """Pairs of line ends within `reach_px` of each other, each pointing at the other."""
    real = [e for e in ends if not e.spur]
    if len(real) < 2:
        return []
    pos = np.array([(e.y, e.x) for e in real], np.float64)
    way = np.array([(e.dy, e.dx) for e in real], np.float64)
    pairs = cKDTree(pos).query_pairs(reach_px, output_type="ndarray")
    if not len(pairs):
        return []
    a, b = pairs[:, 0], pairs[:, 1]
    delta = pos[b] - pos[a]
    unit = delta / np.hypot(delta[:, 0], delta[:, 1])[:, None]  # from end a to end b
    aim = math.cos(FACING_CONE)
    facing = ((way[a] * unit).sum(1) >= aim) & ((way[b] * -unit).sum(1) >= aim)
    return [(real[i], real[j]) for i, j in pairs[facing].tolist()]


def _encloses(ink: np.ndarray, a: tuple[int, int], b: tuple[int, int], min_px: float) -> bool:
    """Whether closing the gap from `a` to `b` ((y, x)) would shut an area of at least
    `min_px` pixels (worth colouring) off from the rest: looked at in a window around the
    gap, where an area reaching the window's edge counts as large."""
    reach = max(8, round(4 * math.hypot(a[0] - b[0], a[1] - b[1])))
    h, w = ink.shape
    y0, x0 = max(0, min(a[0], b[0]) - reach), max(0, min(a[1], b[1]) - reach)
    y1, x1 = min(h, max(a[0], b[0]) + reach + 1), min(w, max(a[1], b[1]) + reach + 1)
    shut = ink[y0:y1, x0:x1].copy()
    cv2.line(shut, (a[1] - x0, a[0] - y0), (b[1] - x0, b[0] - y0), 1, thickness=2)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(1 - shut, connectivity=4)
    beside = cv2.dilate(shut - ink[y0:y1, x0:x1], np.ones((3, 3), np.uint8)) > 0
    sides = np.unique(labels[beside & (shut == 0)])
    if sides.size < 2:
        return sides.size == 1  # one side only: the loop is wider than the window
    bh, bw = shut.shape
    x, y = stats[sides, cv2.CC_STAT_LEFT], stats[sides, cv2.CC_STAT_TOP]
    edge = (x == 0) | (y == 0)
    edge |= (x + stats[sides, cv2.CC_STAT_WIDTH] >= bw) | (
        y + stats[sides, cv2.CC_STAT_HEIGHT] >= bh
    )
    size = np.where(edge, np.inf, stats[sides, cv2.CC_STAT_AREA])
    return bool(np.sort(size)[-2] >= min_px)  # both sides worth colouring


def find(
    ink: np.ndarray, px_per_in: float, near_in: float, wide_in: float, min_area_in2: float
) -> np.ndarray:
    """Every leak of line art (uint8 0/1) at `px_per_in`, once each: rows of the gap's middle
    (x, y), its width (pixels), its kind (BROKEN, NEAR) and its two ends (x, y each; a near
    miss's second end is the point of the line it nearly meets). Two ends facing each other
    within `wide_in` are one broken outline; any other end with a line within `near_in`
    ahead is a near miss. A gap counts when it lies between two parts of one drawing and
    closing it would shut off an area of at least `min_area_in2` (a detail's tiny nook is
    not worth colouring apart)."""
    skel = skeleton(ink)
    spur = max(3, round(0.04 * px_per_in))
    ends = line_ends(skel, spur, max(3, round(0.05 * px_per_in)))
    _, part = cv2.connectedComponents(skel, connectivity=8)
    min_px = AREA_FACTOR * min_area_in2 * px_per_in**2
    rows = []
    paired: set[tuple[int, int]] = set()
    for a, b in _facing(ends, wide_in * px_per_in):
        if part[a.y, a.x] == part[b.y, b.x] and _encloses(ink, (a.y, a.x), (b.y, b.x), min_px):
            paired |= {(a.y, a.x), (b.y, b.x)}
            rows.append(_row(a.y, a.x, b.y, b.x, BROKEN))
    for end, (ty, tx) in targets(skel, ends, near_in * px_per_in, cone=NEAR_CONE):
        if (end.y, end.x) in paired or part[end.y, end.x] != part[ty, tx]:
            continue
        if _encloses(ink, (end.y, end.x), (ty, tx), min_px):
            rows.append(_row(end.y, end.x, ty, tx, NEAR))
    return _once(np.asarray(rows, np.float64).reshape(-1, 8), 0.05 * px_per_in)


def _row(ay: int, ax: int, by: int, bx: int, kind: int) -> tuple[float, ...]:
    """A gap from (ay, ax) to (by, bx) as a row of `find`."""
    return ((ax + bx) / 2, (ay + by) / 2, math.hypot(by - ay, bx - ax), kind, ax, ay, bx, by)


def _once(rows: np.ndarray, near_px: float) -> np.ndarray:
    """The gaps with those found twice (a thick line's end can fork into two ends) dropped:
    a gap whose middle is within `near_px` of one already kept."""
    kept: list[np.ndarray] = []
    for row in rows:
        if all(math.hypot(*(row[:2] - k[:2])) > near_px for k in kept):
            kept.append(row)
    return np.asarray(kept, np.float64).reshape(-1, 8)
