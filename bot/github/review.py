"""Review on the draft PR: a slash command in a comment becomes a spec edit and a new
generation run, a ready-for-review PR, or a cancelled run. Untrusted input throughout:
the comment is parsed by `bot.github.slash`; replies quote it only through `shown()`."""

from __future__ import annotations

from bot.book.spec import parse_spec
from bot.book.yamlio import load_yaml
from bot.bookref import BookRef
from bot.errors import BotError
from bot.github.events import DISPATCH_GENERATE, Trigger, TriggerKind
from bot.github.flows import FlowResult, Outcome
from bot.github.repo import GitHubRepo
from bot.github.reporter import ChecklistReporter
from bot.github.slash import HELP, Command, CommandError, apply, is_command, parse
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
    if trigger.kind != TriggerKind.COMMAND or trigger.issue_number is None:
        return FlowResult(Outcome.IGNORED, trigger.reason)
    if not is_command(body):
        return FlowResult(Outcome.IGNORED, "not a command")
    sender = trigger.sender or ""
    if sender.endswith("[bot]"):
        return FlowResult(Outcome.IGNORED, "comments by bots are not commands")
    pr_number, comment_id = trigger.issue_number, int(client["comment_id"])
    pr = repo.pull(pr_number)
    book = BookRef.from_branch(str(pr["head"]))
    # a fork may name its branch ebook-generation-N too: only this repository's branch is a book
    ours = str(pr.get("head_repo") or "").lower() == repo.full_name.lower()
    if book is None or not ours or pr["state"] != "open":
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
            raise CommandError(f"I don't know `/{shown(command.raw_name)}`.\n\n{HELP}")
        outcome = _run(command, repo, pr, book, sender, comment_id)
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


def _run(
    command: Command,
    repo: GitHubRepo,
    pr: dict[str, object],
    book: BookRef,
    sender: str,
    comment_id: int,
) -> FlowResult:
    pr_number = int(str(pr["number"]))
    if command.name == "help":
        repo.comment(pr_number, HELP)
        repo.react(comment_id, "rocket")
        return FlowResult(Outcome.HELP)
    if command.name == "approve":
        if pr["draft"]:
            repo.mark_ready(str(pr["node_id"]))
        repo.react(comment_id, "rocket")
        return FlowResult(Outcome.APPROVED, f"#{pr_number} ready for review")
    if command.name == "cancel":
        cancelled = repo.cancel_runs(BOOK_WORKFLOW, book.run_title)
        if not cancelled:
            raise CommandError("Nothing is being generated for this book right now.")
        reporter = ChecklistReporter(repo, pr_number)
        reporter.update(note=f"> [!NOTE]\n> Generation cancelled by @{sender}.")
        reporter.flush()
        repo.react(comment_id, "rocket")
        return FlowResult(Outcome.CANCELLED, f"runs {cancelled}")
    # /regenerate and /cover: edit the spec on the branch, then make the book again
    branch, path = book.branch, book.spec_path
    raw = repo.read_file(branch, path)
    if raw is None:
        raise CommandError(f"`{path}` is missing from `{branch}`")
    spec = apply(parse_spec(load_yaml(raw, source=path), source=path), command)
    if command.name == "cover":
        what = "a new cover"
    elif command.subject is not None:
        what = f"page {command.pages[0]}: new subject"
    else:
        what = "pages " + ", ".join(str(n) for n in command.pages)
    repo.put_file(
        branch,
        path,
        spec.to_yaml().encode("utf-8"),
        f"Regenerate {what} (asked by @{sender} in #{pr_number})",
    )
    repo.dispatch(
        DISPATCH_GENERATE,
        {"issue_number": book.issue, "pull_number": pr_number, "comment_id": comment_id},
    )
    return FlowResult(Outcome.REGENERATING, what)
