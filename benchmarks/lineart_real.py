"""The line-art stage on real human-drawn line art (tests/realart/: Open Clip Art coloring
pages, OpenMoji bold drawings): what a buyer would see, as issue 20 measures it.

    python -m benchmarks.lineart_real               # every page, each kind for its audience
    python -m benchmarks.lineart_real --subset 10   # 10 pages of each kind (evenly spread)
    python -m benchmarks.lineart_real --kind bold --audience 3-5 --rows
    python -m benchmarks.lineart_real --gaps sealed # a book that asked for more gaps sealed

- unharmed: a clean page in comes out as the same drawing (tests/realart.py `compare`:
  lines kept and none invented within 0.02 in, >= 95%; closed areas within 10%; no blobs,
  no dots; small solids kept);
- restored: the page made model-like dirty (tinted uneven paper, blur, grey lines, specks,
  JPEG) comes out as the clean drawing (>= 90%, areas within 10%, no blobs or dots);
- flagged: clean pages the command's QA flags (coloring pages as adults, bold drawings as
  ages 3-5, unless --audience says otherwise);
- time: `ebook-bot lineart` on the clean pages, one fresh process per kind as a user runs it
  (interpreter start and imports included, every core), against a plain threshold script on
  the same files. Goals (issue 20): >= 90% unharmed and restored, <= 10% flagged, <= 2.5x.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from PIL import Image

from benchmarks._util import ROOT
from benchmarks.lineart import PLAIN

AUDIENCE = {"pages": "adults", "bold": "3-5"}  # what each kind is drawn for


def _subset(items: list[str], count: int | None) -> list[str]:
    """`count` names spread evenly over the sorted corpus (all when None)."""
    if count is None or count >= len(items):
        return items
    step = len(items) / count
    return [items[int(k * step)] for k in range(count)]


def _dirty_files(kind: str, names: list[str], folder: Path) -> list[Path]:
    from tests.realart import REALART, bold_dirty, model_dirty

    dirt = bold_dirty if kind == "bold" else model_dirty
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed, name in enumerate(names):
        with Image.open(REALART / kind / f"{name}.png") as im:
            path = folder / f"{name}.png"
            dirt(im.convert("L"), seed).save(path)  # JPEG'd by the dirt, kept as decoded
        paths.append(path)
    return paths


def run(
    files: list[Path], out: Path, audience: str, gaps: str = "evidence"
) -> tuple[float, dict[str, Any]]:
    """`ebook-bot lineart` as a user runs it: wall time, and each page's QA by name."""
    cli = str(Path(sys.executable).parent / "ebook-bot")
    argv = [cli, "lineart", *map(str, files), "--out", str(out), "--audience", audience]
    argv += ["--gaps", gaps, "--json"]
    started = time.perf_counter()
    done = subprocess.run(argv, check=False, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"ebook-bot lineart failed ({done.returncode}): {done.stderr[-2000:]}")
    reports = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return wall, {Path(r["input"]).stem: r for r in reports}


