"""`ebook-bot install`: write the workflows and the issue form into a repository."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from bot.errors import UserInputError
from bot.fsutil import atomic_write

PLACEHOLDER = "__EBOOK_BOT_ACTION__"
DEFAULT_ACTION = "ebook-bot/ebook-bot@v0.1.0"
WORKFLOWS = ("ebook-generation.yml", "create-pr.yml", "ebook-book.yml", "ebook-command.yml")


def render_workflow(name: str, action: str) -> str:
    """A workflow template with the bot's action reference filled in."""
    text = (resources.files("bot") / "templates" / "workflows" / name).read_text("utf-8")
    uses, named = action, f"`{action}`"
    if action == "./":  # this repository is the action (its own workflows)
        # the ignore comment belongs on the `uses:` lines only, never in the header's prose
        uses = "./ # zizmor: ignore[self-repository] the bot runs from its own checkout"
        named = "`./` (this repository)"
    text = text.replace(f"uses: {PLACEHOLDER}", f"uses: {uses}")
    return text.replace(PLACEHOLDER, named)


def planned_files(action: str) -> dict[Path, str]:
    files = {Path(".github/workflows") / name: render_workflow(name, action) for name in WORKFLOWS}
    form = (resources.files("bot") / "templates" / "coloring-book.yml").read_text("utf-8")
    files[Path(".github/ISSUE_TEMPLATE/coloring-book.yml")] = form
    return files


def install(repo: Path, action: str = DEFAULT_ACTION, *, force: bool = False) -> list[str]:
    """Write the files; a file that exists with other content is kept unless `force`."""
    if not (repo / ".git").exists():
        raise UserInputError(f"{repo}: not a git repository (pass --repo DIR)")
    if any(c.isspace() for c in action) or ("@" not in action and not action.startswith("./")):
        raise UserInputError(f"--action: {action!r} is not OWNER/REPO@REF or ./PATH")
    report, conflicts = [], []
    for rel, text in planned_files(action).items():
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
