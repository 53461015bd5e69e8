"""Review on the draft PR: a slash command in a comment becomes a spec edit and a new
generation run, a ready-for-review PR, or a cancelled run. Untrusted input throughout:
the comment is parsed by `bot.github.slash`; replies quote it only through `shown()`."""

from __future__ import annotations

import posixpath

from bot.book.providers.folder import IMAGES
from bot.book.spec import BookSpec, parse_spec
from bot.book.yamlio import load_yaml
from bot.bookref import BookRef
from bot.errors import BotError
from bot.github.checklist import RUNNING, parse_checklist, ticked_pages
from bot.github.events import DISPATCH_GENERATE, Trigger, TriggerKind
from bot.github.flows import FlowResult, Outcome
from bot.github.outcome import asked_marker
from bot.github.repo import GitHubRepo
from bot.github.reporter import ChecklistReporter
from bot.github.slash import (
    HELP,
    MAX_PAGE_NUMBERS,
    Command,
    CommandError,
    apply,
    is_command,
    parse,
    unknown_reply,
)
from bot.text import shown

BOOK_WORKFLOW = "ebook-book.yml"


def handle_command(
    trigger: Trigger,
    repo: GitHubRepo,
    *,
    allowlist: frozenset[str] = frozenset(),
    run_url: str | None = None,
) -> FlowResult:
    client = trigger.client_payload or {}
    body = str(client.get("body") or "")
    if trigger.kind == TriggerKind.TICKED and trigger.issue_number is not None:
        return handle_ticked(trigger, repo, allowlist=allowlist)
    if trigger.kind != TriggerKind.COMMAND or trigger.issue_number is None:
        return FlowResult(Outcome.IGNORED, trigger.reason)
    if not is_command(body):
        return FlowResult(Outcome.IGNORED, "not a command")
    sender = trigger.sender or ""
    if sender.endswith("[bot]"):
        return FlowResult(Outcome.IGNORED, "comments by bots are not commands")
    if client.get("on_issue"):
        return _on_issue(repo, trigger.issue_number)
    pr_number, comment_id = trigger.issue_number, int(client["comment_id"])
    pr = repo.pull(pr_number)
    book = _book_of(repo, pr)
    if book is None:
        return FlowResult(Outcome.IGNORED, f"#{pr_number} is not an open book pull request")
    if not repo.may_write(sender, allowlist):
        repo.comment(
            pr_number,
            f"Sorry @{sender}, only people with write access to this repository can "
            "use ebook-bot's commands. Ask a maintainer to run it for you.",
        )
        return FlowResult(Outcome.UNAUTHORIZED, f"{sender} may not write")
    repo.react(comment_id, "eyes")
    try:
        command = parse(body)
        if command.name == "unknown":
            raise CommandError(unknown_reply(command))
        outcome = run_command(command, repo, pr, book, sender, comment_id)
    except CommandError as exc:
        repo.comment(pr_number, str(exc))
        repo.react(comment_id, "confused")
        return FlowResult(Outcome.INVALID, str(exc))
    except BotError as exc:
        link = f" ([run log]({run_url}))" if run_url else ""
        repo.comment(pr_number, f"That command failed: {exc.message}{link}")
        repo.react(comment_id, "confused")
        raise
    return outcome


def _book_of(repo: GitHubRepo, pr: dict[str, object]) -> BookRef | None:
    """The book of an open PR whose head is this repository's book branch, else None: a
    fork may name its branch ebook-generation-N too (and pull_request_target runs for it)."""
    book = BookRef.from_branch(str(pr["head"]))
    ours = str(pr.get("head_repo") or "").lower() == repo.full_name.lower()
    return book if book is not None and ours and pr["state"] == "open" else None


def _on_issue(repo: GitHubRepo, issue: int) -> FlowResult:
    """A command typed on the book's issue: one reply pointing to the pull request."""
    pr = repo.find_pull(BookRef(issue).branch)
    if pr is None:
        text = "Commands such as `/regenerate` work on the book's pull request, once it is open."
    else:
        text = f"Commands such as `/regenerate` work on the book's pull request: #{pr.number}."
    repo.comment(issue, text)
    return FlowResult(Outcome.IGNORED, f"a command on issue #{issue}: pointed to the PR")


def run_command(
    command: Command,
    repo: GitHubRepo,
    pr: dict[str, object],
    book: BookRef,
    sender: str,
    comment_id: int,
) -> FlowResult:
    """Carry out one parsed command on a book's open PR (a comment's, or ticked boxes')."""
    pr_number = int(str(pr["number"]))
    if command.name == "help":
        repo.comment(pr_number, HELP)
        repo.react(comment_id, "rocket")
        return FlowResult(Outcome.HELP)
    if command.name == "approve":
        return _approve(command, repo, pr, comment_id)
    if command.name == "cancel":
        cancelled = repo.cancel_runs(BOOK_WORKFLOW, book.run_title)
        if not cancelled:
            raise CommandError("Nothing is being generated for this book right now.")
        reporter = ChecklistReporter(repo, pr_number)
        reporter.update(note=f"> [!NOTE]\n> Generation cancelled by @{sender}.")
        reporter.flush()
        repo.react(comment_id, "rocket")
        return FlowResult(Outcome.CANCELLED, f"runs {cancelled}")
    return _remake(command, repo, pr_number, book, sender, comment_id)


