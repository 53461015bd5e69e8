"""The issue-form parser on literal bodies: every case GitHub (or a person) can produce."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.book.spec import parse_spec
from bot.book.yamlio import load_yaml
from bot.errors import UserInputError
from bot.github.issue_form import FORM_PATH, form_fields, load_form, parse_issue_form, slug
from bot.github.issue_spec import spec_from_issue
from tests.conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "issue_bodies"

TEMPLATE: dict[str, Any] = {
    "body": [
        {"type": "markdown", "attributes": {"value": "Hello"}},
        {"type": "input", "id": "name", "attributes": {"label": "Name"}},
        {"type": "textarea", "attributes": {"label": "Long story"}},  # id from slug
        {"type": "textarea", "id": "log", "attributes": {"label": "Log", "render": "shell"}},
        {"type": "dropdown", "id": "size", "attributes": {"label": "Size", "options": ["S", "M"]}},
        {
            "type": "dropdown",
            "id": "colours",
            "attributes": {
                "label": "Colours",
                "multiple": True,
                "options": ["Red", "Red, dark", "Blue"],
            },
        },
        {
            "type": "checkboxes",
            "id": "agree",
            "attributes": {"label": "Agree", "options": [{"label": "Yes"}, {"label": "Also"}]},
        },
    ]
}


def parse(body: str | None) -> dict[str, Any]:
    return parse_issue_form(body if body is None else inspect.cleandoc(body), TEMPLATE).values


def test_field_ids_fall_back_to_label_slug() -> None:
    assert [f.id for f in form_fields(TEMPLATE)] == [
        "name",
        "long_story",
        "log",
        "size",
        "colours",
        "agree",
    ]
    assert slug("Page subjects (one per line)") == "page_subjects_one_per_line"


def test_every_kind_is_typed() -> None:
    values = parse(
        """
        ### Name

        Ada

        ### Long story

        line one

        line three

        ### Log

        ```shell
        $ make
        ok
        ```

        ### Size

        M

        ### Colours

        Red, dark, Blue

        ### Agree

        - [X] Yes
        - [ ] Also
        """
    )
    assert values == {
        "name": "Ada",
        "long_story": "line one\n\nline three",  # blank lines inside kept
        "log": "$ make\nok",
        "size": "M",
        "colours": ["Red, dark", "Blue"],  # options may contain commas
        "agree": ["Yes"],
    }


def test_no_response_is_empty_for_every_kind() -> None:
    body = "\n\n".join(
        f"### {label}\n\n_No response_"
        for label in ("Name", "Long story", "Log", "Size", "Colours", "Agree")
    )
    assert parse(body) == {
        "name": None,
        "long_story": None,
        "log": None,
        "size": None,
        "colours": [],
        "agree": [],
    }


def test_none_is_empty_only_for_dropdowns() -> None:
    values = parse("### Name\n\nNone\n\n### Size\n\nNone")
    assert values["name"] == "None"  # a person may type None as a name
    assert values["size"] is None


def test_empty_render_fence_is_null() -> None:
    assert parse("### Log\n\n```shell\n```")["log"] is None
    assert parse("### Log\n\n```shell\n\n```")["log"] is None


def test_crlf_body() -> None:
    values = parse("### Name\r\n\r\nAda\r\n\r\n### Long story\r\n\r\na\r\n\r\nb")
    assert values["name"] == "Ada" and values["long_story"] == "a\n\nb"


def test_null_and_empty_bodies() -> None:
    assert parse(None)["name"] is None
    assert parse("")["agree"] == []


def test_text_before_first_heading_is_ignored() -> None:
    assert parse("Hi bot!\n\n### Name\n\nAda")["name"] == "Ada"


def test_missing_sections_leave_others_intact() -> None:
    values = parse("### Name\n\nAda\n\n### Size\n\nS")
    assert values["name"] == "Ada" and values["size"] == "S" and values["long_story"] is None


def test_unknown_or_earlier_heading_is_content() -> None:
    values = parse(
        """
        ### Name

        Ada

        ### Long story

        ### Chapter one
        ### Name
        it begins

        ### Size

        S
        """
    )
    assert values["long_story"] == "### Chapter one\n### Name\nit begins"
    assert values["size"] == "S"


def test_heading_inside_a_closed_fence_is_content() -> None:
    values = parse("### Log\n\n```shell\n### Size\n```\n\n### Size\n\nM")
    assert values["log"] == "### Size"
    assert values["size"] == "M"


def test_unclosed_fence_does_not_swallow_later_fields() -> None:
    values = parse("### Long story\n\n```\nno end\n\n### Size\n\nS\n\n### Agree\n\n- [x] Also")
    assert values["long_story"] == "```\nno end"
    assert values["size"] == "S"
    assert values["agree"] == ["Also"]


def test_unknown_dropdown_choice_is_a_problem_naming_the_label() -> None:
    parsed = parse_issue_form("### Size\n\nXL\n\n### Colours\n\nGreen", TEMPLATE)
    assert parsed.problems == [
        "Size: `XL` is not one of the choices",
        "Colours: `Green` is not a list of the choices",
    ]


def test_required_field_missing() -> None:
    template = {
        "body": [
            {
                "type": "input",
                "id": "t",
                "attributes": {"label": "T"},
                "validations": {"required": True},
            }
        ]
    }
    assert parse_issue_form("### T\n\n_No response_", template).problems == [
        "T: an answer is required"
    ]


# --- our coloring-book form -------------------------------------------------------------


def test_shipped_form_matches_the_repository_form() -> None:
    assert (ROOT / FORM_PATH).read_text() == (ROOT / "bot/templates/coloring-book.yml").read_text()


def test_form_applies_the_label() -> None:
    assert "ebook-generation" in load_form()["labels"]


def test_complete_body_becomes_a_spec() -> None:
    spec = spec_from_issue((FIXTURES / "complete.md").read_text(), load_form(), default_seed=42)
    assert spec.title == "Ocean Friends"
    assert spec.subtitle is None
    assert spec.audience.value == "6-8"
    assert spec.page_subjects()[:4] == [
        "a sea turtle",
        "a lighthouse",
        "a happy whale",
        "a sea turtle",
    ]
    assert spec.pages.total == 30
    assert spec.trim.value == "8x10" and spec.paper.value == "cream"
    assert spec.single_sided is False
    assert spec.front_matter.belongs_to is False and spec.front_matter.title_page is True
    assert spec.cover.background == "#0077b6"
    assert spec.seed == 42  # the issue number when no seed is given


def test_untouched_options_give_the_usual_book() -> None:
    body = "### Title\n\nT\n\n### Author\n\nA\n\n### Page subjects (one per line)\n\ncat"
    spec = spec_from_issue(body, load_form())
    assert spec.single_sided and spec.page_numbers and spec.front_matter.title_page
    assert not spec.bleed


def test_the_seal_more_gaps_option_seals_the_pages() -> None:
    """Ticked, the book's pages seal more gaps (`pages.gaps: sealed`); unticked (the usual
    book), only the breaks the evidence supports."""
    body = (FIXTURES / "complete.md").read_text()
    assert spec_from_issue(body, load_form()).pages.gaps.value == "evidence"
    ticked = body.replace("- [ ] Seal more gaps", "- [x] Seal more gaps")
    assert ticked != body
    assert spec_from_issue(ticked, load_form()).pages.gaps.value == "sealed"


def test_problems_are_named_by_form_label() -> None:
    body = inspect.cleandoc(
        """
        ### Title

        _No response_

        ### Number of pages

        lots

        ### Trim size

        5 x 5 in

        ### Cover background colour

        blue
        """
    )
    with pytest.raises(UserInputError) as info:
        spec_from_issue(body, load_form())
    problems = info.value.problems
    assert "Title: an answer is required" in problems
    assert "Number of pages: `lots` is not a whole number" in problems
    assert "Trim size: `5 x 5 in` is not one of the choices" in problems
    assert any(p.startswith("Cover background colour:") for p in problems)
    assert any(p.startswith("Author:") for p in problems)
    assert all(not p.startswith(("pages", "cover.", "trim")) for p in problems)


def test_hostile_text_stays_plain_data() -> None:
    body = (
        "### Title\n\n!!python/object/apply:os.system ['rm -rf /']\n\n"
        "### Author\n\n$(whoami) `id` ../../etc/passwd\n\n"
        "### Page subjects (one per line)\n\n&a [*a]\n{{ secrets.GITHUB_TOKEN }}"
    )
    spec = spec_from_issue(body, load_form())
    assert spec.title.startswith("!!python")
    again = spec.to_yaml()
    assert parse_spec(load_yaml(again)) == spec  # the dump quotes it: no tag, no alias


def run_parse(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "parse-issue", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        input=stdin,
        timeout=60,
    )


def test_parse_issue_command_prints_spec_yaml() -> None:
    result = run_parse("--body", str(FIXTURES / "complete.md"), "--issue", "7")
    assert result.returncode == 0, result.stderr
    assert "title: Ocean Friends\n" in result.stdout and "seed: 7\n" in result.stdout


def test_parse_issue_raw_json() -> None:
    result = run_parse("--body", str(FIXTURES / "complete.md"), "--raw")
    fields = json.loads(result.stdout)
    assert fields["options"] == [
        "Print pictures on both sides of the paper",
        'No "This book belongs to" page',
    ]
    assert fields["subtitle"] is None


def test_parse_issue_invalid_exits_2_one_line_per_problem() -> None:
    result = run_parse("--body", "-", stdin="### Trim size\n\nhuge\n")
    assert result.returncode == 2
    assert "Trim size: `huge` is not one of the choices" in result.stderr
    assert "Traceback" not in result.stderr


def test_parse_issue_with_another_template(tmp_path: Path) -> None:
    form = tmp_path / "form.yml"
    form.write_text(json.dumps(TEMPLATE))
    body = tmp_path / "body.md"
    body.write_text("### Name\n\nAda\n")
    result = run_parse("--body", str(body), "--template", str(form), "--raw")
    assert json.loads(result.stdout)["name"] == "Ada"
