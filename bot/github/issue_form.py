"""A generic parser for bodies of GitHub issues created from an issue form.

GitHub renders each form field as a `### Label` heading followed by the answer. Given the
form's YAML, this splits the body into sections (in template order, a section may be
missing), and types each answer by its field kind. Pure: text in, data out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from bot.book.yamlio import load_yaml
from bot.errors import UserInputError
from bot.text import shown

MAX_BODY = 65_536  # characters: GitHub's limit for an issue body

NO_RESPONSE = "_No response_"
FORM_PATH = Path(".github") / "ISSUE_TEMPLATE" / "coloring-book.yml"
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_CHECKBOX = re.compile(r"^\s*[-*] \[([ xX])\] (.*?)\s*$")

Value = str | list[str] | None


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    kind: str  # input | textarea | dropdown | checkboxes
    options: tuple[str, ...] = ()
    multiple: bool = False
    render: str | None = None
    required: bool = False


@dataclass
class ParsedForm:
    values: dict[str, Value]
    problems: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # field id -> label


def slug(label: str) -> str:
    """The id GitHub-less tools use for a field without one: a lowercase slug of its label."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def form_fields(template: dict[str, Any]) -> list[FormField]:
    """The answerable fields of an issue-form template (markdown blocks carry no answer)."""
    fields = []
    for element in template.get("body") or []:
        kind = element.get("type")
        if kind not in ("input", "textarea", "dropdown", "checkboxes"):
            continue
        attrs = element.get("attributes") or {}
        label = str(attrs.get("label", "")).strip()
        options: list[str] = []
        for option in attrs.get("options") or []:
            options.append(str(option["label"] if isinstance(option, dict) else option).strip())
        fields.append(
            FormField(
                id=str(element.get("id") or slug(label)),
                label=label,
                kind=kind,
                options=tuple(options),
                multiple=bool(attrs.get("multiple", False)),
                render=attrs.get("render"),
                required=bool((element.get("validations") or {}).get("required", False)),
            )
        )
    return fields


def _protected_lines(lines: list[str]) -> set[int]:
    """Lines inside closed code fences: a heading there is content. An unclosed fence
    protects nothing, so it can never swallow the fields after it."""
    protected: set[int] = set()
    i = 0
    while i < len(lines):
        opener = _FENCE.match(lines[i])
        if not opener:
            i += 1
            continue
        marker = opener.group(1)
        for j in range(i + 1, len(lines)):
            closer = _FENCE.match(lines[j])
            if (
                closer
                and closer.group(1)[0] == marker[0]
                and len(closer.group(1)) >= len(marker)
                and not closer.group(2).strip()
            ):
                protected.update(range(i, j + 1))
                i = j + 1
                break
        else:
            i += 1
    return protected


def split_sections(body: str | None, labels: list[str]) -> dict[int, str]:
    """Section text by field position. A `### ` line starts a section only when it names a
    field after the current one; any other heading is content of the current field."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    protected = _protected_lines(lines)
    sections: dict[int, list[str]] = {}
    current: int | None = None  # text before the first heading belongs to no field
    for n, line in enumerate(lines):
        if line.startswith("### ") and n not in protected:
            heading = line[4:].strip()
            start = -1 if current is None else current
            ahead = [k for k in range(start + 1, len(labels)) if labels[k] == heading]
            if ahead:
                current = ahead[0]
                sections[current] = []
                continue
        if current is not None:
            sections[current].append(line)
    return {k: "\n".join(v).strip("\n") for k, v in sections.items()}


def _unfence(text: str) -> str | None:
    """A `render:` textarea's answer without the fence GitHub wrapped it in."""
    lines = text.split("\n")
    if len(lines) >= 2 and _FENCE.match(lines[0]) and _FENCE.match(lines[-1]):
        inner = "\n".join(lines[1:-1])
        return inner if inner.strip() else None
    if len(lines) == 1 and _FENCE.match(lines[0]):
        return None  # an empty fence
    return text


def _split_multiple(text: str, options: tuple[str, ...]) -> list[str] | None:
    """Split a multi-select answer joined with ", ", where options may contain commas."""
    chosen: list[str] = []
    rest = text
    while rest:
        match = max(
            (o for o in options if rest == o or rest.startswith(o + ", ")),
            key=len,
            default=None,
        )
        if match is None:
            return None
        chosen.append(match)
        rest = rest[len(match) + 2 :]
    return chosen


def _typed(f: FormField, raw: str | None, problems: list[str]) -> Value:
    text = (raw or "").strip()
    empty = text in ("", NO_RESPONSE) or (f.kind == "dropdown" and text == "None")
    if f.kind == "checkboxes":
        checked = []
        for line in (raw or "").split("\n"):
            box = _CHECKBOX.match(line)
            if box and box.group(1) in "xX":
                label = box.group(2)
                if label in f.options:
                    checked.append(label)
                else:
                    problems.append(f"{f.label}: `{shown(label)}` is not one of the choices")
        return checked
    if empty:
        return [] if f.kind == "dropdown" and f.multiple else None
    if f.kind == "dropdown":
        if f.multiple:
            parts = _split_multiple(text, f.options)
            if parts is None:
                problems.append(f"{f.label}: `{shown(text)}` is not a list of the choices")
                return []
            return parts
        if text not in f.options:
            problems.append(f"{f.label}: `{shown(text)}` is not one of the choices")
            return None
        return text
    if f.kind == "textarea" and f.render:
        return _unfence(text)
    return text


def parse_issue_form(body: str | None, template: dict[str, Any]) -> ParsedForm:
    """Field values keyed by id, typed by kind, with one problem line per bad answer."""
    if body is not None and len(body) > MAX_BODY:
        # GitHub itself refuses longer bodies: this one did not come from an issue
        raise UserInputError(
            f"the issue body is {len(body):,} characters; GitHub allows at most {MAX_BODY:,}"
        )
    fields = form_fields(template)
    sections = split_sections(body, [f.label for f in fields])
    problems: list[str] = []
    values: dict[str, Value] = {}
    for position, f in enumerate(fields):
        values[f.id] = _typed(f, sections.get(position), problems)
        if f.required and values[f.id] in (None, []):
            problems.append(f"{f.label}: an answer is required")
    return ParsedForm(values, problems, {f.id: f.label for f in fields})


def load_form(path: Path | None = None) -> dict[str, Any]:
    """The issue form's YAML: the given file, else the one shipped with the bot."""
    if path is None:
        text = (resources.files("bot") / "templates" / "coloring-book.yml").read_text("utf-8")
        source = "coloring-book.yml"
    else:
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise UserInputError(f"{path}: cannot read issue form ({exc.strerror})") from None
        source = str(path)
    form = load_yaml(text, source=source)
    if not isinstance(form, dict) or not isinstance(form.get("body"), list):
        raise UserInputError(f"{source}: not an issue form (no `body:` list)")
    return form
