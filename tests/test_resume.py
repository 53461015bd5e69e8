"""Crash-resume and scale-out end to end: SIGKILL a real `generate`, shards, a shared queue,
spec edits. Every assembled book must equal an uninterrupted build byte for byte."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, PngImagePlugin

from bot.cli import main
from tests.conftest import ROOT, minimal_spec, postgres_url, write_spec

OUTPUTS = ("interior.pdf", "cover.pdf", "preview.png")
SUBJECTS = [f"mandala {i}" for i in range(10)]


def book_spec(path: Path, **overrides: object) -> Path:
    data = minimal_spec(trim="6x9", pages={"subjects": list(SUBJECTS)})
    data.update(overrides)
    return write_spec(path, data)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book built in one go."""
    base = tmp_path_factory.mktemp("reference")
    spec = book_spec(base / "book.yaml")
    assert main(["build", str(spec), "--out", str(base / "out")]) == 0
    return base / "out"


def same_book(out: Path, reference: Path) -> None:
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def pages_on_disk(out: Path) -> int:
    return len(list((out / "pages").glob("[0-9][0-9][0-9].png")))


@pytest.mark.parametrize("kill_after", [0, 3, 7])
def test_sigkill_then_resume_gives_the_same_book(
    tmp_path: Path, reference: Path, kill_after: int
) -> None:
    spec = book_spec(tmp_path / "book.yaml")
    out = tmp_path / "out"
    proc = cli("generate", str(spec), "--out", str(out))
    deadline = time.monotonic() + 60
    while pages_on_disk(out) < kill_after or not (out / "pages" / "cover.png").exists():
        assert proc.poll() is None, "generate finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    assert proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = pages_on_disk(out)
    assert done_before < len(SUBJECTS)

    rerun = cli("generate", str(spec), "--out", str(out))
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert err.count("already done") >= done_before  # finished pages were not made again
    assert main(["assemble", str(spec), "--out", str(out)]) == 0
    same_book(out, reference)
    # every page has its record, those made before the kill too: written with the page
    # (before its PNG), none had to be recovered from the ledger
    provenance = json.loads((out / "provenance.json").read_text("utf-8"))
    assert provenance["unknown_pages"] == []
    assert not [p["page"] for p in provenance["pages"] if p.get("recovered")]


def repaint(png: Path) -> None:
    """Change a page's pixels, keeping the input key it carries (an editor would)."""
    with Image.open(png) as im:
        im.load()
        info = PngImagePlugin.PngInfo()
        for key, value in im.text.items():  # type: ignore[attr-defined]
            info.add_text(key, value)
        changed = im.copy()
    ImageDraw.Draw(changed).rectangle((40, 40, 400, 400), fill=0)
    changed.save(png, pnginfo=info)


@pytest.mark.parametrize("ledger", ["kept", "fresh"])
def test_a_page_whose_pixels_changed_is_made_again(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch, ledger: str
) -> None:
    """Its input key is the same, but its pixels are not those the ledger (or, on a fresh
    runner, its record) names: it is made again, not reused."""
    spec = book_spec(tmp_path / "book.yaml")
    out = tmp_path / "out"
    shutil.copytree(reference / "pages", out / "pages")
    assert main(["generate", str(spec), "--out", str(out)]) == 0  # adopted, now in the ledger
    repaint(out / "pages" / "002.png")
    if ledger == "fresh":
        monkeypatch.setenv("EBOOK_BOT_STATE_DIR", str(tmp_path / "fresh-state"))
    assert main(["generate", str(spec), "--out", str(out)]) == 0
    page = (out / "pages" / "002.png").read_bytes()
    assert page == (reference / "pages" / "002.png").read_bytes()


