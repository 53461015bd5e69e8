"""Workflow templates, this repository's workflows, the action and `ebook-bot install`."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.github.install import PLACEHOLDER, WORKFLOWS, render_workflow
from tests.conftest import ROOT

UNTRUSTED = re.compile(
    r"\$\{\{\s*github\.event\.(issue|comment|pull_request|client_payload|inputs)"
)
PINNED = "octo-org/ebook-bot@" + "a" * 40
# The refs that name the default branch's code for this repository's triggers.
DEFAULT_REFS = {None, "${{ github.sha }}", "${{ github.event.repository.default_branch }}"}


def _runs_the_bot(step: dict[str, Any]) -> bool:
    """A step that runs ebook-bot's code: the action (any form) or the CLI."""
    uses = str(step.get("uses", ""))
    if uses.split("#")[0].strip() in {"./", PLACEHOLDER} or re.match(r"[\w.-]+/ebook-bot@", uses):
        return True
    return bool(re.search(r"\bebook-bot\b|python3? -m bot\b", str(step.get("run", ""))))


def bot_runs_from_foreign_code(workflow: dict[str, Any]) -> list[str]:
    """Jobs that run the bot after checking out, at the workspace root, a ref that may not be
    the default branch (a book branch, an expression from the event or another job)."""
    problems = []
    for name, job in workflow["jobs"].items():
        foreign = None
        for step in job.get("steps", []):
            if "actions/checkout" in str(step.get("uses", "")):
                opts = step.get("with") or {}
                if not opts.get("path"):
                    ref = opts.get("ref")
                    foreign = None if ref in DEFAULT_REFS else ref
            elif _runs_the_bot(step) and foreign is not None:
                problems.append(f"{name}: runs the bot from {foreign}")
    return problems


def _every_workflow() -> list[tuple[str, str]]:
    """(label, text) of the templates, this repository's copies and what install renders."""
    out = [
        (f"workflows/{p.name}", p.read_text()) for p in sorted((ROOT / "workflows").glob("*.yml"))
    ]
    out += [
        (f".github/workflows/{p.name}", p.read_text())
        for p in sorted((ROOT / ".github/workflows").glob("*.yml"))
    ]
    out += [(f"install:{name}", render_workflow(name, PINNED)) for name in WORKFLOWS]
    return out


@pytest.mark.parametrize(
    ("label", "text"), [pytest.param(label, text, id=label) for label, text in _every_workflow()]
)
def test_bot_code_comes_from_the_default_branch(label: str, text: str) -> None:
    assert bot_runs_from_foreign_code(yaml.safe_load(text)) == [], label


def test_the_default_branch_check_catches_a_book_branch_checkout() -> None:
    job = {
        "steps": [
            {"uses": "actions/checkout@x", "with": {"ref": "ebook-generation-${{ x }}"}},
            {"uses": "./"},
        ]
    }
    assert bot_runs_from_foreign_code({"jobs": {"pages": job}}) == [
        "pages: runs the bot from ebook-generation-${{ x }}"
    ]
    job["steps"][0]["with"]["path"] = "book"  # the book as data in a subfolder is fine
    assert bot_runs_from_foreign_code({"jobs": {"pages": job}}) == []
    run = {"run": "python -m bot make-book", "uses": ""}
    job2 = {"steps": [{"uses": "actions/checkout@x", "with": {"ref": "${{ inputs.ref }}"}}, run]}
    assert bot_runs_from_foreign_code({"jobs": {"j": job2}}) == [
        "j: runs the bot from ${{ inputs.ref }}"
    ]


@pytest.mark.parametrize("name", WORKFLOWS)
def test_repository_workflows_are_the_rendered_templates(name: str) -> None:
    assert (ROOT / ".github/workflows" / name).read_text() == render_workflow(name, "./")


def test_the_templates_have_one_source() -> None:
    packaged = ROOT / "bot/templates/workflows"
    assert packaged.is_symlink() and packaged.resolve() == (ROOT / "workflows").resolve()
    assert sorted(p.name for p in (ROOT / "workflows").glob("*.yml")) == sorted(WORKFLOWS)


