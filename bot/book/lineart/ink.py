"""Which pixels are ink: lines of any width kept whole, broad grey shading dropped, specks and
pin-holes (sized in inches) removed; and, for each pixel, the grey level where its ink ends
(so the page is binarised faithfully at print size). Pure functions on arrays at the analysis
resolution."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

CONTRAST = 0.6  # ink: darker than this share of what lies under it (or of nearby paper)
PAPER = 215  # paper (the page is whitened first): at least this light
EDGE_PX = 2  # a dark area's edge: its pixels this close to paper (anti-aliasing is ~2 px)
LINE_MAX_IN = 0.09  # a line drawn over shading is at most this wide
SHADE_STEP = 40  # shading: a broad area this much lighter than the lines drawn over it ...
SHADE_LIGHT = 115  # ... or lighter than this (the page's ink is black once stretched)


@dataclass(frozen=True)
class InkMap:
    """The ink (uint8 0/1) and, per pixel, the grey level below which a pixel is ink
    (float32): half-way between the pixel's ink and what it lies on."""

    ink: np.ndarray
    level: np.ndarray


def disk(diameter: int) -> np.ndarray:
    d = max(1, diameter)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


def ink_mask(grey: np.ndarray, px_per_in: float) -> np.ndarray:
    """Ink of a white-paper grey page (uint8 0/1); see `ink_map`."""
    return ink_map(grey, px_per_in).ink


def ink_map(grey: np.ndarray, px_per_in: float) -> InkMap:
    """Ink of a white-paper grey page: the lines, and broad dark areas that are ink.

    A line is darker than what lies on both sides of it: the page's closing (every dark
    thing narrower than a line filled in with what surrounds it) shows the paper or the
    shading a line crosses, and a pixel much darker than that is a line. A broad dark area
    (dark in the closing too) is a stroke or a solid, kept whole, unless it is evidently
    shading: much lighter than the lines drawn over it, or than the page's ink. Of shading
    that is dark against the paper only the pixels touching the paper stay, as the shape's
    one outline."""
    kernel = disk(round(1.5 * LINE_MAX_IN * px_per_in))
    around = cv2.dilate(grey, kernel)  # the lightest pixel within a line's width
    behind = cv2.erode(around, kernel)  # the closing: what lies under the thin lines
    g = grey.astype(np.float32)
    line = g < CONTRAST * np.maximum(behind, 1).astype(np.float32)
    dark = g < CONTRAST * np.maximum(around, 1).astype(np.float32)
    paper = (grey >= PAPER).astype(np.uint8)
    edge = cv2.dilate(paper, disk(2 * EDGE_PX + 1)) > 0
    solid, shade = _broad(g, behind, line, max(10, round(0.2 * px_per_in)))
    ink = line | (dark & edge) | (solid & (g < (255.0 + behind.astype(np.float32)) / 2))
    # where ink ends: half-way from its darkest nearby pixel to what it lies on (the paper,
    # or the shading a line crosses)
    darkest = cv2.erode(grey, disk(round(LINE_MAX_IN * px_per_in))).astype(np.float32)
    under = np.where(shade & ~edge, behind, 255).astype(np.float32)
    level = np.maximum((darkest + under) / 2, darkest + 1)
    return InkMap(np.asarray(ink, dtype=np.uint8), level)


def _broad(
    g: np.ndarray, behind: np.ndarray, line: np.ndarray, lined_px: int
) -> tuple[np.ndarray, np.ndarray]:
    """The broad dark areas (dark in the closing) split into ink (strokes wider than a line,
    solids) and shading (at least `lined_px` pixels of lines drawn over it): bool masks."""
    broad = (behind < CONTRAST * 255).astype(np.uint8)
    count, labels = cv2.connectedComponents(broad, connectivity=8)
    if count <= 1:
        none = np.zeros(g.shape, bool)
        return none, none
    inside = labels > 0
    over = inside & line  # lines drawn over the area
    # the fill is measured inside the area, away from its edge: a broad stroke's own soft
    # edge is lighter than its core, and counted as fill made the stroke 'shading'
    fill = inside & ~line & (cv2.erode(broad, disk(2 * EDGE_PX + 1)) > 0)
    n_over = np.bincount(labels[over], minlength=count)
    grey_over = np.bincount(labels[over], weights=g[over], minlength=count) / np.maximum(n_over, 1)
    n_fill = np.bincount(labels[fill], minlength=count)
    grey_fill = np.bincount(labels[fill], weights=g[fill], minlength=count) / np.maximum(n_fill, 1)
    lined = (n_over >= lined_px) & (grey_fill - grey_over > SHADE_STEP)
    shading = lined | (grey_fill > SHADE_LIGHT)
    shading[0] = False
    solid = ~shading
    solid[0] = False
    return solid[labels], shading[labels]


