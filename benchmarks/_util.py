"""Helpers: run a step in a fresh child process and measure its wall time and peak memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from benchmarks.{module} import {func} as step
t = time.perf_counter()
step(*json.loads(sys.argv[1]))
wall = time.perf_counter() - t
print(json.dumps({{"wall_s": wall,
                   "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure(module: str, func: str, *args: object) -> dict[str, float]:
    """Run benchmarks.<module>.<func>(*args) in a new interpreter; wall seconds and peak MB."""
    code = _CHILD.format(root=str(ROOT), module=module, func=func)
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(list(args))],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result
