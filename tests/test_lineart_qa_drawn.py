"""Line-art QA given the drawing the stage was made from (`Known.source`): the drawing's own
gaps and small areas are its style for pens (teens, adults), so only what the stage added is
judged; a wide break in an outline is a leak even when the artist drew it; crayons are
judged on the page alone. Each test fails when its rule is removed or its limit loosened
(tools/mutate_lineart_qa.py)."""

from __future__ import annotations

import numpy as np
from PIL import ImageDraw

from bot.book.lineart import leaks, own, qa_page
from bot.book.lineart.qa import Known
from bot.book.spec import Audience
from tests.test_lineart_qa import KIDS, Draw, circles, gapped_squares, grey, has, page

ADULTS, TEENS = Audience.ADULTS, Audience.TEENS


def squares_gapped_at_left(n: int, gap: int, width: int = 5, top: int = 300) -> Draw:
    """`gapped_squares`' squares with their gap moved 0.3 in off: the left side stops short
    of the bottom side instead of the right side short of the top."""

    def draw(d: ImageDraw.ImageDraw) -> None:
        for k in range(n):
            x, y = 200 + (k % 5) * 400, top + (k // 5) * 400
            d.line((x, y, x + 300, y), fill=0, width=width)
            d.line((x + 300, y, x + 300, y + 300), fill=0, width=width)
            d.line((x, y + 300, x + 300, y + 300), fill=0, width=width)
            d.line((x, y, x, y + 300 - gap), fill=0, width=width)

    return draw


def broken_rings(n: int, gap_deg: float, r: int = 150, width: int = 5) -> Draw:
    """`n` rings with a slice of `gap_deg` missing on their right: two ends facing each
    other (a broken outline, 0.21 in wide at 23 degrees and the default radius)."""

    def draw(d: ImageDraw.ImageDraw) -> None:
        for k in range(n):
            x, y = 300 + (k % 5) * 2 * (r + 40), 300 + (k // 5) * 2 * (r + 40)
            half = gap_deg / 2
            d.arc((x - r, y - r, x + r, y + r), start=half, end=360 - half, fill=0, width=width)

    return draw


def cells(step: int = 15, left: int = 300, top: int = 1500, count: int = 20) -> Draw:
    """A patch of `count` x `count` cells `step` px apart (0.05 in: too small for pens)."""

    def draw(d: ImageDraw.ImageDraw) -> None:
        size = count * step
        for k in range(count + 1):
            d.line((left + k * step, top, left + k * step, top + size), fill=0, width=3)
            d.line((left, top + k * step, left + size, top + k * step), fill=0, width=3)

    return draw


def with_source(ink: np.ndarray, drawing: np.ndarray, audience: Audience) -> list[str]:
    return list(qa_page(ink, audience, known=Known(source=grey(drawing))).reasons)


# gaps ----------------------------------------------------------------------------------------


def test_the_drawings_own_near_misses_are_its_style_for_pens() -> None:
    """Ten squares whose side stops 0.05 in short of the next (10 gaps, over the adults' 8):
    drawn that way, the page that keeps them is the drawing as it was made."""
    ink = page(gapped_squares(10, 15), circles(3, top=1900))
    assert has(qa_page(ink, ADULTS), "10 gaps in outlines")  # unknown source: judged alone
    for audience in (ADULTS, TEENS):
        report = qa_page(ink, audience, known=Known(source=grey(ink)))
        assert report.metrics["leaks"] == report.metrics["own_leaks"] == 10
        assert not has(report, "gaps in outlines"), report.reasons


def test_gaps_the_stage_opened_are_leaks() -> None:
    """The same squares drawn closed: every gap on the page is the stage's."""
    ink = page(gapped_squares(10, 15), circles(3, top=1900))
    drawing = page(gapped_squares(10, 0), circles(3, top=1900))
    report = qa_page(ink, ADULTS, known=Known(source=grey(drawing)))
    assert report.metrics["own_leaks"] == 0
    assert has(report, "10 gaps in outlines"), report.reasons


def test_a_gap_elsewhere_than_the_drawings_is_the_stages() -> None:
    """The drawing's squares are open 0.3 in away (at their other corner): the page's gaps
    are not those (a gap is the drawing's only within 0.03 in of it)."""
    ink = page(gapped_squares(10, 15), circles(3, top=1900))
    drawing = page(squares_gapped_at_left(10, 15), circles(3, top=1900))
    assert qa_page(drawing, ADULTS).metrics["leaks"] == 10  # it has gaps of its own
    report = qa_page(ink, ADULTS, known=Known(source=grey(drawing)))
    assert report.metrics["own_leaks"] == 0 and has(report, "10 gaps in outlines")


def test_a_wide_break_in_an_outline_leaks_even_when_drawn() -> None:
    """Ten rings each broken by a 0.2 in slice (two ends facing): colour runs out of every
    one, whoever left it open; pens included."""
    ink = page(broken_rings(10, 23))
    alone = qa_page(ink, ADULTS)
    assert alone.metrics["leaks"] == 10 and float(alone.metrics["widest_leak_in"]) > 0.15
    report = qa_page(ink, ADULTS, known=Known(source=grey(ink)))
    assert report.metrics["own_leaks"] == 0
    assert has(report, "10 gaps in outlines"), report.reasons


def test_a_narrow_break_the_drawing_has_is_its_style() -> None:
    """The same rings broken by 0.05 in: a pen-and-ink drawing's lines often do not quite
    meet (the corpus's brain, celtic vine)."""
    ink = page(broken_rings(10, 6))
    report = qa_page(ink, ADULTS, known=Known(source=grey(ink)))
    assert report.metrics["leaks"] == report.metrics["own_leaks"] == 10
    assert not report.flagged, report.reasons


def test_crayons_are_judged_on_the_page_alone() -> None:
    """For ages 3-5 a gap colour leaks through is a defect whoever drew it: three near misses
    (over the toddlers' two) are flagged with the drawing known."""
    ink = page(circles(3, top=2000, width=15), gapped_squares(3, 15, width=15))
    assert has(qa_page(ink, KIDS, known=Known(source=grey(ink))), "3 gaps in outlines")


def test_the_toddlers_sun_is_flagged_with_its_drawing_known() -> None:
    """The newcomer's sun (a ring open at 0.31 in), its drawing known: still nothing closed
    to colour."""
    from tests.test_lineart_qa import sun

    ink = page(sun)
    report = qa_page(ink, KIDS, known=Known(source=grey(ink)))
    assert has(report, "only 0 closed areas to colour: the outlines are open at 1 gap"), report


def test_open_strokes_the_drawing_has_leave_few_areas_for_pens() -> None:
    """Two closed circles and a third open at 0.05 in, drawn so (a vine's curls): adults
    colour the two; judged alone the page had too few areas. Open at 0.18 in, the third
    leaks however it was drawn."""

    def third(gap_deg: float) -> Draw:
        box = (1480 - 150, 300 - 150, 1480 + 150, 300 + 150)
        return lambda d: d.arc(box, gap_deg, 360, fill=0, width=5)

    ink = page(circles(2), third(6))
    assert has(qa_page(ink, ADULTS), "only 2 closed areas")
    assert with_source(ink, ink, ADULTS) == []
    wide = page(circles(2), third(20))
    assert any("only 2 closed areas" in r for r in with_source(wide, wide, ADULTS))


def test_gaps_are_rows_with_their_kind_and_ends() -> None:
    ink = page(gapped_squares(1, 15), broken_rings(1, 23))
    small = ink[::3, ::3]  # 100 DPI, where QA looks for gaps
    rows = leaks.find(small, 100, 0.10, 0.35, 0.004)
    assert sorted(rows[:, leaks.KIND].tolist()) == [leaks.BROKEN, leaks.NEAR]
    for row in rows:
        a, b = row[[leaks.AX, leaks.AY]], row[[leaks.BX, leaks.BY]]
        assert np.allclose((a + b) / 2, row[[leaks.X, leaks.Y]])
        assert np.isclose(np.hypot(*(a - b)), row[leaks.WIDTH])
    assert own.own_gaps(rows, ink, 1 / 3, 300).all()  # the drawing has both
    closed = page(gapped_squares(1, 0), broken_rings(1, 0))
    assert not own.own_gaps(rows, closed, 1 / 3, 300).any()  # its lines run across both
    assert not own.own_gaps(rows, np.zeros_like(ink), 1 / 3, 300).any()  # no lines there


# small areas --------------------------------------------------------------------------------


def test_a_detailed_drawings_small_areas_are_its_style_for_pens() -> None:
    """A patch of 0.05 in cells (under the adults' 0.004 sq in): drawn so, it is detail."""
    ink = page(cells(), circles(3))
    assert has(qa_page(ink, ADULTS), "400 of 403 areas too small")
    report = qa_page(ink, ADULTS, known=Known(source=grey(ink)))
    assert report.metrics["drawn_detail"] == 400 and not report.flagged, report.reasons


def test_small_areas_the_stage_made_are_flagged() -> None:
    """The drawing's cells are four times as large (0.1 in): the page's halves are new."""
    ink = page(cells(), circles(3))
    drawing = page(cells(step=30, count=10), circles(3))
    report = qa_page(ink, ADULTS, known=Known(source=grey(drawing)))
    assert report.metrics["drawn_detail"] == 0
    assert has(report, "400 of 403 areas too small"), report.reasons


def test_small_areas_for_crayons_count_even_when_drawn() -> None:
    ink = page(cells(step=60, count=6), circles(1, width=15))  # 0.2 in cells: crayons' 0.1 sq in
    report = qa_page(ink, KIDS, known=Known(source=grey(ink)))
    assert has(report, "36 of 37 areas too small"), report.reasons


def stippled() -> np.ndarray:
    """Print ink (1 = ink) of circles with 40 small dots beside them (stipple, a dotted
    line): dots 0.02 in across, each alone."""
    ink = page(circles(4))
    for k in range(40):
        y, x = 2200 + (k // 10) * 60, 300 + (k % 10) * 60
        ink[y : y + 6, x : x + 6] = 1
    return ink


def test_a_clean_drawings_own_dots_are_not_stray_specks() -> None:
    ink = stippled()
    source = grey(ink)
    drawn = qa_page(ink, ADULTS, known=Known(source=source, drawn=True))
    assert drawn.metrics["specks"] >= 40 and drawn.metrics["own_specks"] >= 40
    assert not has(drawn, "stray specks")
    # a model's or a provider's page: its source is the dirt itself, so dots are specks
    dirt = qa_page(ink, ADULTS, known=Known(source=source))
    assert has(dirt, "stray specks")
