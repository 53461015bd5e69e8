"""Slash commands in draft-PR comments (pure parsing and spec edits).

    /regenerate 3 7          new seeds for pages 3 and 7 (ranges too: /regenerate 3-5)
    /regenerate 5 subject: a sleeping fox
    /cover                   a new cover
    /approve                 mark the PR ready for review (refused after a failed or
                             cancelled run, or with pages QA flagged: `/approve force`)
    /cancel                  stop the running generation
    /help

A comment is a command when its first non-blank line starts with `/`; anything else is
conversation and is left alone. Everything a comment says is untrusted: it is parsed
here into numbers and one line of subject text, checked against the book, and only ever
reaches the spec through the validating model and the canonical YAML dump.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.book.spec import BookSpec, PageOverride
from bot.text import shown

MAX_COMMENT = 4_000  # characters; a command is one short line
MAX_PAGE_NUMBERS = 50
COMMANDS = ("regenerate", "cover", "approve", "cancel", "help")

HELP = """\
**ebook-bot commands** (people with write access, in a comment on this pull request):

| command | does |
| --- | --- |
| `/regenerate 3 7` | make pictures #3 and #7 of the preview again (ranges: `3-5`) |
| `/regenerate 5 subject: a sleeping fox` | page 5 gets a new subject (in the spec), made again |
| `/cover` | make a new cover |
| `/approve` | mark this pull request ready for review |
| `/approve force` | the same after a failed run or with pages QA flagged |
| `/cancel` | stop the running generation |
| `/help` | this list |

Only the named pages are made again; the PDFs are reassembled and committed to this branch."""


class CommandError(Exception):
    """A command that cannot be carried out, with the reason to reply."""


@dataclass(frozen=True)
class Command:
    name: str  # one of COMMANDS, or "unknown"
    pages: tuple[int, ...] = ()
    subject: str | None = None
    raw_name: str = ""
    force: bool = False


def did_you_mean(name: str) -> str | None:
    """The command a misspelt name most likely meant (`regenrate` -> `regenerate`)."""
    close = difflib.get_close_matches(name.lower(), COMMANDS, n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_reply(command: Command) -> str:
    """The reply to a command name we do not know: a guess, else the whole list."""
    guess = did_you_mean(command.raw_name)
    if guess is not None:
        return f"I don't know `/{shown(command.raw_name)}`. Did you mean `/{guess}`?"
    return f"I don't know `/{shown(command.raw_name)}`.\n\n{HELP}"


def is_command(body: str | None) -> bool:
    """The first non-blank line starts with `/`; a quote (`> /cover`), a fenced or an
    indented code block (markdown's four spaces or a tab) only shows a command."""
    first = next((line for line in (body or "").splitlines() if line.strip()), "")
    if first.startswith(("    ", "\t")):
        return False
    return first.lstrip().startswith("/")


def _pages(tokens: list[str]) -> tuple[int, ...]:
    numbers: list[int] = []
    for token in tokens:
        match = re.fullmatch(r"(\d{1,12})(?:-(\d{1,12}))?", token.strip(","))
        if not match:
            raise CommandError(f"`{shown(token)}` is not a page number (use `/regenerate 3 7`)")
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if end < start:
            raise CommandError(f"`{shown(token)}`: a range goes up, as in 3-5")
        if end - start + 1 + len(numbers) > MAX_PAGE_NUMBERS:
            raise CommandError(f"at most {MAX_PAGE_NUMBERS} pages per command")
        numbers.extend(range(start, end + 1))
    if not numbers:
        raise CommandError("which pages? e.g. `/regenerate 3 7`")
    return tuple(sorted(set(numbers)))


def parse(body: str | None) -> Command:
    """The command in a comment body. Raises CommandError with the reason to reply."""
    text = body or ""
    if len(text) > MAX_COMMENT:
        raise CommandError(
            f"this comment is {len(text):,} characters long; a command is one short line"
        )
    first = next(line for line in text.splitlines() if line.strip()).strip()
    match = re.fullmatch(r"/([A-Za-z][\w-]{0,30})(?:\s+(.*))?", first)
    if not match:
        raise CommandError(f"`{shown(first)}` is not a command")
    name, rest = match.group(1).lower(), (match.group(2) or "").strip()
    if name not in COMMANDS:
        return Command("unknown", raw_name=name)
    if name == "regenerate":
        head, sep, subject = rest.partition("subject:")
        pages = _pages(head.split())
        if sep:
            subject = " ".join(subject.split())
            if not subject:
                raise CommandError("the new subject is empty (`/regenerate 5 subject: a fox`)")
            if len(pages) != 1:
                raise CommandError("a new subject is for one page: `/regenerate 5 subject: ...`")
            if len(subject) > 300:
                raise CommandError("a subject is at most 300 characters")
            if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in subject):
                raise CommandError("the subject contains control characters")
            return Command("regenerate", pages, subject)
        return Command("regenerate", pages)
    if name == "approve" and rest.lower() == "force":
        return Command(name, force=True)
    if rest:
        raise CommandError(f"`/{name}` takes nothing after it")
    return Command(name)


def apply(spec: BookSpec, command: Command) -> BookSpec:
    """The spec after `/regenerate` or `/cover` (validated); pages must be in the book."""
    data = spec.to_data()
    if command.name == "cover":
        data["cover"]["variant"] = spec.cover.variant + 1
        return BookSpec.model_validate(data)
    total = spec.pages.total
    outside = [n for n in command.pages if not 1 <= n <= total]
    if outside:
        raise CommandError(f"page {outside[0]} is not in this book (pages 1 to {total})")
    overrides = {n: o.model_dump() for n, o in spec.pages.overrides.items()}
    for number in command.pages:
        current = spec.pages.overrides.get(number, PageOverride())
        entry = {"subject": current.subject, "variant": current.variant + 1}
        if command.subject is not None:
            entry["subject"] = command.subject
        overrides[number] = entry
    data["pages"]["overrides"] = overrides
    return BookSpec.model_validate(data)
