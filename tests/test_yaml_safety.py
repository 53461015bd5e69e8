"""Hostile spec files: each refused with a clear message, never constructed."""

from __future__ import annotations

import pytest

from bot.book.spec import load_spec
from bot.book.yamlio import MAX_SPEC_BYTES, load_yaml
from bot.errors import SpecError

ALIAS_BOMB = """
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


def test_alias_bomb_is_refused() -> None:
    with pytest.raises(SpecError, match="anchors and aliases are not allowed"):
        load_yaml(ALIAS_BOMB)


@pytest.mark.parametrize(
    "text",
    [
        "title: !!python/object/apply:os.system ['echo pwned']",
        "title: !custom x",
        "pages: !!set {a, b}",
        "--- !!map\ntitle: x",
    ],
)
def test_tags_are_refused(text: str) -> None:
    with pytest.raises(SpecError, match="YAML tags are not allowed"):
        load_yaml(text)


def test_plain_data_still_loads() -> None:
    assert load_yaml("title: 'x'\nn: 3\nflag: true\nitems: [1, 2]\n") == {
        "title": "x",
        "n": 3,
        "flag": True,
        "items": [1, 2],
    }


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(SpecError, match="duplicate key 'title' at line 2"):
        load_yaml("title: a\ntitle: b\n")


def test_size_cap(tmp_path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"title: x\n" + b"# padding\n" * (10 * 1024 * 1024 // 10))
    with pytest.raises(SpecError, match=f"at most {MAX_SPEC_BYTES:,} bytes"):
        load_spec(big)


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(SpecError, match=r"not valid YAML: .*line 2"):
        load_yaml("title: x\n  bad: [unclosed\n")


def test_not_utf8() -> None:
    with pytest.raises(SpecError, match="not UTF-8"):
        load_yaml(b"title: \xff\xfe\n")


def test_missing_file(tmp_path) -> None:
    with pytest.raises(SpecError, match="no such spec file"):
        load_spec(tmp_path / "nope.yaml")


def test_c_and_python_emitters_write_the_same_bytes() -> None:
    import yaml

    from bot.book.spec import parse_spec
    from bot.book.yamlio import DUMPER, PY_DUMPER, dump_yaml
    from tests.conftest import EXAMPLES, minimal_spec

    assert hasattr(yaml, "CSafeDumper")  # the fast path is really in use here
    corpus = [load_spec(p).to_data() for p in sorted(EXAMPLES.glob("*.yaml"))]
    corpus.append(
        parse_spec(
            minimal_spec(
                title="Café: \"quoted\" #1 — 色 'x' ~ null yes 0x1F",
                cover={"back_text": "two\nlines\n  indented\n"},
                pages={
                    "subjects": [
                        ("a very long subject with many words " * 8)[:290],
                        "- dash",
                        "{x}",
                    ]
                },
            )
        ).to_data()
    )
    for data in corpus:
        assert dump_yaml(data, DUMPER) == dump_yaml(data, PY_DUMPER)
