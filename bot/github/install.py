"""`ebook-bot install`: write the workflows and the issue form into a repository."""

from __future__ import annotations

import re
import subprocess
from importlib import resources
from pathlib import Path

from bot.errors import UserInputError
from bot.fsutil import atomic_write
from bot.github.gitops import git_env

PLACEHOLDER = "__EBOOK_BOT_ACTION__"
DEFAULT_ACTION = "ebook-bot/ebook-bot@v0.1.0"
WORKFLOWS = ("ebook-generation.yml", "create-pr.yml", "ebook-book.yml", "ebook-command.yml")


FULL_SHA = re.compile(r"[0-9a-f]{40}")
ACTION_REF = re.compile(r"([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)@([A-Za-z0-9_./-]+)")


def resolve_action(action: str, server: str = "https://github.com") -> tuple[str, str | None]:
    """`OWNER/REPO@REF` pinned to the full commit SHA that REF names now (a tag or branch
    can be moved later, a SHA cannot): (pinned action, the REF it came from or None)."""
    match = ACTION_REF.fullmatch(action)
    if action.startswith("./") or match is None or FULL_SHA.fullmatch(match.group(2)):
        return action, None
    repo, ref = match.groups()
    url = f"{server.rstrip('/')}/{repo}"
    wanted = (f"refs/tags/{ref}^{{}}", f"refs/tags/{ref}", f"refs/heads/{ref}")
    try:
        done = subprocess.run(
            ["git", "ls-remote", "--", url, *wanted],
            env=git_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserInputError(f"--action: cannot ask {url} for {ref} ({exc})") from None
    found: dict[str, str] = {}
    for line in done.stdout.splitlines():
        commit, _, name = line.partition("\t")
        found[name] = commit
    sha = next((found[name] for name in wanted if name in found), None)
    if done.returncode != 0 or sha is None or not FULL_SHA.fullmatch(sha):
        raise UserInputError(
            f"--action: {ref} not found in {url}; pass OWNER/REPO@FULL_COMMIT_SHA "
            "(or --unpinned to keep a tag)"
        )
    return f"{repo}@{sha}", ref


def render_workflow(name: str, action: str, ref: str | None = None) -> str:
    """A workflow template with the bot's action reference filled in (`ref`: the tag it
    was pinned from, kept as a comment for people and update tools)."""
    text = (resources.files("bot") / "templates" / "workflows" / name).read_text("utf-8")
    uses, named = action + (f" # {ref}" if ref else ""), f"`{action}`"
    if action == "./":  # this repository is the action (its own workflows)
        # the ignore comment belongs on the `uses:` lines only, never in the header's prose
        uses = "./ # zizmor: ignore[self-repository] the bot runs from its own checkout"
        named = "`./` (this repository)"
    text = text.replace(f"uses: {PLACEHOLDER}", f"uses: {uses}")
    return text.replace(PLACEHOLDER, named)


def planned_files(action: str, ref: str | None = None) -> dict[Path, str]:
    files = {
        Path(".github/workflows") / name: render_workflow(name, action, ref) for name in WORKFLOWS
    }
    form = (resources.files("bot") / "templates" / "coloring-book.yml").read_text("utf-8")
    files[Path(".github/ISSUE_TEMPLATE/coloring-book.yml")] = form
    return files


def install(
    repo: Path,
    action: str = DEFAULT_ACTION,
    *,
    force: bool = False,
    pin: bool = True,
    server: str = "https://github.com",
) -> list[str]:
    """Write the files; a file that exists with other content is kept unless `force`. The
    action is pinned to a full commit SHA unless `pin` is False."""
    if not (repo / ".git").exists():
        raise UserInputError(f"{repo}: not a git repository (pass --repo DIR)")
    if any(c.isspace() for c in action) or ("@" not in action and not action.startswith("./")):
        raise UserInputError(f"--action: {action!r} is not OWNER/REPO@REF or ./PATH")
    ref = None
    if pin:
        action, ref = resolve_action(action, server)
    report, conflicts = [], []
    if ref:
        report.append(f"pinned {ref} to {action}")
    for rel, text in planned_files(action, ref).items():
        target = repo / rel
        if target.exists() and target.read_text("utf-8") == text:
            report.append(f"unchanged {rel}")
            continue
        if target.exists() and not force:
            conflicts.append(str(rel))
            continue
        atomic_write(target, text.encode("utf-8"))
        report.append(f"wrote {rel}")
    if conflicts:
        raise UserInputError(
            "these files exist with other content (use --force to replace them)", conflicts
        )
    return report
