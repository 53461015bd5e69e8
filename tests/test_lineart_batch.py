"""`clean_files`: many images over this process and its workers, results in input order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from bot.book.lineart import LineArtOptions, batch


def _drawings(folder: Path, count: int) -> list[Path]:
    paths = []
    for k in range(count):  # each its own drawing: a bar 10 + 2k px wide
        image = np.full((120, 160), 255, np.uint8)
        image[30:90, 40 + 10 * k : 50 + 12 * k] = 0
        paths.append(folder / f"p{k}.png")
        Image.fromarray(image).save(paths[-1])
    return paths


def _cleaned_here(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The inputs this process cleans itself (a worker runs its own, unpatched)."""
    here: list[Path] = []
    inline = batch.clean_file

    def counted(path: Path, *rest: Any) -> batch.FileResult:
        here.append(path)
        return inline(path, *rest)

    monkeypatch.setattr(batch, "clean_file", counted)
    return here


def test_pages_come_back_in_input_order_and_this_process_cleans_some(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _drawings(tmp_path, 6)
    here = _cleaned_here(monkeypatch)
    out = tmp_path / "out"
    results = list(batch.clean_files(paths, out, (240, 180), LineArtOptions(), jobs=2))
    assert [r.input for r in results] == paths
    assert [r.output for r in results] == [out / f"p{k}.png" for k in range(6)]
    assert all(r.output is not None and r.output.exists() for r in results)
    assert 0 < len(here) < len(paths)  # this process and a worker shared them
    for k, r in enumerate(results):  # each page made from its own input
        assert r.output is not None
        with Image.open(r.output) as page:
            ink = ~np.asarray(page, bool)
        assert ink.any(axis=0).sum() == pytest.approx((10 + 2 * k) * 1.5, abs=3)


def test_two_pages_on_two_jobs_are_one_here_and_one_in_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No more pages queued for the workers than their share: two pages take one page's
    time, not two in a row in one worker."""
    paths = _drawings(tmp_path, 2)
    here = _cleaned_here(monkeypatch)
    results = list(batch.clean_files(paths, tmp_path / "out", (240, 180), LineArtOptions(), 2))
    assert [r.input for r in results] == paths and all(r.error is None for r in results)
    assert len(here) == 1


def test_opencv_runs_one_thread_per_process_while_workers_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process per core keeps every core busy; OpenCV's own threads on top only cost CPU.
    Here, while workers run, and in the workers; this process's setting comes back after."""
    import cv2

    from bot.book.pipeline.workers import cleanup_pool

    cv2.setNumThreads(4)
    threads: list[int] = []
    inline = batch.clean_file

    def counted(path: Path, *rest: Any) -> batch.FileResult:
        threads.append(cv2.getNumThreads())
        return inline(path, *rest)

    monkeypatch.setattr(batch, "clean_file", counted)
    paths = _drawings(tmp_path, 4)
    out = tmp_path / "out"
    out.mkdir()
    results = list(batch.clean_files(paths, out, (300, 400), LineArtOptions(), jobs=2))
    assert [r.input for r in results] == paths
    assert threads and set(threads) == {1}
    assert cv2.getNumThreads() == 4
    pool = cleanup_pool(1)  # the book job's cleanup workers
    try:
        assert pool.submit(cv2.getNumThreads).result() == 1
    finally:
        pool.shutdown()
