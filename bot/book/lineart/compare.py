"""The finished page against the drawing the stage was given: the stage's own damage, which
no look at the page alone can tell from the artist's intent. Lines of the drawing missing
from the page, blobs the page has where the drawing has none (dots at joints and line ends)
and small solids of the drawing hollowed or dropped (pupils, noses)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from bot.book.lineart import solids

COMPARE_DPI = 150  # blobs and solids are compared on copies at this resolution
LINES_DPI = 100  # ... lines at this one (a line lost is lost at any resolution)
LINE_INK = 128  # the drawing's ink: darker than this grey
SOLID_INK = 80  # ... and its intended solids: darker than this (not shading)
LINE_MAX_IN = 0.09  # a stroke of the drawing wider than this is not a line to keep
NEAR_IN = 0.02  # a line of the drawing is kept when the page has ink this close to it
BLOB_FACTOR = 2.0  # a solid of the drawing: this many times as wide as its lines ...
BLOB_EXTRA_IN = 0.02  # ... and at least this much wider than them
SWELL = 1.5  # a blob is new where the page is this many times as wide as the drawing ...
SWELL_EXTRA_IN = 0.01  # ... plus this
SWELL_MIN_PX = 2  # ... over at least this many pixels (at COMPARE_DPI) of its middle
THINNED = 0.8  # a page whose lines are under this share of the drawing's was thinned ...
JOINT = 1.2  # ... and held to that where the drawing is wider than this many lines
SOLID_KEPT = 0.7  # a small solid of the drawing is lost when the page covers less of it
SOLID_MAX_IN2 = 0.5  # a solid of the drawing up to this size is intended detail (kept)


def areas(ink: np.ndarray, dpi: int, min_in2: float) -> int:
    """Areas to colour of at least `min_in2` on print ink (uint8 0/1), counted on a copy at
    COMPARE_DPI where any ink counts (so a fine line still closes its area there)."""
    small = cv2.resize(ink, _scaled(ink.shape, COMPARE_DPI / dpi), interpolation=cv2.INTER_AREA)
    return _areas(small, min_in2)


def _areas(small: np.ndarray, min_in2: float) -> int:
    """`areas` counted on its copy at COMPARE_DPI (uint8, ink where it is not 0); ink clear
    of the copy's edge is labelled only in its bounding box with a pixel of paper round it
    (that ring and the paper past it are the open background: the areas inside are all)."""
    h, w = small.shape
    x, y, bw, bh = cv2.boundingRect(small)
    if bw and x > 0 and y > 0 and x + bw < w and y + bh < h:
        small = small[y - 1 : y + bh + 1, x - 1 : x + bw + 1]
    paper = (small == 0).astype(np.uint8)
    count, labels = cv2.connectedComponents(paper, connectivity=4)
    size = np.bincount(labels.ravel(), minlength=count)
    # an area reaching the copy's edge is open (no OpenCV statistics: they cost 5x the labels)
    edge = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    inner = np.ones(count, bool)
    inner[edge] = False
    inner[0] = False  # label 0: the ink
    return int((inner & (size >= min_in2 * COMPARE_DPI**2)).sum())


@dataclass(frozen=True)
class Changes:
    """What the page changed against its drawing (positions as (x, y) page pixels)."""

    lines_lost: float  # share of the drawing's line length missing from the page
    lost_in: float  # ... in inches
    lost_at: np.ndarray
    new_blobs: np.ndarray  # where the page has a blob the drawing has not
    solids_lost: np.ndarray  # where a small solid of the drawing is gone or hollow
    page_areas: int  # areas to colour on the page (`areas`)
    source_areas: int  # ... in the drawing


def _ink(grey: np.ndarray, dpi: int, to_dpi: int, below: int) -> np.ndarray:
    """Ink (uint8 0/1) of a print-size grey at `to_dpi`: a pixel any darker than paper keeps
    a thin line's trace when it is made smaller."""
    small = cv2.resize(grey, _scaled(grey.shape, to_dpi / dpi), interpolation=cv2.INTER_AREA)
    return (small < 255 - 0.35 * (255 - below)).astype(np.uint8)


def _scaled(shape: tuple[int, ...], factor: float) -> tuple[int, int]:
    return max(1, round(shape[1] * factor)), max(1, round(shape[0] * factor))


def _drop_specks(ink: np.ndarray, min_px: float) -> np.ndarray:
    count, labels = cv2.connectedComponents(ink, connectivity=8)
    keep = np.bincount(labels.ravel(), minlength=count) >= min_px
    if keep[1:].all():  # no specks: the ink (0/1) as it is
        return ink
    keep[0] = False
    return np.asarray(keep[labels], dtype=np.uint8)


def _median_width(ink: np.ndarray, dist: np.ndarray) -> float:
    widths = solids.line_widths(dist, solids.none(ink.shape))
    return float(np.median(widths)) if widths.size else 1.0


