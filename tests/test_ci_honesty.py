"""The suite cannot pass by not running: PostgreSQL tests fail (not skip) where they are
required (`.ci/run`, CI=true), and no test assumes the machine has no GPU."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import PG_URL_VARIABLE, REQUIRE_PG_VARIABLE, ROOT

PG_TEST = "tests/test_ledger.py::test_sync_marks_only_changed_pages_and_drops_removed[postgresql]"


def run_pg_test(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in (PG_URL_VARIABLE, "CI", REQUIRE_PG_VARIABLE)
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", PG_TEST],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, **env},
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "outcome"),
    [({}, "1 skipped"), ({REQUIRE_PG_VARIABLE: "1"}, "1 error"), ({"CI": "true"}, "1 error")],
)
def test_a_postgresql_test_without_its_server_fails_where_required(
    env: dict[str, str], outcome: str
) -> None:
    result = run_pg_test(**env)
    assert outcome in result.stdout, result.stdout
    assert result.returncode == (0 if outcome == "1 skipped" else 1)


def test_ci_run_requires_the_postgresql_tests() -> None:
    """`.ci/run` went on when the 11 PostgreSQL tests skipped."""
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    runs = [line for line in script.splitlines() if re.search(r"\bpython -m pytest\b", line)]
    assert runs and all(line.startswith(f"{REQUIRE_PG_VARIABLE}=1 ") for line in runs)


def test_no_test_assumes_there_is_no_gpu() -> None:
    """A test that asserts the CPU (no GPU, fp32) fails on the GPU runner it is meant for:
    each such check must go through `cuda_gpu()`."""
    offenders = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Assert):
                text = ast.unparse(node.test)
                cpu_only = re.search(r"not \S*capabilities\.gpu\b|_dtype_name == 'fp32'", text)
                if cpu_only and "cuda_gpu()" not in text:
                    offenders.append(f"{path.name}:{node.lineno}: {text}")
    assert offenders == []
