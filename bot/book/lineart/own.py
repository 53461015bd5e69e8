"""The drawing's own gaps and small areas: what the artist drew, not what the stage did.

QA is handed the drawing the stage was made from (`Known.source`, grey at print size). A gap
or a small area the page has where the drawing has the same one is the artist's: fur, hair
and hatching strokes that stop short of a line, a detailed drawing's tiny cells. For pens
(teens, adults) that is the drawing's style, and only what the stage added is judged. A
wide break in an outline (two ends facing each other across more than a near miss) lets
colour run out of a closed shape, so it stays a leak even when the artist drew it (a sun
with a slice of its ring missing); and crayons (ages 3-12) are judged on the page alone.
"""

from __future__ import annotations

import cv2
import numpy as np

from bot.book.lineart import leaks
from bot.book.lineart.tables import QAThresholds

INK = 128  # the drawing's ink: darker than this grey
NEAR_IN = 0.03  # a page's gap is the drawing's own when the drawing has ink this close to
# both its ends, not joined there (the stage re-weights lines: ends move a little)
OVERLAP = 0.5  # a page's small area is the drawing's own when this share of it lies in a
# small area of the drawing


def drawn_ink(source: np.ndarray) -> np.ndarray:
    """The drawing's ink (uint8 0/1): its grey cut at mid-grey, as a reader sees it."""
    return (source < INK).astype(np.uint8)


def own_gaps(gaps: np.ndarray, drawn: np.ndarray, scale: float, dpi: int) -> np.ndarray:
    """Which of the page's gaps (`leaks.find` rows, in pixels `scale` times those of the
    `drawn` ink at `dpi`) the drawing has too (bool per row): near each end of the gap the
    drawing has ink (within NEAR_IN), and nearby (within the gap's length around it) no
    line of it joins the two. Where the stage opened a gap the drawing's line runs on
    across it; where it kept one, its ends moved a little by a new line weight, it does not."""
    found = np.zeros(len(gaps), bool)
    h, w = drawn.shape
    for k, row in enumerate(gaps):
        a, b = row[[leaks.AY, leaks.AX]] / scale, row[[leaks.BY, leaks.BX]] / scale
        length = float(np.hypot(*(b - a)))
        reach = round(length + NEAR_IN * dpi)
        y0, x0 = (np.minimum(a, b) - reach).astype(int).clip(0)
        y1, x1 = (np.maximum(a, b) + reach + 1).astype(int)
        window = drawn[y0 : min(h, y1), x0 : min(w, x1)]
        _, labels = cv2.connectedComponents(window, connectivity=8)
        r = max(1.0, min(NEAR_IN * dpi, 0.4 * length))
        ends = [_labels_near(labels, p - (y0, x0), r) for p in (a, b)]
        found[k] = bool(ends[0]) and bool(ends[1]) and not ends[0] & ends[1]
    return found


def _labels_near(labels: np.ndarray, at: np.ndarray, r: float) -> set[int]:
    """The ink labels (not 0, the paper) within `r` pixels of `at` (y, x)."""
    h, w = labels.shape
    cy, cx = round(float(at[0])), round(float(at[1]))
    n = int(np.ceil(r))
    ys, xs = np.mgrid[max(0, cy - n) : min(h, cy + n + 1), max(0, cx - n) : min(w, cx + n + 1)]
    disc = (ys - cy) ** 2 + (xs - cx) ** 2 <= r * r
    return set(np.unique(labels[ys[disc], xs[disc]]).tolist()) - {0}


def excused(page: np.ndarray, own: np.ndarray, px_per_in: float, wide_in: float) -> int:
    """How many of the page's gaps are the artist's style: the drawing's own near misses and
    its own breaks narrower than `wide_in` (a wider break in an outline still leaks)."""
    if not len(page):
        return 0
    style = (page[:, leaks.KIND] == leaks.NEAR) | (page[:, leaks.WIDTH] < wide_in * px_per_in)
    return int((own & style).sum())


def _small_regions(ink: np.ndarray, low_px: float, high_px: float) -> tuple[np.ndarray, np.ndarray]:
    """The paper's 4-connected labels and which labels are small enclosed areas (at least
    `low_px`, under `high_px`, not touching the page's edge)."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(1 - ink, connectivity=4)
    h, w = ink.shape
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    inner = (x > 0) & (y > 0)
    inner &= (x + stats[:, cv2.CC_STAT_WIDTH] < w) & (y + stats[:, cv2.CC_STAT_HEIGHT] < h)
    area = stats[:, cv2.CC_STAT_AREA]
    small = inner & (area >= low_px) & (area < high_px)
    small[0] = False  # label 0: the ink
    return labels, small


def own_small_areas(
    page: np.ndarray, drawn: np.ndarray, dpi: int, speck_in: float, min_area_in2: float
) -> int:
    """How many of the page's areas too small to colour (at least a speck, under
    `min_area_in2`) the drawing has too: at least OVERLAP of one lies in a small area of
    the drawing (a detailed drawing's own cells, not ones the stage made)."""
    low, high = (speck_in * dpi) ** 2, min_area_in2 * dpi**2
    labels, small = _small_regions(page.astype(np.uint8), low, high)
    if not small.any():
        return 0
    drawn_labels, drawn_small = _small_regions(drawn, low, high)
    inside = drawn_small[drawn_labels]
    shared = np.bincount(labels[inside], minlength=small.size)
    size = np.bincount(labels.ravel(), minlength=small.size)
    return int((small & (shared >= OVERLAP * np.maximum(size, 1))).sum())


def figures(
    ink: np.ndarray,
    source: np.ndarray,
    dpi: int,
    limits: QAThresholds,
    gaps: np.ndarray,
    leak_dpi: int,
    small_areas: int,
) -> dict[str, int]:
    """QA's figures of the drawing's own style on a page (print ink, 1 = ink, with `gaps`
    found at `leak_dpi` and `small_areas` counted): "own_leaks", its gaps the drawing has
    too (near misses, narrow breaks), and "drawn_detail", its small areas the drawing has
    too; each looked for only where the page has any."""
    drawn = drawn_ink(source)
    excused_gaps = 0
    if len(gaps):
        mine = own_gaps(gaps, drawn, leak_dpi / dpi, dpi)
        excused_gaps = excused(gaps, mine, leak_dpi, limits.leak_in)
    detail = 0
    if small_areas:
        detail = own_small_areas(ink, drawn, dpi, limits.speck_in, limits.min_area_in2)
    return {"own_leaks": excused_gaps, "drawn_detail": detail}
