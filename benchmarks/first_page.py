"""Time from starting `ebook-bot generate` (what a GPU job runs once the bot is installed) to
the first finished page file, model load included: what a user waits for before anything
shows, and the prepared runner's goal (under 20 s).

    python -m benchmarks.first_page --model stabilityai/sdxl-turbo   # on the GPU runner
    python -m benchmarks.first_page                                  # a tiny random pipeline

Without --model a tiny random-weight pipeline is built first (not timed), so the figure on
a CPU machine shows the bot's own start-up and loading path, not SDXL's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

SPEC = {
    "title": "First Page",
    "author": "Bench",
    "pages": {"subjects": ["a fox", "an owl"], "count": 4},
    "providers": {"cover": "procedural", "coloring_page": "diffusers"},
}


def first_page(model: str, folder: Path, steps: int) -> tuple[float, float]:
    """Seconds to the first page file, and to the whole command's end."""
    spec = folder / "book.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    out = folder / "out"
    env = {
        **os.environ,
        "EBOOK_BOT_DIFFUSERS_MODEL": model,
        "EBOOK_BOT_DIFFUSERS_STEPS": str(steps),
        "EBOOK_BOT_STATE_DIR": str(folder / "state"),
    }
    cli = str(Path(sys.executable).parent / "ebook-bot")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [cli, "generate", str(spec), "--out", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    first = None
    while proc.poll() is None:
        if first is None and (out / "pages" / "001.png").exists():
            first = time.perf_counter() - started
        time.sleep(0.02)
    total = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"ebook-bot generate failed (exit {proc.returncode})")
    return (first if first is not None else total), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="hub id or folder (default: a tiny random pipeline)")
    parser.add_argument("--steps", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model = args.model
        if model is None:
            from tests.tiny_sdxl import build_tiny_sdxl

            model = str(build_tiny_sdxl(folder / "models"))
        first, total = first_page(model, folder, args.steps)
    print(f"model {args.model or 'tiny random pipeline'}: first page after {first:.1f} s")
    print(f"  whole command (4 pages and the cover): {total:.1f} s")


if __name__ == "__main__":
    main()
