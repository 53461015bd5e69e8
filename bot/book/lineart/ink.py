"""Which pixels are ink: thin dark lines kept, broad mid-grey shading dropped, specks and
pin-holes (sized in inches) removed. Pure functions on arrays at the analysis resolution."""

from __future__ import annotations

import cv2
import numpy as np

CONTRAST = 0.6  # ink: darker than this share of what lies under it (or of nearby paper)
PAPER = 215  # paper (the page is whitened first): at least this light
EDGE_PX = 2  # a dark area's edge: its pixels this close to paper (anti-aliasing is ~2 px)
LINE_MAX_IN = 0.09  # a line is at most this wide; a broader grey area is shading or a fill


def disk(diameter: int) -> np.ndarray:
    d = max(1, diameter)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


def ink_mask(grey: np.ndarray, px_per_in: float) -> np.ndarray:
    """Ink of a white-paper grey page (uint8 0/1): the lines, and the edges of dark areas.

    A line is darker than what lies on both sides of it: the page's closing (every dark
    thing narrower than a line filled in with what surrounds it) shows the paper or the
    shading a line crosses, and a pixel much darker than that is a line. Broad shading is
    as dark as its closing and goes; where it is dark against the paper, only its pixels
    that touch the paper stay, as the shape's outline."""
    kernel = disk(round(1.5 * LINE_MAX_IN * px_per_in))
    around = cv2.dilate(grey, kernel)  # the lightest pixel within a line's width
    behind = cv2.erode(around, kernel)  # the closing: what lies under the thin lines
    g = grey.astype(np.float32)
    line = g < CONTRAST * np.maximum(behind, 1).astype(np.float32)
    dark = g < CONTRAST * np.maximum(around, 1).astype(np.float32)
    paper = (grey >= PAPER).astype(np.uint8)
    touching = cv2.dilate(paper, disk(2 * EDGE_PX + 1)) > 0
    return np.asarray(line | (dark & touching), dtype=np.uint8)


def drop_small(ink: np.ndarray, min_px: int) -> tuple[np.ndarray, int]:
    """Remove 8-connected ink pieces under `min_px` pixels; the mask and how many went."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] < min_px
    small[0] = False
    removed = int(small.sum())
    if removed:
        ink = np.where(small[labels], 0, ink).astype(np.uint8)
    return ink, removed


def fill_pinholes(ink: np.ndarray, max_px: int) -> np.ndarray:
    """Fill paper pieces under `max_px` pixels enclosed by ink (JPEG holes in thick lines)."""
    return fill_pinholes_labelled(ink, max_px)[0]


def fill_pinholes_labelled(ink: np.ndarray, max_px: int) -> tuple[np.ndarray, np.ndarray]:
    """`fill_pinholes`, and the paper pieces that remain as OpenCV component statistics
    (row 0: the ink), so QA can measure the areas without labelling the page again."""
    paper = (1 - ink).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(paper, connectivity=4)
    tiny = stats[:, cv2.CC_STAT_AREA] < max_px
    tiny[0] = False  # label 0: the ink itself
    if not tiny.any():
        return ink, stats
    filled = ink.astype(np.uint8, copy=True)
    for i in np.flatnonzero(tiny):  # few and small: fill each inside its own box
        x, y, w, h = stats[i, :4]
        box = (slice(y, y + h), slice(x, x + w))
        filled[box][labels[box] == i] = 1
    return filled, stats[~tiny]


def clean_ink(grey: np.ndarray, px_per_in: float, speck_in: float) -> tuple[np.ndarray, int]:
    """Ink with specks under `speck_in` across removed and pin-holes filled."""
    ink = ink_mask(grey, px_per_in)
    speck_px = max(2, round((speck_in * px_per_in) ** 2))
    ink, specks = drop_small(ink, speck_px)
    ink = fill_pinholes(ink, max(2, round((0.02 * px_per_in) ** 2)))
    return ink, specks
