"""`ebook-bot lineart IMAGE... --out DIR`: pages, JSON lines and exit codes as a user meets
them (through `main`, as the console script runs it)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bot.book.kdp import art_box_px
from bot.book.spec import Trim
from bot.cli import main
from tests import dirty
from tests.test_lineart import drawing


@pytest.fixture
def images(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    dirty.make(0).image.save(folder / "dirty.jpg", quality=90)
    drawing(width=2).save(folder / "clean.png")
    return folder


def test_json_lines_pages_and_exit_codes(
    images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "lineart",
            str(images / "clean.png"),
            str(images / "dirty.jpg"),
            "--out",
            str(out),
            "--json",
            "--jobs",
            "1",
        ]
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(r["input"]).name for r in lines] == ["clean.png", "dirty.jpg"]
    for r in lines:
        assert {"input", "output", "ok", "reasons", "metrics"} <= r.keys()
        assert isinstance(r["ok"], bool) and isinstance(r["reasons"], list)
        assert r["ok"] == (not r["reasons"])
        with Image.open(r["output"]) as page:
            assert page.mode == "1" and page.size == art_box_px(Trim.T8_5X11)
            assert round(page.info["dpi"][0]) == 300
    assert lines[0]["ok"] is True
    assert code == (0 if all(r["ok"] for r in lines) else 1)


def test_a_flagged_page_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blank = tmp_path / "blank.png"
    Image.new("RGB", (640, 832), (245, 240, 225)).save(blank)
    assert main(["lineart", str(blank), "--out", str(tmp_path / "out")]) == 1
    assert "flagged: empty page" in capsys.readouterr().out


def test_trim_and_audience_set_size_and_weight(
    images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = str(images / "clean.png")
    main(
        [
            "lineart",
            src,
            "--out",
            str(tmp_path / "kids"),
            "--trim",
            "6x9",
            "--audience",
            "3-5",
            "--json",
        ]
    )
    main(["lineart", src, "--out", str(tmp_path / "adults"), "--trim", "6x9", "--json"])
    kids, adults = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert Image.open(kids["output"]).size == art_box_px(Trim.T6X9)
    assert kids["metrics"]["stroke_median_in"] > 2 * adults["metrics"]["stroke_median_in"]


def test_bad_inputs_are_named_and_good_ones_still_cleaned(
    images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (images / "notes.png").write_text("not an image")
    truncated = images / "cut.png"
    truncated.write_bytes((images / "clean.png").read_bytes()[:300])
    out = tmp_path / "out"
    code = main(
        [
            "lineart",
            str(images / "notes.png"),
            str(truncated),
            str(images / "clean.png"),
            "--out",
            str(out),
            "--jobs",
            "2",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "notes.png: not an image" in err
    assert "cut.png: " in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["clean.png"]  # nothing for the bad ones


def test_missing_inputs_are_named_and_the_others_still_cleaned(
    images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`lineart nope.png good.png` cleaned nothing (its help says the others are still
    cleaned); a folder and a link loop were "no such file"."""
    (tmp_path / "loop.png").symlink_to(tmp_path / "loop.png")
    (tmp_path / "dangling.png").symlink_to(tmp_path / "gone.png")
    out = tmp_path / "out"
    names = ["absent.png", "loop.png", "dangling.png"]
    args = [str(tmp_path / n) for n in names] + [str(images), str(images / "clean.png")]
    assert main(["lineart", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{tmp_path / 'absent.png'}: no such file",
        f"{tmp_path / 'loop.png'}: a link loop (the link leads back to itself): fix or remove it",
        f"{tmp_path / 'dangling.png'}: a link to a missing file",
        f"{images}: a folder, not an image (for the images in it: {images}/*)",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["clean.png"]


def test_clashing_names_stop_before_anything_is_written(
    images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    other = tmp_path / "other"
    other.mkdir()
    Image.new("L", (64, 64), 255).save(other / "clean.jpg")
    assert (
        main(["lineart", str(images / "clean.png"), str(other / "clean.jpg"), "--out", str(out)])
        == 2
    )
    assert "clean.png: more than one input has this name" in capsys.readouterr().err
    assert not out.exists()


def test_a_phone_photo_is_cleaned_upright(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """EXIF orientation 6 (a phone held upright): the pixels are stored on their side and
    were printed so; the page is the one the upright picture makes."""
    upright = drawing(width=2)  # lines inside the adults' range: the page passes its QA
    upright.save(tmp_path / "upright.png")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn 90 degrees clockwise to show
    upright.rotate(90, expand=True).save(tmp_path / "phone.png", exif=exif)
    out = tmp_path / "out"
    args = [str(tmp_path / "upright.png"), str(tmp_path / "phone.png"), "--out", str(out)]
    assert main(["lineart", *args, "--jobs", "1"]) == 0
    with Image.open(out / "upright.png") as a, Image.open(out / "phone.png") as b:
        assert a.tobytes() == b.tobytes()


def test_control_characters_in_a_name_are_printed_escaped(
    images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file name can hold an escape sequence that rewrites the terminal."""
    name = "red\x1b[31m\u202egnp.png"
    (images / "clean.png").rename(images / name)
    assert (
        main(
            [
                "lineart",
                str(images / name),
                str(tmp_path / "x\x07.png"),
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err and "\x07" not in captured.err
    assert "\u202e" not in captured.out
    assert "red\\x1b[31m\\u202egnp.png -> " in captured.out
    assert "x\\x07.png: no such file" in captured.err


def test_audience_typo_is_suggested(
    images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["lineart", str(images / "clean.png"), "--out", str(tmp_path), "--audience", "adult"])
    assert exit_.value.code == 2
    assert "did you mean 'adults'" in capsys.readouterr().err


def test_the_page_is_clean_line_art(images: Path, tmp_path: Path) -> None:
    assert main(["lineart", str(images / "dirty.jpg"), "--out", str(tmp_path / "o")]) in (0, 1)
    ink = ~np.asarray(Image.open(tmp_path / "o" / "dirty.png"))
    assert 0.005 < ink.mean() < 0.1  # lines, not blobs of shading


def test_gaps_sealed_closes_a_line_that_stops_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--gaps sealed` joins a divider that stops 0.08 in short of a side (one area
    becomes two); the default leaves it as drawn. A choice it does not know is refused,
    naming the option."""
    from PIL import ImageDraw

    image = Image.new("L", (640, 832), 255)
    d = ImageDraw.Draw(image)
    d.rectangle((100, 200, 540, 600), outline=0, width=3)
    d.line((320, 600, 320, 209), fill=0, width=3)  # up from the bottom, 0.08 in short
    image.save(tmp_path / "divided.png")
    areas = {}
    for gaps in ("evidence", "sealed"):
        argv = ["lineart", str(tmp_path / "divided.png"), "--out", str(tmp_path / gaps)]
        main([*argv, "--json", "--jobs", "1", "--gaps", gaps])
        (line,) = capsys.readouterr().out.splitlines()
        areas[gaps] = json.loads(line)["metrics"]["closed_areas"]
    assert areas == {"evidence": 1, "sealed": 2}
    with pytest.raises(SystemExit) as exit_:
        main(["lineart", str(tmp_path / "divided.png"), "--out", str(tmp_path), "--gaps", "all"])
    assert exit_.value.code == 2
    assert "--gaps" in capsys.readouterr().err
