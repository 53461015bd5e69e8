"""Steps 2 and 3 of the design: an issue becomes a spec branch, then a draft PR.

Each flow reads its trigger, checks who asked, and makes only the writes still missing, so
replaying an event changes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.book.spec import BookSpec
from bot.bookref import BookRef
from bot.errors import UserInputError
from bot.github.approval import Approval, approval_of, spec_approval, stamped
from bot.github.checklist import Progress, pr_body, status_comment
from bot.github.events import DISPATCH_CREATE_PR, DISPATCH_GENERATE, Trigger, TriggerKind
from bot.github.issue_spec import issue_year, spec_from_issue
from bot.github.repo import GitHubRepo, StatusComment


class Outcome(StrEnum):
    """What a GitHub-side command did (printed as `outcome: detail`)."""

    DISPATCHED = "dispatched"
    UNCHANGED = "unchanged"
    INVALID = "invalid"
    UNAUTHORIZED = "unauthorized"
    IGNORED = "ignored"
    PR = "pr"
    HELP = "help"
    APPROVED = "approved"
    CANCELLED = "cancelled"
    REGENERATING = "regenerating"
    UNAPPROVED = "unapproved"


@dataclass(frozen=True)
class FlowResult:
    outcome: Outcome
    detail: str = ""


def init_from_issue(
    trigger: Trigger,
    repo: GitHubRepo,
    *,
    default_branch: str,
    form: dict[str, Any],
    allowlist: frozenset[str] = frozenset(),
) -> FlowResult:
    """Parse the issue into a spec, commit it on the book's branch, dispatch the PR step.

    The spec is made only from a body that someone with write access wrote or approved
    (`bot.github.approval`): its hash is kept in the bot's own status comment."""
    if trigger.kind != TriggerKind.SYNC_SPEC or trigger.issue_number is None:
        return FlowResult(Outcome.IGNORED, trigger.reason)
    number = trigger.issue_number
    issue = trigger.issue or repo.issue(number)
    if issue.get("pull_request"):
        return FlowResult(Outcome.IGNORED, f"#{number} is a pull request")
    status = repo.status_comment(number)
    recorded = approval_of(status.body if status else None)
    sender = trigger.sender or ""
    if not repo.may_write(sender, allowlist):
        edited = trigger.reason == "issues.edited"
        line = _edit_refused(sender) if edited else _not_allowed(sender)
        _status(repo, number, [line], recorded, status)
        return FlowResult(Outcome.UNAUTHORIZED, f"{sender} may not write")
    body = issue.get("body")
    approval = spec_approval(body, sender, approves=trigger.approves_body, recorded=recorded)
    if approval is None:
        _status(repo, number, [_unapproved(recorded)], recorded, status)
        return FlowResult(Outcome.UNAPPROVED, "the issue body changed since it was approved")
    try:
        year = issue_year(issue.get("created_at"))
        spec = spec_from_issue(body, form, default_seed=number, year=year)
    except UserInputError as exc:
        lines = ["The coloring book could not start: please edit the issue and fix these.", ""]
        lines += [f"- {p}" for p in exc.problems]
        _status(repo, number, lines, approval, status)
        return FlowResult(Outcome.INVALID, "; ".join(exc.problems))
    return _sync_spec(BookRef(number), spec, repo, default_branch, approval, status)


def _status(
    repo: GitHubRepo,
    number: int,
    lines: list[str],
    approval: Approval | None,
    current: StatusComment | None,
) -> int | None:
    """Write the status comment (`current`: the one there, None when there is none),
    carrying the approved body's hash."""
    body = stamped(status_comment(lines), approval)
    return repo.upsert_status_comment(number, body, current=current, search=False)


def _not_allowed(sender: str | None) -> str:
    return (
        f"Thanks, @{sender}! Only people with write access to this repository (or on the "
        "bot's allowlist) can start a coloring book, so nothing was made. A maintainer can "
        "run it for you."
    )


_APPROVE_HOW = (
    "A maintainer can approve the issue's current text by adding the `ebook-generation` "
    "label again or running the ebook generation workflow for this issue."
)