def lines_lost(
    page: np.ndarray,
    grey: np.ndarray,
    dpi: int,
    speck_in: float,
    small_page: np.ndarray | None = None,
) -> tuple[int, int, np.ndarray]:
    """Centre-line pixels (at LINES_DPI) of the drawing's thin lines, how many of them the
    page has no ink near, and where those are (x, y, page pixels); `small_page`, the page's
    ink share at LINES_DPI (`shrunk_page`) when the caller has it."""
    drawn = _drop_specks(_ink(grey, dpi, LINES_DPI, LINE_INK), (speck_in * LINES_DPI) ** 2)
    dist = cv2.distanceTransform(drawn, cv2.DIST_L2, 3)
    # the centre of each line: the distance transform's ridge (cheaper than a skeleton)
    centre = solids.ridge(dist) & (2 * dist <= LINE_MAX_IN * LINES_DPI + 1)
    if small_page is None:
        small_page = shrunk_page(page, dpi, LINES_DPI)
    reach = 2 * max(1, round(NEAR_IN * LINES_DPI)) + 1
    near = cv2.dilate((small_page > 0).astype(np.uint8), np.ones((reach, reach), np.uint8)) > 0
    lost = centre & ~near
    ys, xs = np.nonzero(lost)
    at = np.stack([xs, ys], axis=1).astype(np.float64) * dpi / LINES_DPI
    return int(centre.sum()), int(lost.sum()), at


def shrunk_page(page: np.ndarray, dpi: int, to_dpi: int) -> np.ndarray:
    """Print ink as each pixel's ink share (float32) at `to_dpi`."""
    small = page.astype(np.float32)
    return cv2.resize(small, _scaled(page.shape, to_dpi / dpi), interpolation=cv2.INTER_AREA)


def _wide(line_px: float) -> float:
    """The width (px) from which a part of `ink` counts as a blob on this page."""
    return max(BLOB_FACTOR * line_px, line_px + BLOB_EXTRA_IN * COMPARE_DPI)


