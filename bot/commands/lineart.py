"""`lineart`: clean any images into print-ready coloring pages, with their QA."""

from __future__ import annotations

import argparse
import errno
import json
import stat
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.book.spec import Audience, Gaps, Trim
from bot.commands.base import Command, typed
from bot.errors import UserInputError
from bot.runtime import Runtime
from bot.text import safe_text


@dataclass(frozen=True)
class LineartArgs:
    image: list[Path]
    out: Path
    audience: str
    gaps: str
    trim: str
    json: bool
    jobs: int | None


def _problem(path: Path) -> str | None:
    """Why `path` is not a file to read, in the user's words; None when it is one."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a link to a missing file" if path.is_symlink() else "no such file"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a link loop (the link leads back to itself): fix or remove it"
        return f"cannot read it ({exc.strerror})"
    if stat.S_ISDIR(mode):
        return f"a folder, not an image (for the images in it: {path}/*)"
    return None if stat.S_ISREG(mode) else "not a regular file"


def _inputs(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """The images that can be read and a line for each that cannot; two inputs with one
    name (they would make one page) stop everything before anything is written."""
    problems = [(p, _problem(p)) for p in paths]
    good = [p for p, problem in problems if problem is None]
    stems = Counter(p.stem for p in good)
    clashes = [
        f"{stem}.png: more than one input has this name" for stem, n in stems.items() if n > 1
    ]
    if clashes:
        raise UserInputError("\n".join(clashes))
    return good, [f"{p}: {problem}" for p, problem in problems if problem is not None]


def lineart(args: LineartArgs, rt: Runtime) -> int:
    """Exit 0 when every page passes QA, 1 when any is flagged, 2 when any input is bad
    (the others are still cleaned)."""
    from bot.book.kdp import art_box_px
    from bot.book.lineart import LineArtOptions
    from bot.book.lineart.batch import clean_files
    from bot.commands.book import output_folder

    paths, problems = _inputs(args.image)
    out = output_folder(args.out)
    options = LineArtOptions(audience=Audience(args.audience), gaps=Gaps(args.gaps))
    size = art_box_px(Trim(args.trim))
    for problem in problems:
        print(rt.annotate("error", safe_text(problem)), file=sys.stderr)
    flagged, bad = 0, len(problems)
    for result in clean_files(paths, out, size, options, args.jobs) if paths else ():
        if result.error:
            bad += 1
            print(rt.annotate("error", safe_text(result.error)), file=sys.stderr)
        elif not result.ok:
            flagged += 1
        if args.json:
            print(json.dumps(result.as_json(), sort_keys=True))
        elif not result.error:
            verdict = "ok" if result.ok else "flagged: " + "; ".join(result.reasons)
            print(safe_text(f"{result.input} -> {result.output}: {verdict}"))
    return 2 if bad else 1 if flagged else 0


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("image", type=Path, nargs="+", metavar="IMAGE")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the pages")
    p.add_argument(
        "--audience",
        default=Audience.ADULTS.value,
        choices=[a.value for a in Audience],
        help="line weight and QA limits for this age band (default: adults)",
    )
    p.add_argument(
        "--gaps",
        default=Gaps.EVIDENCE.value,
        choices=[g.value for g in Gaps],
        help="which breaks in the lines to close: evidence (two ends facing each other, a "
        "corner, an end straight at a line within 0.06 in; strokes left open stay open) or "
        "sealed (for crayons and fill tools: also an end that stops within 0.12 in of the line "
        "it points at; default: evidence)",
    )
    p.add_argument(
        "--trim",
        default=Trim.T8_5X11.value,
        choices=[t.value for t in Trim],
        help="the book's trim: pages fit its art box at 300 DPI (default: 8.5x11)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per image on stdout")
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: one per core)")


COMMANDS = (
    Command(
        "lineart",
        "clean images into print-ready coloring pages, with QA",
        """
        Clean any images (a model's output, a scan of your own drawing, another tool's
        pages) into 1-bit coloring pages for a trim's art box at 300 DPI: paper made white,
        shading and specks removed, broken outlines closed, lines set to the audience's
        weight. Each IMAGE becomes DIR/<name>.png and is checked for colourability (areas
        big enough to colour, no leaks, no solid fills, no specks). Exits 0 when every page
        passes, 1 when any is flagged, 2 when an input is missing or not an image (the
        others are still cleaned; nothing is written for a bad one).
        """,
        (
            "ebook-bot lineart drawings/*.png --out pages --audience 3-5",
            "ebook-bot lineart scan.jpg --out pages --trim 6x9 --json",
        ),
        _configure,
        typed(LineartArgs, lineart),
    ),
)
