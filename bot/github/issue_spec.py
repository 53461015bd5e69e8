"""From the coloring-book issue form's fields to a validated book spec.

Problems are reported by the form field's label, the words the person filling the form saw.
"""

from __future__ import annotations

from typing import Any

from bot.book.spec import BookSpec, parse_spec
from bot.errors import UserInputError
from bot.github.issue_form import ParsedForm, parse_issue_form
from bot.text import shown

AUDIENCES = {
    "Adults": "adults",
    "Teens": "teens",
    "Ages 9-12": "9-12",
    "Ages 6-8": "6-8",
    "Ages 3-5": "3-5",
}
TRIMS = {
    "8.5 x 11 in": "8.5x11",
    "8 x 10 in": "8x10",
    "6 x 9 in": "6x9",
    "8.5 x 8.5 in": "8.5x8.5",
    "7 x 10 in": "7x10",
    "8.25 x 8.25 in": "8.25x8.25",
    "8.27 x 11.69 in (A4)": "8.27x11.69",
}
PAPERS = {"White": "white", "Cream": "cream"}
OPT_BOTH_SIDES = "Print pictures on both sides of the paper"
OPT_NO_TITLE = "No title page"
OPT_NO_COPYRIGHT = "No copyright page"
OPT_NO_BELONGS = 'No "This book belongs to" page'
OPT_NO_NUMBERS = "No page numbers"
OPT_BLEED = "Bleed (the page runs 0.125 in past the trim)"
OPT_SEALED = "Seal more gaps (also join lines that stop just short of another line)"

# spec path (as validation reports it) -> the form field id that fed it
_SPEC_TO_FIELD = {
    "title": "title",
    "subtitle": "subtitle",
    "author": "author",
    "audience": "audience",
    "theme": "theme",
    "style": "style",
    "pages.subjects": "subjects",
    "pages.count": "page_count",
    "pages": "subjects",
    "seed": "seed",
    "trim": "trim",
    "paper": "paper",
    "cover.subject": "cover_subject",
    "cover.background": "cover_background",
    "cover.title_color": "cover_title_color",
    "cover.back_text": "back_text",
}


def _int(text: str | None, label: str, problems: list[str]) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip().replace(",", ""))
    except ValueError:
        problems.append(f"{label}: `{shown(text.strip())}` is not a whole number")
        return None


def spec_data(
    form: ParsedForm, *, default_seed: int = 1, year: int | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Plain spec data from the form's typed values, and the problems found on the way;
    `year` (the issue's) becomes the copyright year."""
    v, label = form.values, form.labels
    problems = list(form.problems)

    def text(key: str) -> str | None:
        value = v.get(key)
        return value if isinstance(value, str) else None

    options = v.get("options") or []
    subjects = [ln.strip(" \t-*") for ln in (text("subjects") or "").split("\n")]
    data: dict[str, Any] = {
        "title": text("title"),
        "author": text("author"),
        "audience": AUDIENCES.get(text("audience") or "Adults", text("audience")),
        "pages": {"subjects": [s for s in subjects if s]},
        "seed": default_seed,
        "trim": TRIMS.get(text("trim") or "8.5 x 11 in", text("trim")),
        "paper": PAPERS.get(text("paper") or "White", text("paper")),
        "bleed": OPT_BLEED in options,
        "single_sided": OPT_BOTH_SIDES not in options,
        "front_matter": {
            "title_page": OPT_NO_TITLE not in options,
            "copyright_page": OPT_NO_COPYRIGHT not in options,
            "belongs_to": OPT_NO_BELONGS not in options,
        },
        "page_numbers": OPT_NO_NUMBERS not in options,
        "year": year,
    }
    if OPT_SEALED in options:
        data["pages"]["gaps"] = "sealed"
    for key in ("subtitle", "theme", "style"):
        if text(key):
            data[key] = text(key)
    count = _int(text("page_count"), label.get("page_count", "Number of pages"), problems)
    if count is not None:
        data["pages"]["count"] = count
    seed = _int(text("seed"), label.get("seed", "Seed"), problems)
    if seed is not None:
        data["seed"] = seed
    cover = {
        k: text(f)
        for k, f in (
            ("subject", "cover_subject"),
            ("background", "cover_background"),
            ("title_color", "cover_title_color"),
            ("back_text", "back_text"),
        )
        if text(f)
    }
    if cover:
        data["cover"] = cover
    return {k: val for k, val in data.items() if val is not None}, problems


def issue_year(created_at: object) -> int | None:
    """The year an issue was opened ('2026-03-01T12:00:00Z'), or None when unknown: the
    spec's copyright year, fixed when the issue is made so a rebuild never changes it."""
    if isinstance(created_at, str) and len(created_at) >= 4 and created_at[:4].isdigit():
        return int(created_at[:4])
    return None


def spec_from_issue(
    body: str | None, form: dict[str, Any], *, default_seed: int = 1, year: int | None = None
) -> BookSpec:
    """Parse and validate an issue body; every problem named by its form label."""
    parsed = parse_issue_form(body, form)
    data, problems = spec_data(parsed, default_seed=default_seed, year=year)
    spec: BookSpec | None = None
    try:
        spec = parse_spec(data, source="issue")
    except UserInputError as exc:
        for line in exc.problems:
            path, _, message = line.partition(": ")
            base = path.split("[")[0]
            field_id = _SPEC_TO_FIELD.get(base) or _SPEC_TO_FIELD.get(base.rsplit(".", 1)[0])
            where = parsed.labels.get(field_id or "", path)
            problems.append(f"{where}: {message}")
    if problems or spec is None:
        unique = list(dict.fromkeys(problems))
        raise UserInputError("the issue form has problems", unique)
    return spec
