"""Line-art QA, one test per rule: each page below has exactly the defect its rule is for (so
removing the rule or loosening its limit turns the test red), and the look-alikes a reviewer
would call good art (eyes, a nose, a scene reaching its frame, one big shape for toddlers,
open strokes, bold lines) pass. Pages are drawn at print size (300 DPI, the 8.5x11 art box)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bot.book.kdp import art_box_px
from bot.book.lineart import LineArtOptions, clean_page, qa_page
from bot.book.lineart.qa import EMPTY, NO_DRAWING, Known, QAReport, place
from bot.book.lineart.tables import THRESHOLDS
from bot.book.spec import Audience, Trim

LETTER = art_box_px(Trim.T8_5X11)  # 2288 x 2910
KIDS, ADULTS = Audience.AGES_3_5, Audience.ADULTS

Draw = Callable[[ImageDraw.ImageDraw], None]


def page(*draws: Draw, size: tuple[int, int] = LETTER) -> np.ndarray:
    """Print ink (uint8, 1 = ink) of a white page with `draws` drawn in black."""
    img = Image.new("L", size, 255)
    d = ImageDraw.Draw(img)
    for draw in draws:
        draw(d)
    return (np.asarray(img) < 128).astype(np.uint8)


def grey(ink: np.ndarray) -> np.ndarray:
    """A drawing as the stage hands it to QA: grey (0 ink, 255 paper)."""
    return np.where(ink > 0, 0, 255).astype(np.uint8)


def has(report: QAReport, words: str) -> bool:
    return any(words in r for r in report.reasons)


def circles(n: int, width: int = 5, r: int = 150, top: int = 300) -> Draw:
    """`n` closed circles in rows (0.5 in radius at the default size)."""

    def draw(d: ImageDraw.ImageDraw) -> None:
        for k in range(n):
            x, y = 300 + (k % 5) * 2 * (r + 40), top + (k // 5) * 2 * (r + 40)
            d.ellipse((x - r, y - r, x + r, y + r), outline=0, width=width)

    return draw


def gapped_squares(n: int, gap: int, width: int = 5, top: int = 300) -> Draw:
    """`n` squares of 1 in whose right side stops `gap` px short of the top side."""

    def draw(d: ImageDraw.ImageDraw) -> None:
        for k in range(n):
            x, y = 200 + (k % 5) * 400, top + (k // 5) * 400
            d.line((x, y, x + 300, y), fill=0, width=width)
            d.line((x, y, x, y + 300), fill=0, width=width)
            d.line((x, y + 300, x + 300, y + 300), fill=0, width=width)
            d.line((x + 300, y + 300, x + 300, y + gap), fill=0, width=width)

    return draw


def sun(d: ImageDraw.ImageDraw, gap_deg: float = 30, r: int = 180, width: int = 15) -> None:
    """A sun for toddlers: a circle with a slice of `gap_deg` missing on its right (a 30 deg
    gap at r = 0.6 in is 0.31 in wide) and eight rays."""
    cx, cy = 1144, 1455
    half = gap_deg / 2
    d.arc((cx - r, cy - r, cx + r, cy + r), start=half, end=360 - half, fill=0, width=width)
    for k in range(8):
        a = math.radians(22.5 + 45 * k)
        inner, outer = r + 60, r + 200
        ray = [(cx + k * math.cos(a), cy + k * math.sin(a)) for k in (inner, outer)]
        d.line(ray, fill=0, width=width)


# empty and nearly empty pages ---------------------------------------------------------------


def test_an_empty_page_is_empty() -> None:
    report = qa_page(
        page(lambda d: d.ellipse((1000, 1000, 1040, 1040), outline=0, width=3)), ADULTS
    )
    assert report.reasons[0].startswith(EMPTY) and report.badness() == 100


def test_a_page_of_blobs_is_not_called_empty() -> None:
    """A photo-like picture can come out as a few blobs along its edges: the verdict says so
    (what the written page shows), not "empty"."""
    blobs = page(
        lambda d: d.ellipse((0, 1300, 80, 1380), fill=0),
        lambda d: d.ellipse((2207, 200, 2287, 280), fill=0),
    )
    report = qa_page(blobs, ADULTS)
    assert float(report.metrics["ink_share"]) < THRESHOLDS[ADULTS].min_ink
    assert report.reasons[0].startswith(NO_DRAWING), report.reasons
    assert "2 solid blobs" in report.reasons[0] and "left" in report.reasons[0]
    assert report.badness() == 100


def test_a_photo_like_gradient_gets_a_verdict_that_matches_the_page() -> None:
    """The newcomer's gradient: whatever the stage writes, QA's words match it (empty only
    when the page has no ink worth a look; blobs named as blobs)."""
    y, x = np.mgrid[0:832, 0:640]
    photo = (60 + 190 * (x / 640) * (y / 832) ** 0.5).astype(np.uint8)
    art, report = clean_page(Image.fromarray(photo), LETTER, LineArtOptions(ADULTS))
    ink = ~np.asarray(art, dtype=bool)
    assert report.flagged
    if report.reasons[0].startswith(EMPTY):
        assert int(report.metrics["solids"]) == 0 and ink.mean() < THRESHOLDS[ADULTS].min_ink


# areas -----------------------------------------------------------------------------------------


def test_an_outline_open_at_a_wide_gap_is_flagged_for_toddlers() -> None:
    """The newcomer's sun with a 30 degree (0.31 in) gap: one gap is within the toddlers'
    gap limit, but it leaves the sun with nothing closed to colour."""
    report = qa_page(page(sun), KIDS)
    assert report.metrics["leaks"] == 1 and 0.25 <= float(report.metrics["widest_leak_in"]) <= 0.4
    assert has(report, "only 0 closed areas to colour: the outlines are open at 1 gap"), report


def test_the_sun_through_the_stage_is_closed_or_flagged() -> None:
    """Drawn at 1144 px wide, as the newcomer did: the page that comes out either has the
    sun closed (an area to colour) or is flagged; never an open sun that passes."""
    img = Image.fromarray(np.where(page(sun), 0, 255).astype(np.uint8)).resize((1144, 1455))
    _, report = clean_page(img, LETTER, LineArtOptions(KIDS))
    assert report.flagged or int(report.metrics["closed_areas"]) >= 1, report.metrics


def test_one_big_shape_is_a_page_for_toddlers() -> None:
    apple = page(lambda d: d.ellipse((400, 500, 1900, 2300), outline=0, width=15))
    report = qa_page(apple, KIDS)
    assert report.metrics["closed_areas"] == 1 and not report.flagged, report.reasons


def test_open_strokes_that_enclose_nothing_are_art() -> None:
    """Grass, hair, fur: strokes left open by the artist, none nearly meeting another."""

    def grass(d: ImageDraw.ImageDraw) -> None:
        for k in range(40):
            x = 200 + 48 * k
            d.line((x, 2400, x + 30 * math.sin(k), 2000 - 12 * (k % 7)), fill=0, width=5)
        for k in range(12):
            d.arc((300 + 150 * k, 600, 420 + 150 * k, 900), 180, 320, fill=0, width=5)

    report = qa_page(page(grass), ADULTS)
    assert report.metrics["closed_areas"] == 0 and not report.flagged, report.reasons


def test_too_few_areas_for_the_audience_when_outlines_are_open() -> None:
    """Two closed circles and a third left open at a 0.06 in gap: adults want three areas."""
    drawing = page(
        circles(2),
        lambda d: d.arc((1480 - 150, 300 - 150, 1480 + 150, 300 + 150), 20, 360, fill=0, width=5),
    )
    report = qa_page(drawing, ADULTS)
    assert has(report, "only 2 closed areas to colour: the outlines are open at 1 gap"), report


def test_small_areas_fail_toddlers_but_suit_adults_and_pin_holes_are_no_areas() -> None:
    def grid(d: ImageDraw.ImageDraw) -> None:  # 0.2 in cells: too small for crayons
        for v in range(300, 1501, 60):
            d.line((v, 300, v, 1500), fill=0, width=4)
            d.line((300, v, 1500, v), fill=0, width=4)

    def pinholes(d: ImageDraw.ImageDraw) -> None:  # 30 white dots inside thick lines
        for k in range(30):
            d.rectangle((200 + 60 * k, 2500, 240 + 60 * k, 2540), fill=0)
            d.point((220 + 60 * k, 2520), fill=255)

    assert has(qa_page(page(grid), KIDS), "too small to colour")
    adults = qa_page(page(grid, pinholes, circles(3, top=1900)), ADULTS)
    assert not has(adults, "too small"), adults.reasons


def test_too_much_ink_is_flagged() -> None:
    def hatching(d: ImageDraw.ImageDraw) -> None:  # 0.02 in lines 0.033 in apart: 60 % ink
        for y in range(0, 2910, 10):
            d.line((0, y, 2287, y), fill=0, width=6)

    report = qa_page(page(hatching, circles(3)), ADULTS)
    assert has(report, "too much ink"), report.reasons


# solids and line width --------------------------------------------------------------------------


def face(d: ImageDraw.ImageDraw, pupil: int = 60) -> None:
    """A face: thin outlines (0.017 in), two pupils and a nose filled black."""
    d.ellipse((400, 400, 1900, 2300), outline=0, width=5)
    for x in (800, 1500):
        d.ellipse((x - 200, 1000, x + 200, 1300), outline=0, width=5)
        d.ellipse((x - pupil, 1150 - pupil, x + pupil, 1150 + pupil), fill=0)
    d.polygon([(1150, 1450), (1050, 1650), (1250, 1650)], fill=0)
    d.arc((850, 1600, 1450, 2000), 20, 160, fill=0, width=5)


def test_eyes_and_a_nose_are_detail_not_solid_fill_and_lines_are_measured_without_them() -> None:
    report = qa_page(page(face), ADULTS)
    assert report.metrics["solids"] == 3
    assert 0.015 <= float(report.metrics["stroke_median_in"]) <= 0.02
    assert not report.flagged, report.reasons


def test_big_eyes_like_a_cartoons_are_still_detail() -> None:
    report = qa_page(page(lambda d: face(d, pupil=130)), ADULTS)  # 0.87 in pupils
    assert not report.flagged, report.reasons


def test_a_solid_fill_is_flagged() -> None:
    """One black shape of 3 sq in (4% of the page, under the 5% for all solids together)."""
    fill = page(face, lambda d: d.rectangle((600, 2400, 1200, 2850), fill=0))
    report = qa_page(fill, ADULTS)
    assert float(report.metrics["solid_share"]) < THRESHOLDS[ADULTS].max_solid
    assert has(report, "solid black fill") and "bottom" in report.reasons[0], report.reasons


def test_many_solids_together_are_a_fill() -> None:
    def spots(d: ImageDraw.ImageDraw) -> None:  # 24 spots of 1.1 sq in: each alone is detail
        for k in range(24):
            x, y = 250 + (k % 6) * 350, 250 + (k // 6) * 650
            d.ellipse((x, y, x + 350 // 1.2, y + 350 // 1.2), fill=0)

    report = qa_page(page(spots, circles(3, top=2700)), ADULTS)
    assert float(report.metrics["largest_solid_in2"]) < THRESHOLDS[ADULTS].small_solid_in2
    assert has(report, "solid black fill"), report.reasons


def test_bold_lines_are_lines_too_wide_not_solid_fill() -> None:
    """An emoji-style drawing (0.26 in lines) for toddlers: its lines are too wide (0.04-0.06
    in), which is what is wrong with it; they are not solid fill."""
    report = qa_page(page(circles(4, width=78, r=200)), KIDS)
    assert report.metrics["solids"] == 0
    assert 0.25 <= float(report.metrics["stroke_median_in"]) <= 0.27
    assert has(report, "lines 0.2"), report.reasons
    assert not has(report, "solid"), report.reasons


def test_a_bold_style_passes_for_adults_too_bold_does_not() -> None:
    """Pens colour right up to a line: adults keep a drawing's bold 0.1 in lines (the stage
    keeps them too), and a bold symbol's 0.26 in ones (the corpus's triskell has 0.23 in);
    0.4 in lines are more line than page."""
    assert not qa_page(page(circles(4, width=30, r=200)), ADULTS).flagged
    assert not qa_page(page(circles(4, width=78, r=200)), ADULTS).flagged
    report = qa_page(page(circles(4, width=120, r=250)), ADULTS)
    assert has(report, "lines 0.397 in wide"), report.reasons


def test_lines_too_thin_for_toddlers_are_flagged() -> None:
    report = qa_page(page(circles(4, width=5)), KIDS)
    assert has(report, "lines 0.01"), report.reasons


# gaps --------------------------------------------------------------------------------------------


def test_leaks_are_counted() -> None:
    """Ten squares whose side stops 0.05 in short: ten leaks, over the adults' limit."""
    report = qa_page(page(gapped_squares(10, 15)), ADULTS)
    assert report.metrics["leaks"] == 10
    assert has(report, "10 gaps in outlines up to 0.0"), report.reasons
    assert "colour leaks through" in report.reasons[-1]


