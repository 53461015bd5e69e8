"""The book branch is plain data (issue 21): each attack found on the runner's job is
reproduced here against the bot's own functions, on a real git checkout."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image

from bot.book.providers.folder import find_art
from bot.book.spec import load_spec
from bot.bookref import BookRef
from bot.cli import main
from bot.errors import UserInputError
from bot.github.book_job import _copy_files, _mirror, check_book_tree
from bot.github.gitops import GitError, commit_and_push, git, git_env
from tests.conftest import minimal_spec
from tests.fake_github import serving
from tests.test_book_job import BRANCH, ISSUE, checkout, origin  # noqa: F401 (fixture)

BOOK = BookRef(ISSUE)


@pytest.fixture
def work(origin: Path, tmp_path: Path) -> Path:  # noqa: F811
    return checkout(origin, tmp_path / "work")


def page_files(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("001.png", "001.tif", "001.json", "001.thumb.png", "cover.png"):
        (folder / name).write_bytes(name.encode())


# -- 1. the book tree: plain files and folders only -----------------------------------------


def test_a_pages_folder_linked_to_git_is_refused_before_anything_is_written(work: Path) -> None:
    book = work / BOOK.book_dir
    book.mkdir(parents=True)
    (book / "pages").symlink_to("../../.git")
    config = (work / ".git" / "config").read_bytes()
    with pytest.raises(UserInputError, match=r"^books/ebook-7/pages: a symbolic link"):
        check_book_tree(work, BOOK)
    assert (work / ".git" / "config").read_bytes() == config


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda w: (w / "books").symlink_to("/tmp"), "books: a symbolic link"),
        (
            lambda w: (
                (w / "specs" / "ebook-7.yaml").unlink()
                or (w / "specs" / "ebook-7.yaml").symlink_to("/etc/hostname")
            ),
            "specs/ebook-7.yaml: a symbolic link",
        ),
        (
            lambda w: (
                (w / "books" / "ebook-7" / "pages").mkdir(parents=True)
                or os.mkfifo(w / "books" / "ebook-7" / "pages" / "001.png")
            ),
            "books/ebook-7/pages/001.png: not a regular file",
        ),
        (
            lambda w: (
                (w / "books" / "ebook-7" / "pages").mkdir(parents=True)
                or (w / "books" / "ebook-7" / "pages" / "x.sh").symlink_to("/usr/bin/env")
            ),
            "books/ebook-7/pages/x.sh: a symbolic link",
        ),
    ],
)
def test_any_link_or_special_file_on_the_way_is_named(work: Path, make: Any, named: str) -> None:
    make(work)
    with pytest.raises(UserInputError) as caught:
        check_book_tree(work, BOOK)
    assert caught.value.message.startswith(named)
    assert caught.value.exit_code == 2


def test_make_book_refuses_a_linked_book_tree_with_exit_2_and_one_line(
    work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    (work / BOOK.book_dir).mkdir(parents=True)
    (work / BOOK.book_dir / "pages").symlink_to("../../.git")
    with serving() as fake:
        for key, value in {
            "GITHUB_TOKEN": "ghs_fake_token_value_123456",
            "GITHUB_REPOSITORY": fake.repo,
            "EBOOK_BOT_STATE_DIR": str(tmp_path / "state"),
        }.items():
            monkeypatch.setenv(key, value)
        args = ["make-book", "--issue", "7", "--checkout", str(work), "--phase", "finish"]
        assert main([*args, "--no-push"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "books/ebook-7/pages: a symbolic link" in err[0]


# -- 2. artifacts: only expected plain files, never through a link --------------------------


def test_only_expected_page_files_cross_and_a_git_config_does_not(tmp_path: Path) -> None:
    artifact = tmp_path / "artifact"
    page_files(artifact)
    (artifact / "config").write_text('[core]\n\tfsmonitor = "touch pwned"\n')
    (artifact / "x.sh").write_text("#!/bin/sh\n")
    dest = tmp_path / "book" / "pages"
    _copy_files(artifact, dest, replace=True)
    assert sorted(p.name for p in dest.iterdir()) == sorted(
        ["001.png", "001.tif", "001.json", "001.thumb.png", "cover.png"]
    )


@pytest.mark.parametrize("name", ["\u0661\u0662\u0663.png", "\uff10\uff10\uff11.json", "001.PNG"])
def test_page_names_are_ascii_digits_only(tmp_path: Path, name: str) -> None:
    """Python's \\d matches any script's digits: '١٢٣.png' is not an expected page name."""
    artifact = tmp_path / "artifact"
    page_files(artifact)
    (artifact / name).write_bytes(b"x")
    dest = tmp_path / "book" / "pages"
    _copy_files(artifact, dest, replace=True)
    assert name not in {p.name for p in dest.iterdir()} and len(list(dest.iterdir())) == 5


def test_a_copy_never_writes_through_a_link_in_the_target(tmp_path: Path) -> None:
    src = tmp_path / "work"
    page_files(src)
    victim = tmp_path / "victim.sh"
    victim.write_text("safe\n")
    dest = tmp_path / "pages"
    dest.mkdir()
    (dest / "001.png").symlink_to(victim)  # run 1 committed a page; run 2 made it a link
    with pytest.raises(UserInputError, match="a symbolic link"):
        _copy_files(src, dest, replace=True)
    with pytest.raises(UserInputError, match="a symbolic link"):
        _mirror(src, dest)
    assert victim.read_text() == "safe\n"


def test_a_link_in_the_source_is_refused_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("key")
    src = tmp_path / "work"
    page_files(src)
    (src / "002.png").symlink_to(secret)
    with pytest.raises(UserInputError, match=r"002\.png: a symbolic link"):
        _copy_files(src, tmp_path / "out", replace=True)
    assert not (tmp_path / "out" / "002.png").exists()


def test_a_hard_link_in_the_work_folder_is_refused_not_copied_out(tmp_path: Path) -> None:
    """A state volume another job could write: a page that is really a second name of a
    secret on that volume would reach the artifact and the book branch."""
    secret = tmp_path / "state" / "ledger.key"
    secret.parent.mkdir()
    secret.write_text("key")
    work = tmp_path / "state" / "work" / "pages"
    page_files(work)
    os.link(secret, work / "002.json")
    with pytest.raises(UserInputError, match=r"002\.json: a hard link"):
        _copy_files(work, tmp_path / "exchange", replace=True, what="the runner's work folder")
    assert not (tmp_path / "exchange" / "002.json").exists()


def test_the_pages_dir_may_not_be_inside_the_checkout(work: Path, capsys: Any) -> None:
    args = ["make-book", "--issue", "7", "--checkout", str(work), "--phase", "finish"]
    assert main([*args, "--pages-dir", str(work / "books")]) == 2
    assert "--pages-dir" in capsys.readouterr().err


# -- 3. the art folder ---------------------------------------------------------------------


def test_a_linked_file_in_the_art_folder_is_refused_not_hashed(tmp_path: Path) -> None:
    art = tmp_path / "art"
    art.mkdir()
    Image.new("L", (64, 64), 255).save(art / "001.png")
    (art / "002.png").symlink_to("/etc/passwd")
    spec_file = tmp_path / "book.yaml"
    pages = {"subjects": ["mandala"], "count": 2, "art": "art"}
    spec_file.write_text(yaml.safe_dump(minimal_spec(pages=pages)))
    with pytest.raises(UserInputError, match=r"pages.art art/002.png: a symbolic link"):
        find_art(load_spec(spec_file), spec_file)


# -- 4. git: no config-run command, no secret in its environment ----------------------------


def test_fsmonitor_in_the_checkouts_config_never_runs(work: Path) -> None:
    mark = work.parent / "pwned"
    git_config = ["git", "config", "core.fsmonitor", f"touch {mark}"]
    subprocess.run(git_config, cwd=work, check=True)
    (work / BOOK.book_dir).mkdir(parents=True)
    (work / BOOK.book_dir / "preview.png").write_bytes(b"x")
    with pytest.raises(GitError, match=r"\.git/config: sets core\.fsmonitor"):
        commit_and_push(work, [BOOK.book_dir], "m", BRANCH, push=False)
    git(work, "add", "--all", "--", BOOK.book_dir)  # even past the check, -c turns it off
    git(work, "status")
    assert not mark.exists()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("include.path", "../../evil.gitconfig"),  # more config, from anywhere
        ("filter.x.clean", "touch pwned"),  # with a .gitattributes naming it
        ("alias.add", "!touch pwned"),
        ("extensions.worktreeConfig", "true"),  # a second config file --local does not list
    ],
)
def test_a_checkout_config_that_could_run_a_program_is_refused(
    work: Path, key: str, value: str
) -> None:
    subprocess.run(["git", "config", key, value], cwd=work, check=True)
    with pytest.raises(GitError, match=rf"sets {re.escape(key.lower())}|sets {re.escape(key)}"):
        commit_and_push(work, [BOOK.book_dir], "m", BRANCH, push=False)


def test_hooks_never_run(work: Path) -> None:
    mark = work.parent / "hooked"
    hook = work / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\ntouch {mark}\n")
    hook.chmod(0o755)
    (work / BOOK.book_dir).mkdir(parents=True)
    (work / BOOK.book_dir / "preview.png").write_bytes(b"x")
    _, committed = commit_and_push(work, [BOOK.book_dir], "m", BRANCH, push=False)
    assert committed and not mark.exists()


def test_git_sees_no_secret_and_the_token_only_for_the_push(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_secret_token")
    monkeypatch.setenv("EBOOK_BOT_DRIVE_CREDENTIALS_JSON", "{secret}")
    monkeypatch.setenv("HOME", str(work.parent))
    (work.parent / ".gitconfig").write_text('[core]\n\tfsmonitor = "touch x"\n')
    env = git(work, "-c", "alias.e=!env", "e")
    assert "ghs_secret_token" not in env and "{secret}" not in env
    assert "GIT_CONFIG_GLOBAL=/dev/null" in env and "GIT_CONFIG_NOSYSTEM=1" in env
    assert git(work, "config", "core.fsmonitor") == "false"  # no ~/.gitconfig, -c wins
    assert set(git_env()) <= {"PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"} | {
        k for k in git_env() if k.startswith(("GIT_", "HOME", "XDG_"))
    }
    assert git_env()["HOME"] == os.devnull


# -- 5. the plan: one commit, a canonical issue number --------------------------------------


def test_plan_pins_the_book_branch_and_refuses_a_second_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    out = tmp_path / "github_output"
    with serving() as fake:
        fake.refs[BRANCH] = "a" * 40
        for key, value in {
            "GITHUB_TOKEN": "ghs_fake_token_value_123456",
            "GITHUB_REPOSITORY": fake.repo,
            "GITHUB_OUTPUT": str(out),
        }.items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(tmp_path)  # no .github/ebook-bot.yml: the defaults
        assert main(["plan-book", "--issue", "7"]) == 0
        assert f"book-sha={'a' * 40}" in out.read_text().splitlines()
        for spelling in ("07", "+7", "#7", " 7"):
            with pytest.raises(SystemExit) as caught:
                main(["plan-book", "--issue", spelling])
            assert caught.value.code == 2
        assert "write issue '07' as 7" in capsys.readouterr().err
        assert main(["plan-book", "--issue", "8"]) == 2  # no branch


def test_canonical_issue_events_normalise() -> None:
    from bot.github.events import parse_trigger

    for raw in ("05", "#5", " 5 "):
        data = {"inputs": {"issue_number": raw}, "repository": {"full_name": "o/r"}}
        assert parse_trigger("workflow_dispatch", data).issue_number == 5
    with pytest.raises(UserInputError):
        parse_trigger("workflow_dispatch", {"inputs": {"issue_number": "5x"}})
    assert json.dumps(5) == "5"
