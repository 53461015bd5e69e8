"""`parse-issue` and `schema`: the spec from an issue body, and the spec's JSON Schema."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.commands.base import Command, typed
from bot.commands.types import issue_number
from bot.errors import UserInputError
from bot.runtime import Runtime


@dataclass(frozen=True)
class ParseIssueArgs:
    body: Path
    template: Path | None
    raw: bool
    issue: int | None


@dataclass(frozen=True)
class NoArgs:
    """A command without options."""


def parse_issue(args: ParseIssueArgs, rt: Runtime) -> int:
    from bot.github.issue_form import load_form, parse_issue_form
    from bot.github.issue_spec import spec_from_issue

    if str(args.body) == "-":
        body = sys.stdin.read()
    else:
        try:
            body = args.body.read_text("utf-8")
        except OSError as exc:
            raise UserInputError(
                f"{args.body}: cannot read the issue body ({exc.strerror})"
            ) from None
        except UnicodeDecodeError:
            raise UserInputError(f"{args.body}: the issue body is not UTF-8 text") from None
    form = load_form(args.template)
    if args.raw:
        parsed = parse_issue_form(body, form)
        print(json.dumps(parsed.values, indent=2, ensure_ascii=False))
        if parsed.problems:
            raise UserInputError("the issue form has problems", parsed.problems)
        return 0
    spec = spec_from_issue(body, form, default_seed=args.issue or 1)
    if args.issue is None and spec.seed == 1:
        # the bot seeds a book with its issue number; say so rather than pick 1 silently
        print(
            "parse-issue: seed 1 (no --issue N given; the bot would use the issue number)",
            file=sys.stderr,
        )
    print(spec.to_yaml(), end="")
    return 0


def schema(args: NoArgs, rt: Runtime) -> int:
    from bot.book.spec import BookSpec

    print(json.dumps(BookSpec.model_json_schema(), indent=2))
    return 0


def _parse_issue_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--body", type=Path, required=True, metavar="FILE", help="issue body (- for stdin)"
    )
    p.add_argument("--template", type=Path, metavar="FORM", help="issue form YAML (default: ours)")
    p.add_argument("--raw", action="store_true", help="print the fields as JSON keyed by field id")
    p.add_argument(
        "--issue", type=issue_number, metavar="N", help="issue number (the spec's default seed)"
    )


COMMANDS = (
    Command(
        "parse-issue",
        "turn an issue-form body into spec YAML (exit 2 with one line per problem)",
        """
        Read the body of an issue written with the "Coloring book" issue form and print the
        book spec it asks for, as YAML. A form with problems exits 2 with one line per
        problem, named by the form field's label. With --raw, print the form's fields as
        JSON keyed by field id instead.
        """,
        (
            "ebook-bot parse-issue --body issue.md --issue 12 > specs/ebook-12.yaml",
            "gh issue view 12 --json body -q .body | ebook-bot parse-issue --body - --raw",
        ),
        _parse_issue_options,
        typed(ParseIssueArgs, parse_issue),
    ),
    Command(
        "schema",
        "print the spec's JSON Schema",
        """
        Print the JSON Schema of a book spec, for editors that validate YAML as you type
        (e.g. the YAML extension of VS Code with a `# yaml-language-server: $schema=` line).
        """,
        ("ebook-bot schema > spec.schema.json",),
        lambda p: None,
        typed(NoArgs, schema),
    ),
)
