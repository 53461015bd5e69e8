"""The line-art stage on real human-drawn pages (tests/realart/), and the measures that
judge it (tests/realart.py): a clean page must come out as the same drawing (deliverable 1
of issue 20), a model-like dirty one as the clean drawing (deliverable 2). The measures are
tested first: each must catch the harm it names (a dot at a joint, a lost line, a closed
gap, a hollowed solid) and pass a page compared with itself."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw
from skimage.morphology import skeletonize

from bot.book.kdp import art_box_px
from bot.book.lineart import LineArtOptions, clean_page, qa_page
from bot.book.lineart.stage import fit_box
from bot.book.spec import Audience, Trim
from tests.realart import (
    bold_dirty,
    closed_areas,
    compare,
    load_corpus,
    model_dirty,
    placed_source,
)

LETTER = art_box_px(Trim.T8_5X11)  # 2288 x 2910
DPI = 300
PAGES = dict(load_corpus("pages"))
BOLD = dict(load_corpus("bold"))
SUBSET = ("dog_head", "eye", "strawberry", "sleeping_cat")  # a quick, varied few


def as_page(ink: np.ndarray) -> Image.Image:
    """An ink mask as the stage's mode "1" page."""
    return Image.fromarray(~ink).convert("1")


# the corpus -------------------------------------------------------------------------------


def test_the_corpus_is_real_drawings_with_their_sources() -> None:
    sources = (load_corpus.__globals__["REALART"] / "SOURCES.md").read_text("utf-8")
    for kind, items in (("pages", PAGES), ("bold", BOLD)):
        assert len(items) >= 10
        for name, image in items.items():
            assert f"| {kind}/{name}.png |" in sources, name
            assert image.width == 1024 and image.mode == "L"
            grey = np.asarray(image)
            assert grey.min() < 40 and grey.max() == 255  # black lines on white paper
            mid = ((grey > 60) & (grey < 200)).mean()
            assert 0 < mid < (grey < 128).mean()  # anti-aliased edges, not grey fills


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        load_corpus("photos")


def test_model_dirt_is_deterministic_grey_and_tinted() -> None:
    clean = PAGES["dog_head"]
    a, b = model_dirty(clean, 3), model_dirty(clean, 3)
    assert np.array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(model_dirty(clean, 4)))
    rgb = np.asarray(a, np.float32)
    lines = np.asarray(clean) < 60  # the drawing's solid line cores
    paper = np.asarray(clean) == 255
    assert 50 < np.median(rgb[lines].mean(axis=1)) < 170  # lines lightened to grey
    assert np.median(rgb[paper].mean(axis=1)) < 245  # tinted paper
    assert np.ptp(np.median(rgb[paper], axis=0)) > 5  # ... a colour, not grey
    bold = np.asarray(bold_dirty(BOLD["dog"], 3), np.float32)
    bold_lines = np.asarray(BOLD["dog"]) < 60
    assert np.median(bold[bold_lines].mean(axis=1)) < np.median(rgb[lines].mean(axis=1))


# the measures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dog() -> np.ndarray:
    return placed_source(PAGES["dog_head"], LETTER)


def test_a_page_compared_with_itself_is_unharmed(dog: np.ndarray) -> None:
    c = compare(PAGES["dog_head"], as_page(dog), DPI)
    assert c.recall == 1.0 and c.precision == 1.0
    assert c.areas_source == c.areas_result > 0
    assert (c.blobs, c.dots, c.solids_lost) == (0, 0, 0)
    assert c.unharmed and c.restored and c.problems() == []


def _joints(ink: np.ndarray) -> list[tuple[int, int]]:
    skel = skeletonize(ink).astype(np.uint8)
    pad = np.pad(skel, 1)
    around = (
        sum(np.roll(np.roll(pad, dy, 0), dx, 1) for dy in (-1, 0, 1) for dx in (-1, 0, 1))[
            1:-1, 1:-1
        ]
        - skel
    )
    ys, xs = np.nonzero((skel > 0) & (around >= 3))
    return list(zip(xs.tolist(), ys.tolist(), strict=True))


