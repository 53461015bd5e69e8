"""`benchmarks/gpu.py` runs its book through the runner's own code: one lever on the tiny
random pipeline, so the benchmark cannot rot between GPU sessions (figures not checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch", reason="the gpu extra (torch) is not installed")
pytest.importorskip("diffusers", reason="the gpu extra (diffusers) is not installed")


def test_one_lever_reports_every_stage(tmp_path: Path) -> None:
    from benchmarks.gpu import Lever, book, build_tiny_vae
    from tests.tiny_sdxl import build_tiny_sdxl

    model = build_tiny_sdxl(tmp_path)
    row = book(model, build_tiny_vae(tmp_path), Lever("batch 2", batch=2), "cpu", 3, 1)
    assert row["images"] >= 3  # noise fails QA: retries are images too
    for stage in ("wall_s", "unet_s", "vae_s", "clean_s", "write_s"):
        assert row[stage] > 0, stage
    assert row["unet_s"] + row["vae_s"] < row["wall_s"] * 2  # stages are parts of the book