@pytest.mark.parametrize("name", WORKFLOWS)
def test_the_rendered_header_names_the_action_cleanly(name: str) -> None:
    own = render_workflow(name, "./").splitlines()
    assert "# Written by `ebook-bot install`; the bot's action is `./` (this repository)." in own
    ignore = "zizmor: ignore[self-repository]"
    uses_lines = [line for line in own if ignore in line]
    assert uses_lines and all(  # the ignore comment only where a step uses the action
        re.fullmatch(rf"\s+(- )?uses: \./ # {re.escape(ignore)} .+", line) for line in uses_lines
    )
    pinned = render_workflow(name, PINNED)
    assert f"# Written by `ebook-bot install`; the bot's action is `{PINNED}`." in pinned
    assert ignore not in pinned and PLACEHOLDER not in pinned
    assert pinned.count(f"uses: {PINNED}\n") == len(uses_lines)


def _workflow_files() -> list[Path]:
    return [*sorted((ROOT / "workflows").glob("*.yml")), ROOT / "action.yml"]


@pytest.mark.parametrize("path", _workflow_files(), ids=lambda p: p.name)
def test_hardening(path: Path) -> None:
    text = path.read_text()
    data = yaml.safe_load(text)
    for line in text.splitlines():
        if "uses:" in line and "__EBOOK_BOT_ACTION__" not in line:
            ref = line.split("uses:")[1].split("#")[0].strip()
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", ref), line  # full SHA
    if path.name == "action.yml":
        return
    assert data["permissions"] == {}
    assert concurrency_problems(data) == [], path.name
    assert book_data_problems(data) == [], path.name
    for job in data["jobs"].values():
        gpu = "runs-on)" in str(job.get("runs-on", ""))  # pages on the self-hosted GPU runners
        assert "permissions" in job and job["timeout-minutes"] <= (180 if gpu else 30)
        for step in job["steps"]:
            assert not UNTRUSTED.search(step.get("run", ""))
            if "actions/checkout" in step.get("uses", ""):
                assert step["with"]["persist-credentials"] is False


# events anyone who can see the repository can cause
OPEN_EVENTS = {"issues", "issue_comment", "pull_request", "pull_request_target", "discussion"}
ALLOWED_ONLY = re.compile(r"needs\.(\w+)\.outputs\.allowed == 'true'")


def concurrency_problems(workflow: dict[str, Any]) -> list[str]:
    """Groups an outsider's event could join (GitHub keeps ONE pending run per group, so
    joining drops a maintainer's queued run), or keyed by an unvalidated issue number."""
    problems = []
    events = set(workflow.get("on") or workflow.get(True) or {})  # YAML 1.1 reads `on` as True
    top = workflow.get("concurrency")
    if top is not None:
        if events & OPEN_EVENTS:
            problems.append(f"workflow-level concurrency on {sorted(events & OPEN_EVENTS)}")
        if top.get("cancel-in-progress") is not False:
            problems.append("workflow concurrency may cancel a run in progress")
    for name, job in workflow["jobs"].items():
        group = job.get("concurrency")
        if group is None:
            continue
        if group.get("cancel-in-progress") is not False:
            problems.append(f"{name}: may cancel a run in progress")
        gate = ALLOWED_ONLY.fullmatch(str(job.get("if", "")).strip())
        if events & OPEN_EVENTS and gate is None:
            problems.append(f"{name}: a group that runs nobody allowed may join")
        keys = re.findall(r"\$\{\{(.*?)\}\}", str(group.get("group")))
        validated = gate is not None and keys == [f" needs.{gate.group(1)}.outputs.issue "]
        if events & OPEN_EVENTS and not validated:
            problems.append(f"{name}: group not keyed by the checked job's issue number")
    return problems


