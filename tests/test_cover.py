"""The cover: layout geometry for every trim and book size, contrast, the art, the built PDF
(preflight, fonts, sample pages, determinism) and the preview that starts with the wrap."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image, ImageDraw
from pypdf import PdfReader

from bot.book.kdp import (
    BLEED,
    COVER_MARGIN,
    COVER_SAFE,
    POINTS,
    SPINE_CLEARANCE,
    Box,
    cover_art_size_px,
)
from bot.book.pages import make_thumb
from bot.book.palette import contrast_ratio
from bot.book.pdf.cover import write_cover
from bot.book.pdf.cover_layout import CoverLayout, cover_layout, sample_indices
from bot.book.pdf.document import BookFonts
from bot.book.preflight import check_pdf, image_resolutions
from bot.book.preview import render_pdf_page, write_preview
from bot.book.spec import Trim, parse_spec
from tests.conftest import EXAMPLES, minimal_spec

SAFE = COVER_SAFE * POINTS
EPS = 1e-6
FONTS = BookFonts()  # measuring only; shared by the layouts below

LONG = {
    "title": "The Enormous Enchanted Forest of Tiny Woodland Creatures and Friends",
    "subtitle": "Seventy Detailed Illustrations to Color for Relaxation and Mindfulness",
    "author": "Maximiliana Konstantinopoulou-Featherstonehaugh",
    "cover": {
        "back_text": ("A long description of what waits inside this book. " * 12)[:600],
        "isbn": "978-0-306-40615-7",
        "background": "#f4a261",
        "title_color": "#e9c46a",  # too close to the background: must be adjusted
    },
}


def inside(inner: Box, outer: Box) -> bool:
    return (
        inner.x >= outer.x - EPS
        and inner.y >= outer.y - EPS
        and inner.x + inner.w <= outer.x + outer.w + EPS
        and inner.y + inner.h <= outer.y + outer.h + EPS
    )


def overlaps(a: Box, b: Box) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def layouts() -> list[tuple[str, Trim, int, dict[str, object]]]:
    cases = []
    for trim in Trim:
        for pages in (24, 80, 500):
            for name, extra in (("short", {}), ("long", LONG)):
                cases.append((f"{trim.value}-{pages}-{name}", trim, pages, extra))
    return cases


@pytest.fixture(params=layouts(), ids=lambda case: case[0])
def layout(request: pytest.FixtureRequest) -> CoverLayout:
    _, trim, pages, extra = request.param
    spec = parse_spec(minimal_spec(trim=trim.value, **extra))
    return cover_layout(spec, pages, FONTS)


def test_panels_tile_the_wrap(layout: CoverLayout) -> None:
    b = BLEED * POINTS
    assert layout.back.x == pytest.approx(b)
    assert layout.spine.x == pytest.approx(layout.back.x + layout.back.w)
    assert layout.front.x == pytest.approx(layout.spine.x + layout.spine.w)
    assert layout.front.x + layout.front.w + b == pytest.approx(layout.width)


def test_art_is_framed_inside_the_front_safe_area(layout: CoverLayout) -> None:
    assert inside(layout.art_frame, layout.safe(layout.front))
    assert inside(layout.art, layout.art_frame)
    # a portrait or square panel never gets a wide, short strip of art
    assert layout.art.h >= 0.5 * layout.art.w


def test_front_and_back_text_inside_the_safe_area(layout: CoverLayout) -> None:
    for run in layout.texts:
        if run.role == "spine":
            continue
        panel = layout.front if run.box.x >= layout.front.x else layout.back
        assert inside(run.box, layout.safe(panel)), (run.role, run.text)


def test_front_texts_clear_of_each_other_and_the_art(layout: CoverLayout) -> None:
    front = [t for t in layout.texts if t.role in ("title", "subtitle", "author", "badge")]
    assert {t.role for t in front} >= {"title", "author", "badge"}
    for i, a in enumerate(front):
        assert not overlaps(a.box, layout.art_frame), a.text
        for b in front[i + 1 :]:
            if a.role != b.role:
                assert not overlaps(a.box, b.box), (a.text, b.text)
    assert layout.badge is not None
    assert inside(layout.badge.box, layout.safe(layout.front))
    (badge_run,) = layout.runs("badge")
    assert inside(badge_run.box, layout.badge.box)


def test_title_is_set_large_in_the_display_face(layout: CoverLayout) -> None:
    titles = layout.runs("title")
    assert titles and all(t.font is FONTS.display for t in titles)
    assert min(t.size for t in titles) >= 20
    for blurb in layout.runs("blurb"):
        assert 11 <= blurb.size <= 13 and blurb.font is FONTS.regular


def test_every_text_has_contrast_4_5(layout: CoverLayout) -> None:
    for run in layout.texts:
        assert contrast_ratio(run.colour, run.under) >= 4.5, (run.role, run.colour, run.under)


def test_sample_pages_on_the_back_clear_of_the_barcode(layout: CoverLayout) -> None:
    assert 3 <= len(layout.thumbs) <= 4
    safe_back = layout.safe(layout.back)
    text_boxes = [t.box for t in layout.texts if t.role in ("heading", "blurb", "isbn", "feature")]
    for thumb in layout.thumbs:
        assert inside(thumb.bounds, safe_back)
        assert not overlaps(thumb.bounds, layout.barcode)
        for box in text_boxes:
            assert not overlaps(thumb.bounds, box)
    for run in layout.texts:
        if run.role != "spine":
            assert not overlaps(run.box, layout.barcode), run.text


def test_barcode_area_is_kdps(layout: CoverLayout) -> None:
    bc, back = layout.barcode, layout.back
    assert (bc.w / POINTS, bc.h / POINTS) == pytest.approx((2.0, 1.2))
    assert (back.x + back.w - bc.x - bc.w) / POINTS == pytest.approx(0.25)
    isbn = layout.runs("isbn")
    if isbn:  # printed under the area, which moves up to make room
        assert isbn[0].box.y + isbn[0].box.h < bc.y
        assert isbn[0].box.y >= back.y + SAFE
        assert bc.x <= isbn[0].box.x and isbn[0].box.x + isbn[0].box.w <= bc.x + bc.w
    else:
        assert (bc.y - back.y) / POINTS == pytest.approx(0.25)


def test_spine_text_fits_the_spine_with_clearance(layout: CoverLayout) -> None:
    spine_runs = layout.runs("spine")
    if layout.spine.w < 79 * 0.002252 * POINTS - EPS:
        assert spine_runs == []
        return
    (run,) = spine_runs
    clear = SPINE_CLEARANCE * POINTS
    s = layout.spine
    room = Box(s.x + clear, s.y + SAFE, s.w - 2 * clear, s.h - 2 * SAFE)
    assert inside(run.box, room)
    # sized to the spine: as thick as it allows, capped at 20 pt, or as long as it is
    long_enough = run.box.h >= 0.95 * (s.h - 2 * COVER_MARGIN * POINTS)
    assert run.box.w >= 0.6 * room.w or run.size == 20.0 or long_enough


def test_contrast_is_fixed_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    spec = parse_spec(minimal_spec(cover={"background": "#f4a261", "title_color": "#e9c46a"}))
    assert contrast_ratio("#e9c46a", "#f4a261") < 2
    with caplog.at_level(logging.WARNING, logger="bot"):
        layout = write_cover(spec, 30, Image.new("RGB", (30, 30)), tmp_path / "c.pdf")
    assert layout.palette.ink != "#e9c46a"
    assert contrast_ratio(layout.palette.ink, "#f4a261") >= 4.5
    assert "cover.title_color #e9c46a" in caplog.text and "4.5:1" in caplog.text


def test_cards_in_rows_never_cover_each_other(layout: CoverLayout) -> None:
    """Neighbours in a row may overlap a little (a loose pile); a card in one row never
    reaches into another row."""
    cards = layout.thumbs
    for i, a in enumerate(cards):
        for b in cards[i + 1 :]:
            if abs(a.cy - b.cy) > EPS:
                assert (
                    a.bounds.y >= b.bounds.y + b.bounds.h or b.bounds.y >= a.bounds.y + a.bounds.h
                )


def test_a_tall_back_shows_larger_sample_pages_in_two_rows() -> None:
    """Where the panel has room under the blurb for two rows of larger cards (one row would
    leave two empty bands), the samples come in two rows; a narrow or crowded back keeps
    one row."""
    letter = cover_layout(parse_spec(minimal_spec(trim="8.5x11")), 30, FONTS)
    narrow = cover_layout(parse_spec(minimal_spec(trim="6x9")), 30, FONTS)
    toddlers = yaml.safe_load((EXAMPLES / "shapes-toddlers.yaml").read_text())
    crowded = cover_layout(parse_spec(toddlers), 30, FONTS)  # 8.5x8.5 with a long blurb
    assert len({round(t.cy) for t in letter.thumbs}) == 2
    assert len({round(t.cy) for t in narrow.thumbs}) == 1
    assert len({round(t.cy) for t in crowded.thumbs}) == 1
    assert min(t.w for t in letter.thumbs) > 1.15 * max(t.w for t in crowded.thumbs)
    assert min(t.w for t in letter.thumbs) >= 2.2 * POINTS  # a page a buyer can make out


def test_sample_indices_spread_over_the_book() -> None:
    assert sample_indices(30, 4) == [0, 10, 19, 29]
    assert sample_indices(3, 4) == [0, 1, 2]
    assert sample_indices(1, 3) == [0]


def test_sample_pages_leave_out_the_pages_qa_flagged() -> None:
    assert sample_indices(30, 4, frozenset({0, 10})) == [1, 11, 20, 29]
    assert sample_indices(3, 4, frozenset({1})) == [0, 2]
    assert sample_indices(2, 3, frozenset({0, 1})) == [0, 1]  # all flagged: the back not empty
    layout = cover_layout(parse_spec(minimal_spec(trim="8.5x11")), 30, FONTS, frozenset({29}))
    assert 29 not in [t.index for t in layout.thumbs]
    assert len(layout.thumbs) == 4


def test_badge_defaults_and_can_be_set_or_removed() -> None:
    kid = parse_spec(minimal_spec(audience="3-5", pages={"subjects": ["a"], "count": 50}))
    (run,) = cover_layout(kid, 100, FONTS).runs("badge")
    assert run.text == "50 COLORING PAGES \u00b7 AGES 3\u20135"
    own = parse_spec(minimal_spec(cover={"badge": "Big & easy"}))
    assert cover_layout(own, 100, FONTS).runs("badge")[0].text == "BIG & EASY"
    none = parse_spec(minimal_spec(cover={"badge": ""}))
    layout = cover_layout(none, 100, FONTS)
    assert layout.badge is None and layout.runs("badge") == []


def _pages(tmp_path: Path, count: int) -> list[Path]:
    """Line-art pages: black rings on white, 1-bit at the book's art size."""
    paths = []
    for i in range(count):
        img = Image.new("1", (1200, 1600), 1)
        draw = ImageDraw.Draw(img)
        for r in range(100, 600, 80 + 10 * i):
            draw.ellipse((600 - r, 800 - r, 600 + r, 800 + r), outline=0, width=6)
        path = tmp_path / f"{i + 1:03d}.png"
        img.save(path)
        paths.append(path)
    return paths


