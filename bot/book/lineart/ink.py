"""Which pixels are ink: thin dark lines kept, broad mid-grey shading dropped, specks and
pin-holes (sized in inches) removed. Pure functions on arrays at the analysis resolution."""

from __future__ import annotations

import cv2
import numpy as np

CONTRAST = 0.6  # ink: darker than this share of the brightest paper or shading around it
LINE_MAX_IN = 0.09  # a line is at most this wide; a broader grey area is shading or a fill


def disk(diameter: int) -> np.ndarray:
    d = max(1, diameter)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


def ink_mask(grey: np.ndarray, px_per_in: float) -> np.ndarray:
    """Ink of a white-paper grey page (uint8 0/1): pixels much darker than the lightest
    pixel within a line's width of them. A line on paper or on shading stands out from
    what is beside it; the inside of a broad grey area (shading) does not, so shading
    goes and a solid fill keeps only its outline (something to colour)."""
    around = cv2.dilate(grey, disk(round(1.5 * LINE_MAX_IN * px_per_in)))
    ratio = grey.astype(np.float32) / np.maximum(around, 1).astype(np.float32)
    return np.asarray(ratio < CONTRAST, dtype=np.uint8)


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