def test_the_toddlers_gap_limit_is_two() -> None:
    drawing = page(circles(3, top=2000, width=15), gapped_squares(3, 15, width=15))
    assert not qa_page(
        page(circles(3, top=2000, width=15), gapped_squares(2, 15, width=15)), KIDS
    ).flagged
    report = qa_page(drawing, KIDS)
    assert has(report, "3 gaps in outlines"), report.reasons


def grid(cells: int, step: int = 90, left: int = 200, top: int = 200) -> Draw:
    """A grid of `cells` x `cells` closed squares (0.3 in at the default step)."""

    def draw(d: ImageDraw.ImageDraw) -> None:
        for k in range(cells + 1):
            d.line((left + k * step, top, left + k * step, top + cells * step), fill=0, width=5)
            d.line((left, top + k * step, left + cells * step, top + k * step), fill=0, width=5)

    return draw


@pytest.mark.parametrize(("gaps", "flagged"), [(14, False), (17, True)])
def test_a_detailed_page_may_have_a_gap_in_seven_areas(gaps: int, flagged: bool) -> None:
    """100 closed areas: up to 15 gaps pass for adults (not only 8), more do not (the
    corpus's detailed drawings, a brain's or a ram's, have 10-14 near misses of their own)."""
    report = qa_page(page(grid(10), gapped_squares(gaps, 15, top=1400)), ADULTS)
    assert report.metrics["leaks"] == gaps
    assert has(report, "gaps in outlines") == flagged, report.reasons