def book_data_problems(workflow: dict[str, Any]) -> list[str]:
    """A book branch checked out by name (it can move while the jobs run), or an artifact
    downloaded into (or a folder uploaded from) a checkout, where a branch's links lead."""
    problems = []
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            uses, opts = str(step.get("uses", "")), step.get("with") or {}
            if (
                "actions/checkout" in uses
                and opts.get("path")
                and not re.fullmatch(
                    r"\$\{\{ needs\.plan\.outputs\.book-sha \}\}", str(opts.get("ref"))
                )
            ):
                problems.append(
                    f"{name}: checks out the book as {opts.get('ref')}, not the plan's SHA"
                )
            into = str(opts.get("path", ""))
            if "actions/download-artifact" in uses and not into.startswith("${{ runner.temp }}/"):
                problems.append(f"{name}: downloads an artifact to {into}")
            if "actions/upload-artifact" in uses:
                for line in str(opts.get("path", "")).strip().splitlines():
                    temp = line.startswith("${{ runner.temp }}/")
                    if not temp and not re.search(
                        r"/(interior\.pdf|cover\.pdf|preview\.png)$", line
                    ):
                        problems.append(f"{name}: uploads {line} from the checkout")
    return problems


def test_the_book_data_check_catches_a_checkout_by_name_and_an_artifact_in_a_checkout() -> None:
    """The old `ebook book` workflow's shape, step by step (issue 21's attack)."""
    pages = {
        "steps": [
            {"uses": "actions/checkout@x", "with": {"ref": "${{ github.sha }}"}},
            {
                "uses": "actions/checkout@x",
                "with": {"ref": "ebook-generation-${{ x }}", "path": "book"},
            },
            {"uses": "actions/upload-artifact@x", "with": {"path": "book/books/ebook-1/pages/"}},
        ]
    }
    finish = {
        "steps": [
            {"uses": "actions/download-artifact@x", "with": {"path": "book/books/ebook-1/pages/"}},
            {"uses": "actions/upload-artifact@x", "with": {"path": "book/books/ebook-1/cover.pdf"}},
        ]
    }
    assert book_data_problems({"jobs": {"pages": pages, "finish": finish}}) == [
        "pages: checks out the book as ebook-generation-${{ x }}, not the plan's SHA",
        "pages: uploads book/books/ebook-1/pages/ from the checkout",
        "finish: downloads an artifact to book/books/ebook-1/pages/",
    ]


def test_the_concurrency_check_catches_a_group_anyone_can_join() -> None:
    old = {
        "on": {"issues": {}},
        "concurrency": {
            "group": "ebook-spec-${{ github.event.issue.number || inputs.issue_number }}",
            "cancel-in-progress": False,
        },
        "jobs": {"spec": {}},
    }
    assert concurrency_problems(old) == ["workflow-level concurrency on ['issues']"]
    job = {
        "if": "needs.check.outputs.allowed == 'true'",
        "concurrency": {"group": "g-${{ needs.check.outputs.issue }}", "cancel-in-progress": False},
    }
    new = {"on": {"issues": {}}, "jobs": {"spec": job}}
    assert concurrency_problems(new) == []
    job["if"] = "always()"
    assert concurrency_problems(new) == [
        "spec: a group that runs nobody allowed may join",
        "spec: group not keyed by the checked job's issue number",
    ]
    job["if"] = "needs.check.outputs.allowed == 'true'"
    job["concurrency"]["group"] = "g-${{ github.event.issue.number }}"
    assert concurrency_problems(new) == ["spec: group not keyed by the checked job's issue number"]


def test_install_writes_files_and_is_idempotent(tmp_path: Path, capsys) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    action = "octo-org/ebook-bot@" + "a" * 40
    assert main(["install", "--repo", str(tmp_path), "--action", action]) == 0
    written = capsys.readouterr().out
    assert "wrote .github/workflows/ebook-generation.yml" in written
    gen = (tmp_path / ".github/workflows/ebook-generation.yml").read_text()
    assert f"uses: {action}" in gen and "__EBOOK_BOT_ACTION__" not in gen
    assert (tmp_path / ".github/ISSUE_TEMPLATE/coloring-book.yml").exists()
    assert main(["install", "--repo", str(tmp_path), "--action", action]) == 0
    assert capsys.readouterr().out.count("unchanged") == len(WORKFLOWS) + 1


