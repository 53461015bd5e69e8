"""Bring your own art: `pages.art` names a folder of the user's images beside the spec; they
become the first pages (cleaned and checked like generated ones), the provider makes the
rest, a changed image remakes only its page, and a bad folder stops before anything is written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bot.book.kdp import art_size_px
from bot.book.lineart import LineArtOptions, clean_page
from bot.book.spec import load_spec
from bot.cli import main
from tests import dirty
from tests.conftest import minimal_spec, write_spec


@pytest.fixture
def project(tmp_path: Path) -> Path:
    art = tmp_path / "my drawings"
    art.mkdir()
    for seed, name in ((1, "page10.jpg"), (2, "page2.png")):  # natural order: page2 first
        dirty.make(seed).image.save(art / name)
    (art / "notes.txt").write_text("not a page")
    pages = {"subjects": ["mandala"], "count": 3, "art": "my drawings"}
    write_spec(tmp_path / "book.yaml", minimal_spec(pages=pages, audience="6-8"))
    return tmp_path


def page(out: Path, n: int) -> np.ndarray:
    return np.asarray(Image.open(out / "pages" / f"{n:03d}.png"))


def test_first_pages_are_the_users_images_cleaned_the_rest_generated(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = project / "out"
    assert main(["generate", str(project / "book.yaml"), "--out", str(out)]) == 0
    spec = load_spec(project / "book.yaml")
    options = LineArtOptions(spec.audience)
    for n, name in ((1, "page2.png"), (2, "page10.jpg")):
        with Image.open(project / "my drawings" / name) as src:
            expected, _ = clean_page(src, art_size_px(spec), options)
        assert (page(out, n) == np.asarray(expected)).all(), name
    assert (~page(out, 3)).mean() > 0.005  # the provider's page after the folder ran out

    capsys.readouterr()
    dirty.make(9).image.save(project / "my drawings" / "page10.jpg")  # the user redraws one
    assert main(["generate", str(project / "book.yaml"), "--out", str(out)]) == 0
    assert "pages: 3 (1 made, 2 already done)" in capsys.readouterr().out


def test_a_flagged_own_image_is_kept_not_retried(tmp_path: Path) -> None:
    """A new seed cannot change the user's picture: a page QA flags is cleaned once, kept,
    and named (not asked for three times)."""
    import json

    art = tmp_path / "art"
    art.mkdir()
    tiny = Image.new("L", (640, 832), 255)  # nearly empty: QA flags it
    tiny.paste(0, (300, 400, 320, 420))
    tiny.save(art / "blank.png")
    pages = {"subjects": ["mandala"], "count": 1, "art": "art"}
    write_spec(tmp_path / "book.yaml", minimal_spec(pages=pages))
    out = tmp_path / "out"
    assert main(["generate", str(tmp_path / "book.yaml"), "--out", str(out)]) == 0
    record = json.loads((out / "pages" / "001.json").read_text())
    assert record["attempts"] == 1
    assert record["qa"]["reasons"] and record["prompt"].startswith("your art: blank.png")


@pytest.mark.parametrize(
    ("art", "message"),
    [
        ("../elsewhere", "pages.art"),
        ("absent", "pages.art: no folder absent"),
        ("empty", "pages.art: empty holds no images"),
    ],
)
def test_a_bad_art_folder_stops_before_anything_is_written(
    tmp_path: Path, art: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    pages = {"subjects": ["mandala"], "count": 2, "art": art}
    spec = write_spec(tmp_path / "book.yaml", minimal_spec(pages=pages))
    out = tmp_path / "out"
    assert main(["build", str(spec), "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_link_out_of_the_spec_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    Image.new("L", (64, 64), 255).save(outside / "x.png")
    project = tmp_path / "project"
    project.mkdir()
    (project / "art").symlink_to(outside)
    spec = write_spec(project / "book.yaml", minimal_spec(pages={"subjects": ["m"], "art": "art"}))
    assert main(["build", str(spec), "--out", str(project / "out")]) == 2
    assert "leads out of the spec's folder" in capsys.readouterr().err


def test_a_bad_art_image_stops_the_book_before_anything_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each image is decoded before generation: a truncated one used to fail only when
    its page was reached, after the cover and the pages before it."""
    art = tmp_path / "art"
    art.mkdir()
    dirty.make(1).image.save(art / "a.png")
    dirty.make(2).image.save(art / "b.png")
    (art / "c.png").write_bytes((art / "b.png").read_bytes()[:2000])  # cut off mid-data
    pages = {"subjects": ["mandala"], "count": 4, "art": "art"}
    spec = write_spec(tmp_path / "book.yaml", minimal_spec(pages=pages))
    out = tmp_path / "out"
    assert main(["build", str(spec), "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("pages.art: art/c.png: cannot decode it (")
    assert err[0].endswith("; replace or remove it")
    assert not out.exists()


def test_images_past_the_last_page_are_reported_and_a_phone_photo_stands_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """500 images for 4 pages: 496 were ignored without a word. And a photo with EXIF
    orientation 6 was printed on its side."""
    art = tmp_path / "art"
    art.mkdir()
    upright = dirty.make(3).image
    exif = Image.Exif()
    exif[0x0112] = 6  # turn 90 degrees clockwise to show
    upright.rotate(90, expand=True).save(art / "01 phone.png", exif=exif)
    for n in range(2, 6):
        dirty.make(n).image.save(art / f"{n:02d} page.png")
    pages = {"subjects": ["mandala"], "count": 2, "art": "art"}
    spec_file = write_spec(tmp_path / "book.yaml", minimal_spec(pages=pages))
    out = tmp_path / "out"
    assert main(["generate", str(spec_file), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "own art: 2 page(s) from pages.art art" in printed
    assert (
        "  3 image(s) not used (the book has 2 pages; raise pages.count to use them): "
        "03 page.png, 04 page.png, 05 page.png"
    ) in printed
    spec = load_spec(spec_file)
    expected, _ = clean_page(upright, art_size_px(spec), LineArtOptions(spec.audience))
    assert (page(out, 1) == np.asarray(expected)).all()