def test_strokes_ending_near_a_line_of_another_stroke_are_no_leak() -> None:
    """Fur strokes that stop just short of the body's outline enclose nothing: colour flows
    round their other end anyway."""

    def fur(d: ImageDraw.ImageDraw) -> None:
        d.ellipse((500, 500, 1800, 1800), outline=0, width=5)
        for k in range(30):
            a = math.radians(12 * k)
            r0, r1 = 665, 800
            d.line([(1150 + r * math.cos(a), 1150 + r * math.sin(a)) for r in (r0, r1)], 0, 5)

    report = qa_page(page(fur, circles(3, top=2300)), ADULTS)
    assert report.metrics["leaks"] == 0, report.metrics


# specks and the page's edge ---------------------------------------------------------------------


def test_specks_are_flagged() -> None:
    def specks(d: ImageDraw.ImageDraw) -> None:
        for k in range(8):
            d.ellipse((300 + 200 * k, 2600, 306 + 200 * k, 2606), fill=0)

    assert has(qa_page(page(circles(3), specks), ADULTS), "8 stray specks")
    assert not qa_page(page(circles(3)), ADULTS).flagged


def test_art_cut_by_the_edge_is_flagged_a_scene_reaching_its_frame_is_not() -> None:
    cut = qa_page(
        page(circles(3, top=1000), lambda d: d.ellipse((900, -200, 1400, 300), outline=0, width=5)),
        ADULTS,
    )
    assert has(cut, "art cut by the page edge"), cut.reasons

    def scene(d: ImageDraw.ImageDraw) -> None:  # ground, a hill and a tree cut by the top
        d.line((0, 2300, 2287, 2250), fill=0, width=5)
        d.arc((-400, 1700, 900, 2900), 180, 360, fill=0, width=5)
        d.rectangle((1500, 0, 1700, 2270), outline=0, width=5)
        d.ellipse((1800, 400, 2100, 700), outline=0, width=5)

    report = qa_page(page(scene, circles(2, top=1200)), ADULTS)
    assert int(report.metrics["cut_areas"]) >= 2 and not report.flagged, report.reasons


