"""The contact sheets: printed page numbers as labels, flagged pages marked, and a large
book split into sheets whose thumbnails keep their full width."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from bot.book.pages import THUMB_WIDTH
from bot.book.preview import COLS, FLAG, GAP, PER_SHEET, write_preview
from bot.cli import main
from tests.conftest import minimal_spec, write_spec


def _book(tmp_path: Path, pages: int) -> Path:
    spec = minimal_spec(pages={"count": pages, "subjects": ["mandala", "maze", "stars"]})
    out = tmp_path / "out"
    assert main(["build", str(write_spec(tmp_path / "book.yaml", spec)), "--out", str(out)]) == 0
    return out


def test_a_large_book_goes_on_sheets_of_readable_thumbnails(tmp_path: Path) -> None:
    out = _book(tmp_path, 64)
    sheets = sorted(out.glob("preview*.png"))
    assert [p.name for p in sheets] == ["preview-2.png", "preview-3.png", "preview.png"]
    for sheet in sheets:
        assert sheet.stat().st_size <= 1_000_000
        with Image.open(sheet) as im:
            # five thumbnails across at full width: about 1:1 where a PR body shows it
            assert im.width == COLS * (THUMB_WIDTH + GAP) + GAP <= 1000
    with Image.open(out / "preview-3.png") as im:
        rows = -(-(64 - 2 * PER_SHEET) // COLS)
        assert im.height < rows * (THUMB_WIDTH * 1.6) + 200  # only the last 4 pages
    # a rebuild with fewer pages leaves no stale sheet behind
    spec = minimal_spec(pages={"count": 20, "subjects": ["mandala", "maze", "stars"]})
    book = write_spec(tmp_path / "book.yaml", spec)
    assert main(["build", str(book), "--out", str(out)]) == 0
    assert [p.name for p in out.glob("preview*.png")] == ["preview.png"]


def test_flagged_pages_are_framed_in_red_and_labels_can_be_printed_numbers(
    tmp_path: Path,
) -> None:
    out = _book(tmp_path, 4)
    thumbs = [Image.open(out / "pages" / f"{i:03d}.thumb.png") for i in range(1, 5)]
    sheet_file = tmp_path / "sheet.png"
    labels = ["page 5 (#1)", "page 7 (#2)", "page 9 (#3)", "page 11 (#4)"]
    write_preview(out / "cover.pdf", thumbs, sheet_file, labels=labels, flagged=frozenset({2}))
    with Image.open(sheet_file) as im:
        rgb = np.asarray(im.convert("RGB")).astype(int)
    red = np.all(np.abs(rgb - FLAG) <= 10, axis=-1)
    columns = np.nonzero(red.any(axis=0))[0]
    cell = THUMB_WIDTH + GAP
    # red only around the third thumbnail (column 2), nowhere else
    assert columns.min() >= GAP + 2 * cell - 4 and columns.max() <= GAP + 3 * cell
    write_preview(out / "cover.pdf", thumbs, sheet_file, labels=labels)
    with Image.open(sheet_file) as im:
        plain = np.asarray(im.convert("RGB")).astype(int)
    assert not np.all(np.abs(plain - FLAG) <= 10, axis=-1).any()


def test_the_built_preview_marks_what_provenance_flags(tmp_path: Path) -> None:
    out = _book(tmp_path, 4)
    record = out / "pages" / "002.json"
    data = json.loads(record.read_text())
    data["qa"]["ok"] = False
    record.write_text(json.dumps(data))
    assert main(["assemble", str(tmp_path / "book.yaml"), "--out", str(out)]) == 0
    with Image.open(out / "preview.png") as im:
        rgb = np.asarray(im.convert("RGB")).astype(int)
    assert np.all(np.abs(rgb - FLAG) <= 10, axis=-1).sum() > 4 * THUMB_WIDTH
