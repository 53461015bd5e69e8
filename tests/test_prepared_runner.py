"""The prepared GPU runner: the sources hash and the action's check before pip install."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.buildinfo import main, missing_extras, source_files, source_hash
from tests.conftest import ROOT

PREPARED = ROOT / "scripts" / "prepared.sh"


def _tree(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def test_the_sources_hash_changes_with_any_source(tmp_path: Path) -> None:
    files = {"__init__.py": b"v = 1\n", "a/b.py": b"x = 2\n", "templates/w.yml": b"on: {}\n"}
    one, two = _tree(tmp_path / "one", files), _tree(tmp_path / "two", files)
    _tree(two, {"__pycache__/b.cpython-311.pyc": b"\0", "notes.swp": b"?"})  # not sources
    assert source_hash(one) == source_hash(two)
    assert source_files(one) == ["__init__.py", "a/b.py", "templates/w.yml"]
    _tree(two, {"templates/w.yml": b"on: {push: {}}\n"})
    assert source_hash(one) != source_hash(two)
    # the same bytes split differently between two files is other code
    moved = _tree(tmp_path / "moved", {**files, "__init__.py": b"v = 1\nx", "a/b.py": b" = 2\n"})
    assert source_hash(one) != source_hash(moved)


def test_the_sources_hash_follows_the_templates_link(tmp_path: Path) -> None:
    shared = _tree(tmp_path / "workflows", {"w.yml": b"jobs: {}\n"})
    linked = _tree(tmp_path / "repo", {"__init__.py": b""})
    (linked / "templates").symlink_to(shared)  # the repository: one source, linked
    copied = _tree(tmp_path / "wheel", {"__init__.py": b"", "templates/w.yml": b"jobs: {}\n"})
    assert source_hash(linked) == source_hash(copied)


def test_missing_extras_names_the_module() -> None:
    def here(module: str) -> bool:
        return module in {"torch", "psycopg2"}

    assert missing_extras(["gpu", "postgres", "drive", "gpx"], here) == [
        "gpu (no module diffusers)",
        "drive (no module googleapiclient)",
        "gpx (not an extra of ebook-bot)",
    ]
    assert missing_extras([], here) == []


def test_buildinfo_reports_this_package(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert f'"sources": "{source_hash(ROOT / "bot")}"' in out and '"version": "0.1.0"' in out
    assert main(["--matches", str(ROOT / "bot")]) == 0
    assert "skipping pip install" in capsys.readouterr().out


def _runner(tmp_path: Path, *, blocked: str = "") -> Path:
    """A runner's PATH with ebook-bot installed as a copy of this repository's bot/."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "bot", site / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    if blocked:  # an image built without that extra
        (site / "sitecustomize.py").write_text(
            "import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            f"        if name == {blocked!r}:\n"
            "            raise ModuleNotFoundError(name)\n"
            "sys.meta_path.insert(0, Block())\n"
        )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\nPYTHONPATH={site} exec {sys.executable} "$@"\n')
    (bin_dir / "ebook-bot").write_text(f"#!{python}\nfrom bot.cli import main\nmain()\n")
    for exe in bin_dir.iterdir():
        exe.chmod(0o755)
    return bin_dir


def _prepared(tmp_path: Path, path: str, action: Path, extras: str) -> tuple[str, str]:
    out = tmp_path / "github_output"
    out.touch()
    env = {"PATH": path, "ACTION_PATH": str(action), "EXTRAS": extras, "GITHUB_OUTPUT": str(out)}
    done = subprocess.run(
        ["bash", str(PREPARED)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return out.read_text().strip(), done.stdout.strip()


def test_a_matching_install_skips_pip(tmp_path: Path) -> None:
    bin_dir = _runner(tmp_path)
    ready, log = _prepared(tmp_path, f"{bin_dir}:/usr/bin:/bin", ROOT, "gpu,postgres")
    assert ready == "ready=true"
    short = source_hash(ROOT / "bot")[:12]
    assert log == (
        f"::notice::using the ebook-bot 0.1.0 (sources {short}) installed on this runner; "
        "skipping pip install"
    )


def test_an_install_of_other_sources_is_not_used(tmp_path: Path) -> None:
    bin_dir = _runner(tmp_path)
    action = tmp_path / "action"
    shutil.copytree(ROOT / "bot", action / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    with (action / "bot" / "cli.py").open("a") as fp:
        fp.write("# the default branch moved on\n")  # same version, other code
    ready, log = _prepared(tmp_path, f"{bin_dir}:/usr/bin:/bin", action, "gpu")
    assert ready == "ready=false"
    assert log.startswith("installing ebook-bot: the installed ebook-bot 0.1.0 (sources ")
    assert log.endswith(f"is not the action's (sources {source_hash(action / 'bot')[:12]})")


def test_an_install_without_an_extra_is_not_used(tmp_path: Path) -> None:
    bin_dir = _runner(tmp_path, blocked="psycopg2")
    ready, log = _prepared(tmp_path, f"{bin_dir}:/usr/bin:/bin", ROOT, "gpu,postgres")
    assert ready == "ready=false"
    assert log == (
        "installing ebook-bot: the installed ebook-bot lacks the extras "
        "postgres (no module psycopg2)"
    )


def test_a_runner_without_ebook_bot_installs(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    ready, log = _prepared(tmp_path, f"{empty}:/usr/bin:/bin", ROOT, "")
    assert (ready, log) == ("ready=false", "installing ebook-bot: none on this runner")


def test_the_check_refuses_odd_extras(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "ACTION_PATH": str(ROOT), "EXTRAS": "gpu;rm -rf /"}
    done = subprocess.run(["bash", str(PREPARED)], env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "::error::extras" in done.stdout


@pytest.mark.slow
def test_a_wheel_installs_the_repositorys_sources_and_templates(tmp_path: Path) -> None:
    """The installed package is the checkout's bot/ (the prepared runner's hash matches) and
    carries the workflow templates, which live once, in workflows/."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "workflows", src / "workflows")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "bot", src / "bot", symlinks=True, ignore=ignore)
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run([*pip, "--target", str(site), str(src)], check=True, capture_output=True)
    assert source_hash(site / "bot") == source_hash(ROOT / "bot")
    installed = sorted(p.name for p in (site / "bot/templates/workflows").glob("*.yml"))
    assert installed == sorted(p.name for p in (ROOT / "workflows").glob("*.yml"))
    assert not (site / "bot/templates/workflows").is_symlink()
