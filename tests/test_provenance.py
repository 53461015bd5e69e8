"""provenance.json: where every page came from, gathered at assembly from the records written
as each page finished; the PR body links it and names the pages QA flagged."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bot import __version__
from bot.book.provenance import spec_hash
from bot.book.spec import load_spec
from bot.cli import main
from bot.github.checklist import Progress, parse_checklist, render_checklist
from tests.conftest import minimal_spec, write_spec


def test_every_page_has_its_provider_seed_prompt_qa_and_time(tmp_path: Path) -> None:
    spec_file = write_spec(tmp_path / "book.yaml", minimal_spec())
    out = tmp_path / "out"
    assert main(["build", str(spec_file), "--out", str(out)]) == 0
    book = json.loads((out / "provenance.json").read_text())
    spec = load_spec(spec_file)
    assert book["version"] == __version__ and book["spec_sha256"] == spec_hash(spec)
    assert [p["page"] for p in book["pages"]] == [1, 2, 3, 4] and book["unknown_pages"] == []
    assert book["remote_cost"] is None  # the pattern provider costs nothing
    for page, subject in zip(book["pages"], spec.page_subjects(), strict=True):
        assert page["provider"] == "procedural" and page["subject"] == subject
        assert isinstance(page["seed"], int) and page["prompt"] and page["attempts"] >= 1
        assert {"ok", "reasons", "metrics"} <= page["qa"].keys()
        assert page["qa"]["metrics"]["stroke_median_in"] > 0 and page["seconds"] > 0
        png = out / "pages" / f"{page['page']:03d}.png"
        assert page["png_sha256"] == hashlib.sha256(png.read_bytes()).hexdigest()


def test_a_page_replaced_by_hand_is_listed_as_unknown(tmp_path: Path) -> None:
    spec_file = write_spec(tmp_path / "book.yaml", minimal_spec())
    out = tmp_path / "out"
    assert main(["build", str(spec_file), "--out", str(out)]) == 0
    (out / "pages" / "002.png").write_bytes((out / "pages" / "003.png").read_bytes())
    assert main(["assemble", str(spec_file), "--out", str(out)]) == 0
    book = json.loads((out / "provenance.json").read_text())
    assert book["unknown_pages"] == [2]


def test_the_pr_body_links_provenance_and_names_flagged_pages() -> None:
    url = "https://github.com/o/r/raw/0123abc/books/ebook-9/preview.png"
    progress = Progress(frozenset({"spec"}), 2, 2, url, flagged=("page 002: 4 stray specks",))
    body = render_checklist(progress)
    assert "(https://github.com/o/r/blob/0123abc/books/ebook-9/provenance.json)" in body
    assert "- [ ] page 002: 4 stray specks" in body  # a box to tick: make it again
    assert parse_checklist(body) == progress  # a later job keeps what an earlier one wrote


def test_a_page_record_is_on_disk_before_its_png(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kill between a page's PNG and its record left the page without one for good: the
    worker writes the record (with the PNG's hash) first, so a stop at the PNG leaves the
    record of a page that is then made again, never a page without a record."""
    from PIL import Image

    import bot.book.pages
    from bot.book.pipeline.workers import Pixels, write

    real = bot.book.pages.atomic_write

    def killed_at_the_png(path: Path, data: bytes, *, durable: bool = True) -> None:
        if path.name == "003.png":
            raise KeyboardInterrupt  # the process stops here
        real(path, data, durable=durable)

    monkeypatch.setattr(bot.book.pages, "atomic_write", killed_at_the_png)
    page = Image.new("1", (64, 80), 1)
    with pytest.raises(KeyboardInterrupt):
        write(tmp_path, 2, Pixels.of(page), "key", {"page": 3, "subject": "s"})
    record = json.loads((tmp_path / "003.json").read_text("utf-8"))
    assert not (tmp_path / "003.png").exists()
    assert record["subject"] == "s" and len(record["png_sha256"]) == 64
    monkeypatch.undo()
    digest, _ = write(tmp_path, 2, Pixels.of(page), "key", {"page": 3, "subject": "s"})
    assert digest == record["png_sha256"]  # the record named exactly the PNG that was due
