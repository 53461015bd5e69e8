"""Hostile input, kept as a suite: what an outsider (an issue body, a comment, an event) or a
careless operator (a path, a number, a file) can throw at the bot. Each gets a clean exit 2
(or the documented code) with one line per problem, writes nothing, and never a traceback.
Subprocesses run with a wall-clock guard and a memory limit: a hang or a blow-up fails."""

from __future__ import annotations

import copy
import errno
import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.errors import UserInputError
from bot.github.events import TriggerKind, parse_trigger
from bot.github.issue_form import MAX_BODY, load_form
from bot.github.issue_spec import spec_from_issue
from bot.github.slash import is_command
from tests.conftest import EXAMPLES, ROOT, minimal_spec, write_spec
from tests.fake_github import serving
from tests.test_github_flow import BODY, payload, run_init

GUARD_S = 60  # a hang guard, not a speed target (figures are in the closing note)
MEMORY = 2 * 1024**3  # bytes of address space a hostile input may make the bot use


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def cli(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The real command, bounded in time and memory."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=GUARD_S,
        preexec_fn=_limit_memory,
    )


def clean_failure(result: subprocess.CompletedProcess[str], code: int = 2) -> list[str]:
    """The result failed with `code`, no traceback; its stderr lines."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "(a bug)" not in result.stderr
    return result.stderr.splitlines()


# -- issue bodies -------------------------------------------------------------------------

UNPRINTABLE = {
    "NUL": "Ocean\x00Friends",
    "bidi override": "Ocean \u202eFriends",
    "bidi isolate": "Ocean \u2066Friends\u2069",
    "ANSI escape": "Ocean \x1b[31mFriends",
    "C1 control": "Ocean \x85Friends",
    "backspace": "Ocean\x08\x08Friends",
}


@pytest.mark.parametrize("name", sorted(UNPRINTABLE))
def test_control_characters_never_reach_the_spec(name: str) -> None:
    body = BODY.replace("Ocean Friends", UNPRINTABLE[name])
    with pytest.raises(UserInputError) as info:
        spec_from_issue(body, load_form(), default_seed=3)
    assert any(
        p.startswith("Title: must be one line of printable text") for p in info.value.problems
    )


@pytest.mark.parametrize("name", sorted(UNPRINTABLE))
def test_control_characters_in_subjects_are_refused(name: str) -> None:
    body = BODY.replace("a lighthouse", UNPRINTABLE[name].replace("Ocean", "a"))
    with pytest.raises(UserInputError) as info:
        spec_from_issue(body, load_form(), default_seed=3)
    assert any("Page subjects" in p and "printable" in p for p in info.value.problems)


def test_a_hostile_issue_gets_a_comment_and_nothing_else() -> None:
    """NUL, bidi, a mention and markdown in a form: the status comment lists the problems
    with the text made harmless; no branch, no file, no dispatch."""
    body = BODY.replace("Ocean Friends", "Ocean\u202e\x00Friends").replace(
        "Ages 6-8", "@everyone `x` [a](javascript:alert(1))"
    )
    with serving() as fake:
        fake.permissions["Codertocat"] = "write"
        result = run_init(fake, "issues", payload("issues.opened.json", body=body))
        assert result.outcome == "invalid"
        assert fake.dispatches == [] and set(fake.refs) == {"main"} and fake.files == {}
        (comment,) = fake.comments.values()
    text = comment["body"]
    assert "@everyone" not in text and "@\u200beveryone" in text
    assert "\x00" not in text and "\u202e" not in text and "`x`" not in text
    assert "Title: must be one line of printable text" in text


def test_five_megabyte_issue_body_is_refused_quickly_and_in_bounded_memory() -> None:
    body = BODY + "\n" + ("a sea turtle\n" * (5_000_000 // 13))
    result = cli("parse-issue", "--body", "-", stdin=body)
    (line,) = clean_failure(result)
    assert f"GitHub allows at most {MAX_BODY:,}" in line


def test_five_megabyte_issue_body_through_the_flow() -> None:
    with serving() as fake:
        fake.permissions["Codertocat"] = "write"
        data = payload("issues.opened.json", body="x" * 5_000_000)
        result = run_init(fake, "issues", data)
        assert result.outcome == "invalid" and fake.dispatches == []
        (comment,) = fake.comments.values()
    assert len(comment["body"]) < 2_000


# -- spec files ---------------------------------------------------------------------------


def test_python_tag_in_a_spec_executes_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    spec = tmp_path / "evil.yaml"
    spec.write_text(
        f"title: !!python/object/apply:os.system ['touch {marker}']\nauthor: A\npages: [a]\n"
    )
    lines = clean_failure(cli("build", str(spec), "--out", str(tmp_path / "out")))
    assert any("YAML tags are not allowed" in line for line in lines)
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    levels += [
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    spec = tmp_path / "bomb.yaml"
    spec.write_text("\n".join(levels) + "\ntitle: B\nauthor: A\npages: [a]\n")
    lines = clean_failure(cli("build", str(spec), "--out", str(tmp_path / "out")))
    assert lines == [f"{spec}: anchors and aliases are not allowed (line 1, column 4)"]


def test_a_bad_spec_is_refused_before_the_image_libraries_load(tmp_path: Path) -> None:
    """The spec is read before the pipeline is imported (numpy, OpenCV, scikit-image: most
    of a second), so a bad one costs only the interpreter's start."""
    spec = tmp_path / "bad.yaml"
    spec.write_text("title: T\nauthor: A\npages: {count: -1, subjects: [a]}\n")
    probe = (
        "import sys; from bot.cli import main; "
        f"rc = main(['build', {str(spec)!r}, '--out', {str(tmp_path / 'out')!r}]); "
        "print(rc, sorted(m for m in ('bot.book.lineart', 'bot.book.pipeline.generation',"
        " 'cv2', 'skimage') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=GUARD_S
    )
    assert result.stdout.split(None, 1) == ["2", "[]\n"], result.stdout + result.stderr
    assert "pages.count" in result.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ({"subjects": ["a"], "count": 10**12}, "pages.count: Input should be less than or equal"),
        ({"subjects": ["a"], "count": -1}, "pages.count: Input should be greater than or equal"),
        ({"subjects": ["a"], "count": 0}, "pages.count: Input should be greater than or equal"),
        ({"subjects": ["a"] * 1000}, "pages.subjects: List should have at most 400"),
        ({"subjects": ["a"], "overrides": {10**9: {"variant": 1}}}, "pages.overrides"),
    ],
    ids=["huge count", "negative", "zero", "1000 subjects", "far override"],
)
def test_huge_and_negative_page_numbers_in_a_spec(
    tmp_path: Path, pages: dict[str, Any], expected: str
) -> None:
    spec = write_spec(tmp_path / "s.yaml", minimal_spec(pages=pages, seed=-5))
    lines = clean_failure(cli("build", str(spec), "--out", str(tmp_path / "out")))
    assert any(line.strip().startswith(expected) for line in lines), lines
    assert any(line.strip().startswith("seed: Input should be greater") for line in lines)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--pages", str(10**9)],
        ["--pages", "-3"],
        ["--issue", "0"],
        ["--issue", "-1"],
        ["--issue", "1e3"],
        ["--issue", "\u00b2"],
        ["--thicken", "99"],
        ["--provider", "../../bin/sh"],
    ],
)
def test_bad_numbers_and_names_on_the_command_line(tmp_path: Path, args: list[str]) -> None:
    spec = str(EXAMPLES / "shapes-toddlers.yaml")
    lines = clean_failure(cli("build", spec, "--out", str(tmp_path / "out"), *args))
    assert lines[-1].startswith(("ebook-bot build: error: argument", "providers.")), lines
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("shard", ["0/0", "3/2", "-1/2", "1/65", "a/b", "1/2/3"])
def test_bad_shards(tmp_path: Path, shard: str) -> None:
    spec = str(EXAMPLES / "shapes-toddlers.yaml")
    (line,) = clean_failure(cli("generate", spec, "--out", str(tmp_path / "o"), f"--shard={shard}"))
    assert line.startswith("--shard:")
    assert not (tmp_path / "o").exists()


