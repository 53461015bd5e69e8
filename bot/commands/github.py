"""`init-from-issue`, `create-pr` and `handle-command`: the event-driven GitHub steps."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands.base import Command, typed
from bot.errors import UserInputError
from bot.runtime import Runtime

if TYPE_CHECKING:
    from bot.github.events import Trigger
    from bot.github.flows import FlowResult
    from bot.github.repo import GitHubRepo


@dataclass(frozen=True)
class EventArgs:
    event: str | None
    event_name: str | None
    dry_run: bool
    template: Path | None = None


@dataclass(frozen=True)
class EventContext:
    """What the event asks for, and where."""

    trigger: Trigger
    repo: GitHubRepo
    default_branch: str


def _event(args: EventArgs, rt: Runtime) -> EventContext:
    """The trigger from the event file, and the repository adapter."""
    from bot.github.events import parse_trigger, read_event_file

    s = rt.settings
    event_path = args.event or s.github_event_path
    if not event_path:
        raise UserInputError("GITHUB_EVENT_PATH: not set (or pass --event PATH)")
    name = args.event_name or s.github_event_name
    if not name:
        raise UserInputError("GITHUB_EVENT_NAME: not set (or pass --event-name NAME)")
    payload = read_event_file(Path(event_path))
    trigger = parse_trigger(name, payload)
    repo = rt.github(s.github_repository or trigger.repository or None, dry_run=args.dry_run)
    default_branch = (payload.get("repository") or {}).get("default_branch") or "main"
    return EventContext(trigger, repo, str(default_branch))


def _report(result: FlowResult) -> int:
    print(f"{result.outcome}: {result.detail}")
    return 0


def init_from_issue(args: EventArgs, rt: Runtime) -> int:
    from bot.github.flows import Outcome, init_from_issue
    from bot.github.issue_form import load_form

    ctx = _event(args, rt)
    result = init_from_issue(
        ctx.trigger,
        ctx.repo,
        default_branch=ctx.default_branch,
        form=load_form(args.template),
        allowlist=rt.settings.allowed_logins,
    )
    if result.outcome is Outcome.INVALID:
        print(rt.annotate("warning", f"issue #{ctx.trigger.issue_number}: {result.detail}"))
    return _report(result)


def create_pr(args: EventArgs, rt: Runtime) -> int:
    from bot.github.flows import create_pr

    ctx = _event(args, rt)
    return _report(create_pr(ctx.trigger, ctx.repo, default_branch=ctx.default_branch))


def handle_command(args: EventArgs, rt: Runtime) -> int:
    from bot.github.review import handle_command

    ctx = _event(args, rt)
    s = rt.settings
    return _report(
        handle_command(ctx.trigger, ctx.repo, allowlist=s.allowed_logins, run_url=s.run_url())
    )


def _options(*, template: bool) -> Callable[[argparse.ArgumentParser], None]:
    def configure(p: argparse.ArgumentParser) -> None:
        p.add_argument("--event", metavar="PATH", help="event payload (default: GITHUB_EVENT_PATH)")
        p.add_argument("--event-name", metavar="NAME", help="default: GITHUB_EVENT_NAME")
        p.add_argument("--dry-run", action="store_true", help="print the writes, make none")
        if template:
            p.add_argument("--template", type=Path, metavar="FORM", help="issue form YAML")

    return configure


_DRY = "with GITHUB_TOKEN and GITHUB_REPOSITORY set"
COMMANDS = (
    Command(
        "init-from-issue",
        "issue -> spec branch, status comment, dispatch",
        f"""
        Step 2 of the GitHub flow (the `ebook-generation` workflow runs it): check that the
        sender may write, turn the issue form into specs/ebook-N.yaml on the branch
        ebook-generation-N (committed only when it changes), keep the issue's one status
        comment current and send the `create-ebook-pr` dispatch. A form with problems gets
        them listed in the status comment and nothing else happens. Try it {_DRY}.
        """,
        ("ebook-bot init-from-issue --event event.json --event-name issues --dry-run",),
        _options(template=True),
        typed(EventArgs, init_from_issue),
    ),
    Command(
        "create-pr",
        "find or open the book's draft pull request",
        f"""
        Step 3 (the `create-pr` workflow runs it on the `create-ebook-pr` dispatch): find or
        open the book's draft pull request with its progress checklist, link it from the
        issue's status comment and start the generation run. Try it {_DRY}.
        """,
        ("ebook-bot create-pr --event dispatch.json --event-name repository_dispatch --dry-run",),
        _options(template=False),
        typed(EventArgs, create_pr),
    ),
    Command(
        "handle-command",
        "a slash command in a comment on the draft PR",
        f"""
        Carry out a reviewer's slash command in a comment on a book's draft pull request
        (/regenerate, /cover, /approve, /cancel, /help); only people with write access. Try
        it {_DRY}.
        """,
        ("ebook-bot handle-command --event comment.json --event-name issue_comment --dry-run",),
        _options(template=False),
        typed(EventArgs, handle_command),
    ),
)
