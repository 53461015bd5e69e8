"""Mutation check of line-art QA (and of the stage's own rules): remove each rule (or
loosen its limit) in turn, run the QA tests (the stage's for its rules), and say whether
they caught it (a test went red). Restores the files afterwards.

    python tools/mutate_lineart_qa.py            # every mutation
    python tools/mutate_lineart_qa.py leaks ink  # only these

A mutation is one or more (file, original text, replacement) edits; an edit whose original
text is missing is reported as stale (the rule was rewritten: update the list).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QA, TABLES = "bot/book/lineart/qa.py", "bot/book/lineart/tables.py"
OWN = "bot/book/lineart/own.py"
COMPARE = "bot/book/lineart/compare.py"
STAGE, WEIGHT = "bot/book/lineart/stage.py", "bot/book/lineart/weight.py"
GAPS = "bot/book/lineart/gaps.py"
TESTS = ["tests/test_lineart_qa.py", "tests/test_lineart_qa_drawn.py"]
STAGE_TESTS = ["tests/test_lineart.py"]

Edit = tuple[str, str, str]
RULES: dict[str, list[Edit]] = {
    "leaks": [(QA, "if not activity and gaps > allowed:", "if False:")],
    "leak-share-100%": [(TABLES, "leak_share=0.15,", "leak_share=1.0,")],
    "leak-share-0": [(TABLES, "leak_share=0.15,", "leak_share=0.0,")],
    "line-width": [(QA, "if not low <= stroke <= high:", "if False:")],
    "too-much-ink": [(QA, "if ink > limits.max_ink:", "if False:")],
    "too-few-areas": [
        (QA, "if not activity and closed < limits.min_closed <= closed + gaps:", "if False:")
    ],
    "solid-fill": [
        (QA, "if solid > limits.max_solid or largest > limits.small_solid_in2:", "if False:")
    ],
    "small-areas": [
        (QA, "if not activity and small > max(2, limits.max_small_share * closed):", "if False:")
    ],
    "specks": [(QA, "if specks - own_specks > limits.max_specks:", "if False:")],
    "own-specks-any-source": [(QA, "if known.drawn and specks:", "if specks:")],
    "own-specks-ignored": [
        (
            QA,
            'specks, own_specks = int(m["specks"]), int(m.get("own_specks", 0))',
            'specks, own_specks = int(m["specks"]), 0',
        )
    ],
    "cut": [
        (QA, 'if int(m["cut_areas"]) > limits.max_cut and not int(m["edge_framed"]):', "if False:")
    ],
    "empty": [(QA, "if ink < limits.min_ink:", "if False:")],
    "lines-lost": [
        (
            QA,
            'if lost > limits.max_lost and float(m["lines_lost_in"]) >= limits.min_lost_in:',
            "if False:",
        )
    ],
    "lines-lost-50-in": [(TABLES, "min_lost_in=1.0,", "min_lost_in=50.0,")],
    "solids-lost-limit-2": [(TABLES, "max_solids_lost=1,", "max_solids_lost=2,")],
    "new-blobs": [(QA, 'if int(m["new_blobs"]) > limits.max_new_blobs:', "if False:")],
    "solids-lost": [(QA, 'if int(m["solids_lost"]) > limits.max_solids_lost:', "if False:")],
    "joints-held-to-the-thinned-weight": [
        (COMPARE, "    if not 0 < line_p < THINNED * line_s:", "    if True:")
    ],
    "bold-joints-are-pupils": [
        (COMPARE, "intended = solids.only_alone(", "intended = (lambda f, *a: f)(")
    ],
    "areas-changed": [
        (
            QA,
            "if abs(page - drawn) > max(limits.area_change_floor, limits.max_area_change * drawn):",
            "if False:",
        )
    ],
    "3-5-leak-limit-50": [(TABLES, "_limits(0.10, 0.10, 1, 2)", "_limits(0.10, 0.10, 1, 50)")],
    "3-5-min-closed-0": [(TABLES, "_limits(0.10, 0.10, 1, 2)", "_limits(0.10, 0.10, 0, 2)")],
    "max-ink-90%": [(TABLES, "max_ink=0.35,", "max_ink=0.90,")],
    "solid-each-20-sq-in": [(TABLES, "small_solid_in2=2.0,", "small_solid_in2=20.0,")],
    "solid-total-50%": [(TABLES, "max_solid=0.05,", "max_solid=0.50,")],
    "min-ink-0": [(TABLES, "min_ink=0.002,", "min_ink=0.0,")],
    "wide-gap-0.16-in": [(TABLES, "gap_in=0.35,", "gap_in=0.16,")],
    "stroke-tolerance-200%": [(TABLES, "stroke_tolerance=0.15,", "stroke_tolerance=2.0,")],
    "adults-bold-1-in": [
        (
            TABLES,
            "_limits(0.004, 0.30, 3, 8, bold=0.30, pens=True)",
            "_limits(0.004, 0.30, 3, 8, bold=1.0, pens=True)",
        )
    ],
    # the drawing's own style (own.py): excused for pens only, and only what it has itself
    "own-leaks-counted": [(QA, 'gaps -= int(m.get("own_leaks", 0))', "gaps -= 0")],
    "drawn-detail-counted": [(QA, 'small -= int(m.get("drawn_detail", 0))', "small -= 0")],
    "crayons-excuse-drawn-style": [
        (TABLES, "_limits(0.10, 0.10, 1, 2)", "_limits(0.10, 0.10, 1, 2, pens=True)")
    ],
    "own-wide-breaks-excused": [(OWN, "own & (near | narrow)", "own")],
    "own-gap-the-drawing-joins": [(OWN, "and not ends[0] & ends[1]", "")],
    "own-gap-without-drawn-ends": [(OWN, "bool(ends[0]) and bool(ends[1]) and ", "")],
    "own-small-overlap-0": [(OWN, "OVERLAP = 0.5", "OVERLAP = 0.0")],
    "own-near-0": [(OWN, "NEAR_IN = 0.03", "NEAR_IN = 0.0")],
}
# the stage's own rules, caught by the stage's tests (STAGE_TESTS)
STAGE_RULES: dict[str, list[Edit]] = {
    "slits-left-greyed": [(STAGE, "reopened = _open_slits(hard, big, level)", "reopened = None")],
    "slits-off-the-crest": [(STAGE, "SLIT_CREST = 0.6", "SLIT_CREST = 0.0")],
    "slits-bridged-by-centre-lines": [(STAGE, "        soft[reopened] = False", "        pass")],
    "grown-across-slits": [(WEIGHT, "((ink > 0) | roomy)", "(ink > -1)")],
    "joins-judged-at-analysis-only": [(GAPS, "if judge and len(joins) < len(drawn):", "if False:")],
    "sealed-no-further-than-evidence": [
        (GAPS, "onto = (SEAL_IN if sealed else NEAR_IN)", "onto = (NEAR_IN)")
    ],
    "sealed-gaps-centre-to-centre": [
        (GAPS, "for e in blunt} if sealed else None", "for e in blunt} if False else None")
    ],
    "sealed-bites-taken-for-tips": [(GAPS, "    if sealed:\n", "    if False:\n")],
    "sealed-tips-never-kept-open": [
        (GAPS, "        return tip < TAPER * usual", "        return False")
    ],
}
RULES.update(STAGE_RULES)
FOUR = ["leaks", "line-width", "too-much-ink", "too-few-areas"]
RULES["four-together"] = [edit for name in FOUR for edit in RULES[name]]


def check(name: str, edits: list[Edit]) -> str:
    """Apply `edits`, run the tests, restore; the outcome in words."""
    saved: dict[str, str] = {}
    try:
        for path, old, new in edits:
            current = (ROOT / path).read_text("utf-8")
            saved.setdefault(path, current)
            if old not in current:
                return "STALE (text not found)"
            (ROOT / path).write_text(current.replace(old, new, 1), "utf-8")
        tests = STAGE_TESTS if name in STAGE_RULES else TESTS
        run = subprocess.run(
            [sys.executable, "-m", "pytest", *tests, "-x", "-q", "-p", "no:cacheprovider"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        failed = [line for line in run.stdout.splitlines() if line.startswith("FAILED")]
        if run.returncode == 0:
            return "SURVIVED (all tests green)"
        return f"caught: {failed[0].split(' - ')[0] if failed else run.stdout.splitlines()[-1]}"
    finally:
        for path, text in saved.items():
            (ROOT / path).write_text(text, "utf-8")


def main(names: list[str]) -> int:
    survived = 0
    for name in names or list(RULES):
        outcome = check(name, RULES[name])
        survived += not outcome.startswith("caught")
        print(f"{name}: {outcome}", flush=True)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
