"""The command line as a user meets it: exit codes, messages, nothing half-written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import EXAMPLES, ROOT, minimal_spec, write_spec
from tests.test_yaml_safety import ALIAS_BOMB


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


BAD_SPECS = {
    "wrong type": ("title: Book\nauthor: A\npages: [a]\nseed: lots\n", "seed:"),
    "unknown key": ("title: Book\nauthor: A\npages: [a]\ncolour: red\n", "colour: unknown field"),
    "yaml tag": ("title: !!python/object/apply:os.system [ls]\n", "YAML tags are not allowed"),
    "alias bomb": (ALIAS_BOMB, "anchors and aliases are not allowed"),
    "too many pages": ("title: B\nauthor: A\npages: {subjects: [a], count: 900}\n", "pages.count:"),
    "unknown trim": ("title: B\nauthor: A\npages: [a]\ntrim: 5x5\n", "trim:"),
    "not a mapping": ("- just\n- a list\n", "a spec is a mapping"),
    # pydantic's words named a class ("valid dictionary or instance of PagesSpec")
    "pages a number": (
        "title: B\nauthor: A\npages: 12\n",
        "pages: got 12; give the subjects as a list (pages: [cat, dog, fish])",
    ),
    # and a regex for a colour
    "colour by name": (
        "title: B\nauthor: A\npages: [a]\ncover: {background: lightblue}\n",
        "cover.background: 'lightblue' is not a colour: give it as '#rrggbb'",
    ),
    "kdp page limit": (
        "title: B\nauthor: A\npaper: cream\npages: {subjects: [a], count: 390}\n",
        "pages.count: 390 pictures make a 784-page interior",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_spec_exits_2_naming_the_field_and_writes_nothing(tmp_path: Path, case: str) -> None:
    text, expected = BAD_SPECS[case]
    spec = tmp_path / "bad.yaml"
    spec.write_text(text, "utf-8")
    out = tmp_path / "out"
    result = run_cli("build", str(spec), "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_a_file_that_is_not_a_spec_is_called_so(tmp_path: Path) -> None:
    """`build README.md` said "YAML tags are not allowed" (the badge's `!`)."""
    out = tmp_path / "out"
    result = run_cli("build", str(ROOT / "README.md"), "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{ROOT / 'README.md'}: not a spec: a spec is a YAML file")
    assert "tag" not in result.stderr
    assert not out.exists()


def test_huge_spec_file_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "huge.yaml"
    spec.write_bytes(b"title: x\n" + b"#" * (10 * 1024 * 1024))
    result = run_cli("build", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "a spec may be at most 262,144 bytes" in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(tmp_path / "none.yaml"), "--out", str(tmp_path / "o")]) == 2
    assert "no such spec file" in capsys.readouterr().err


def test_unknown_provider_option(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "s.yaml", minimal_spec())
    result = run_cli("build", str(spec), "--out", str(tmp_path / "o"), "--provider", "difusers")
    assert result.returncode == 2
    assert "argument --provider: unknown provider 'difusers' (did you mean 'diffusers'?)" in (
        result.stderr
    )
    assert not (tmp_path / "o").exists()


def test_unknown_provider_in_the_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_spec(tmp_path / "s.yaml", minimal_spec(providers={"coloring_page": "nope"}))
    assert main(["build", str(spec), "--out", str(tmp_path / "o")]) == 2
    assert "providers.coloring_page: unknown provider 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_bad_pages_option_is_a_usage_error(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "s.yaml", minimal_spec())
    result = run_cli("build", str(spec), "--out", str(tmp_path / "o"), "--pages", "0")
    assert result.returncode == 2
    assert "--pages: must be between 1 and 400" in result.stderr


