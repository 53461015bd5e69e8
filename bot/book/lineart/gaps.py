"""Broken outlines closed by joining line ends, on the skeleton of the ink.

A gap is closed only where the evidence says it is one: two blunt line ends (skeleton pixels
with one neighbour) across a short distance, each pointing at the other or, at a corner,
their lines run on meeting just ahead of both; never two ends of one stroke, never a spur (a
short twig off a line, made by noise or a bump), never a crumb (a stroke no longer than a
spur, as a break or noise leaves in the gap), never a tapered tip (a pen lifted). A join
must close off an area worth colouring, and a drawing of open strokes (line ends everywhere:
a sketch, hatching) keeps its gaps. A stroke that simply ends (fur, hair, grass) has no end
facing it and stays open; two parallel lines side by side are never glued (their ends point
along them, not at each other). `targets` (a line end and the line it points at) finds
near-miss ends for QA.

Sealed (a book that asks for more gaps sealed, for crayons and fill tools) also joins a
blunt end to the line it points at within SEAL_IN, strokes the artist left open included.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from skimage.morphology import skeletonize

CONE = math.radians(40)  # how far off its own direction a line end may reach
_NEIGHBOURS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


@dataclass(frozen=True)
class End:
    y: int
    x: int
    dy: float  # the direction the line runs out in (unit vector)
    dx: float
    spur: bool  # a short twig off a junction, not a real line end
    path: tuple[tuple[int, int], ...] = ()  # a spur's pixels, junction excluded


def skeleton(ink: np.ndarray) -> np.ndarray:
    """The one-pixel centre lines of the ink (uint8 0/1), thinned in the ink's bounding box
    only (each pass looks at a pixel's 8 neighbours: the paper past the box is paper)."""
    mask = ink.astype(np.uint8, copy=False)
    out = np.zeros(ink.shape, np.uint8)
    x, y, w, h = cv2.boundingRect(mask)
    if w:
        part = mask[y : y + h, x : x + w].astype(bool)
        out[y : y + h, x : x + w] = skeletonize(part)  # type: ignore[no-untyped-call]
    return out


def _neighbours(skel: np.ndarray) -> np.ndarray:
    kernel = np.ones((3, 3), np.float32)
    kernel[1, 1] = 0
    counts = cv2.filter2D(skel, cv2.CV_8U, kernel, borderType=cv2.BORDER_CONSTANT)
    return np.asarray(counts * skel, dtype=np.uint8)


def _walk(skel: np.ndarray, y: int, x: int, steps: int) -> tuple[list[tuple[int, int]], bool]:
    """Follow the line from an end for up to `steps` pixels; the path and whether it ran
    into a junction (more than one way on)."""
    h, w = skel.shape
    path = [(y, x)]
    seen = {(y, x)}
    for _ in range(steps):
        ahead = [
            (y + dy, x + dx)
            for dy, dx in _NEIGHBOURS
            if 0 <= y + dy < h
            and 0 <= x + dx < w
            and skel[y + dy, x + dx]
            and (y + dy, x + dx) not in seen
        ]
        if len(ahead) != 1:
            return path, len(ahead) > 1
        y, x = ahead[0]
        seen.add((y, x))
        path.append((y, x))
    return path, False


def line_ends(skel: np.ndarray, spur_px: int, reach_px: int) -> list[End]:
    """Every line end, with its direction (from `reach_px` pixels back) and whether it is a
    spur (it meets a junction within `spur_px`)."""
    ends = []
    for y, x in zip(*np.nonzero(_neighbours(skel) == 1), strict=True):
        path, junction = _walk(skel, int(y), int(x), max(spur_px, reach_px))
        spur = junction and len(path) <= spur_px
        back = path[min(reach_px, len(path) - 1)]
        dy, dx = float(y - back[0]), float(x - back[1])
        norm = math.hypot(dy, dx)
        if norm == 0:
            continue  # a lone dot: no direction
        twig = tuple(path[:-1]) if spur else ()
        ends.append(End(int(y), int(x), dy / norm, dx / norm, spur, twig))
    return ends


def _own_stroke(skel: np.ndarray, y: int, x: int, steps: int) -> set[tuple[int, int]]:
    """Skeleton pixels reachable from (y, x) along the skeleton within `steps`."""
    h, w = skel.shape
    seen = {(y, x)}
    todo = deque([(y, x, 0)])
    while todo:
        cy, cx, d = todo.popleft()
        if d == steps:
            continue
        for dy, dx in _NEIGHBOURS:
            ny, nx = cy + dy, cx + dx
            if 0 <= ny < h and 0 <= nx < w and skel[ny, nx] and (ny, nx) not in seen:
                seen.add((ny, nx))
                todo.append((ny, nx, d + 1))
    return seen


def targets(
    skel: np.ndarray, ends: list[End], gap_px: float, cone: float = CONE
) -> list[tuple[End, tuple[int, int]]]:
    """For each real line end, the nearest other line pixel it points at within `gap_px`."""
    found = []
    r = math.ceil(gap_px)
    h, w = skel.shape
    for end in ends:
        if end.spur:
            continue
        own = _own_stroke(skel, end.y, end.x, math.ceil(3 * gap_px))
        best: tuple[float, tuple[int, int]] | None = None
        y0, x0 = max(0, end.y - r), max(0, end.x - r)
        window = skel[y0 : min(h, end.y + r + 1), x0 : min(w, end.x + r + 1)]
        for wy, wx in zip(*np.nonzero(window), strict=True):
            ty, tx = int(wy) + y0, int(wx) + x0
            if (ty, tx) in own:
                continue
            vy, vx = ty - end.y, tx - end.x
            dist = math.hypot(vy, vx)
            if dist > gap_px or (vy * end.dy + vx * end.dx) < dist * math.cos(cone):
                continue  # not ahead of the line
            if best is None or dist < best[0]:
                best = (dist, (ty, tx))
        if best is not None:
            found.append((end, best[1]))
    return found


FACING = math.radians(40)  # two ends face each other: each within this of the other's way
IN_LINE = math.radians(35)  # (this, beyond NEAR_IN: one line broken, not two side by side),
ALONG = math.radians(60)  # ... and the two lines run on within this of one another (a line
# broken in two, not two strokes that end near each other, as folds and fur do)
CORNER = math.radians(50)  # or the two lines, run on, meet ahead of both ends (a corner
# broken), at an angle at least this wide (not two strokes side by side, as hair runs)
NEAR_IN = 0.06  # a blunt end this close to a line it points straight at (within NEAR_CONE)
NEAR_CONE = math.radians(30)  # is a break where lines meet (the other side has no end); two
# ends this close that face each other are a break even at a corner
TAPER = 0.5  # an end narrower than this share of its line a little way back is a stroke's
# tapered tip (a brush or pen lifted), never a break
SLACK_PX = 3.0  # a corner's lines may meet this far behind an end (pixels: a skeleton's
# last pixels waver, more so where a break's round bite curls the line's end)
AREA_IN2 = 0.01  # a join must close off an area at least this big (worth colouring)
SEAL_IN = 0.12  # sealed (asked for: more areas closed, at the cost of strokes an artist left
# open): a blunt end this close to a line it points at is joined to it, and two ends facing
# each other are measured by the paper between them (a blunt end's ink runs on past it)
OPEN_ENDS = 2.5  # a drawing with more line ends than this per inch of line is drawn in open
# strokes (a sketch, hatching): two ends near each other there are its style, not a break


@dataclass(frozen=True)
class Join:
    """A gap closed: from one line end to another, drawn `width` pixels wide."""

    a: tuple[int, int]  # (y, x)
    b: tuple[int, int]
    width: float


def _head_on(a: End, b: End, dist: float, near: bool, cone: float) -> bool:
    """Whether `a` and `b` point at each other (within `cone` when `near`, else IN_LINE with
    the two lines running on within ALONG of one another)."""
    vy, vx = b.y - a.y, b.x - a.x
    reach = dist * math.cos(cone if near else IN_LINE)
    opposite = near or -(a.dy * b.dy + a.dx * b.dx) >= math.cos(ALONG)
    return opposite and vy * a.dy + vx * a.dx >= reach and -(vy * b.dy + vx * b.dx) >= reach


def _corner(a: End, b: End, gap_px: float) -> bool:
    """Whether the two lines, run on straight from their ends, meet ahead of both within
    `gap_px` along the way (a -> corner -> b) at an angle of at least CORNER."""
    det = a.dx * b.dy - a.dy * b.dx
    if abs(det) < 1e-6:
        return False  # parallel: never a corner
    vy, vx = b.y - a.y, b.x - a.x
    s = (vx * b.dy - vy * b.dx) / det  # how far a runs on to the meeting point
    t = (vx * a.dy - vy * a.dx) / det  # ... and b
    slack = SLACK_PX
    angle = math.acos(max(-1.0, min(1.0, a.dy * b.dy + a.dx * b.dx)))  # 0: side by side
    return s >= -slack and t >= -slack and s + t <= gap_px and angle >= CORNER


def facing(
    skel: np.ndarray,
    ends: list[End],
    gap_px: float,
    near_px: float,
    cone: float = FACING,
    tips: dict[tuple[int, int], float] | None = None,
) -> list[Join]:
    """Pairs of real line ends that face each other across at most `gap_px` (each points
    at the other; beyond `near_px` the two lines also run on in line, or meet ahead of both
    at a corner; and they are not two ends of one short stroke), nearest pairs first, each
    end used once; with `tips` (each end's half-width) the reach is measured by the paper
    between them (a corner and the order of the pairs still by their centres). A
    line that simply ends (fur, hair, grass) has no end facing it."""
    real = [e for e in ends if not e.spur]
    pairs = []
    for i, a in enumerate(real):
        for b in real[i + 1 :]:
            dist = math.hypot(b.y - a.y, b.x - a.x)
            paper = dist - (tips[(a.y, a.x)] + tips[(b.y, b.x)] if tips else 0.0)
            if dist == 0 or paper > gap_px:
                continue
            if _head_on(a, b, dist, dist <= near_px, cone) or _corner(a, b, gap_px):
                pairs.append((dist, a, b))
    used: set[tuple[int, int]] = set()
    joins = []
    for dist, a, b in sorted(pairs, key=lambda p: p[0]):
        if (a.y, a.x) in used or (b.y, b.x) in used:
            continue
        if (b.y, b.x) in _own_stroke(skel, a.y, a.x, math.ceil(3 * gap_px)):
            continue  # a short stroke's own two ends (a dash, a tick)
        used |= {(a.y, a.x), (b.y, b.x)}
        joins.append(Join((a.y, a.x), (b.y, b.x), dist))
    return joins


def _steady(end: End, path: list[tuple[int, int]], reach: int) -> End:
    """`end` headed along the straight line best fitting its first `reach` pixels (the
    last pixels of a skeleton zigzag and bend, so one pixel a few steps back misleads)."""
    pts = np.array(path[: reach + 1], np.float64)
    if len(pts) < 3:
        return end
    centred = pts - pts.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    dy, dx = float(axes[0][0]), float(axes[0][1])
    if dy * (end.y - pts[-1][0]) + dx * (end.x - pts[-1][1]) < 0:
        dy, dx = -dy, -dx  # outwards, past the end
    return End(end.y, end.x, dy, dx, end.spur, end.path)


def _tapered(
    raw: np.ndarray, spread: np.ndarray, path: list[tuple[int, int]], back: int, sealed: bool
) -> bool:
    """Whether the line narrows to its end: its half-width over its last three pixels
    (`raw`, the ink's distance transform; the skeleton's last pixel lies at the ink's edge)
    under TAPER times the most it has one to three `back` steps behind along its own line
    (`spread`: the same, taken as the largest nearby, so a bumpy edge does not count). A
    line too short to look back along is not a tip. `sealed`: against the line's usual
    half-width one to three steps back (the median), not the most nearby: a round bite's
    corner on a thin line is one pixel, as narrow as a pen's tip, and only a line at least
    4 px wide (a one-pixel tip under half of it) can show a tip at all."""
    tip = max(float(raw[p]) for p in path[:3])
    if sealed:
        body = [float(raw[p]) for p in path[back : 3 * back + 1]]
        usual = float(np.median(body)) if body else 0.0
        return tip < TAPER * usual
    behind = [spread[path[back * k]] for k in (1, 2, 3) if back * k < len(path)]
    widest = float(max(behind, default=0.0))
    return widest >= 2 and tip < TAPER * widest


def _without_twigs(skel: np.ndarray, spur: int, reach: int) -> np.ndarray:
    """The skeleton `skel` (in place) without its twigs off a line (noise, bumps: never
    drawn again), thinned again: a thick line's blunt end forks into two twigs on the
    skeleton, and where they met is the line's end."""
    for end in line_ends(skel, spur, reach):
        for y, x in end.path:
            skel[y, x] = 0
    return skeleton(skel)


def close_gaps(
    ink: np.ndarray,
    px_per_in: float,
    gap_in: float,
    judge: Callable[[list[Join]], list[Join]] | None = None,
    sealed: bool = False,
) -> tuple[np.ndarray, np.ndarray, list[Join]]:
    """Join line ends facing each other across gaps under `gap_in`: the ink, its skeleton
    (joins included) and the joins, each as wide as the line at its ends. A join is kept
    only where it closes off an area worth colouring: on this ink, or as `judge` says of
    the others (the joins it is given, those it keeps: on the page they will be drawn on,
    where a narrow area the analysis resolution blurs shut is open again). `sealed`: a line
    end pointing at a line within SEAL_IN is joined to it too (see SEAL_IN)."""
    spur, reach = max(3, round(0.04 * px_per_in)), max(3, round(0.05 * px_per_in))
    skel = _without_twigs(skeleton(ink), spur, reach)
    # the line's half-width near each end (the skeleton stops short of a blunt end)
    raw = cv2.distanceTransform(ink, cv2.DIST_L2, 3)
    dist = cv2.dilate(raw, np.ones((5, 5), np.uint8))
    back = max(3, round(0.1 * px_per_in))
    ends = line_ends(skel, spur, reach)
    if sum(not e.spur for e in ends) > OPEN_ENDS * np.count_nonzero(skel) / px_per_in:
        return ink, skel, []  # a drawing of open strokes: ends near each other are its style
    blunt = []
    for end in ends:
        path, junction = _walk(skel, end.y, end.x, 3 * back)
        if not junction and len(path) <= spur:
            continue  # a crumb (what a break or noise leaves of a line): no line to join
        if not _tapered(raw, dist, path, back, sealed):
            blunt.append(_steady(end, path, 3 * reach))
    tips = {(e.y, e.x): float(raw[e.y, e.x]) for e in blunt} if sealed else None
    found = facing(skel, blunt, gap_in * px_per_in, NEAR_IN * px_per_in, tips=tips)
    used = {j.a for j in found} | {j.b for j in found}
    alone = [e for e in blunt if (e.y, e.x) not in used]
    onto = (SEAL_IN if sealed else NEAR_IN) * px_per_in
    for end, target in targets(skel, alone, onto, cone=NEAR_CONE):
        found.append(Join((end.y, end.x), target, 0.0))  # a break at a joint or a crossing
    if not found:
        return ink, skel, []
    drawn = []
    for join in found:
        (ay, ax), (by, bx) = join.a, join.b
        far = dist[ay, ax] if join.width == 0 else dist[by, bx]  # onto a line: this end's
        drawn.append(Join(join.a, join.b, max(1.0, float(dist[ay, ax] + far) - 1)))
    joins = closing(ink, drawn, AREA_IN2 * px_per_in**2)
    if judge and len(joins) < len(drawn):  # a second look at the rest where they will print
        joins += judge([j for j in drawn if j not in joins])
    if not joins:
        return ink, skel, []
    ink = ink.copy()
    skel = skel.copy()
    for join in joins:
        (ay, ax), (by, bx) = join.a, join.b
        cv2.line(ink, (ax, ay), (bx, by), 1, thickness=max(1, round(join.width)))
        cv2.line(skel, (ax, ay), (bx, by), 1, thickness=1)
    return ink, skel, joins


def closing(ink: np.ndarray, joins: list[Join], area_px: float) -> list[Join]:
    """The joins that, all drawn on `ink` (uint8, 1 = ink), part two areas of at least
    `area_px`: paper on either side of a join that is one area is not closed off by it (two
    strokes joined that enclose nothing, or a sliver)."""
    closed = ink.copy()
    for join in joins:
        (ay, ax), (by, bx) = join.a, join.b
        cv2.line(closed, (ax, ay), (bx, by), 1, thickness=max(1, round(join.width)))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(
        (closed == 0).astype(np.uint8), connectivity=4
    )
    big = stats[:, cv2.CC_STAT_AREA] >= area_px
    h, w = closed.shape
    kept = []
    for join in joins:
        (ay, ax), (by, bx) = join.a, join.b
        pad = round(join.width) + 3
        y0, x0 = max(0, min(ay, by) - pad), max(0, min(ax, bx) - pad)
        y1, x1 = min(h, max(ay, by) + pad + 1), min(w, max(ax, bx) + pad + 1)
        near = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.line(near, (ax - x0, ay - y0), (bx - x0, by - y0), 1, thickness=pad * 2 - 1)
        sides = np.unique(labels[y0:y1, x0:x1][(near > 0) & (closed[y0:y1, x0:x1] == 0)])
        if np.count_nonzero(big[sides]) >= 2:
            kept.append(join)
    return kept


def leaks(skel: np.ndarray, px_per_in: float, leak_in: float) -> int:
    """Line ends that stop just short of another line (a crayon's colour gets through)."""
    spur = max(3, round(0.04 * px_per_in))
    ends = line_ends(skel, spur, max(3, round(0.05 * px_per_in)))
    return len(targets(skel, ends, leak_in * px_per_in, cone=math.radians(60)))
