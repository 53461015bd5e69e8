"""Can a reviewer trust line-art QA? Its verdict on real human-drawn pages (tests/realart/)
set against what the corpus's own comparison (`tests.realart.compare`: lines kept within
0.02 in, areas, new blobs and dots, small solids) says of the same page.

    python -m benchmarks.lineart_qa              # clean pages and bold drawings
    python -m benchmarks.lineart_qa --dirty      # their model-like dirty variants
    python -m benchmarks.lineart_qa --verbose    # every page's flags and problems

Each coloring page is cleaned for adults, each bold drawing for ages 3-5 (the audience it
suits), on the 8.5x11 art box. Counted: pages QA flags; pages the comparison finds harmed
(not unharmed; with --dirty, not restored); QA's false alarms (flagged for something other
than line width, yet unharmed: the comparison does not judge line weight) and misses
(passed, yet harmed). Also QA of the drawing itself (good art, placed on the page as
1-bit ink, compared with itself) by every rule but line width, which the stage sets.
Goals (issue 20): at most 10% of good pages flagged; every flag a real defect.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from PIL import Image

from bot.book.lineart import LineArtOptions, clean_page, fit_box, qa_page
from bot.book.lineart.ink import fill_pinholes
from bot.book.lineart.qa import Known
from bot.book.spec import Audience
from tests.realart import bold_dirty, compare, load_corpus, model_dirty

SIZE = (2288, 2910)  # the 8.5x11 art box at 300 DPI
AUDIENCE = {"pages": Audience.ADULTS, "bold": Audience.AGES_3_5}


def drawing_itself(drawing: Image.Image, audience: Audience) -> list[str]:
    """QA's flags on the clean drawing as it is (placed in the art box, ink darker than
    mid-grey, pin-holes under 0.01 in filled as the stage fills them), line width aside."""
    x, y, w, h = fit_box(drawing.size, SIZE)
    grey = np.full((SIZE[1], SIZE[0]), 255, np.uint8)
    grey[y : y + h, x : x + w] = np.asarray(
        drawing.convert("L").resize((w, h), Image.Resampling.LANCZOS)
    )
    ink = fill_pinholes((grey < 128).astype(np.uint8), round((0.01 * 300) ** 2))
    report = qa_page(ink, audience, known=Known(source=grey))
    return [r for r in report.reasons if "in wide (this audience" not in r]


def run(kind: str, dirty: bool, verbose: bool) -> dict[str, int]:
    """One kind of the corpus through the stage: the counts described above."""
    opts = LineArtOptions(AUDIENCE[kind])
    keys = ("pages", "flagged", "width", "harmed", "false", "missed", "given")
    counts = dict.fromkeys(keys, 0)
    for seed, (name, drawing) in enumerate(load_corpus(kind)):
        source = drawing
        if dirty:
            source = (bold_dirty if kind == "bold" else model_dirty)(drawing, seed)
        art, report = clean_page(source, SIZE, opts)
        found = compare(drawing, art)
        harmed = not (found.restored if dirty else found.unharmed)
        given = drawing_itself(drawing, opts.audience)
        counts["pages"] += 1
        damage = [r for r in report.reasons if "in wide (this audience" not in r]
        counts["flagged"] += report.flagged
        counts["width"] += report.flagged and not damage  # the stage's line weight alone
        counts["harmed"] += harmed
        counts["false"] += bool(damage) and not harmed
        counts["missed"] += harmed and not report.flagged
        counts["given"] += bool(given)
        if verbose:
            print(f"  {kind}/{name}: {'HARMED' if harmed else 'ok'} {found.problems()}")
            print(f"    QA: {list(report.reasons)}")
            if given:
                print(f"    QA of the drawing itself: {given}")
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dirty", action="store_true", help="the model-like dirty variants")
    parser.add_argument("--verbose", action="store_true", help="every page's flags")
    args = parser.parse_args(argv)
    variant = "dirty" if args.dirty else "clean"
    for kind in ("pages", "bold"):
        start = time.perf_counter()
        c = run(kind, args.dirty, args.verbose)
        n = max(1, c["pages"])
        print(
            f"{kind} ({variant}, {AUDIENCE[kind]}): {c['pages']} pages; QA flags "
            f"{c['flagged']} ({c['flagged'] / n:.0%}), {c['width']} of them for line width alone; "
            f"harmed by the comparison {c['harmed']}; false alarms (a flag other than line width"
            f" on an unharmed page) {c['false']}, misses {c['missed']}; the drawings themselves "
            f"flagged {c['given']} ({c['given'] / n:.0%}); {time.perf_counter() - start:.0f} s"
        )


if __name__ == "__main__":
    main()
