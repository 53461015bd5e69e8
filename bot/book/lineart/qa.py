"""Colourability QA of a cleaned page, measured in inches so every trim is judged alike:
ink share, line width (on the lines, solids left out), closed areas and those too small to
colour, gaps colour leaks through, large solid fills, specks, an empty page and art cut by
the edge of the art box; and, given the drawing the stage was made from, the stage's own
damage (lines lost, new blobs, solids hollowed, areas gained or lost). Each flag says what,
where on the page and how much, in inches."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from bot.book.lineart import compare, leaks, own, solids
from bot.book.lineart.tables import STROKES, THRESHOLDS, QAThresholds, StrokeRange
from bot.book.spec import Audience

PAGE_KIND = "ebook-bot.page"  # an image's info key a provider sets for a page that is
ACTIVITY = "activity"  # ... an activity (a maze): no closed areas to colour are expected
EMPTY = "empty page"
NO_DRAWING = "no line drawing"  # a page with only blobs on it (a photo-like picture's)
AREA_MIN_IN2 = 0.01  # areas compared with the drawing's: at least this large
LEAK_DPI = 100  # near-miss ends are found on a copy at this resolution (plenty for 0.1 in)

Metrics = dict[str, float | int]


@dataclass(frozen=True)
class Known:
    """What the stage already computed on exactly the ink QA measures, so it is not
    computed twice on a print-size page: its distance transform (float32, DIST_L2 mask 5),
    the stroke widths found on it (px, `ridge_widths`) and its paper's 4-connected
    component statistics (row 0: the ink); and `source`, the drawing the stage was given
    (uint8 grey on white paper, placed on the page at print size), against which the
    stage's own damage is measured; `drawn`, that the source was already clean line art
    the stage cut as drawn (its dots are then the artist's, not stray specks)."""

    dist: np.ndarray | None = None
    widths: np.ndarray | None = None
    paper_stats: np.ndarray | None = None
    source: np.ndarray | None = None
    drawn: bool = False


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
        if any(r.startswith((EMPTY, NO_DRAWING)) for r in self.reasons):
            return 100.0
        flaws = sum(int(m.get(k, 0)) for k in ("specks", "leaks", "small_areas", "new_blobs"))
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


@dataclass(frozen=True)
class Survey:
    """Every QA figure of a page, and where on it the figures' flaws lie, in words."""

    metrics: Metrics
    where: dict[str, str] = field(default_factory=dict)


def measure(
    ink: np.ndarray, audience: Audience, dpi: int = 300, known: Known | None = None
) -> Metrics:
    """Every QA figure of print ink (uint8 or bool, 1 = ink) at `dpi`."""
    return survey(ink, audience, dpi, known).metrics


def survey(
    ink: np.ndarray, audience: Audience, dpi: int = 300, known: Known | None = None
) -> Survey:
    """`measure`, with where the flaws lie."""
    ink = ink.astype(np.uint8)
    limits = THRESHOLDS[audience]
    known = known or Known()
    dist = known.dist if known.dist is not None else solids.distance(ink)
    parts, widths = _lines_and_solids(ink, dist, limits.solid_in * dpi, known.widths)
    widths = widths / dpi
    stats = known.paper_stats
    if stats is None:
        stats = cv2.connectedComponentsWithStats(1 - ink, connectivity=4)[2]
    areas, cut = paper_regions(ink, dpi, stats)
    areas = areas[areas >= limits.speck_in**2]  # a pin-hole in the ink is no area
    small = compare.shrunk_page(ink, dpi, LEAK_DPI)
    # specks are counted on the small copy too (0.04 in is still 4 pixels there), where
    # any ink counts, so even a one-pixel dot at print size is seen
    speck_px = (limits.speck_in * LEAK_DPI) ** 2
    specks = own.dots(small, speck_px)
    gaps = leaks.find(
        (small >= 0.3).astype(np.uint8),
        LEAK_DPI,
        limits.leak_in,
        limits.gap_in,
        limits.min_area_in2,
    )
    metrics: Metrics = {
        "ink_share": round(float(ink.mean()), 5),
        "stroke_median_in": round(float(np.median(widths)) if widths.size else 0.0, 4),
        "stroke_spread_in": round(_iqr(widths), 4),
        "closed_areas": int(areas.size),
        "small_areas": int((areas < limits.min_area_in2).sum()),
        "smallest_area_in2": round(float(areas.min()) if areas.size else 0.0, 4),
        "leaks": len(gaps),
        "widest_leak_in": round(
            float(gaps[:, leaks.WIDTH].max()) / LEAK_DPI if len(gaps) else 0.0, 3
        ),
        "solid_share": round(float(parts.areas.sum()) / ink.size, 5),
        "solids": parts.count,
        "largest_solid_in2": round(float(parts.areas.max()) / dpi**2 if parts.count else 0.0, 3),
        "specks": specks,
        "cut_areas": int((cut >= limits.speck_in**2).sum()),
        "edge_framed": _edge_framed(ink),
    }
    where = {
        "leaks": place(gaps[:, leaks.X : leaks.Y + 1] * dpi / LEAK_DPI, ink.shape),
        "solids": place(parts.centres, ink.shape),
        "cut": _edges(ink),
    }
    if known.source is not None:
        _against_source(ink, (known.source, small), dpi, limits.speck_in, metrics, where)
        metrics.update(own.figures(ink, known.source, dpi, limits, gaps, LEAK_DPI, stats))
        if known.drawn and specks:  # a clean drawing's dots (stipple, a dotted line) are art
            metrics["own_specks"] = own.own_specks(known.source, specks, dpi, LEAK_DPI, speck_px)
    return Survey(metrics, where)


def _lines_and_solids(
    ink: np.ndarray, dist: np.ndarray, solid_px: float, known: np.ndarray | None
) -> tuple[solids.Solids, np.ndarray]:
    """The solid parts of the page (compact, wider than `solid_px` and than its lines) and
    the width (px) of its lines, measured on the lines only."""
    parts = solids.find(ink, dist, solid_px)
    if not parts.count:
        return parts, known if known is not None else solids.line_widths(dist, parts)
    widths = solids.line_widths(dist, parts)
    line_px = float(np.median(widths)) if widths.size else 0.0
    if (parts.widths < solids.LINE_MARGIN * line_px).any():  # thick lines, not solids
        parts = solids.find(ink, dist, solid_px, line_px)
        widths = solids.line_widths(dist, parts)
    return parts, widths


def _edges(ink: np.ndarray) -> str:
    """The sides of the art box the drawing reaches, in words."""
    edges = (ink[0], ink[-1], ink[:, 0], ink[:, -1])
    sides = zip(("top", "bottom", "left", "right"), edges, strict=True)
    return ", ".join(name + " edge" for name, edge in sides if edge.any())


def _edge_framed(ink: np.ndarray) -> int:
    """1 when the drawing is a scene the art box's edge frames: it reaches across the page
    (to two opposite sides) or to three sides; 0 when it stays inside or runs off one side
    or one corner (a subject cut by the edge)."""
    top, bottom, left, right = ink[0].any(), ink[-1].any(), ink[:, 0].any(), ink[:, -1].any()
    across = (top and bottom) or (left and right)
    return int(across or int(top) + int(bottom) + int(left) + int(right) >= 3)


def _against_source(
    ink: np.ndarray,
    sources: tuple[np.ndarray, np.ndarray],
    dpi: int,
    speck_in: float,
    metrics: Metrics,
    where: dict[str, str],
) -> None:
    """The figures of what the stage changed against its drawing, added to `metrics`
    (`sources`: the drawing, and the page's ink share at LEAK_DPI)."""
    source, small = sources
    same = LEAK_DPI == compare.LINES_DPI  # (then the same copy)
    found = compare.changes(ink, source, dpi, speck_in, AREA_MIN_IN2, small if same else None)
    metrics.update(
        {
            "lines_lost": round(found.lines_lost, 4),
            "lines_lost_in": round(found.lost_in, 1),
            "new_blobs": len(found.new_blobs),
            "solids_lost": len(found.solids_lost),
            "source_areas": found.source_areas,
            "page_areas": found.page_areas,
        }
    )
    where["lost"] = place(found.lost_at, ink.shape)
    where["new_blobs"] = place(found.new_blobs, ink.shape)
    where["solids_lost"] = place(found.solids_lost, ink.shape)


_ROWS, _COLS = ("top", "middle", "bottom"), ("left", "centre", "right")


def place(points: np.ndarray, shape: tuple[int, ...]) -> str:
    """Where on the page most of `points` ((x, y) pixels) lie, in words ("top left,
    centre"): the page's thirds holding at least a fifth of them, most first."""
    if len(points) == 0:
        return ""
    h, w = shape[:2]
    cols = np.minimum(2, (3 * points[:, 0] / w).astype(int))
    rows = np.minimum(2, (3 * points[:, 1] / h).astype(int))
    counts = np.bincount(rows * 3 + cols, minlength=9)
    order = [int(c) for c in np.argsort(-counts, kind="stable") if counts[c] >= 0.2 * len(points)]
    names = []
    for cell in order[:3]:
        row, col = _ROWS[cell // 3], _COLS[cell % 3]
        names.append(
            "centre"
            if row == "middle" and col == "centre"
            else col
            if row == "middle"
            else row
            if col == "centre"
            else f"{row} {col}"
        )
    return ", ".join(names)


def _scaled(shape: tuple[int, ...], factor: float) -> tuple[int, int]:
    return max(1, round(shape[1] * factor)), max(1, round(shape[0] * factor))


def _iqr(values: np.ndarray) -> float:
    if values.size == 0:
        return 0.0
    q1, q3 = np.percentile(values, [25, 75])
    return float(q3 - q1)


def judge(
    m: Metrics,
    limits: QAThresholds,
    strokes: StrokeRange,
    activity: bool = False,
    where: dict[str, str] | None = None,
) -> tuple[str, ...]:
    """The reasons a page with these figures fails its audience's limits (none: it passes),
    each saying where on the page (`where`, as `survey` gives it); an `activity` page (a
    maze) is not judged by its closed areas and gaps."""
    at = where or {}
    ink = float(m["ink_share"])
    if ink < limits.min_ink:
        if int(m.get("solids", 0)):  # not empty: what is there is blobs, and it says so
            return (
                f"{NO_DRAWING}, only {m['solids']} solid blobs ({ink:.1%} of the page in ink)"
                + _at(at, "solids"),
            )
        return (f"{EMPTY}: {ink:.1%} ink",)
    return _page_rules(m, limits, strokes, activity, at) + _source_rules(m, limits, at)


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _at(where: dict[str, str], key: str) -> str:
    return f", {where[key]}" if where.get(key) else ""


def _drawn(m: Metrics, limits: QAThresholds, key: str, words: str) -> str:
    """How many more the drawing has itself, in words, where they were not counted."""
    count = int(m.get(key, 0))
    return f" (and {count} {words})" if limits.drawn_style and count else ""


def _page_rules(
    m: Metrics, limits: QAThresholds, strokes: StrokeRange, activity: bool, at: dict[str, str]
) -> tuple[str, ...]:
    """The rules judged on the page alone."""
    reasons = []
    ink, closed, gaps = float(m["ink_share"]), int(m["closed_areas"]), int(m["leaks"])
    small = int(m["small_areas"])
    if limits.drawn_style:  # pens: the drawing's own detail is its style, not a defect
        gaps -= int(m.get("own_leaks", 0))
        small -= int(m.get("drawn_detail", 0))
    if not activity and closed < limits.min_closed <= closed + gaps:  # open strokes are art
        reasons.append(
            f"only {closed} closed areas to colour: the outlines are open at {_n(gaps, 'gap')} up"
            f" to {float(m['widest_leak_in']):.2f} in wide" + _at(at, "leaks")
        )
    if ink > limits.max_ink:
        reasons.append(f"too much ink: {ink:.0%} of the page (at most {limits.max_ink:.0%})")
    solid, largest = float(m["solid_share"]), float(m["largest_solid_in2"])
    if solid > limits.max_solid or largest > limits.small_solid_in2:
        reasons.append(
            f"solid black fill: {_n(int(m['solids']), 'shape')} covering {solid:.1%} of the page,"
            f" the largest {largest:.1f} sq in (at most {limits.max_solid:.0%} in all and "
            f"{limits.small_solid_in2:g} sq in each)" + _at(at, "solids")
        )
    stroke = float(m["stroke_median_in"])
    top = max(strokes.max_in, limits.bold_max_in)  # a bold style kept where pens colour
    low, high = strokes.min_in * (1 - limits.stroke_tolerance), top * (1 + limits.stroke_tolerance)
    if not low <= stroke <= high:
        reasons.append(f"lines {stroke:.3f} in wide (this audience: {strokes.min_in}-{top:g} in)")
    if not activity and small > max(2, limits.max_small_share * closed):
        reasons.append(
            f"{small} of {closed} areas too small to colour (< {limits.min_area_in2} sq in)"
            + _drawn(m, limits, "drawn_detail", "the drawing's own")
        )
    allowed = max(limits.max_leaks, int(limits.leak_share * closed))  # a detailed page more
    if not activity and gaps > allowed:  # a maze's walls end openly
        reasons.append(
            f"{_n(gaps, 'gap')} in outlines up to {float(m['widest_leak_in']):.2f} in wide (colour "
            f"leaks through; at most {allowed})"
            + _drawn(m, limits, "own_leaks", "the drawing's own")
            + _at(at, "leaks")
        )
    specks, own_specks = int(m["specks"]), int(m.get("own_specks", 0))
    if specks - own_specks > limits.max_specks:
        reasons.append(
            f"{specks - own_specks} stray specks (at most {limits.max_specks})"
            + (f" (and {own_specks} the drawing's own dots)" if own_specks else "")
        )
    if int(m["cut_areas"]) > limits.max_cut and not int(m["edge_framed"]):  # a scene is not
        reasons.append(
            f"art cut by the page edge: {_n(int(m['cut_areas']), 'area')} left open there"
            + _at(at, "cut")
        )
    return tuple(reasons)


def _source_rules(m: Metrics, limits: QAThresholds, at: dict[str, str]) -> tuple[str, ...]:
    """The rules judged against the drawing the stage was given (none when it is unknown)."""
    if "lines_lost" not in m:
        return ()
    reasons = []
    lost = float(m["lines_lost"])
    if lost > limits.max_lost and float(m["lines_lost_in"]) >= limits.min_lost_in:
        reasons.append(
            f"lines lost: {lost:.0%} of the drawing's lines (about {float(m['lines_lost_in']):.1f}"
            " in) are missing" + _at(at, "lost")
        )
    if int(m["new_blobs"]) > limits.max_new_blobs:
        reasons.append(
            f"{m['new_blobs']} blobs where lines meet or end that the drawing does not have"
            + _at(at, "new_blobs")
        )
    if int(m["solids_lost"]) > limits.max_solids_lost:
        reasons.append(
            f"{m['solids_lost']} small solid shapes of the drawing (pupils, dots, stroke ends) "
            "hollowed or thinned" + _at(at, "solids_lost")
        )
    drawn, page = int(m["source_areas"]), int(m["page_areas"])
    if abs(page - drawn) > max(limits.area_change_floor, limits.max_area_change * drawn):
        what = "open strokes joined into areas" if page > drawn else "areas merged or lost"
        reasons.append(f"areas to colour: the drawing has {drawn}, the page {page} ({what})")
    return tuple(reasons)


def qa_page(
    ink: np.ndarray,
    audience: Audience,
    dpi: int = 300,
    *,
    activity: bool = False,
    known: Known | None = None,
) -> QAReport:
    """Measure print ink (1 = ink) and judge it for `audience` (against the drawing it was
    made from when `known.source` is given)."""
    found = survey(ink, audience, dpi, known)
    limits, strokes = THRESHOLDS[audience], STROKES[audience]
    return QAReport(found.metrics, judge(found.metrics, limits, strokes, activity, found.where))