def stretch(grey: np.ndarray) -> np.ndarray:
    """A white-paper page whose darkest ink is lighter than black (lines lightened to grey)
    stretched so its ink is black: the darkest 2% of what is not paper becomes 0."""
    marks = grey[grey < PAPER]
    if marks.size < 50:
        return grey
    ink = float(np.percentile(marks, 2))
    if ink < 30 or ink > 170:  # already black, or too faint to be a drawing
        return grey
    out = (grey.astype(np.float32) - ink) * (255.0 / (255.0 - ink))
    return np.asarray(np.clip(out, 0, 255), dtype=np.uint8)


def drop_small(ink: np.ndarray, min_px: int, grouped: bool = True) -> tuple[np.ndarray, int]:
    """Remove ink pieces under `min_px` pixels; the mask and how many went. When `grouped`,
    pieces a pixel apart count as one (a faint line breaks into dashes, a speck is alone)."""
    near = cv2.dilate(ink, np.ones((3, 3), np.uint8)) if grouped else ink
    count, labels = cv2.connectedComponents(near, connectivity=8)
    sizes = np.bincount(labels[ink > 0], minlength=count)
    small = sizes < min_px
    small[0] = False
    removed = int((small & (sizes > 0)).sum())
    if removed:
        ink = np.where(small[labels], 0, ink).astype(np.uint8)
    return ink, removed


def fill_pinholes(ink: np.ndarray, max_px: int) -> np.ndarray:
    """Fill paper pieces under `max_px` pixels enclosed by ink (JPEG holes in thick lines)."""
    return fill_pinholes_labelled(ink, max_px)[0]


def fill_pinholes_labelled(ink: np.ndarray, max_px: int) -> tuple[np.ndarray, np.ndarray]:
    """`fill_pinholes`, and the paper pieces that remain as OpenCV component statistics
    (row 0: the ink), so QA can measure the areas without labelling the page again."""
    labels, stats, (x0, y0) = paper_parts(ink)
    tiny = stats[:, cv2.CC_STAT_AREA] < max_px
    tiny[0] = False  # label 0: the ink itself
    if not tiny.any():
        return ink, stats
    filled = ink.astype(np.uint8, copy=True)
    for i in np.flatnonzero(tiny):  # few and small: fill each inside its own box
        x, y, w, h = stats[i, :4]
        box = (slice(y, y + h), slice(x, x + w))
        filled[box][labels[y - y0 : y - y0 + h, x - x0 : x - x0 + w] == i] = 1
    return filled, stats[~tiny]


def paper_parts(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """The paper's 4-connected components of print ink (uint8 0/1): their labels, in a box
    at (x, y) of the page (also returned), and their OpenCV statistics (row 0: the ink) as
    labelling the whole page gives them. Ink clear of the page's edge is labelled only in
    its bounding box with a pixel of paper round it (OpenCV's statistics cost the whole
    image): that ring joins all the paper outside into the first part, the page's
    background, whose row is then made the whole page's."""
    h, w = ink.shape
    x, y, bw, bh = cv2.boundingRect(ink)
    if not (bw and x > 0 and y > 0 and x + bw < w and y + bh < h):
        _, labels, stats, _ = cv2.connectedComponentsWithStats(1 - ink, connectivity=4)
        return labels, stats, (0, 0)
    x, y, bw, bh = x - 1, y - 1, bw + 2, bh + 2
    paper = 1 - ink[y : y + bh, x : x + bw]
    _, labels, stats, _ = cv2.connectedComponentsWithStats(paper, connectivity=4)
    stats[:, cv2.CC_STAT_LEFT] += x
    stats[:, cv2.CC_STAT_TOP] += y
    stats[1, : cv2.CC_STAT_AREA] = 0, 0, w, h  # the background reaches every edge
    stats[1, cv2.CC_STAT_AREA] += w * h - bw * bh
    return labels, stats, (x, y)


def clean_ink(grey: np.ndarray, px_per_in: float, speck_in: float) -> tuple[InkMap, int]:
    """The ink map with specks under `speck_in` across removed."""
    found = ink_map(grey, px_per_in)
    speck_px = max(2, round((speck_in * px_per_in) ** 2))
    ink, specks = drop_small(found.ink, speck_px)
    # pin-holes are left: the print is cut from the grey page, where a JPEG hole in a line
    # is dark enough to be ink and a drawing's own white slit is light enough to stay
    return InkMap(ink, found.level), specks
