"""`check-sender`: whether an event's sender may write, before any job that writes runs.

The workflows' first job runs it; only when it says `allowed=true` does the job that writes
start, in a concurrency group keyed by the issue number printed here (validated, so `05`
and `5` are one book). Anyone can cause an `issues` or `issue_comment` event, and GitHub
keeps one pending run per group: an outsider's run must never join it.
"""

from __future__ import annotations

from bot.commands.base import Command, typed
from bot.commands.github import EventArgs, _event, _options
from bot.runtime import Runtime


def check_sender(args: EventArgs, rt: Runtime) -> int:
    from bot.github.checklist import ticked_pages
    from bot.github.events import TriggerKind

    ctx = _event(args, rt)
    trigger = ctx.trigger
    issue = allowed = ""  # not the bot's event: neither the writing job nor the reply runs
    client = trigger.client_payload or {}
    # a PR body edit that ticks no page box asks for nothing (the bot's own progress under
    # a personal token, a typo fix): it must not join the PR's group and drop a queued run
    asks = trigger.kind is not TriggerKind.TICKED or bool(
        ticked_pages(str(client.get("before") or ""), str(client.get("after") or ""))
    )
    if trigger.kind is not TriggerKind.IGNORE and trigger.issue_number is not None and asks:
        issue = str(trigger.issue_number)
        may = ctx.repo.may_write(trigger.sender, rt.settings.allowed_logins)
        allowed = "true" if may else "false"
    lines = [f"issue={issue}", f"allowed={allowed}"]
    target = rt.settings.github_output
    if target:
        with open(target, "a", encoding="utf-8") as fp:
            fp.write("\n".join(lines) + "\n")
    print("\n".join(lines) + (f"\nsender: {trigger.sender}" if trigger.sender else ""))
    return 0


COMMANDS = (
    Command(
        "check-sender",
        "may the event's sender write? (issue=N, allowed=true|false)",
        """
        The first job of the issue and comment workflows: print (and append to
        GITHUB_OUTPUT) the event's validated issue number and whether its sender has write
        access (or is on the allowlist). Empty `allowed` means the event is not the bot's.
        Nothing is written to GitHub.
        """,
        ("ebook-bot check-sender --event event.json --event-name issues",),
        _options(template=False),
        typed(EventArgs, check_sender),
    ),
)
