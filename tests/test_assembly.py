"""Assembly's shortcuts stay correct: thumbnails made with the pages (and remade when a page
is replaced by hand), fonts embedded only when shown, stage times reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from bot.book.pages import load_thumb, make_thumb, png_digest, save_page
from bot.book.pipeline import assemble
from bot.book.spec import parse_spec
from bot.cli import main
from tests.conftest import minimal_spec, write_spec


def test_thumbnail_is_made_with_the_page_and_follows_a_replaced_page(tmp_path: Path) -> None:
    page = Image.new("1", (2288, 2910), 1)
    ImageDraw.Draw(page).rectangle((200, 200, 2000, 2600), outline=0, width=12)
    save_page(tmp_path, 0, page)
    stored = load_thumb(tmp_path, 0)
    assert stored.size == (170, 216) and stored.mode == "L"
    assert np.array_equal(np.asarray(stored), np.asarray(make_thumb(page)))
    # someone replaces the PNG by hand: the stale thumbnail is not used
    blank = Image.new("1", (2288, 2910), 1)
    blank.save(tmp_path / "001.png")
    fresh = load_thumb(tmp_path, 0, png_digest(tmp_path, 0))
    assert np.asarray(fresh).min() == 255  # all white, like the new page


def test_fonts_are_embedded_only_where_text_is_shown(tmp_path: Path) -> None:
    data = minimal_spec(
        pages=["mandala"],
        front_matter={"title_page": False, "copyright_page": False, "belongs_to": False},
        page_numbers=False,
    )
    spec = write_spec(tmp_path / "s.yaml", data)
    assert main(["build", str(spec), "--out", str(tmp_path / "out")]) == 0
    interior = PdfReader(tmp_path / "out" / "interior.pdf")
    assert all("/Font" not in (p.get("/Resources") or {}) for p in interior.pages)
    cover = PdfReader(tmp_path / "out" / "cover.pdf").pages[0]
    fonts = cover["/Resources"]["/Font"]
    assert fonts and all("/DescendantFonts" in f.get_object() for f in fonts.values())


def test_assembly_reports_its_stages(tmp_path: Path, built_book: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built_book / "pages", out / "pages")
    from bot.book.spec import load_spec
    from tests.conftest import EXAMPLES

    spec = load_spec(EXAMPLES / "mandalas-adults.yaml").with_overrides(provider=None, pages=6)
    result = assemble(spec, out)
    assert set(result.stages) == {"interior", "cover", "preview", "preflight"}
    assert all(0 < s < result.seconds for s in result.stages.values())
    assert parse_spec(spec.to_data()) == spec


def test_the_cleanup_pool_makes_the_same_book_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages cleaned in worker processes while the next ones are drawn are byte for byte the
    pages made one at a time in one process."""
    spec = write_spec(
        tmp_path / "s.yaml",
        minimal_spec(trim="6x9", pages=["mandala", "maze", "stained glass", "stars", "moon"]),
    )
    books = {}
    for workers in ("0", "2"):
        monkeypatch.setenv("EBOOK_BOT_CLEANUP_WORKERS", workers)
        monkeypatch.setenv("EBOOK_BOT_STATE_DIR", str(tmp_path / f"state{workers}"))
        out = tmp_path / f"out{workers}"
        assert main(["build", str(spec), "--out", str(out)]) == 0
        books[workers] = {p.name: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert books["0"].keys() == books["2"].keys()
    timed = {n for n in books["0"] if n.endswith(".json")}  # the records hold seconds
    assert (
        timed and [n for n in books["0"] if n not in timed and books["0"][n] != books["2"][n]] == []
    )
    # the records match too once their seconds are set aside (two runs may time a page alike)
    assert all(_untimed(books["0"][n]) == _untimed(books["2"][n]) for n in timed)


def _untimed(raw: bytes) -> object:
    """A JSON record without its `seconds` (wall time differs run to run, nothing else may)."""
    import json

    def drop(value: object) -> object:
        if isinstance(value, dict):
            return {k: drop(v) for k, v in value.items() if "seconds" not in k}
        if isinstance(value, list):
            return [drop(v) for v in value]
        return value

    return drop(json.loads(raw))


def test_the_back_cover_shows_no_page_qa_flagged(
    tmp_path: Path, built_book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page QA flagged (say as empty) is never a sample on the back: it would sell the
    book with its worst page."""
    import json

    import bot.book.pipeline.assembly as assembly
    from bot.book.spec import load_spec
    from tests.conftest import EXAMPLES

    out = tmp_path / "out"
    shutil.copytree(built_book / "pages", out / "pages")
    last = out / "pages" / "006.json"  # the last picture is always a sample otherwise
    record = json.loads(last.read_text("utf-8"))
    record["qa"] = {**record["qa"], "ok": False, "reasons": ["empty page"]}
    last.write_text(json.dumps(record), "utf-8")
    drawn: list[int] = []
    real = assembly.write_cover

    def spy(*args: object, **kwargs: object) -> object:
        layout = real(*args, **kwargs)  # type: ignore[arg-type]
        drawn.extend(t.index for t in layout.thumbs)
        return layout

    monkeypatch.setattr(assembly, "write_cover", spy)
    spec = load_spec(EXAMPLES / "mandalas-adults.yaml").with_overrides(provider=None, pages=6)
    assemble(spec, out)
    assert drawn and 5 not in drawn