# against the drawing the stage was given ---------------------------------------------------------


def drawn_face() -> np.ndarray:
    return page(face, circles(3, top=2500))


def test_the_drawing_itself_passes_against_itself() -> None:
    ink = drawn_face()
    report = qa_page(ink, ADULTS, known=Known(source=grey(ink)))
    assert report.metrics["new_blobs"] == report.metrics["solids_lost"] == 0
    assert float(report.metrics["lines_lost"]) < 0.01 and not report.flagged, report.reasons


def test_lines_lost_are_flagged() -> None:
    ink = drawn_face()
    damaged = ink.copy()
    damaged[:, :1150] = 0  # the left half of every line gone
    damaged = np.maximum(damaged, page(circles(3, top=2500)))
    report = qa_page(damaged, ADULTS, known=Known(source=grey(ink)))
    assert has(report, "lines lost") and "left" in report.reasons[0], report.reasons


def test_blobs_at_joints_and_ends_are_flagged() -> None:
    ink = drawn_face()

    def dots(d: ImageDraw.ImageDraw) -> None:  # 0.07 in dots on the 0.017 in outlines
        for k in range(6):
            a = math.radians(60 * k)
            x, y = 1150 + 750 * math.cos(a), 1350 + 950 * math.sin(a)
            d.ellipse((x - 11, y - 11, x + 11, y + 11), fill=0)

    report = qa_page(np.maximum(ink, page(dots)), ADULTS, known=Known(source=grey(ink)))
    assert report.metrics["new_blobs"] == 6
    assert has(report, "6 blobs where lines meet or end"), report.reasons


