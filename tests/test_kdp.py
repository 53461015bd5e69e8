"""KDP geometry: margins, spine, cover and the interior plan, as pure functions."""

from __future__ import annotations

import pytest

from bot.book.kdp import (
    PageKind,
    cover_size,
    inside_margin,
    page_size,
    plan_interior,
    spine_width,
)
from bot.book.spec import Paper, Trim, parse_spec
from bot.errors import SpecError
from tests.conftest import minimal_spec


@pytest.mark.parametrize(
    ("pages", "margin"),
    [
        (24, 0.375),
        (150, 0.375),
        (151, 0.5),
        (300, 0.5),
        (301, 0.625),
        (500, 0.625),
        (501, 0.75),
        (700, 0.75),
        (701, 0.875),
        (828, 0.875),
    ],
)
def test_inside_margin_table(pages: int, margin: float) -> None:
    assert inside_margin(pages) == margin


def test_inside_margin_beyond_kdp() -> None:
    with pytest.raises(ValueError, match="828"):
        inside_margin(829)


def test_page_size_with_and_without_bleed() -> None:
    assert page_size(Trim.T8_5X11, False) == (8.5, 11.0)
    assert page_size(Trim.T8_5X11, True) == (8.625, 11.25)
    assert page_size(Trim.T6X9, True) == (6.125, 9.25)


@pytest.mark.parametrize(
    ("pages", "paper", "spine"),
    [
        (24, Paper.WHITE, 0.054048),
        (100, Paper.WHITE, 0.2252),
        (100, Paper.CREAM, 0.25),
        (828, Paper.WHITE, 1.864656),
    ],
)
def test_spine_width(pages: int, paper: Paper, spine: float) -> None:
    assert spine_width(pages, paper) == pytest.approx(spine)


def test_cover_size_is_full_wrap() -> None:
    w, h = cover_size(Trim.T8_5X11, 100, Paper.WHITE)
    assert w == pytest.approx(0.125 + 8.5 + 0.2252 + 8.5 + 0.125)
    assert h == pytest.approx(11.25)


def test_single_sided_plan_puts_art_on_right_hand_pages() -> None:
    plan = plan_interior(parse_spec(minimal_spec()))
    kinds = [p.kind for p in plan.pages]
    assert kinds[:4] == [PageKind.TITLE, PageKind.COPYRIGHT, PageKind.BELONGS_TO, PageKind.BLANK]
    art = [p for p in plan.pages if p.kind is PageKind.ART]
    assert [p.art_index for p in art] == [0, 1, 2, 3]
    assert all(p.recto for p in art)
    for p in art:  # every picture has a blank back
        assert plan.pages[p.number].kind is PageKind.BLANK
    assert plan.page_count == 24 and plan.padding == 24 - 12


def test_double_sided_plan_uses_both_sides() -> None:
    spec = parse_spec(minimal_spec(single_sided=False, pages={"subjects": ["a"], "count": 30}))
    plan = plan_interior(spec)
    art = [p.number for p in plan.pages if p.kind is PageKind.ART]
    assert art == list(range(5, 35))
    assert plan.page_count == 34 and plan.page_count % 2 == 0


def test_front_matter_can_be_left_out() -> None:
    spec = parse_spec(
        minimal_spec(
            front_matter={"title_page": False, "copyright_page": False, "belongs_to": False}
        )
    )
    assert plan_interior(spec).pages[0].kind is PageKind.ART


def test_too_many_pages_names_the_field() -> None:
    spec = parse_spec(minimal_spec(paper="cream", pages={"subjects": ["a"], "count": 390}))
    with pytest.raises(SpecError) as info:
        plan_interior(spec)
    assert info.value.problems[0].startswith("pages.count:")
    assert "776" in info.value.problems[0]


def test_bleed_sits_on_the_outside_edge() -> None:
    plan = plan_interior(parse_spec(minimal_spec(bleed=True)))
    recto, verso = plan.pages[0], plan.pages[1]
    assert plan.trim_box(recto).x == 0  # bleed to the right of a right-hand page
    assert plan.trim_box(verso).x == 9  # 0.125 in to the left of a left-hand page
    assert plan.trim_box(recto).y == 9


def test_live_box_keeps_the_gutter_on_the_binding_side() -> None:
    plan = plan_interior(parse_spec(minimal_spec()))
    recto, verso = plan.pages[0], plan.pages[1]
    assert plan.live_box(recto, False).x == pytest.approx(0.375 * 72)
    assert plan.live_box(verso, False).x == pytest.approx(0.5 * 72)
