"""The line-art stage on a corpus of dirty, model-like images (tests/dirty.py): quality
against the clean drawings, before (the old fixed threshold) and after, and the wall time of
the whole `ebook-bot lineart` command against a plain threshold script on the same files.

    python -m benchmarks.lineart             # 24 images, 8.5x11 art box (2288x2910)
    python -m benchmarks.lineart --images 48
    python -m benchmarks.lineart --dark      # heavy shading (grey 60-160) instead of mid-grey

Quality per image: closed areas kept (cleaned / the clean drawing's), shading left as ink
(share of the shaded area that is ink on the page), specks left (ink pieces under 0.04 in),
stroke width (median, inches). Time: each variant is one fresh process over all the files,
as a user runs it (interpreter start and imports included); the command uses every core.
Each audience runs twice: gaps closed by the evidence (the default) and sealed (a book
that asked for more gaps sealed: `pages.gaps: sealed`, `--gaps sealed`).
Goal: the command within 2.5x the plain script's wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from benchmarks._util import ROOT

SIZE = (2288, 2910)  # the 8.5x11 art box at 300 DPI
PLAIN = """
import sys
from pathlib import Path
from PIL import Image
size, out = (2288, 2910), Path(sys.argv[1])
for name in sys.argv[2:]:
    im = Image.open(name).convert("L")
    scale = min(size[0] / im.width, size[1] / im.height)
    im = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS)
    page = Image.new("L", size, 255)
    page.paste(im, ((size[0] - im.width) // 2, (size[1] - im.height) // 2))
    page = page.point(lambda v: 255 if v >= 150 else 0).convert("1")
    page.save(out / (Path(name).stem + ".png"), dpi=(300, 300))
"""


def corpus(folder: Path, count: int, dark: bool = False) -> list[tuple[Path, Any]]:
    from tests import dirty

    items = []
    for seed in range(count):
        page = dirty.make(seed, dark=dark)
        path = folder / f"dirty{seed:03d}.png"
        page.image.save(path)
        items.append((path, page))
    return items


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=False, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def _placed(mask: np.ndarray) -> np.ndarray:
    """A source-sized label or mask array placed on the page as the stage places it."""
    from bot.book.lineart import fit_box

    x, y, w, h = fit_box((mask.shape[1], mask.shape[0]), SIZE)
    big = cv2.resize(
        mask.astype(np.int32).astype(np.float32), (w, h), interpolation=cv2.INTER_NEAREST
    )
    out = np.zeros((SIZE[1], SIZE[0]), np.int32)
    out[y : y + h, x : x + w] = big.astype(np.int32)
    return out


def areas_kept(ink: np.ndarray, lines: np.ndarray) -> tuple[int, int]:
    """Of the clean drawing's closed areas (over 0.01 sq in), how many the page keeps as
    closed areas of their own (not leaked into the background or merged with another)."""
    from scipy import ndimage

    truth, n = ndimage.label(~lines)
    border = set(np.concatenate([truth[0], truth[-1], truth[:, 0], truth[:, -1]]).tolist())
    ppi = lines.shape[1] * 300 / SIZE[0]
    sizes = np.bincount(truth.ravel(), minlength=n + 1)
    wanted = [t for t in range(1, n + 1) if t not in border and sizes[t] / ppi**2 >= 0.01]
    placed = _placed(truth)
    count, labels = cv2.connectedComponents((1 - ink).astype(np.uint8), connectivity=4)
    edge = set(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]).tolist())
    owner = {}
    for t in wanted:
        inside = labels[(placed == t) & (ink == 0)]
        owner[t] = int(np.bincount(inside).argmax()) if inside.size else 0
    shared = np.bincount(list(owner.values()), minlength=count)
    kept = sum(1 for t, c in owner.items() if c not in edge and shared[c] == 1)
    return kept, len(wanted)


def quality(ink: np.ndarray, page: Any) -> dict[str, float]:
    """What a buyer would see on one cleaned page, against its clean drawing."""
    from bot.book.lineart.weight import ridge_widths

    u8 = ink.astype(np.uint8)
    shaded = _placed(page.shaded) > 0
    _, _, stats, _ = cv2.connectedComponentsWithStats(u8, connectivity=8)
    kept, wanted = areas_kept(u8, page.lines)
    return {
        "kept": kept / wanted,
        "shading_ink": float(ink[shaded].mean()),
        "specks": int((stats[1:, cv2.CC_STAT_AREA] < (0.04 * 300) ** 2).sum()),
        "stroke_in": float(np.median(ridge_widths(u8))) / 300,
    }


def before(items: list[tuple[Path, Any]]) -> list[dict[str, float]]:
    from benchmarks.lineart_before import to_line_art

    rows = []
    for path, page in items:
        art, _ = to_line_art(Image.open(path), SIZE)
        rows.append(quality(~np.asarray(art, dtype=bool), page))
    return rows


def after(items: list[tuple[Path, Any]], out: Path) -> list[dict[str, float]]:
    return [
        quality(~np.asarray(Image.open(out / f"{p.stem}.png"), dtype=bool), page)
        for p, page in items
    ]


def summary(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def _table(figures: dict[str, Any]) -> None:
    plain = figures["plain_wall_s"]
    shading = "dark" if figures["dark"] else "mid-grey"
    print(
        f"{figures['images']} dirty 640x832 images ({shading} shading) -> 2288x2910 pages, "
        f"{figures['cores']} cores"
    )
    heads = ("areas kept", "shading ink", "specks", "stroke in", "wall s", "x plain")
    print(f"  {'':26s} " + " ".join(f"{h:>11s}" for h in heads))
    rows = (
        ("before (fixed threshold)", figures["before"]),
        ("after, adults", figures["adults"]),
        ("after, ages 3-5", figures["3-5"]),
        ("after, adults, sealed", figures["adults, sealed"]),
        ("after, ages 3-5, sealed", figures["3-5, sealed"]),
    )
    for name, row in rows:
        cells = [f"{row['kept']:.0%}", f"{row['shading_ink']:.1%}", f"{row['specks']:.1f}"]
        cells.append(f"{row['stroke_in']:.3f}")
        wall = row.get("wall_s")
        cells += [f"{wall:.2f}", f"{wall / plain:.2f}"] if wall else ["", ""]
        print(f"  {name:26s} " + " ".join(f"{c:>11s}" for c in cells))
    print(f"  {'plain threshold script':26s} " + " " * 48 + f"{plain:11.2f} {1:11.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=24)
    parser.add_argument("--dark", action="store_true", help="heavy shading (grey 60-160)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    cli = [str(Path(sys.executable).parent / "ebook-bot")]  # the console script a user runs
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        items = corpus(folder, args.images, args.dark)
        files = [str(p) for p, _ in items]
        figures: dict[str, Any] = {
            "images": len(items),
            "cores": os.cpu_count(),
            "dark": args.dark,
        }
        for audience in ("adults", "3-5"):
            for gaps in ("evidence", "sealed"):  # (the book's `pages.gaps`)
                out = folder / f"out-{audience}-{gaps}"
                argv = [*cli, "lineart", *files, "--out", str(out), "--audience", audience]
                wall = timed([*argv, "--gaps", gaps])
                key = audience if gaps == "evidence" else f"{audience}, sealed"
                figures[key] = {"wall_s": wall, **summary(after(items, out))}
        (folder / "plain").mkdir()
        figures["plain_wall_s"] = timed(
            [sys.executable, "-c", PLAIN, str(folder / "plain"), *files]
        )
        figures["before"] = summary(before(items))
    _table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
