"""Wide ink told apart: a thick line (long and narrow, however wide) from a solid (a pupil, a
nose, a blob, a fill: about as long as it is wide), so line width is measured on the lines
alone and solids are judged on their own."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

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


def ridge(dist: np.ndarray) -> np.ndarray:
    """The centre of every stroke: the distance transform's local maxima (as `ridge_widths`)."""
    peak = cv2.dilate(dist, np.ones((3, 3), np.uint8))
    return np.asarray((dist > 0) & (dist >= peak), dtype=bool)


def find(ink: np.ndarray, dist: np.ndarray, min_width_px: float, line_px: float = 0.0) -> Solids:
    """Parts of `ink` (uint8 0/1, `dist` its distance transform) wider than `min_width_px`
    that are compact (not a thick line) and wider than `LINE_MARGIN` x `line_px`, the page's
    own line width (so a page drawn with thick lines has no solids from its lines)."""
    r0 = min_width_px / 2
    wide = dist > r0
    rows, cols = np.flatnonzero(wide.any(axis=1)), np.flatnonzero(wide.any(axis=0))
    if rows.size == 0:
        return none(ink.shape)
    # labelled where it is (a page's solids are few and small: no need to scan it all)
    y_off, x_off = int(rows[0]), int(cols[0])
    box = (slice(y_off, int(rows[-1]) + 1), slice(x_off, int(cols[-1]) + 1))
    core = wide[box].astype(np.uint8)
    n, part, stats, centres = cv2.connectedComponentsWithStats(core, connectivity=8)
    stats[:, 0] += x_off
    stats[:, 1] += y_off
    centres += (x_off, y_off)
    inside = core > 0
    peak = np.zeros(n, np.float64)  # each part's half-width at its widest (only core pixels)
    np.maximum.at(peak, part[inside].astype(np.intp), dist[box][inside])
    peak = peak[1:]
    core_w = 2 * (peak - r0) + 1
    compact = stats[1:, cv2.CC_STAT_AREA] <= ELONGATION * core_w**2
    compact &= 2 * peak >= LINE_MARGIN * line_px
    if not compact.any():
        return none(ink.shape)
    labels = np.zeros(ink.shape, np.int32)
    labels[box] = part
    mask = np.zeros(ink.shape, bool)
    areas, widths, where = [], [], []
    grow = int(np.ceil(r0)) + 1
    h, w = ink.shape
    for i in np.flatnonzero(compact) + 1:
        x, y, bw, bh = stats[i, :4]
        x0, y0 = max(0, x - grow), max(0, y - grow)
        x1, y1 = min(w, x + bw + grow), min(h, y + bh + grow)
        own = (labels[y0:y1, x0:x1] == i).astype(np.uint8)
        # the solid is the ink within reach of its core (the core is its middle only)
        near = cv2.distanceTransform(1 - own, cv2.DIST_L2, 3) <= r0 + 1
        part = near & (ink[y0:y1, x0:x1] > 0)
        mask[y0:y1, x0:x1] |= part
        areas.append(float(part.sum()))
        widths.append(2 * float(peak[i - 1]))
        where.append(centres[i])
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
