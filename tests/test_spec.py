"""The spec model: validation with field paths, canonical YAML, seeds."""

from __future__ import annotations

import pytest

from bot.book.spec import BookSpec, Trim, derive_seed, load_spec, parse_spec
from bot.book.yamlio import load_yaml
from bot.errors import SpecError
from tests.conftest import EXAMPLES, minimal_spec, write_spec


def problems_of(data: object) -> list[str]:
    with pytest.raises(SpecError) as info:
        parse_spec(data)
    return info.value.problems


def test_minimal_spec_gets_documented_defaults() -> None:
    spec = parse_spec(minimal_spec())
    assert spec.trim is Trim.T8_5X11
    assert spec.single_sided is True
    assert spec.bleed is False
    assert spec.providers.coloring_page is None  # the repository config (or procedural) decides
    assert spec.page_subjects() == ["mandala", "maze", "stained glass", "stars"]


def test_subjects_cycle_up_to_count() -> None:
    spec = parse_spec(minimal_spec(pages={"subjects": ["a", "b"], "count": 5}))
    assert spec.page_subjects() == ["a", "b", "a", "b", "a"]


def test_list_shorthand_for_pages() -> None:
    spec = parse_spec(minimal_spec(pages=["cat", "dog"]))
    assert spec.pages.total == 2


def test_unknown_key_is_rejected_with_its_path() -> None:
    assert problems_of(minimal_spec(cover={"colour": "#ffffff"})) == ["cover.colour: unknown field"]
    assert problems_of(minimal_spec(titel="x")) == ["titel: unknown field (did you mean 'title'?)"]


def test_every_problem_is_listed_by_field() -> None:
    problems = problems_of(minimal_spec(trim="9x9", seed="many", audience="toddlers"))
    fields = sorted(p.split(":")[0] for p in problems)
    assert fields == ["audience", "seed", "trim"]
    assert any("'8.5x11'" in p for p in problems if p.startswith("trim"))


def test_missing_required_fields() -> None:
    assert sorted(problems_of({"pages": ["a"]})) == [
        "author: required field is missing",
        "title: required field is missing",
    ]


@pytest.mark.parametrize("count", [0, 401, -3])
def test_page_count_outside_range(count: int) -> None:
    (problem,) = problems_of(minimal_spec(pages={"subjects": ["a"], "count": count}))
    assert problem.startswith("pages.count:")


def test_gaps_are_evidence_unless_the_book_asks_for_more_sealed() -> None:
    assert parse_spec(minimal_spec()).pages.gaps.value == "evidence"
    sealed = parse_spec(minimal_spec(pages={"subjects": ["a"], "gaps": "sealed"}))
    assert sealed.pages.gaps.value == "sealed"
    (problem,) = problems_of(minimal_spec(pages={"subjects": ["a"], "gaps": "all"}))
    assert problem.startswith("pages.gaps:") and "'sealed'" in problem, problem


def test_a_page_count_from_the_command_line_keeps_the_rest_of_pages() -> None:
    """`--pages N` changes how many pages, nothing else the book asked of them (a sealed
    book stays sealed; its own art stays its own)."""
    from bot.book.spec import PagesSpec

    spec = parse_spec(minimal_spec(pages={"subjects": ["a", "b"], "gaps": "sealed", "art": "mine"}))
    fewer = spec.with_page_count(1)
    assert fewer.pages.total == 1
    for field in set(PagesSpec.model_fields) - {"count", "overrides"}:
        assert getattr(fewer.pages, field) == getattr(spec.pages, field), field
    assert spec.with_overrides(provider=None, pages=1).pages.gaps.value == "sealed"


def test_multiline_title_is_refused() -> None:
    (problem,) = problems_of(minimal_spec(title="two\nlines"))
    assert problem.startswith("title:")


def test_bad_colour_names_its_field() -> None:
    (problem,) = problems_of(minimal_spec(cover={"background": "blue"}))
    assert problem.startswith("cover.background:")


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(SpecError, match="mapping"):
        parse_spec(["a", "list"])


def test_canonical_yaml_round_trip_is_byte_identical() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        first = load_spec(path).to_yaml()
        second = parse_spec(load_yaml(first)).to_yaml()
        assert first == second, path
        assert parse_spec(load_yaml(second)) == load_spec(path)


def test_unicode_survives_round_trip(tmp_path) -> None:
    spec = parse_spec(
        minimal_spec(title="Café Ñandú — 色", cover={"back_text": "line one\nline two"})
    )
    path = write_spec(tmp_path / "s.yaml", spec.to_yaml())
    again = load_spec(path)
    assert again.title == "Café Ñandú — 色"
    assert again.to_yaml() == spec.to_yaml()


def test_page_seeds_derive_from_book_seed_and_index() -> None:
    seeds = {derive_seed(7, i) for i in range(200)}
    assert len(seeds) == 200  # distinct per page
    assert derive_seed(7, 3) == derive_seed(7, 3)
    assert derive_seed(7, 3) != derive_seed(8, 3)
    assert derive_seed(7, 3, attempt=1) != derive_seed(7, 3)
    assert all(0 <= s < 2**63 for s in seeds)
    # fixed value: a change here changes every book ever made
    assert (
        derive_seed(1, 0)
        == int.from_bytes(
            __import__("hashlib").blake2b(b"page:1:0:0", digest_size=8).digest(), "big"
        )
        >> 1
    )


def test_spec_sha_is_stable_and_sensitive() -> None:
    a = parse_spec(minimal_spec())
    assert a.sha256() == parse_spec(minimal_spec()).sha256()
    assert a.sha256() != parse_spec(minimal_spec(seed=12)).sha256()


def test_schema_lists_fields() -> None:
    schema = BookSpec.model_json_schema()
    assert {"title", "author", "pages", "trim", "cover", "providers"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False
