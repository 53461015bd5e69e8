"""Wide ink told apart: a thick line (long and narrow, however wide) from a solid (a pupil, a
nose, a blob, a fill: about as long as it is wide), so line width is measured on the lines
alone and solids are judged on their own."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage
from skimage.morphology import skeletonize

ELONGATION = 3.0  # a wide part longer than this many times its width is a line
LINE_MARGIN = 1.5  # a solid is also at least this many times as wide as the page's lines


@dataclass(frozen=True)
class Solids:
    """The solid parts of a page: where they are (bool mask), and for each its area (px),
    its widest width (px) and its centre (x, y in px)."""

    mask: np.ndarray
    areas: np.ndarray
    widths: np.ndarray
    centres: np.ndarray

    @property
    def count(self) -> int:
        return int(self.areas.size)


def none(shape: tuple[int, ...]) -> Solids:
    """No solid parts on a page of `shape`."""
    empty = np.zeros(0, np.float64)
    return Solids(np.zeros(shape[:2], bool), empty, empty, np.zeros((0, 2), np.float64))


def box(mask: np.ndarray, margin: int) -> tuple[slice, slice] | None:
    """The bounding box of `mask` (bool) grown by `margin` px, within the page (None when
    it is empty): what is within `margin` of it is found there, not on the whole page."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    h, w = mask.shape
    return (
        slice(max(0, int(rows[0]) - margin), min(h, int(rows[-1]) + margin + 1)),
        slice(max(0, int(cols[0]) - margin), min(w, int(cols[-1]) + margin + 1)),
    )


def alone(
    parts: np.ndarray, ink: np.ndarray, half: float, centre: np.ndarray | None = None
) -> np.ndarray:
    """The pieces of `parts` (bool) no line of `ink` leaves (a pupil, a dot), or one line
    leaves when they are LINE_MARGIN times as wide as the lines (a nose on its stem; not a
    line's end or a tight bend in it); not where two or more lines meet: a joint or a
    corner of bold lines is as compact as a pupil. A line leaving a piece is a centre line
    of the ink crossing a ring around it, one to one and a half line widths out (`half`:
    the lines' half-width; the ink itself there can still be one piece where bold lines
    meet). `centre`: the ink's centre lines when known (else found around each piece)."""
    out = np.zeros(parts.shape, bool)
    r = max(2, round(2 * half))
    count, labels, stats, _ = labelled(parts)
    if count <= 1:
        return out
    h, w = parts.shape
    m = 2 * r + 2
    for label in range(1, count):
        x, y, bw, bh = stats[label, :4]
        y0, x0, y1, x1 = max(0, y - m), max(0, x - m), min(h, y + bh + m), min(w, x + bw + m)
        mine = (labels[y0:y1, x0:x1] == label).astype(np.uint8)
        away = cv2.distanceTransform(1 - mine, cv2.DIST_L2, 5)  # (a disc's dilations, cheaper)
        near = ink[y0:y1, x0:x1] > 0
        lines_at = (
            centre[y0:y1, x0:x1] > 0 if centre is not None else skeletonize(near)  # type: ignore[no-untyped-call]
        )
        ring = (away > r) & (away <= 1.5 * r) & lines_at
        lines = cv2.connectedComponents(ring.astype(np.uint8), connectivity=8)[0] - 1
        if lines == 1:  # a nose on its stem, or only a line's end or bend
            dist = cv2.distanceTransform(near.astype(np.uint8), cv2.DIST_L2, 5)
            if float(dist[mine > 0].max()) < LINE_MARGIN * half:
                continue
        if lines <= 1:
            out[y0:y1, x0:x1] |= mine > 0
    return out