def test_a_dot_at_a_joint_is_caught() -> None:
    source = PAGES["sleeping_cat"]  # fine, even lines
    ink = placed_source(source, LETTER)
    half = cv2.distanceTransform(ink.astype(np.uint8), cv2.DIST_L2, 5)
    x, y = min(_joints(ink), key=lambda p: half[p[1], p[0]])  # where fine lines meet
    r = round(2.5 * float(np.median(half[skeletonize(ink)])))  # a round dot 2.5x the line
    page = Image.fromarray(ink.astype(np.uint8) * 255)
    ImageDraw.Draw(page).ellipse((x - r, y - r, x + r, y + r), fill=255)
    c = compare(source, as_page(np.asarray(page) > 0), DPI)
    assert c.dots == 1
    assert "1 dots" in c.problems() and "1 dots" in c.problems(0.9, solids=False)
    assert not c.unharmed and not c.restored
    assert c.recall > 0.99 and c.precision > 0.99  # the other measures cannot see it


def test_joints_left_bold_on_a_thinned_page_are_dots() -> None:
    """A bold drawing (the sun) thinned for small children: the page is held to its own,
    thinner weight, so joints kept as wide as the drawing drew them are dots (they are
    narrower than the drawing's lines, which the plain rule measures against)."""
    source = BOLD["sun"]
    art, _ = clean_page(source, LETTER, LineArtOptions(Audience.AGES_3_5))
    c = compare(source, art, DPI)
    assert c.dots == 0 and c.unharmed, c.problems()
    ink = placed_source(source, LETTER)
    half = cv2.distanceTransform(ink.astype(np.uint8), cv2.DIST_L2, 5)
    line = float(np.median(half[skeletonize(ink)]))
    spots = sorted(_joints(ink), key=lambda p: (p[1], p[0]))[::40][:3]  # three joints apart
    page = art.convert("L").copy()
    for x, y in spots:  # each kept as wide as the drawing's line there
        ImageDraw.Draw(page).ellipse((x - line, y - line, x + line, y + line), fill=0)
    c = compare(source, page, DPI)
    assert c.dots >= 2 and not c.unharmed, c.problems()


def test_lines_a_hair_apart_merged_are_no_dot() -> None:
    """A model's blur erases paper under 0.01 in between two lines (horse_head's mane):
    one line to the eye, within the 0.02 in tolerance, not a dot; a dot there still is."""
    source = PAGES["horse_head"]
    ink = placed_source(source, LETTER).astype(np.uint8)
    hair = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    merged = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, hair) > 0
    assert (merged & ~(ink > 0)).sum() > 500  # the drawing has such slits
    c = compare(source, as_page(merged), DPI)
    assert c.dots == 0 and c.blobs == 0


def test_a_blob_away_from_the_lines_is_caught(dog: np.ndarray) -> None:
    page = Image.fromarray(dog.astype(np.uint8) * 255)
    ImageDraw.Draw(page).ellipse((40, 40, 60, 60), fill=255)  # 0.07 in, in the margin
    c = compare(PAGES["dog_head"], as_page(np.asarray(page) > 0), DPI)
    assert c.blobs == 1 and c.problems() == c.problems(0.9, solids=False) == ["1 blobs"]
    assert not c.unharmed and not c.restored


def test_a_removed_line_is_caught(dog: np.ndarray) -> None:
    ink = dog.copy()
    rows = np.flatnonzero(ink.any(axis=1))
    top = rows[0] + (rows[-1] - rows[0]) // 4
    ink[rows[0] : top] = False  # the top quarter of the drawing's lines gone
    c = compare(PAGES["dog_head"], as_page(ink), DPI)
    assert c.recall < 0.9 and c.precision == 1.0
    assert f"lines lost (recall {c.recall:.2f})" in c.problems(0.9, solids=False)
    assert not c.unharmed and not c.restored


def test_an_invented_line_is_caught(dog: np.ndarray) -> None:
    page = Image.fromarray(dog.astype(np.uint8) * 255)
    draw = ImageDraw.Draw(page)
    for k in range(6):  # hatching across the page, as a speck rule gone wrong might leave
        draw.line((100, 300 + 400 * k, 2200, 500 + 400 * k), fill=255, width=4)
    c = compare(PAGES["dog_head"], as_page(np.asarray(page) > 0), DPI)
    assert c.precision < 0.9 and c.recall == 1.0
    assert f"lines invented (precision {c.precision:.2f})" in c.problems(0.9, solids=False)
    assert not c.unharmed and not c.restored