def _approve(
    command: Command, repo: GitHubRepo, pr: dict[str, object], comment_id: int
) -> FlowResult:
    pr_number = int(str(pr["number"]))
    blocked = parse_checklist(repo.pull_body(pr_number)).blocked
    if blocked and not command.force:
        raise CommandError(
            f"Not approved: {blocked}. Make the pages again (`/regenerate N`), or comment "
            "`/approve force` to approve the book as it is."
        )
    if pr["draft"]:
        repo.mark_ready(str(pr["node_id"]))
    repo.react(comment_id, "rocket")
    return FlowResult(Outcome.APPROVED, f"#{pr_number} ready for review")


def _what(command: Command) -> str:
    if command.name == "cover":
        return "a new cover"
    pages = ", ".join(str(n) for n in command.pages)
    if command.subject is not None:
        return f"page {pages} with the new subject \u201c{shown(command.subject, 300)}\u201d"
    return ("page " if len(command.pages) == 1 else "pages ") + pages


def _own_art(repo: GitHubRepo, book: BookRef, spec: BookSpec, command: Command) -> None:
    """Refuse to remake pages that are the user's own images: a new seed changes nothing."""
    if spec.pages.art is None or command.name != "regenerate":
        return
    folder = posixpath.normpath(posixpath.join(posixpath.dirname(book.spec_path), spec.pages.art))
    names = repo.folder(book.branch, folder) or []
    count = sum(1 for n in names if posixpath.splitext(n)[1].lower() in IMAGES)
    own = [n for n in command.pages if n <= count]
    if own:
        raise CommandError(
            f"page {own[0]} is one of your own images (`pages.art`), so making it again would "
            f"give the same page: replace the image in `{shown(folder, 80)}` on the branch "
            "instead."
        )


def _remake(
    command: Command,
    repo: GitHubRepo,
    pr_number: int,
    book: BookRef,
    sender: str,
    cid: int | None,
) -> FlowResult:
    """/regenerate and /cover (or ticked boxes, `cid` None): edit the spec on the branch,
    say what will happen, then make the book again."""
    branch, path = book.branch, book.spec_path
    raw = repo.read_file(branch, path)
    if raw is None:
        raise CommandError(f"`{path}` is missing from `{branch}`")
    before = parse_spec(load_yaml(raw, source=path), source=path)
    spec = apply(before, command)
    _own_art(repo, book, before, command)
    what = _what(command)
    seeds = " with new seeds" if command.subject is None and command.name == "regenerate" else ""
    reply = (
        f"@{sender} making {what} again{seeds}; the PDFs and the preview are then rebuilt "
        "and committed to this branch. I will comment here when it is done, with a link to "
        "the commit that shows the old and new pages side by side."
    )
    if cid is None:  # no comment asked: the run finds who did in this reply
        reply += "\n" + asked_marker(sender, command.pages)
    replied = repo.post_comment(pr_number, reply)
    repo.put_file(
        branch,
        path,
        spec.to_yaml().encode("utf-8"),
        f"Regenerate {what} (asked by @{sender} in #{pr_number})",
    )
    payload: dict[str, object] = {"issue_number": book.issue, "pull_number": pr_number}
    if cid or replied:
        payload["comment_id"] = cid or replied
    repo.dispatch(DISPATCH_GENERATE, payload)
    reporter = ChecklistReporter(repo, pr_number)
    total = spec.pages.total
    reporter.update(
        state=RUNNING,
        failed_stage=None,
        done=frozenset({"spec", "cover"} if command.name == "regenerate" else {"spec"}),
        pages_done=total - len(command.pages),
        pages_total=total,
        note=f"> [!NOTE]\n> Making {what} again (asked by @{sender}).",
    )
    reporter.flush()
    return FlowResult(Outcome.REGENERATING, what)


def handle_ticked(
    trigger: Trigger, repo: GitHubRepo, *, allowlist: frozenset[str] = frozenset()
) -> FlowResult:
    """Boxes ticked in a book PR's body: those pages are made again, with every check of
    `/regenerate`; the boxes are unticked whatever happens."""
    client = trigger.client_payload or {}
    pages = ticked_pages(str(client.get("before") or ""), str(client.get("after") or ""))
    sender, pr_number = trigger.sender or "", int(trigger.issue_number or 0)
    if sender.endswith("[bot]") or not pages:
        return FlowResult(Outcome.IGNORED, "no box newly ticked")
    pr = repo.pull(pr_number)
    book = _book_of(repo, pr)
    if book is None:
        return FlowResult(Outcome.IGNORED, f"#{pr_number} is not an open book pull request")
    if not repo.may_write(sender, allowlist):
        return FlowResult(Outcome.UNAUTHORIZED, f"{sender} may not write")
    command = Command("regenerate", tuple(pages[:MAX_PAGE_NUMBERS]))
    try:
        return _remake(command, repo, pr_number, book, sender, None)
    except CommandError as exc:
        repo.comment(pr_number, f"@{sender} {exc}")
        reporter = ChecklistReporter(repo, pr_number)  # the boxes go back to unticked
        reporter.update(note=f"> [!NOTE]\n> Ticked pages were not made again: {exc}")
        reporter.flush()
        return FlowResult(Outcome.INVALID, str(exc))
