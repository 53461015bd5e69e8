"""Every benchmark the README lists stays runnable: each module imports against today's
code and has its `main` (one broke silently when the line-art stage replaced an old
function). The figures themselves are in the README and the closing notes, not asserted."""

from __future__ import annotations

import importlib
import re

import pytest

from tests.conftest import ROOT

LISTED = re.findall(r"python -m (benchmarks\.\w+)", (ROOT / "README.md").read_text("utf-8"))


def test_the_readme_lists_every_benchmark() -> None:
    files = {f"benchmarks.{p.stem}" for p in (ROOT / "benchmarks").glob("[a-z]*.py")}
    files.discard("benchmarks.lineart_before")  # the old stage, the "before" of lineart
    assert files == set(LISTED)


@pytest.mark.parametrize("name", sorted(set(LISTED)))
def test_a_listed_benchmark_imports_and_has_main(name: str) -> None:
    if name == "benchmarks.gpu":
        pytest.importorskip("torch", reason="the gpu extra is not installed")
    module = importlib.import_module(name)
    assert callable(module.main)
