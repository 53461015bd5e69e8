"""`ebook-bot --help` wall time as a whole process.

python -m benchmarks.startup          # target (issue #2): <= 0.3 s
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time


def main(runs: int = 15) -> None:
    exe = shutil.which("ebook-bot")
    command = [exe, "--help"] if exe else [sys.executable, "-m", "bot", "--help"]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    print(
        f"{' '.join(command)}: median {statistics.median(times) * 1000:.0f} ms, "
        f"min {min(times) * 1000:.0f} ms over {runs} runs (<= 300 ms)"
    )


if __name__ == "__main__":
    main()
