"""Workflow templates, this repository's workflows, the action and `ebook-bot install`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.github.install import WORKFLOWS, render_workflow
from tests.conftest import ROOT

UNTRUSTED = re.compile(
    r"\$\{\{\s*github\.event\.(issue|comment|pull_request|client_payload|inputs)"
)


@pytest.mark.parametrize("name", WORKFLOWS)
def test_repository_workflows_are_the_rendered_templates(name: str) -> None:
    assert (ROOT / ".github/workflows" / name).read_text() == render_workflow(name, "./")
    assert (ROOT / "workflows" / name).read_text() == (
        ROOT / "bot/templates/workflows" / name
    ).read_text()


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
    assert data["concurrency"]["cancel-in-progress"] is False
    for job in data["jobs"].values():
        gpu = "runs-on)" in str(job.get("runs-on", ""))  # pages on the self-hosted GPU runners
        assert "permissions" in job and job["timeout-minutes"] <= (180 if gpu else 30)
        for step in job["steps"]:
            assert not UNTRUSTED.search(step.get("run", ""))
            if "actions/checkout" in step.get("uses", ""):
                assert step["with"]["persist-credentials"] is False


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
    assert main(["install", "--repo", str(tmp_path)]) == 2
    assert "use --force" in capsys.readouterr().err
    assert target.read_text() == "# mine\n"
    assert main(["install", "--repo", str(tmp_path), "--force"]) == 0
    assert target.read_text() != "# mine\n"


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