def test_hollowed_pupils_are_flagged() -> None:
    ink = drawn_face()
    hollow = np.maximum(ink, 0)
    hollow[1150 - 50 : 1150 + 51, 750:850] = 0  # the left pupil's inside cleared ...
    hollow[1150 - 50 : 1150 + 51, 1450:1550] = 0  # ... and the right's
    report = qa_page(hollow, ADULTS, known=Known(source=grey(ink)))
    assert has(report, "2 small solid shapes of the drawing"), report.reasons


def test_open_strokes_joined_into_areas_are_flagged() -> None:
    def strokes(closed: bool) -> Draw:
        def draw(d: ImageDraw.ImageDraw) -> None:
            for k in range(16):  # vees open at the top (or closed by a lid)
                x, y = 250 + (k % 4) * 500, 300 + (k // 4) * 600
                d.line((x, y, x + 150, y + 400, x + 300, y), fill=0, width=5, joint="curve")
                if closed:
                    d.line((x, y, x + 300, y), fill=0, width=5)

        return draw

    report = qa_page(page(strokes(True)), ADULTS, known=Known(source=grey(page(strokes(False)))))
    assert has(report, "the drawing has 0, the page 16 (open strokes joined"), report.reasons


# words -------------------------------------------------------------------------------------------


def test_place_names_the_page_thirds() -> None:
    shape = (300, 300)
    assert place(np.array([[10.0, 10.0]]), shape) == "top left"
    assert (
        place(np.array([[150.0, 150.0], [160.0, 140.0], [290.0, 150.0]]), shape) == "centre, right"
    )
    assert place(np.zeros((0, 2)), shape) == ""


@pytest.mark.parametrize("audience", list(Audience))
def test_every_flag_says_how_much(audience: Audience) -> None:
    """Each reason carries a figure (a count, a share or inches), never a bare word."""
    damaged = page(gapped_squares(10, 15), lambda d: d.rectangle((600, 2400, 1500, 2800), fill=0))
    for reason in qa_page(damaged, audience).reasons:
        assert any(c.isdigit() for c in reason), reason


def bold_star(width: int) -> Draw:
    """Bold lines `width` px wide meeting: a triangle (three corners) on a bar (two T joints),
    as bold emoji-style drawings are; eyes (two pupils alone) above."""

    def draw(d: ImageDraw.ImageDraw) -> None:
        d.line((500, 1800, 1800, 1800), fill=0, width=width)
        d.line((700, 1800, 1150, 1000, 1600, 1800), fill=0, width=width, joint="curve")
        for x in (900, 1400):
            d.ellipse((x - 2 * width, 600 - 2 * width, x + 2 * width, 600 + 2 * width), fill=0)

    return draw


def test_joints_of_bold_lines_left_wide_on_thinned_lines_are_flagged() -> None:
    """A bold drawing thinned for small children: a joint or corner left as wide as the
    drawing drew it is a round dot on the thin lines (the drawing's joint is no solid, so
    the page is held to its own, thinned weight there), and a joint it drew swollen,
    thinned with the lines, is no pupil lost; its pupils may stay as drawn."""

    def bulge(d: ImageDraw.ImageDraw) -> None:  # a joint drawn swollen: no pupil either
        d.ellipse((1600 - 70, 1800 - 70, 1600 + 70, 1800 + 70), fill=0)

    drawing = page(bold_star(60), bulge)
    thin = page(bold_star(16))
    eyes = np.zeros_like(drawing)
    eyes[300:900] = drawing[300:900]
    even = np.maximum(thin, eyes)  # thinned evenly, pupils kept
    report = qa_page(even, KIDS, known=Known(source=grey(drawing)))
    assert report.metrics["new_blobs"] == report.metrics["solids_lost"] == 0, report.reasons

    def dots(d: ImageDraw.ImageDraw) -> None:  # the joints and corners kept 60 px wide
        for x, y in ((700, 1800), (1150, 1000), (1600, 1800)):
            d.ellipse((x - 30, y - 30, x + 30, y + 30), fill=0)

    report = qa_page(np.maximum(even, page(dots)), KIDS, known=Known(source=grey(drawing)))
    assert report.metrics["new_blobs"] == 3, report.reasons
    assert has(report, "3 blobs where lines meet or end"), report.reasons
