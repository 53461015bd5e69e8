"""`check`: the print preflight of any PDF against KDP's rules."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.commands.base import Command, typed
from bot.runtime import Runtime


@dataclass(frozen=True)
class CheckArgs:
    pdf: list[Path]


def check(args: CheckArgs, rt: Runtime) -> int:
    """Exit 0 when every PDF passes, 1 when any breaks a rule, 2 when any is no PDF.
    One interior and one cover given together are checked as a pair as well."""
    from bot.book.preflight import PdfFacts, UnreadablePdf, inspect_pdf, pair_problems

    failures = unreadable = 0
    found: list[PdfFacts] = []
    for path in args.pdf:
        try:
            problems, facts = inspect_pdf(path)
        except UnreadablePdf as exc:
            unreadable += 1
            print(rt.annotate("error", exc.message), file=sys.stderr)
            continue
        if facts is not None:
            found.append(facts)
        failures += len(problems)
        for line in problems:
            print(rt.annotate("error", line))
        if not problems:
            print(f"{path}: ok")
    interiors = [f for f in found if not f.cover]
    covers = [f for f in found if f.cover]
    if len(interiors) == 1 and len(covers) == 1:
        for line in pair_problems(interiors[0], covers[0]):
            failures += 1
            print(rt.annotate("error", line))
    return 2 if unreadable else 1 if failures else 0


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("pdf", type=Path, nargs="+", metavar="PDF")


COMMANDS = (
    Command(
        "check",
        "print preflight of PDFs against KDP's rules",
        """
        Check interior and cover PDFs (made by ebook-bot or any other tool) against Amazon
        KDP's print rules: page count and size, trim and bleed boxes, image resolution (at
        least 300 DPI), embedded fonts, a glyph for every character of every text, and
        text inside its page's margins or its cover panel (back, spine, front). Given one
        interior and one cover, it checks that the cover's spine fits the interior's page
        count. Prints "PDF: ok" or one line per problem; exits 1 when any PDF has a problem.
        """,
        ("ebook-bot check out/interior.pdf out/cover.pdf",),
        _configure,
        typed(CheckArgs, check),
    ),
)