def test_a_closed_gap_is_caught() -> None:
    """Two open ends of one stroke joined (0.1-0.5 in apart): an area the artist left open."""
    source = PAGES["sleeping_cat"]  # 3 areas, and strokes left open (whiskers, fur)
    ink = placed_source(source, LETTER)
    before = closed_areas(ink, 0.01 * DPI**2)
    skel = skeletonize(ink)
    _, strokes = cv2.connectedComponents(ink.astype(np.uint8), connectivity=8)
    ys, xs = np.nonzero(skel)
    ends = [
        (x, y)
        for x, y in zip(xs.tolist(), ys.tolist(), strict=True)
        if skel[y - 1 : y + 2, x - 1 : x + 2].sum() == 2
    ]
    for i, (x, y) in enumerate(ends):
        for bx, by in ends[i + 1 :]:
            if strokes[y, x] != strokes[by, bx] or not 30 <= np.hypot(bx - x, by - y) <= 150:
                continue
            page = Image.fromarray(ink.astype(np.uint8) * 255)
            ImageDraw.Draw(page).line((x, y, bx, by), fill=255, width=8)
            closed = np.asarray(page) > 0
            if closed_areas(closed, 0.01 * DPI**2) > before:
                c = compare(source, as_page(closed), DPI)
                assert c.areas_result > c.areas_source == before and not c.areas_ok
                areas = f"areas {c.areas_source} -> {c.areas_result}"
                assert areas in c.problems() and areas in c.problems(0.9, solids=False)
                assert not c.unharmed and not c.restored
                return
    raise AssertionError("no two open ends of the cat's strokes could be joined")


def test_a_hollowed_solid_is_caught() -> None:
    image = Image.new("L", (1024, 1024), 255)
    draw = ImageDraw.Draw(image)
    draw.ellipse((200, 200, 800, 800), outline=0, width=6)  # a face
    draw.ellipse((380, 420, 404, 450), fill=0)  # two pupils, 0.2 in on the page
    draw.ellipse((580, 420, 604, 450), fill=0)
    ink = placed_source(image, LETTER)
    assert compare(image, as_page(ink), DPI).solids == 2
    hollow = Image.fromarray(ink.astype(np.uint8) * 255)
    x0, y0, w, _ = fit_box(image.size, LETTER)
    scale = w / image.width
    left, top, right, bottom = (
        x0 + 380 * scale,
        y0 + 420 * scale,
        x0 + 404 * scale,
        y0 + 450 * scale,
    )
    inset = 0.02 * DPI  # the left pupil drawn as its outline only
    ImageDraw.Draw(hollow).ellipse(
        (left + inset, top + inset, right - inset, bottom - inset), fill=0
    )
    c = compare(image, as_page(np.asarray(hollow) > 0), DPI)
    assert c.solids == 2 and c.solids_lost == 1
    assert "1/2 small solids lost" in c.problems() and not c.unharmed
    assert "1/2 small solids lost" not in c.problems(0.9, solids=False)  # not deliverable 2's


# the stage on real pages (issue 20's targets) -------------------------------------------


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags)


def test_clean_real_pages_come_out_unharmed() -> None:
    results = []
    for name in SUBSET:
        page, _ = clean_page(PAGES[name], LETTER, LineArtOptions(Audience.ADULTS))
        results.append(compare(PAGES[name], page, DPI).unharmed)
    assert _share(results) >= 0.9


def test_dirty_real_pages_are_restored() -> None:
    results = []
    for seed, name in enumerate(SUBSET):
        dirty = model_dirty(PAGES[name], seed)
        page, _ = clean_page(dirty, LETTER, LineArtOptions(Audience.ADULTS))
        results.append(compare(PAGES[name], page, DPI).restored)
    assert _share(results) >= 0.9


# drawings the comparison finds unharmed that QA flagged for the artist's own style: gaps
# and tiny cells of pen-and-ink detail (brain, tiger), a vine's open curls (celtic_vine), a
# bold symbol's 0.23 in lines (triskell); and bold drawings for toddlers
GOOD_STYLES = ("brain", "celtic_vine", "tiger", "triskell")


def test_qa_passes_good_real_pages() -> None:
    """Issue 20, deliverable 5: good pages pass, each for the audience it suits; judged
    alone (the drawing unknown), the pen-and-ink ones are flagged for their own detail."""
    flags = {}
    for name in GOOD_STYLES:
        page, report = clean_page(PAGES[name], LETTER, LineArtOptions(Audience.ADULTS))
        assert compare(PAGES[name], page, DPI).unharmed, name
        flags[name] = report.reasons
        if name in ("brain", "tiger"):
            ink = ~np.asarray(page, dtype=bool)
            assert qa_page(ink.astype(np.uint8), Audience.ADULTS).flagged, name
    for name in ("dog", "cat", "house"):
        _, report = clean_page(BOLD[name], LETTER, LineArtOptions(Audience.AGES_3_5))
        flags[name] = report.reasons
    assert not any(flags.values()), flags