def _build(
    tmp_path: Path, name: str, pages: list[Path], **spec: object
) -> tuple[Path, CoverLayout]:
    data = minimal_spec(pages={"subjects": ["mandala"], "count": len(pages)}, **spec)
    art = Image.new("RGB", cover_art_size_px(parse_spec(data)), "#abcdef")
    out = tmp_path / name
    layout = write_cover(
        parse_spec(data), 120, art, out, load_sample=lambda i: Image.open(pages[i])
    )
    return out, layout


def test_built_cover_passes_preflight_with_display_font_and_samples(tmp_path: Path) -> None:
    pages = _pages(tmp_path, 6)
    out, layout = _build(tmp_path, "cover.pdf", pages, cover={"isbn": "9780306406157"})
    assert check_pdf(out) == []
    page = PdfReader(out).pages[0]
    fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert any(name.endswith("+LeagueSpartan-Bold") for name in fonts)
    xobjects = page["/Resources"]["/XObject"]
    samples = [n for n in xobjects if n.startswith("/Pg")]
    assert len(samples) == len(layout.thumbs) == 4
    resolutions = dict(image_resolutions(page))
    assert resolutions["/Art"] >= 300  # the front art prints at 300 DPI or more
    assert all(resolutions[n] >= 300 for n in samples)
    text = page.extract_text()
    assert "ISBN 9780306406157" in text and "Test Book" in text