def blobs_and_solids(
    page: np.ndarray, grey: np.ndarray, dpi: int, speck_in: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where the page has a blob the drawing has not, and where a small solid of the drawing
    (darker than SOLID_INK) is missing or hollow on the page (x, y, page pixels); with the
    page's ink and the drawing's at COMPARE_DPI (uint8 0/1)."""
    scale = dpi / COMPARE_DPI
    mine = _shrunk(page, scale)
    # the drawing read as the page is (ink darker than half way, then made smaller the same
    # way), so both have lines of the same width; its dots all kept (a dot kept is no blob)
    drawn = _shrunk((grey < LINE_INK).astype(np.uint8), scale)
    theirs = _drop_specks(drawn, (speck_in * COMPARE_DPI) ** 2)
    dist_p = solids.distance(mine)
    dist_s = solids.distance(drawn)
    line_p, line_s = _median_width(mine, dist_p), _median_width(theirs, dist_s)
    slack = 2 * round(NEAR_IN * COMPARE_DPI) + 1
    drawn_half = cv2.dilate(dist_s, np.ones((slack, slack), np.uint8))  # the widest nearby
    new = _swollen(dist_p, _reweighted(drawn_half, dist_s, drawn, line_p, line_s), line_p)
    dark = np.asarray(theirs & _shrunk((grey < SOLID_INK).astype(np.uint8), scale), np.uint8)
    dist_d = solids.distance(dark)
    # (where lines meet, a joint of bold lines is as wide and compact as a pupil: no solid)
    intended = solids.only_alone(
        solids.find(dark, dist_d, _wide(line_s), line_s), drawn, line_s / 2
    )
    lost = _parts_without(intended, mine, SOLID_KEPT, SOLID_MAX_IN2 * COMPARE_DPI**2)
    return new * scale, lost * scale, mine, drawn


def _reweighted(
    drawn_half: np.ndarray, dist_s: np.ndarray, drawn: np.ndarray, line_p: float, line_s: float
) -> np.ndarray:
    """The drawing's half widths as the page was meant to draw them: where the page's lines
    are thinned (under THINNED of the drawing's), scaled by as much, but for the drawing's
    own solids (pupils, noses: wider than its lines, with at most one line leaving them),
    which stay as drawn; so a joint of bold lines left as wide as the drawing's is a dot."""
    if not 0 < line_p < THINNED * line_s:
        return drawn_half
    wide = dist_s > JOINT * line_s / 2
    own = solids.alone(wide, drawn, line_s / 2)
    scaled = np.asarray(drawn_half * np.float32(line_p / line_s), np.float32)
    where = solids.box(own, round(line_s) + 1)
    if where is not None:  # within a line's width of the drawing's own solids: as drawn
        near = cv2.distanceTransform((~own[where]).astype(np.uint8), cv2.DIST_L2, 5) <= line_s
        scaled[where] = np.where(near, drawn_half[where], scaled[where])
    return scaled


def _swollen(dist_p: np.ndarray, drawn_half: np.ndarray, line_px: float) -> np.ndarray:
    """Centres (x, y) of the places where the page's ink is much wider than the drawing's
    near them (half widths `drawn_half`) and than the page's own lines (`line_px`): more
    than SWELL times, plus SWELL_EXTRA_IN. A dot at a joint or an end, a swollen stroke; a
    line re-weighted evenly for its audience is not."""
    allowed = SWELL * np.maximum(drawn_half, line_px / 2) + SWELL_EXTRA_IN * COMPARE_DPI / 2
    _, size, centres = _parts(dist_p > allowed)
    keep = size >= SWELL_MIN_PX
    keep[0] = False
    return np.asarray(centres[keep], np.float64).reshape(-1, 2)


def _parts(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 8-connected parts of `mask` (bool, few and small), labelled inside its bounding
    box (OpenCV's statistics on the whole page cost five times the labelling): the labels
    of its pixels (row-major), and each part's size (px) and centre (x, y) as OpenCV's
    (row 0: the paper)."""
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return np.zeros(0, np.int32), np.zeros(1, np.int64), np.zeros((1, 2), np.float64)
    y0, x0 = int(ys.min()), int(xs.min())
    box = mask[y0 : int(ys.max()) + 1, x0 : int(xs.max()) + 1].astype(np.uint8)
    count, labels = cv2.connectedComponents(box, connectivity=8)
    label = labels[ys - y0, xs - x0]
    size = np.bincount(label, minlength=count)
    with np.errstate(invalid="ignore"):  # row 0 (no pixels of the mask) has no centre
        centres = np.stack(
            [np.bincount(label, xs, count) / size, np.bincount(label, ys, count) / size], axis=1
        )
    return label, size, centres


def _shrunk(ink: np.ndarray, scale: float) -> np.ndarray:
    """Print ink (uint8 0/1) made `scale` times smaller: ink where it covered half or more."""
    size, ink = _scaled(ink.shape, 1 / scale), ink.astype(np.uint8, copy=False)
    if ink.shape == (2 * size[1], 2 * size[0]):  # halved: OpenCV's 8-bit average of 2x2,
        # (sum + 2) / 4 rounded down, is 1 where two or more of the four are ink
        return np.asarray(cv2.resize(ink, size, interpolation=cv2.INTER_AREA) > 0, np.uint8)
    small = cv2.resize(ink.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    return (small >= 0.5).astype(np.uint8)


def _parts_without(
    found: solids.Solids, other: np.ndarray, cover: float = 0.0, max_px: float = np.inf
) -> np.ndarray:
    """Centres (x, y) of the parts of `found` up to `max_px` large that `other` covers at most
    `cover` of (0: not at all)."""
    if not found.count:
        return np.zeros((0, 2), np.float64)
    label, size, centres = _parts(found.mask)
    covered = np.bincount(label, weights=other[found.mask] > 0, minlength=size.size)
    keep = (covered <= cover * size) & (size <= max_px)
    keep[0] = False
    return np.asarray(centres[keep], np.float64).reshape(-1, 2)


def changes(
    page: np.ndarray,
    grey: np.ndarray,
    dpi: int,
    speck_in: float,
    area_min_in2: float,
    small_page: np.ndarray | None = None,
) -> Changes:
    """How the page (print ink, 1 = ink) differs from the drawing it was made from (`grey`,
    the stage's input placed on the page at print size, white paper), with both's `areas`
    of at least `area_min_in2`; `small_page`, the page at LINES_DPI when the caller has it."""
    total, lost, lost_at = lines_lost(page, grey, dpi, speck_in, small_page)
    new, gone, mine, drawn = blobs_and_solids(page, grey, dpi, speck_in)
    if dpi == 2 * COMPARE_DPI and page.shape == (2 * mine.shape[0], 2 * mine.shape[1]):
        # halved, `_shrunk` is OpenCV's 8-bit average, not 0 where `areas`' copy is not
        page_areas, source_areas = _areas(mine, area_min_in2), _areas(drawn, area_min_in2)
    else:
        page_areas = areas(page.astype(np.uint8), dpi, area_min_in2)
        drawn_ink = (grey < LINE_INK).astype(np.uint8)
        source_areas = areas(drawn_ink, dpi, area_min_in2)
    return Changes(
        lines_lost=lost / total if total else 0.0,
        lost_in=lost / LINES_DPI,
        lost_at=lost_at,
        new_blobs=new,
        solids_lost=gone,
        page_areas=page_areas,
        source_areas=source_areas,
    )