def test_install_keeps_changed_files_without_force(tmp_path: Path, capsys) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    target = tmp_path / ".github/workflows/create-pr.yml"
    target.parent.mkdir(parents=True)
    target.write_text("# mine\n")
    assert main(["install", "--repo", str(tmp_path), "--action", PINNED]) == 2
    assert "use --force" in capsys.readouterr().err
    assert target.read_text() == "# mine\n"
    assert main(["install", "--repo", str(tmp_path), "--action", PINNED, "--force"]) == 0
    assert target.read_text() != "# mine\n"


@pytest.fixture
def action_server(tmp_path: Path) -> tuple[str, str]:
    """A git server holding the bot's repository (as install's default names it) with an
    annotated release tag: (server URL, the tagged commit)."""
    from bot.github.install import DEFAULT_ACTION

    repo, tag = DEFAULT_ACTION.split("@")
    bare = tmp_path / "server" / repo
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    seed = tmp_path / "seed"
    subprocess.run(["git", "init", "-q", str(seed)], check=True)
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    for args in (["commit", "-q", "--allow-empty", "-m", "r"], ["tag", "-a", tag, "-m", tag]):
        subprocess.run(["git", *ident, *args], cwd=seed, check=True)
    subprocess.run(
        ["git", "push", "-q", str(bare), "HEAD:refs/heads/main", "--tags"], cwd=seed, check=True
    )
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=seed, capture_output=True, text=True)
    return (tmp_path / "server").as_uri(), head.stdout.strip()


def test_install_pins_the_action_to_a_full_commit_sha_by_default(
    tmp_path: Path, action_server: tuple[str, str], capsys
) -> None:
    from bot.github.install import DEFAULT_ACTION

    server, commit = action_server
    repo = tmp_path / "user"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert main(["install", "--repo", str(repo), "--server", server]) == 0
    name, tag = DEFAULT_ACTION.split("@")
    assert f"pinned {tag} to {name}@{commit}" in capsys.readouterr().out
    gen = (repo / ".github/workflows/ebook-generation.yml").read_text()
    assert f"uses: {name}@{commit} # {tag}\n" in gen and f"@{tag}\n" not in gen
    for path in (repo / ".github/workflows").iterdir():  # every `uses:` a full SHA
        _assert_pinned(path.read_text())
    missing = [
        "install",
        "--repo",
        str(repo),
        "--server",
        server,
        "--action",
        f"{name}@v9",
        "--force",
    ]
    assert main(missing) == 2
    assert "v9 not found" in capsys.readouterr().err
    assert main([*missing[:-1], "--unpinned", "--force"]) == 0  # asked for: kept as given
    assert f"uses: {name}@v9\n" in (repo / ".github/workflows/create-pr.yml").read_text()


def _assert_pinned(text: str) -> None:
    for line in text.splitlines():
        if "uses:" in line:
            ref = line.split("uses:")[1].split("#")[0].strip()
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", ref), line


def test_install_refuses_a_non_repository(tmp_path: Path, capsys) -> None:
    assert main(["install", "--repo", str(tmp_path)]) == 2
    assert "not a git repository" in capsys.readouterr().err


@pytest.mark.parametrize(
    "path", sorted((ROOT / ".github/workflows").glob("*.yml")), ids=lambda p: p.name
)
def test_every_workflow_parses_and_pins_its_actions(path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict) and data["jobs"]
    assert data["permissions"] == {}
    for job in data["jobs"].values():
        for step in job.get("steps", []):
            uses = step.get("uses", "")
            if uses and not uses.startswith("./"):
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), uses


