"""Colourability QA of a cleaned page, measured in inches so every trim is judged alike:
ink share, stroke width, closed areas and those too small to colour, near-miss line ends
(leaks), solid fills, specks, an empty page and art cut by the edge of the art box."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from bot.book.lineart.gaps import leaks, skeleton
from bot.book.lineart.tables import STROKES, THRESHOLDS, QAThresholds, StrokeRange
from bot.book.lineart.weight import ridge_widths
from bot.book.spec import Audience

PAGE_KIND = "ebook-bot.page"  # an image's info key a provider sets for a page that is
ACTIVITY = "activity"  # ... an activity (a maze): no closed areas to colour are expected
EMPTY = "empty page"
LEAK_DPI = 100  # near-miss ends are found on a copy at this resolution (plenty for 0.1 in)

Metrics = dict[str, float | int]


@dataclass(frozen=True)
class Known:
    """What the stage already computed on exactly the ink QA measures, so it is not
    computed twice on a print-size page: its distance transform (float32, DIST_L2 mask 5),
    the stroke widths found on it (px, `ridge_widths`) and its paper's 4-connected
    component statistics (row 0: the ink)."""

    dist: np.ndarray | None = None
    widths: np.ndarray | None = None
    paper_stats: np.ndarray | None = None


@dataclass(frozen=True)
class QAReport:
    """What QA measured on a page and, in words, what is wrong with it (nothing: it passes)."""

    metrics: Metrics = field(default_factory=dict)
    reasons: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)

    def badness(self) -> float:
        """Lower is better (to keep the best of several attempts): an empty page is worst,
        then the number of problems, then how many small flaws and how much solid ink."""
        m = self.metrics
        if any(r.startswith(EMPTY) for r in self.reasons):
            return 100.0
        flaws = sum(int(m.get(k, 0)) for k in ("specks", "leaks", "small_areas"))
        return len(self.reasons) + 0.001 * flaws + float(m.get("solid_share", 0))


def paper_regions(
    ink: np.ndarray, dpi: int, stats: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Areas (sq in) of the paper regions enclosed by ink, and of those the art box's edge
    cuts open (touching the edge), the page's background excepted; `stats`, the paper's
    4-connected component statistics when the caller has them (row 0: the ink)."""
    if stats is None:
        _, _, stats, _ = cv2.connectedComponentsWithStats(1 - ink, connectivity=4)
    h, w = ink.shape
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    bw, bh = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    inner = (x > 0) & (y > 0) & (x + bw < w) & (y + bh < h)
    inner[0] = False  # label 0: the ink
    area = stats[:, cv2.CC_STAT_AREA] / dpi**2
    cut = np.sort(area[~inner][1:])[:-1]  # the largest region at the edge is the background
    return np.asarray(area[inner], dtype=np.float64), np.asarray(cut, dtype=np.float64)


def closed_areas(ink: np.ndarray, dpi: int) -> np.ndarray:
    """Areas (sq in) of the paper regions enclosed by ink (not touching the page's edge)."""
    return paper_regions(ink, dpi)[0]