def test_a_reused_page_without_its_record_gets_one(tmp_path: Path) -> None:
    """A page finished before a stop but whose record was never written (a kill between
    the two): the next run writes it from the ledger, so provenance lists no unknown page."""
    spec = book_spec(tmp_path / "book.yaml", pages={"subjects": SUBJECTS[:3]})
    out = tmp_path / "out"
    assert main(["generate", str(spec), "--out", str(out)]) == 0
    made = json.loads((out / "pages" / "002.json").read_text("utf-8"))
    (out / "pages" / "002.json").unlink()
    assert main(["build", str(spec), "--out", str(out)]) == 0
    record = json.loads((out / "pages" / "002.json").read_text("utf-8"))
    assert record["recovered"] is True
    for field in ("page", "subject", "provider", "model", "prompt", "png_sha256", "attempts"):
        assert record[field] == made[field], field
    if made["attempts"] == 1 or made["qa"]["ok"]:  # then the kept attempt is known
        assert record["seed"] == made["seed"]
    provenance = json.loads((out / "provenance.json").read_text("utf-8"))
    assert provenance["unknown_pages"] == []


def test_killed_run_is_marked_and_shown_by_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = book_spec(tmp_path / "ebook-42.yaml")  # the issue number comes from the name
    out = tmp_path / "out"
    proc = cli("generate", str(spec), "--out", str(out))
    while pages_on_disk(out) < 2:
        assert proc.poll() is None
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert main(["generate", str(spec), "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["runs", "42"]) == 0
    text = capsys.readouterr().out
    assert "book issue-42" in text
    assert "killed" in text and "the worker process died" in text
    assert f"pages: {len(SUBJECTS) + 1} ({len(SUBJECTS) + 1} done)" in text


def test_spec_edit_remakes_only_the_changed_page(tmp_path: Path) -> None:
    spec = book_spec(tmp_path / "book.yaml")
    out = tmp_path / "out"
    assert main(["generate", str(spec), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in (out / "pages").glob("*.png")}
    edited = list(SUBJECTS)
    edited[4] = "a maze of stars"
    book_spec(spec, pages={"subjects": edited})
    assert main(["generate", str(spec), "--out", str(out)]) == 0
    after = {p.name: p.read_bytes() for p in (out / "pages").glob("*.png")}
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == ["005.png", "005.thumb.png"]


@pytest.mark.parametrize("field", ["seed", "style"])
def test_seed_or_style_edit_remakes_every_page(tmp_path: Path, field: str) -> None:
    spec = book_spec(tmp_path / "book.yaml")
    out = tmp_path / "out"
    assert main(["generate", str(spec), "--out", str(out)]) == 0
    before = {p.name: p.stat().st_mtime_ns for p in (out / "pages").glob("*.png")}
    book_spec(spec, **{field: 99 if field == "seed" else "bold outlines"})
    assert main(["generate", str(spec), "--out", str(out)]) == 0
    after = {p.name: p.stat().st_mtime_ns for p in (out / "pages").glob("*.png")}
    assert all(after[name] != before[name] for name in before)


def test_asking_for_more_gaps_sealed_remakes_every_page(tmp_path: Path) -> None:
    """`pages.gaps: sealed` reaches the line-art stage: it is one of each page's inputs."""
    spec = book_spec(tmp_path / "book.yaml")
    out = tmp_path / "out"
    assert main(["generate", str(spec), "--out", str(out)]) == 0
    pages = "[0-9][0-9][0-9].png"  # (the cover's art is no line art)
    before = {p.name: p.stat().st_mtime_ns for p in (out / "pages").glob(pages)}
    book_spec(spec, pages={"subjects": list(SUBJECTS), "gaps": "sealed"})
    assert main(["generate", str(spec), "--out", str(out)]) == 0
    after = {p.name: p.stat().st_mtime_ns for p in (out / "pages").glob(pages)}
    assert len(before) == 10
    assert all(after[name] != before[name] for name in before)  # (one subject edited
    # remakes one page: the pages' inputs are their own, and the stage's options among them)


def test_shorter_book_drops_the_extra_pages(tmp_path: Path) -> None:
    spec = book_spec(tmp_path / "book.yaml")
    out = tmp_path / "out"
    assert main(["generate", str(spec), "--out", str(out)]) == 0
    assert main(["generate", str(spec), "--out", str(out), "--pages", "4"]) == 0
    assert sorted(p.name for p in (out / "pages").iterdir()) == [
        *(f"{n:03d}.{k}" for n in range(1, 5) for k in ("json", "png", "thumb.png", "tif")),
        "cover.png",
    ]


def test_pages_on_disk_are_adopted_by_a_fresh_ledger(
    tmp_path: Path,
    reference: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A fresh runner (empty ledger) that checks out the branch does not remake its pages."""
    spec = book_spec(tmp_path / "book.yaml")
    out = tmp_path / "out"
    shutil.copytree(reference / "pages", out / "pages")
    monkeypatch.setenv("EBOOK_BOT_STATE_DIR", str(tmp_path / "fresh-state"))
    capsys.readouterr()
    assert main(["build", str(spec), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"pages: {len(SUBJECTS)} (0 made, {len(SUBJECTS)} already done)" in printed
    same_book(out, reference)


def test_shards_on_separate_runners_merge_into_the_same_book(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = book_spec(tmp_path / "book.yaml")
    merged = tmp_path / "merged"
    (merged / "pages").mkdir(parents=True)
    for i in (1, 2, 3):  # three runners, each with its own ledger, like a matrix job
        monkeypatch.setenv("EBOOK_BOT_STATE_DIR", str(tmp_path / f"state{i}"))
        out = tmp_path / f"shard{i}"
        assert main(["generate", str(spec), "--out", str(out), "--shard", f"{i}/3"]) == 0
        made = sorted(p.name for p in (out / "pages").glob("*[0-9r].png"))  # not thumbs
        expected = [f"{n:03d}.png" for n in range(i, len(SUBJECTS) + 1, 3)]
        assert made == sorted(expected + (["cover.png"] if i == 1 else []))
        for page in (out / "pages").iterdir():
            shutil.copy2(page, merged / "pages" / page.name)  # download-artifact, merged
    assert main(["assemble", str(spec), "--out", str(merged)]) == 0
    same_book(merged, reference)


def test_workers_sharing_a_postgresql_queue_make_each_page_once(
    tmp_path: Path, reference: Path
) -> None:
    url = postgres_url()
    env = {"DATABASE_URL": url}
    assert main_env(["db", "upgrade"], env) == 0
    spec = book_spec(tmp_path / "book.yaml")
    outs = [tmp_path / f"runner{i}" for i in range(3)]
    procs = [
        cli("generate", str(spec), "--out", str(o), "--claim", "--issue", "77", env=env)
        for o in outs
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    merged = tmp_path / "merged"
    (merged / "pages").mkdir(parents=True)
    seen: list[str] = []
    for out in outs:
        for page in (out / "pages").iterdir():
            if page.suffix == ".png" and not page.name.endswith(".thumb.png"):
                seen.append(page.name)
            shutil.copy2(page, merged / "pages" / page.name)
    assert sorted(seen) == sorted({*seen}), "a page was made twice"
    assert len(seen) == len(SUBJECTS) + 1
    assert main(["assemble", str(spec), "--out", str(merged)]) == 0
    same_book(merged, reference)


def main_env(argv: list[str], env: dict[str, str]) -> int:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return main(argv)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "0/3"], "--shard: need 1 <= I <= N <= 64"),
        (["--shard", "4/3"], "--shard: need 1 <= I <= N <= 64"),
        (["--shard", "two"], "--shard: expected I/N"),
        (["--claim"], "--claim: workers share a queue by book number"),
        (["--claim", "--shard", "1/2", "--issue", "3"], "--shard and --claim: choose one"),
    ],
)
def test_bad_scale_out_options_exit_2_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    spec = book_spec(tmp_path / "book.yaml")
    out = tmp_path / "out"
    assert main(["generate", str(spec), "--out", str(out), *args]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_unmigrated_database_url_refuses_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = book_spec(tmp_path / "book.yaml")
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    out = tmp_path / "out"
    assert main_env(["generate", str(spec), "--out", str(out)], {"DATABASE_URL": url}) == 2
    err = capsys.readouterr().err
    assert "has no ledger tables" in err and "ebook-bot db upgrade" in err
    assert not out.exists()
    assert main_env(["db", "upgrade"], {"DATABASE_URL": url}) == 0
    assert main_env(["db", "current"], {"DATABASE_URL": url}) == 0
    assert main_env(["generate", str(spec), "--out", str(out)], {"DATABASE_URL": url}) == 0