# -- events -------------------------------------------------------------------------------


def _mutated(name: str, path: tuple[str, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(payload(name))
    target = data
    for key in path[:-1]:
        target = target.setdefault(key, {}) if isinstance(target, dict) else target
    if isinstance(target, dict):
        if value is _DROP:
            target.pop(path[-1], None)
        else:
            target[path[-1]] = value
    return data


_DROP = object()
MUTATIONS = [
    ("issues", "issues.opened.json", ("repository",), "not an object"),
    ("issues", "issues.opened.json", ("sender",), ["a", "list"]),
    ("issues", "issues.opened.json", ("issue",), None),
    ("issues", "issues.opened.json", ("issue", "number"), "1"),
    ("issues", "issues.opened.json", ("issue", "number"), True),
    ("issues", "issues.opened.json", ("issue", "number"), -5),
    ("issues", "issues.opened.json", ("issue", "number"), 2**80),
    ("issues", "issues.opened.json", ("issue", "labels"), "ebook-generation"),
    ("issues", "issues.opened.json", ("issue", "labels"), [{"no": "name"}, "x", 3]),
    ("issues", "issues.opened.json", ("action",), _DROP),
    ("issue_comment", "issue_comment.created.json", ("comment",), None),
    ("issue_comment", "issue_comment.created.json", ("comment", "id"), "12"),
    ("issue_comment", "issue_comment.created.json", ("comment", "body"), {"x": 1}),
    ("issue_comment", "issue_comment.created.json", ("issue", "pull_request"), _DROP),
]


@pytest.mark.parametrize(("event", "fixture", "path", "value"), MUTATIONS)
def test_malformed_payloads_are_ignored_or_refused(
    event: str, fixture: str, path: tuple[str, ...], value: Any
) -> None:
    data = _mutated(fixture, path, value)
    try:
        trigger = parse_trigger(event, data)
    except UserInputError as exc:
        assert len(exc.lines()) == 1
        return
    if trigger.kind is not TriggerKind.IGNORE:
        assert isinstance(trigger.issue_number, int) and trigger.issue_number > 0
        assert trigger.sender is None or isinstance(trigger.sender, str)


@pytest.mark.parametrize(
    ("event", "data"),
    [
        ("workflow_dispatch", {"inputs": {"issue_number": "99999999999"}}),
        ("workflow_dispatch", {"inputs": {"issue_number": "-3"}}),
        ("workflow_dispatch", {"inputs": {"issue_number": "$(id)"}}),
        ("workflow_dispatch", {"inputs": ["not", "an", "object"]}),
        ("workflow_dispatch", {}),
        ("repository_dispatch", {"action": "create-ebook-pr", "client_payload": []}),
        ("repository_dispatch", {"action": "create-ebook-pr", "client_payload": {}}),
        (
            "repository_dispatch",
            {"action": "create-ebook-pr", "client_payload": {"issue_number": True}},
        ),
        (
            "repository_dispatch",
            {"action": "create-ebook-pr", "client_payload": {"issue_number": 1.5}},
        ),
        (
            "repository_dispatch",
            {"action": "create-ebook-pr", "client_payload": {"issue_number": 10**20}},
        ),
    ],
)
def test_bad_dispatch_payloads_exit_2_through_the_cli(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    event: str,
    data: dict[str, Any],
) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({**data, "repository": {"full_name": "octo/books"}}))
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_x")
    command = "create-pr" if event == "repository_dispatch" else "init-from-issue"
    assert main([command, "--event", str(path), "--event-name", event]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "issue_number" in err[0]


@pytest.mark.parametrize("content", ["[1, 2]", "not json", "", "\x00\x01"])
def test_event_file_that_is_not_an_object(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str,
) -> None:
    path = tmp_path / "event.json"
    path.write_text(content)
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_x")
    assert main(["init-from-issue", "--event", str(path), "--event-name", "issues"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(str(path))


# -- slash commands -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "command"),
    [
        ("/approve", True),
        ("  /approve", True),
        ("\n\n/cover\nthanks!", True),
        ("> /approve\n\nI would not do that yet", False),
        ("```\n/approve\n```", False),
        ("~~~\n/cancel\n~~~", False),
        ("    /approve", False),
        ("\t/cancel", False),
        ("Please run `/approve` later", False),
        ("", False),
    ],
)
def test_commands_only_at_the_start_never_quoted_or_in_code(body: str, command: bool) -> None:
    assert is_command(body) is command


# -- files --------------------------------------------------------------------------------


def _not_pdfs(tmp_path: Path) -> list[Path]:
    (tmp_path / "random.pdf").write_bytes(os.urandom(4096))
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "image.pdf").write_bytes(
        (ROOT / "docs/images/cover-shapes-toddlers.png").read_bytes()
    )
    (tmp_path / "truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    (tmp_path / "folder.pdf").mkdir()
    return [
        *(tmp_path / n for n in ("random.pdf", "empty.pdf", "image.pdf", "truncated.pdf")),
        tmp_path / "folder.pdf",
        tmp_path / "missing.pdf",
    ]


def test_check_on_files_that_are_not_pdfs(tmp_path: Path) -> None:
    paths = _not_pdfs(tmp_path)
    lines = clean_failure(cli("check", *map(str, paths)))
    assert len(lines) == len(paths)
    for path, line in zip(paths, lines, strict=True):
        assert line.startswith(f"{path}: ")


def test_out_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "book.pdf"
    target.write_bytes(b"mine")
    spec = str(EXAMPLES / "shapes-toddlers.yaml")
    (line,) = clean_failure(cli("build", spec, "--out", str(target)))
    assert line == f"--out {target}: a file is in the way (give a folder)"
    assert target.read_bytes() == b"mine"


def test_out_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    spec = str(EXAMPLES / "shapes-toddlers.yaml")
    (line,) = clean_failure(cli("build", spec, "--out", str(tmp_path / "file" / "out")))
    assert line == f"--out {tmp_path / 'file' / 'out'}: cannot make the folder (Not a directory)"


def test_disk_full_while_assembling_names_the_file_and_leaves_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path / "s.yaml", minimal_spec(pages=["mandala", "maze"]))
    out = tmp_path / "out"
    assert main(["generate", str(spec), "--out", str(out)]) == 0
    import bot.fsutil

    real = bot.fsutil.os.fsync

    def full(fd: int) -> None:
        real(fd)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(bot.fsutil.os, "fsync", full)
    capsys.readouterr()
    assert main(["assemble", str(spec), "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"{out / 'interior.pdf'}: No space left on device "
        "(the disk is full: free space or write elsewhere)"
    )
    assert not (out / "interior.pdf").exists()
    assert [p.name for p in out.rglob(".*.tmp")] == []


def test_missing_spec_and_unreadable_body(tmp_path: Path) -> None:
    (line,) = clean_failure(cli("build", str(tmp_path / "nope.yaml"), "--out", str(tmp_path)))
    assert line == f"{tmp_path / 'nope.yaml'}: no such spec file"
    (line,) = clean_failure(cli("parse-issue", "--body", str(tmp_path)))
    assert line == f"{tmp_path}: cannot read the issue body (Is a directory)"
    (tmp_path / "latin1.md").write_bytes("caf\xe9".encode("latin-1"))
    (line,) = clean_failure(cli("parse-issue", "--body", str(tmp_path / "latin1.md")))
    assert line.endswith("the issue body is not UTF-8 text")
