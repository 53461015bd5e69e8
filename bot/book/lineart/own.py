"""The drawing's own gaps and small areas: what the artist drew, not what the stage did.

QA is handed the drawing the stage was made from (`Known.source`, grey at print size). A gap
or a small area the page has where the drawing has the same one is the artist's: fur, hair
and hatching strokes that stop short of a line, a detailed drawing's tiny cells. For pens
(teens, adults) that is the drawing's style, and only what the stage added is judged. A
wide break in an outline (two ends facing each other across more than a near miss) lets
colour run out of a closed shape, so it stays a leak even when the artist drew it (a sun
with a slice of its ring missing); and crayons (ages 3-12) are judged on the page alone.
A clean drawing the stage cut as drawn keeps its small dots (stipple, dotted lines): those
are not stray specks, for any audience (a model's page is never taken as clean).
"""

from __future__ import annotations

import cv2
import numpy as np

from bot.book.lineart import leaks
from bot.book.lineart.tables import QAThresholds

INK = 128  # the drawing's ink: darker than this grey
OVERLAP = 0.5  # a page's small area is the drawing's own when this share of it lies in a
# small area of the drawing
NEAR_IN = 0.03  # a page's gap is the drawing's own when the drawing has ink this close to
# both its ends, not joined there (the stage re-weights lines: ends move a little)


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
    near = page[:, leaks.KIND] == leaks.NEAR
    narrow = page[:, leaks.WIDTH] < wide_in * px_per_in
    return int((own & (near | narrow)).sum())


def small_areas(
    stats: np.ndarray, shape: tuple[int, ...], low_px: float, high_px: float
) -> np.ndarray:
    """Which paper regions (4-connected component statistics, row 0 the ink, of a page of
    `shape`) are areas too small to colour: enclosed (off the page's edge), at least
    `low_px`, under `high_px`."""
    h, w = shape[:2]
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    inner = (x > 0) & (y > 0)
    inner &= (x + stats[:, cv2.CC_STAT_WIDTH] < w) & (y + stats[:, cv2.CC_STAT_HEIGHT] < h)
    area = stats[:, cv2.CC_STAT_AREA]
    small = inner & (area >= low_px) & (area < high_px)
    small[0] = False  # label 0: the ink
    return np.asarray(small)


def own_small_areas(
    page: np.ndarray, stats: np.ndarray, drawn: np.ndarray, low_px: float, high_px: float
) -> int:
    """How many of the page's areas too small to colour (`small_areas` of its paper's
    `stats`) the drawing has too: at least OVERLAP of one lies in such an area of the
    drawing (a detailed drawing's own cells; not where the stage split an area or narrowed
    one with heavier lines). Both are labelled only around the page's small areas."""
    small = small_areas(stats, page.shape, low_px, high_px)
    if not small.any():
        return 0
    box = stats[small]
    x0, y0 = int(box[:, cv2.CC_STAT_LEFT].min()) - 1, int(box[:, cv2.CC_STAT_TOP].min()) - 1
    x1 = int((box[:, cv2.CC_STAT_LEFT] + box[:, cv2.CC_STAT_WIDTH]).max()) + 1
    y1 = int((box[:, cv2.CC_STAT_TOP] + box[:, cv2.CC_STAT_HEIGHT]).max()) + 1
    # the page's small areas are enclosed, so the crop holds them all, off its edge
    mine, mine_small = _small_in(page[y0:y1, x0:x1].astype(np.uint8), low_px, high_px)
    theirs, theirs_small = _small_in(drawn[y0:y1, x0:x1], low_px, high_px)
    shared = np.bincount(mine[theirs_small[theirs]], minlength=mine_small.size)
    size = np.bincount(mine.ravel(), minlength=mine_small.size)
    return int((mine_small & (shared >= OVERLAP * size)).sum())


def _small_in(ink: np.ndarray, low_px: float, high_px: float) -> tuple[np.ndarray, np.ndarray]:
    """The paper's 4-connected labels in a crop of a page, and which are small areas: off
    the crop's edge, at least `low_px`, under `high_px`."""
    _, labels = cv2.connectedComponents(1 - ink, connectivity=4)
    area = np.bincount(labels.ravel())
    small = (area >= low_px) & (area < high_px)
    small[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = False
    small[0] = False  # label 0: the ink
    return labels, small


def figures(
    ink: np.ndarray,
    source: np.ndarray,
    dpi: int,
    limits: QAThresholds,
    gaps: np.ndarray,
    leak_dpi: int,
    stats: np.ndarray,
) -> dict[str, int]:
    """QA's figures of the drawing's own style on a page (print ink, 1 = ink, with `gaps`
    found at `leak_dpi` and its paper's component `stats`): "own_leaks", its gaps the
    drawing has too (near misses, narrow breaks), and "drawn_detail", its areas too small
    to colour the drawing has too. Only for pens (`limits.drawn_style`), and the detail
    only where the page has more small areas than its limit (the costly part)."""
    if not limits.drawn_style:
        return {}
    drawn = drawn_ink(source)
    excused_gaps = 0
    if len(gaps):
        mine = own_gaps(gaps, drawn, leak_dpi / dpi, dpi)
        excused_gaps = excused(gaps, mine, leak_dpi, limits.leak_in)
    low, high = (limits.speck_in * dpi) ** 2, limits.min_area_in2 * dpi**2
    small = small_areas(stats, ink.shape, low, high)
    closed = small_areas(stats, ink.shape, low, np.inf).sum()
    detail = 0
    if small.sum() > max(2, limits.max_small_share * closed):
        detail = own_small_areas(ink, stats, drawn, low, high)
    return {"own_leaks": excused_gaps, "drawn_detail": detail}


def dots(small: np.ndarray, speck_px: float) -> int:
    """Isolated dots under `speck_px` pixels on a small copy of a page (`small`, ink share
    per pixel: any ink counts, so even a one-pixel dot at print size is seen)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(
        (small > 0).astype(np.uint8), connectivity=8
    )
    return int((stats[1:, cv2.CC_STAT_AREA] < speck_px).sum()) if count > 1 else 0


def own_specks(source: np.ndarray, specks: int, dpi: int, small_dpi: int, speck_px: float) -> int:
    """How many of a page's `specks` (counted by `dots` at `small_dpi`) the drawing itself
    has: a clean drawing's stipple and dotted lines, which the stage keeps as drawn."""
    h, w = source.shape
    size = (max(1, round(w * small_dpi / dpi)), max(1, round(h * small_dpi / dpi)))
    drawn = cv2.resize(drawn_ink(source).astype(np.float32), size, interpolation=cv2.INTER_AREA)
    return min(specks, dots(drawn, speck_px))