def _edit_refused(sender: str | None) -> str:
    return (
        f"@{sender} edited this issue. Edits by people without write access to this "
        "repository are not used, so the book's spec was not changed. " + _APPROVE_HOW
    )


def _unapproved(recorded: Approval | None) -> str:
    since = f" since @{recorded.by} approved it" if recorded else ""
    return (
        f"The issue's text changed{since}, and this event does not approve the new text, so "
        "the book's spec was not changed. " + _APPROVE_HOW
    )


DISPATCHED = "<!-- ebook-bot:dispatched {} -->"


def _sync_spec(
    book: BookRef,
    spec: BookSpec,
    repo: GitHubRepo,
    default_branch: str,
    approval: Approval,
    status: StatusComment | None,
) -> FlowResult:
    """Commit the spec on the book's branch when it changed; dispatch the PR step once.

    A form-made issue arrives twice (`opened`, then `labeled`), in either order relative to
    the PR step: the status comment records which spec the PR step was asked for, so the
    second event neither dispatches again nor loses the PR link the PR step wrote."""
    number, branch, path = book.issue, book.branch, book.spec_path
    created = repo.ensure_branch(branch, default_branch)
    changed, blob_sha = repo.put_file(
        branch, path, spec.to_yaml().encode("utf-8"), f"Spec for #{number}: {spec.title}"
    )
    pr = None if created else repo.find_pull(branch)  # a new branch has no PR yet
    if not (created or changed):
        if pr is not None:
            return FlowResult(Outcome.UNCHANGED, f"{path} unchanged and its PR exists")
        if status is not None and DISPATCHED.format(blob_sha) in status.body:
            return FlowResult(Outcome.UNCHANGED, f"{path} unchanged; the PR step is on its way")
    state = "saved" if changed else "unchanged"
    lines = [
        f"Spec {state}: `{path}` on branch `{branch}` ({spec.pages.total} pages, "
        f"{spec.trim.value} in).",
        "Opening the draft pull request..."
        if pr is None
        else f"Draft pull request: #{pr.number} ({pr.url}); the book is made again.",
        DISPATCHED.format(blob_sha),
    ]
    comment_id = _status(repo, number, lines, approval, status)
    repo.dispatch(
        DISPATCH_CREATE_PR,
        {
            "issue_number": number,
            "branch": branch,
            "spec_sha": blob_sha,
            "title": spec.title[:100],
            "status_comment_id": comment_id,
        },
    )
    return FlowResult(Outcome.DISPATCHED, f"{path} on {branch}")


def create_pr(trigger: Trigger, repo: GitHubRepo, *, default_branch: str) -> FlowResult:
    """Find or open the book's draft PR and link it from the issue's status comment."""
    if trigger.kind != TriggerKind.CREATE_PR or trigger.issue_number is None:
        return FlowResult(Outcome.IGNORED, trigger.reason)
    number = trigger.issue_number
    client = trigger.client_payload or {}
    branch = BookRef(number).branch  # never taken from the payload: it names our own branch
    title = str(client.get("title") or f"issue #{number}")[:100]
    pr = repo.find_or_create_pull(
        branch,
        default_branch,
        f"Coloring book: {title}",
        pr_body(number, Progress(done=frozenset({"spec"}))),
    )
    if pr is None:  # dry run
        return FlowResult(Outcome.PR, "dry run")
    lines = [f"Spec saved on `{branch}`. Draft pull request: #{pr.number} ({pr.url})"]
    if not pr.draft:
        lines.append(
            "Draft pull requests are not available on this repository's plan, so a normal "
            "pull request was opened: please do not merge it before the book is done."
        )
    raw_id = client.get("status_comment_id")
    comment_id = int(raw_id) if isinstance(raw_id, int) and raw_id > 0 else None
    status = repo.status_comment(number, comment_id)  # the bot's own, author checked
    _status(repo, number, lines, approval_of(status.body if status else None), status)
    # the generation job runs on the GPU runner, in its own workflow run
    repo.dispatch(DISPATCH_GENERATE, {"issue_number": number, "pull_number": pr.number})
    return FlowResult(Outcome.PR, f"#{pr.number}{' (created)' if pr.created else ''}")