def _run_step(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The action's `run` step as bash runs it, with a fake ebook-bot that logs its argv."""
    steps = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
    script = next(step["run"] for step in steps if step.get("id") == "run")
    fake = tmp_path / "bin" / "ebook-bot"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text(f'#!/bin/sh\necho "$*" >> {tmp_path}/argv\n')
    fake.chmod(0o755)
    base = {
        "PATH": f"{fake.parent}:/usr/bin:/bin",
        "GITHUB_REF": "refs/heads/main",
        "DEFAULT_BRANCH": "main",
        "EBOOK_BOT_COMMAND": "make-book",
        "EBOOK_BOT_ISSUE": "7",
        "EBOOK_BOT_PHASE": "finish",
    }
    names = ("SHARD", "CLAIM", "OUTCOME", "COMMENT_ID", "BOOK_PATH", "PAGES_DIR")
    base |= {f"EBOOK_BOT_{n}": "" for n in names}
    return subprocess.run(
        ["bash", "-e", "-c", script], env=base | env, capture_output=True, text=True, check=False
    )


def test_the_action_passes_the_book_folder_to_make_book(tmp_path: Path) -> None:
    done = _run_step(tmp_path, EBOOK_BOT_BOOK_PATH="book")
    assert done.returncode == 0, done.stdout + done.stderr
    calls = (tmp_path / "argv").read_text().splitlines()
    assert calls == ["doctor", "make-book --issue 7 --phase finish --checkout book"]


@pytest.mark.parametrize("path", ["../book", "/etc", "a/../b", ".git", "book/", "a b", "-x"])
def test_the_action_refuses_a_book_path_outside_the_workspace(tmp_path: Path, path: str) -> None:
    done = _run_step(tmp_path, EBOOK_BOT_BOOK_PATH=path)
    assert done.returncode == 2 and "::error::book-path" in done.stdout
    assert not (tmp_path / "argv").exists()


def _branch_check(**env: str) -> subprocess.CompletedProcess[str]:
    """The action's first step as bash runs it."""
    first = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"][0]
    base = {"PATH": "/usr/bin:/bin", "GITHUB_REF": "refs/heads/main", "DEFAULT_BRANCH": "main"}
    return subprocess.run(
        ["bash", "-e", "-c", first["run"]], env=base | env, capture_output=True, text=True
    )


def test_the_action_refuses_a_run_from_another_branch_before_installing_anything() -> None:
    steps = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
    assert "DEFAULT_BRANCH" in steps[0]["env"] and "uses" not in steps[0]
    assert "pip install" not in steps[0]["run"] and "ACTION_PATH" not in steps[0]["run"]
    assert _branch_check().returncode == 0
    done = _branch_check(GITHUB_REF="refs/heads/ebook-generation-7")
    assert done.returncode == 2 and "from the default branch (main)" in done.stdout
    done = _branch_check(DEFAULT_BRANCH="")  # cannot tell: refused, not waved through
    assert done.returncode == 2 and "does not name the default branch" in done.stdout


def test_the_action_passes_the_pages_dir_and_refuses_a_relative_one(tmp_path: Path) -> None:
    done = _run_step(tmp_path, EBOOK_BOT_PAGES_DIR="/runner/_temp/ebook-pages")
    assert done.returncode == 0, done.stdout + done.stderr
    calls = (tmp_path / "argv").read_text().splitlines()
    assert calls[-1] == "make-book --issue 7 --phase finish --pages-dir /runner/_temp/ebook-pages"
    for bad in ("book/pages", "/tmp/../home"):
        done = _run_step(tmp_path, EBOOK_BOT_PAGES_DIR=bad)
        assert done.returncode == 2 and "::error::pages-dir" in done.stdout


@pytest.mark.skipif(shutil.which("zizmor") is None, reason="zizmor is in the dev extra")
@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_finds_nothing(tmp_path: Path, persona: str) -> None:
    """This repository's workflows and the action, and the templates as install renders them
    with a pinned action: every finding fixed or justified (.github/zizmor.yml, inline)."""
    rendered = tmp_path / ".github" / "workflows"
    rendered.mkdir(parents=True)
    for name in WORKFLOWS:
        (rendered / name).write_text(render_workflow(name, PINNED))
    for inputs in ([".github/workflows/", "action.yml"], sorted(map(str, rendered.iterdir()))):
        done = subprocess.run(
            ["zizmor", "--offline", "--no-progress", f"--persona={persona}", *inputs],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