def test_built_cover_is_deterministic(tmp_path: Path) -> None:
    pages = _pages(tmp_path, 3)
    a, _ = _build(tmp_path, "a.pdf", pages)
    b, _ = _build(tmp_path, "b.pdf", pages)
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_cover_art_fills_the_frame_at_300_dpi() -> None:
    for trim in Trim:
        spec = parse_spec(minimal_spec(trim=trim.value))
        layout = cover_layout(spec, 100, FONTS)
        w, h = cover_art_size_px(spec)
        assert w / (layout.art.w / POINTS) == pytest.approx(300, abs=1)
        assert h / (layout.art.h / POINTS) == pytest.approx(300, abs=1)


def test_preview_starts_with_the_wrap_and_stays_small(tmp_path: Path) -> None:
    pages = _pages(tmp_path, 4)
    cover, _ = _build(tmp_path, "cover.pdf", pages, cover={"background": "#1d3557"})
    out = tmp_path / "preview.png"
    thumbs = [make_thumb(Image.open(pages[i % 4])) for i in range(100)]  # a 100-page book
    size = write_preview(cover, thumbs, out)
    assert size == out.stat().st_size <= 1_000_000
    with Image.open(out) as im:
        sheet = np.asarray(im.convert("RGB")).astype(int)
    wrap = np.asarray(render_pdf_page(cover, 300)).astype(int)
    # the sheet's top-left corner is the wrap's back panel: the cover's ground colour
    assert np.abs(sheet[20:40, 20:40] - [0x1D, 0x35, 0x57]).max() <= 8
    assert np.abs(wrap[5:10, 5:10] - [0x1D, 0x35, 0x57]).max() <= 8
    # and the wrap spans the sheet: its front's ground shows near the right edge too
    assert np.abs(sheet[20:40, -40:-20] - [0x1D, 0x35, 0x57]).max() <= 8


def test_a_title_the_display_face_lacks_falls_back_to_dejavu(tmp_path: Path) -> None:
    spec = parse_spec(minimal_spec(title="Раскраска для всех", author="Анна"))
    layout = cover_layout(spec, 100, FONTS)
    assert {t.font for t in layout.runs("title")} == {FONTS.bold}  # no '?' boxes on the cover
    out = tmp_path / "cover.pdf"
    write_cover(spec, 100, Image.new("RGB", cover_art_size_px(spec)), out)
    assert "Раскраска для всех" in PdfReader(out).pages[0].extract_text()