def plain(files: list[Path], out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", PLAIN, str(out), *map(str, files)], check=True)
    return time.perf_counter() - started


def _measure(job: tuple[str, str, Path, Path]) -> dict[str, Any]:
    """One page: its clean and its dirty run against the drawing (a worker process)."""
    from tests.realart import REALART, compare

    kind, name, clean_out, dirty_out = job
    with Image.open(REALART / kind / f"{name}.png") as im:
        source = im.convert("L")
    row: dict[str, Any] = {"kind": kind, "name": name}
    for label, folder in (("clean", clean_out), ("dirty", dirty_out)):
        with Image.open(folder / f"{name}.png") as page:
            c = compare(source, page, 300)
        row[label] = {**asdict(c), "unharmed": c.unharmed, "restored": c.restored}
        row[label]["problems"] = c.problems() if label == "clean" else c.problems(0.9, False)
    return row


def measure_kind(
    kind: str, names: list[str], audience: str, work: Path, gaps: str = "evidence"
) -> dict[str, Any]:
    from tests.realart import REALART

    clean = [REALART / kind / f"{n}.png" for n in names]
    dirty = _dirty_files(kind, names, work / f"dirty-{kind}")
    wall, qa_clean = run(clean, work / f"out-clean-{kind}", audience, gaps)
    _, qa_dirty = run(dirty, work / f"out-dirty-{kind}", audience, gaps)
    plain_s = plain(clean, work / f"plain-{kind}")
    jobs = [(kind, n, work / f"out-clean-{kind}", work / f"out-dirty-{kind}") for n in names]
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        rows = list(pool.map(_measure, jobs))
    for row in rows:
        row["clean"]["flags"] = qa_clean[row["name"]]["reasons"]
        row["dirty"]["flags"] = qa_dirty[row["name"]]["reasons"]
    return {
        "kind": kind,
        "audience": audience,
        "gaps": gaps,
        "pages": len(names),
        "unharmed": sum(r["clean"]["unharmed"] for r in rows),
        "restored": sum(r["dirty"]["restored"] for r in rows),
        "flagged": sum(bool(r["clean"]["flags"]) for r in rows),
        "command_s": wall,
        "plain_s": plain_s,
        "rows": rows,
    }


def _pct(n: int, total: int) -> str:
    return f"{n:3d} ({n / total:4.0%})" if total else "-"


def table(figures: list[dict[str, Any]], rows: bool) -> None:
    print(f"real line art -> 2288x2910 pages (8.5x11 art box), {os.cpu_count()} cores")
    heads = ("pages", "unharmed", "restored", "QA flagged", "command s", "plain s", "x plain")
    print(f"  {'':26s}" + "".join(f"{h:>12s}" for h in heads))
    for f in figures:
        n = f["pages"]
        cells = [str(n), _pct(f["unharmed"], n), _pct(f["restored"], n), _pct(f["flagged"], n)]
        cells += [f"{f['command_s']:.1f}", f"{f['plain_s']:.1f}"]
        cells.append(f"{f['command_s'] / f['plain_s']:.2f}")
        label = f"{f['kind']} ({f['audience']})"
        label += ", sealed" if f.get("gaps") == "sealed" else ""
        print(f"  {label:26s}" + "".join(f"{c:>12s}" for c in cells))
    if len(figures) > 1:
        wall = sum(f["command_s"] for f in figures)
        base = sum(f["plain_s"] for f in figures)
        print(f"  {'all':26s}" + " " * 48 + f"{wall:12.1f}{base:12.1f}{wall / base:12.2f}")
    if rows:
        for f in figures:
            for r in f["rows"]:
                for label in ("clean", "dirty"):
                    c = r[label]
                    verdict = "unharmed" if label == "clean" else "restored"
                    good = "yes" if c[verdict] else "NO "
                    what = "; ".join(c["problems"]) or "-"
                    flags = "; ".join(c["flags"]) or "-"
                    print(
                        f"{r['kind']:5s} {r['name']:18s} {label} {verdict} {good} "
                        f"recall {c['recall']:.2f} precision {c['precision']:.2f} "
                        f"areas {c['areas_source']}->{c['areas_result']} | {what} | QA: {flags}"
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=int, metavar="N", help="N pages of each kind")
    parser.add_argument("--kind", choices=("pages", "bold", "all"), default="all")
    parser.add_argument("--audience", help="one audience for every kind (default: its own)")
    parser.add_argument(
        "--gaps", choices=("evidence", "sealed"), default="evidence", help="which breaks to close"
    )
    parser.add_argument("--rows", action="store_true", help="one line per page and run")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", type=Path, help="keep the sources and pages in this folder")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # tests.realart, the corpus and its measures
    from tests.realart import REALART

    kinds = ("pages", "bold") if args.kind == "all" else (args.kind,)
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        for kind in kinds:
            names = _subset(sorted(p.stem for p in (REALART / kind).glob("*.png")), args.subset)
            audience = args.audience or AUDIENCE[kind]
            figures.append(measure_kind(kind, names, audience, work, args.gaps))
    table(figures, args.rows)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