def labelled(parts: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """OpenCV's labelling with statistics of `parts` (bool), done inside its bounding box
    and returned as page-sized labels and page coordinates."""
    where = box(parts, 0)
    if where is None:
        return 0, np.zeros(parts.shape, np.int32), np.zeros((1, 5), np.int32), np.zeros((1, 2))
    count, part, stats, centres = cv2.connectedComponentsWithStats(
        parts[where].astype(np.uint8), connectivity=8
    )
    labels = np.zeros(parts.shape, np.int32)
    labels[where] = part
    stats[:, 0] += where[1].start
    stats[:, 1] += where[0].start
    return count, labels, stats, centres


def only_alone(
    found: Solids, ink: np.ndarray, half: float, centre: np.ndarray | None = None
) -> Solids:
    """`found` without the parts where two or more lines meet (see `alone`)."""
    if not found.count:
        return found
    kept = alone(found.mask, ink, half, centre)
    xs = np.clip(np.rint(found.centres[:, 0]).astype(int), 0, ink.shape[1] - 1)
    ys = np.clip(np.rint(found.centres[:, 1]).astype(int), 0, ink.shape[0] - 1)
    near = cv2.dilate(kept.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    keep = near[ys, xs]  # a part's centre lies in it (a compact part is convex enough)
    return Solids(kept, found.areas[keep], found.widths[keep], found.centres[keep])


VECTOR_PX = 16  # OpenCV's vector code adds a row's distances up in runs this wide or less


def distance(ink: np.ndarray) -> np.ndarray:
    """The distance transform of `ink` (uint8 0/1; float32, DIST_L2 mask 5) bit for bit as
    on the whole image, found in the ink's bounding box with 2 px of paper round it (no step
    of the mask reaches past that paper) whose sides lie on multiples of VECTOR_PX, so the
    runs, and the rounding of the sums, are the whole image's."""
    out = np.zeros(ink.shape, np.float32)
    x, y, w, h = cv2.boundingRect(ink)
    if w == 0:
        return out
    rows, cols = ink.shape
    x0 = max(0, x - 2) // VECTOR_PX * VECTOR_PX
    x1 = min(cols, -(-(x + w + 2) // VECTOR_PX) * VECTOR_PX)
    around = (slice(max(0, y - 2), min(rows, y + h + 2)), slice(x0, x1))
    out[around] = cv2.distanceTransform(ink[around], cv2.DIST_L2, 5)
    return out


def ridge(dist: np.ndarray) -> np.ndarray:
    """The centre of every stroke: the distance transform's local maxima (as `ridge_widths`),
    looked for inside the ink's bounding box."""
    inked = dist > 0
    # a pixel past the box has no ink, so a box a pixel wider is the page's 3x3 maximum
    around = box(inked, 1)
    if around is None:
        return inked
    near = dist[around]
    out = np.zeros(dist.shape, bool)
    out[around] = inked[around] & (near >= cv2.dilate(near, np.ones((3, 3), np.uint8)))
    return out


def find(ink: np.ndarray, dist: np.ndarray, min_width_px: float, line_px: float = 0.0) -> Solids:
    """Parts of `ink` (uint8 0/1, `dist` its distance transform) wider than `min_width_px`
    that are compact (not a thick line) and wider than `LINE_MARGIN` x `line_px`, the page's
    own line width (so a page drawn with thick lines has no solids from its lines)."""
    r0 = min_width_px / 2
    wide = dist > r0
    where_wide = box(wide, 0)
    if where_wide is None:
        return none(ink.shape)
    # labelled where it is (a page's solids are few and small: no need to scan it all),
    # without OpenCV's statistics (they cost five times the labelling): measured here
    y_off, x_off = where_wide[0].start, where_wide[1].start
    n, part = cv2.connectedComponents(wide[where_wide].astype(np.uint8), connectivity=8)
    inside = part > 0
    label = part[inside].astype(np.intp)
    peak = np.zeros(n, np.float64)  # each part's half-width at its widest (only core pixels)
    np.maximum.at(peak, label, dist[where_wide][inside])
    peak = peak[1:]
    core_w = 2 * (peak - r0) + 1
    compact = np.bincount(label, minlength=n)[1:] <= ELONGATION * core_w**2
    compact &= 2 * peak >= LINE_MARGIN * line_px
    if not compact.any():
        return none(ink.shape)
    mask = np.zeros(ink.shape, bool)
    areas, widths, where = [], [], []
    grow = int(np.ceil(r0)) + 1
    h, w = ink.shape
    found = ndimage.find_objects(part)
    for i in np.flatnonzero(compact) + 1:
        rows_i, cols_i = found[i - 1]
        core = part[rows_i, cols_i] == i
        ys, xs = np.nonzero(core)
        x, y = cols_i.start + x_off, rows_i.start + y_off
        # its centre as OpenCV's statistics give it (in the labelled box, then on the page)
        where.append(
            (
                (xs.sum() + xs.size * cols_i.start) / xs.size + x_off,
                (ys.sum() + ys.size * rows_i.start) / ys.size + y_off,
            )
        )
        x0, y0 = max(0, x - grow), max(0, y - grow)
        x1, y1 = min(w, x + core.shape[1] + grow), min(h, y + core.shape[0] + grow)
        own = np.zeros((y1 - y0, x1 - x0), np.uint8)
        own[y - y0 : y - y0 + core.shape[0], x - x0 : x - x0 + core.shape[1]] = core
        # the solid is the ink within reach of its core (the core is its middle only)
        near = cv2.distanceTransform(1 - own, cv2.DIST_L2, 3) <= r0 + 1
        solid = near & (ink[y0:y1, x0:x1] > 0)
        mask[y0:y1, x0:x1] |= solid
        areas.append(float(solid.sum()))
        widths.append(2 * float(peak[i - 1]))
    return Solids(
        mask,
        np.asarray(areas, np.float64),
        np.asarray(widths, np.float64),
        np.asarray(where, np.float64).reshape(-1, 2),
    )


def line_widths(dist: np.ndarray, solids: Solids) -> np.ndarray:
    """Stroke widths (px) along the centre of every line, solid parts left out."""
    centre = ridge(dist)
    if solids.count:
        centre &= ~solids.mask
    return np.asarray(2.0 * dist[centre] - 0.5, dtype=np.float32).clip(min=1.0)