def measure(
    ink: np.ndarray, audience: Audience, dpi: int = 300, known: Known | None = None
) -> Metrics:
    """Every QA figure of print ink (uint8 or bool, 1 = ink) at `dpi`."""
    ink = ink.astype(np.uint8)
    limits = THRESHOLDS[audience]
    known = known or Known()
    dist = known.dist if known.dist is not None else cv2.distanceTransform(ink, cv2.DIST_L2, 5)
    widths = (known.widths if known.widths is not None else ridge_widths(ink, dist)) / dpi
    areas, cut = paper_regions(ink, dpi, known.paper_stats)
    small = cv2.resize(
        ink.astype(np.float32), _scaled(ink.shape, LEAK_DPI / dpi), interpolation=cv2.INTER_AREA
    )
    # specks are counted on the small copy too (0.04 in is still 4 pixels there), where
    # any ink counts, so even a one-pixel dot at print size is seen
    count, _, stats, _ = cv2.connectedComponentsWithStats(
        (small > 0).astype(np.uint8), connectivity=8
    )
    speck_px = (limits.speck_in * LEAK_DPI) ** 2
    return {
        "ink_share": round(float(ink.mean()), 5),
        "stroke_median_in": round(float(np.median(widths)) if widths.size else 0.0, 4),
        "stroke_spread_in": round(_iqr(widths), 4),
        "closed_areas": int(areas.size),
        "small_areas": int((areas < limits.min_area_in2).sum()),
        "smallest_area_in2": round(float(areas.min()) if areas.size else 0.0, 4),
        "leaks": leaks(skeleton((small >= 0.3).astype(np.uint8)), LEAK_DPI, limits.leak_in),
        "solid_share": round(float((dist > limits.solid_in * dpi / 2).mean()), 5),
        "specks": int((stats[1:, cv2.CC_STAT_AREA] < speck_px).sum()) if count > 1 else 0,
        "cut_areas": int((cut >= limits.speck_in**2).sum()),
    }


def _scaled(shape: tuple[int, ...], factor: float) -> tuple[int, int]:
    return max(1, round(shape[1] * factor)), max(1, round(shape[0] * factor))


def _iqr(values: np.ndarray) -> float:
    if values.size == 0:
        return 0.0
    q1, q3 = np.percentile(values, [25, 75])
    return float(q3 - q1)


def judge(
    m: Metrics, limits: QAThresholds, strokes: StrokeRange, activity: bool = False
) -> tuple[str, ...]:
    """The reasons a page with these figures fails its audience's limits (none: it passes);
    an `activity` page (a maze) is not judged by its closed areas."""
    ink = float(m["ink_share"])
    if ink < limits.min_ink:
        return (f"{EMPTY}: {ink:.1%} ink",)
    reasons = []
    if not activity and int(m["closed_areas"]) < limits.min_closed:
        reasons.append(f"only {m['closed_areas']} closed areas to colour")
    if ink > limits.max_ink:
        reasons.append(f"too much ink: {ink:.0%} of the page")
    if float(m["solid_share"]) > limits.max_solid:
        reasons.append(f"solid black fill covers {float(m['solid_share']):.1%} of the page")
    stroke = float(m["stroke_median_in"])
    low, high = (
        strokes.min_in * (1 - limits.stroke_tolerance),
        strokes.max_in * (1 + limits.stroke_tolerance),
    )
    if not low <= stroke <= high:
        reasons.append(
            f"lines {stroke:.3f} in wide (this audience: {strokes.min_in}-{strokes.max_in} in)"
        )
    small, closed = int(m["small_areas"]), int(m["closed_areas"])
    if not activity and small > max(2, limits.max_small_share * closed):
        reasons.append(
            f"{small} of {closed} areas too small to colour (< {limits.min_area_in2} sq in)"
        )
    if not activity and int(m["leaks"]) > limits.max_leaks:  # a maze's walls end openly
        reasons.append(f"{m['leaks']} gaps in outlines (colour leaks through)")
    if int(m["specks"]) > limits.max_specks:
        reasons.append(f"{m['specks']} stray specks")
    if int(m["cut_areas"]) > limits.max_cut:
        reasons.append(f"art cut by the page edge ({m['cut_areas']} areas left open)")
    return tuple(reasons)


def qa_page(
    ink: np.ndarray,
    audience: Audience,
    dpi: int = 300,
    *,
    activity: bool = False,
    known: Known | None = None,
) -> QAReport:
    """Measure print ink (1 = ink) and judge it for `audience`."""
    metrics = measure(ink, audience, dpi, known)
    limits, strokes = THRESHOLDS[audience], STROKES[audience]
    return QAReport(metrics, judge(metrics, limits, strokes, activity))