def test_errors_become_annotations_under_github_actions(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("title: B\nauthor: A\npages: [a]\ntrim: 5x5\n", "utf-8")
    result = run_cli(
        "build", str(spec), "--out", str(tmp_path / "o"), env={"GITHUB_ACTIONS": "true"}
    )
    assert result.returncode == 2
    assert "::error::" in result.stderr and "trim:" in result.stderr


def test_generate_then_assemble_equals_build(built_book: Path, tmp_path: Path) -> None:
    spec = str(EXAMPLES / "mandalas-adults.yaml")
    out = tmp_path / "split"
    assert main(["generate", spec, "--out", str(out), "--pages", "6"]) == 0
    assert not (out / "interior.pdf").exists()
    assert main(["assemble", spec, "--out", str(out), "--pages", "6"]) == 0
    for name in ("interior.pdf", "cover.pdf", "preview.png"):
        assert (out / name).read_bytes() == (built_book / name).read_bytes(), name


def test_generate_resumes_and_skips_done_pages(
    copy_book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = str(EXAMPLES / "mandalas-adults.yaml")
    (copy_book / "pages" / "004.png").unlink()  # as if killed before page 4 landed
    before = (copy_book / "pages" / "002.png").stat().st_mtime_ns
    assert main(["generate", spec, "--out", str(copy_book), "--pages", "6"]) == 0
    err = capsys.readouterr().err
    assert "004 ok" in err
    assert "002 already done" in err
    assert (copy_book / "pages" / "002.png").stat().st_mtime_ns == before


def test_edited_png_is_reencoded_not_the_stale_tif(copy_book: Path) -> None:
    from PIL import Image, ImageDraw

    from bot.book.pages import load_g4, read_g4

    png = copy_book / "pages" / "002.png"
    with Image.open(png) as im:
        edited = im.convert("1")
    ImageDraw.Draw(edited).rectangle((0, 0, 400, 400), fill=0)
    edited.save(png)
    stale, _ = read_g4((copy_book / "pages" / "002.tif").read_bytes())
    assert load_g4(copy_book / "pages", 1).data != stale.data


def test_assemble_without_pages_says_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path / "s.yaml", minimal_spec())
    assert main(["assemble", str(spec), "--out", str(tmp_path / "o")]) == 2
    assert "run `ebook-bot generate`" in capsys.readouterr().err


def test_summary_reports_padding_and_flags(built_book: Path, tmp_path: Path) -> None:
    """The shapes example pads 6 pictures with blank pages: said, with how many pictures
    would avoid them (and that number checked against the plan)."""
    from bot.book.kdp import plan_interior
    from bot.book.spec import load_spec

    spec_file = EXAMPLES / "shapes-toddlers.yaml"
    result = run_cli("build", str(spec_file), "--out", str(tmp_path / "o"))
    assert result.returncode == 0, result.stderr
    spec = load_spec(spec_file)
    plan = plan_interior(spec)
    more = next(n for n in range(1, 25) if not plan_interior(spec.with_page_count(6 + n)).padding)
    assert plan.padding and more > 1
    assert (
        f"blank pages added: {plan.padding} at the end (pages {25 - plan.padding}-24) to "
        f"reach an even count of at least 24 (KDP's minimum); {more} more picture(s) would "
        "fill them"
    ) in result.stdout
    assert "flagged pages: none" in result.stdout
    assert "preflight: passed" in result.stdout
    # plain progress lines when not a terminal; pages counted, the cover apart
    assert "cover art ok" in result.stderr and "pages done 1/6: page 00" in result.stderr
    assert "/7" not in result.stderr
    assert "summed over the workers: line art" in result.stdout


def test_subjects_the_provider_cannot_draw_are_in_the_summary_and_fail_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "My First Animals" with the pattern provider: the final summary said "flagged pages:
    none" and --strict exited 0; the "cannot draw" lines had scrolled away."""
    spec = write_spec(
        tmp_path / "animals.yaml",
        minimal_spec(title="My First Animals", pages=["cat", "dog", "fish", "stars"]),
    )
    out = tmp_path / "out"
    assert main(["build", str(spec), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    summary = printed[printed.index("flagged pages:") :]
    assert "not drawn: 3 subject(s) the procedural provider cannot draw" in summary
    for n, subject in enumerate(["cat", "dog", "fish"], 1):
        assert f"  '{subject}': " in summary and f"instead (page 00{n})" in summary
    provenance = json.loads((out / "provenance.json").read_text("utf-8"))
    assert provenance["not_drawn"] == ["cat", "dog", "fish"]
    # kept pages count too: --strict on the finished book still fails
    assert main(["generate", str(spec), "--out", str(out), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "--strict: 3 subject(s) the procedural provider cannot draw" in err
    assert "'cat': not drawn, procedural drew " in err


def test_check_passes_good_pdfs(built_book: Path) -> None:
    result = run_cli("check", str(built_book / "interior.pdf"), str(built_book / "cover.pdf"))
    assert result.returncode == 0
    assert result.stdout.count(": ok") == 2


def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "BookSpec"


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys; from bot.cli import build_parser; build_parser();"
        "heavy = [m for m in ('torch', 'diffusers', 'github', 'pypdf', 'scipy', 'PIL') "
        "if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


def test_console_script_help() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("build", "generate", "assemble", "check", "schema"):
        assert command in result.stdout


def test_changed_thickening_remakes_pages(
    copy_book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = str(EXAMPLES / "mandalas-adults.yaml")
    thin = (copy_book / "pages" / "001.png").read_bytes()
    assert main(["generate", spec, "--out", str(copy_book), "--pages", "6", "--thicken", "2"]) == 0
    assert "001 ok" in capsys.readouterr().err
    assert (copy_book / "pages" / "001.png").read_bytes() != thin


def test_summary_counts_pages_made_and_kept(
    copy_book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = str(EXAMPLES / "mandalas-adults.yaml")
    (copy_book / "pages" / "005.png").unlink()
    assert main(["generate", spec, "--out", str(copy_book), "--pages", "6"]) == 0
    assert "pages: 6 (1 made, 5 already done)" in capsys.readouterr().out


def test_a_link_loop_is_named_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A spec or an --out that is a link to itself: named as a loop, not "File exists"."""
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    assert main(["build", str(loop), "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err == (
        f"{loop}: a link loop (the link leads back to itself), not a spec file\n"
    )
    out = tmp_path / "out"
    out.symlink_to(out)
    spec = str(write_spec(tmp_path / "s.yaml", minimal_spec()))
    for command in ("build", "assemble"):
        assert main([command, spec, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"--out {out}: a link loop (the link leads back to itself)"), err
