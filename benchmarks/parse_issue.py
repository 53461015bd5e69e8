"""`ebook-bot parse-issue` on a 60 KB issue body, as a whole process.

python -m benchmarks.parse_issue      # target (issue #3): <= 0.3 s
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "tests/fixtures/issue_bodies/complete.md"


def body_of(size: int) -> str:
    """The real form body with its subjects grown until the body is about `size` bytes
    (400 subjects at most, as the spec allows: each line gets longer instead)."""
    base = FIXTURE.read_text()
    width = max(20, (size - len(base)) // 400)
    line = ("a lighthouse by the sea at dawn with gulls and a small red boat " * 5)[:width]
    subjects = "\n".join(f"{i:03d} {line}" for i in range(400))
    return base.replace("a sea turtle\na lighthouse\n\na happy whale", subjects)


def main(runs: int = 10) -> None:
    exe = shutil.which("ebook-bot")
    command = [exe] if exe else [sys.executable, "-m", "bot"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "body.md"
        path.write_text(body_of(60_000))
        size = path.stat().st_size
        for extra in (["--raw"], []):
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                result = subprocess.run(
                    [*command, "parse-issue", "--body", str(path), *extra],
                    capture_output=True,
                    text=True,
                )
                times.append(time.perf_counter() - t)
            assert result.returncode == 0, result.stderr
            what = "fields as JSON" if extra else "validated spec YAML"
            print(
                f"parse-issue on a {size / 1000:.0f} KB body ({what}): median "
                f"{statistics.median(times) * 1000:.0f} ms over {runs} runs (<= 300 ms)"
            )


if __name__ == "__main__":
    main()
