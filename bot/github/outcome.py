"""The end of a book run on GitHub: one PR comment that @mentions whoever asked, and the
issue's status comment brought to the book's end state (keeping the PR link)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.bookref import BookRef
from bot.github.approval import approval_of, stamped
from bot.github.checklist import CANCELLED, FAILED, status_comment
from bot.github.notify import Ending, outcome_comment, outcome_marker, status_lines
from bot.github.repo import GitHubRepo, PullRequestRef
from bot.github.reporter import ChecklistReporter
from bot.github.slash import Command, CommandError, is_command, parse
from bot.text import one_line


@dataclass(frozen=True)
class Asker:
    """Who asked for this run, and what (when a comment asked)."""

    login: str | None
    command: Command | None = None


ASKED = re.compile(r"<!-- ebook-bot:asked by=([A-Za-z0-9\[\]-]{1,60}) pages=([\d,]{1,300}) -->")


def asked_marker(login: str, pages: tuple[int, ...]) -> str:
    """Who ticked boxes for which pages, hidden in the bot's reply that the run points to."""
    return f"<!-- ebook-bot:asked by={login} pages={','.join(str(n) for n in pages)} -->"


def asker(repo: GitHubRepo, issue: int, comment_id: int | None) -> Asker:
    """The commenter (and their command) when a comment asked; the person who ticked boxes
    when the bot's reply to them asked; else the issue's author."""
    if comment_id:
        found = repo.comment_by_id(comment_id)
        ticked = ASKED.search(found.body) if found is not None else None
        if found is not None and ticked and found.login == repo.login:
            pages = tuple(int(n) for n in ticked.group(2).split(",") if n)
            return Asker(ticked.group(1), Command("regenerate", pages))
        if found is not None:
            command = None
            if is_command(found.body):
                try:
                    command = parse(found.body)
                except CommandError:
                    command = None
            return Asker(found.login or None, command)
    return Asker(repo.author(issue))


def announce(
    repo: GitHubRepo,
    issue: int,
    pr: PullRequestRef,
    reporter: ChecklistReporter,
    ending: Ending,
    *,
    check_first: bool = False,
) -> bool:
    """Post the end-of-run comment (once per run: with `check_first`, not when a job of the
    same run already did) and bring the issue's status comment up to date."""
    progress = reporter.progress
    if check_first and repo.find_comment(pr.number, outcome_marker(progress.run_url)):
        return False
    repo.comment(pr.number, outcome_comment(ending, progress))
    lines = status_lines(pr.number, pr.url, progress, ending.reason)
    status = repo.status_comment(issue)  # the bot's own; its approval stamp is kept
    body = stamped(status_comment(lines), approval_of(status.body if status else None))
    repo.upsert_status_comment(issue, body, current=status, search=False)
    return True


def mark_book(
    repo: GitHubRepo,
    issue: int,
    outcome: str,
    run_url: str | None,
    comment_id: int | None = None,
) -> bool:
    """After a job failed or was cancelled from outside: say so on the checklist, keeping a
    reason the job itself wrote, and tell whoever asked (unless the job already did)."""
    pr = repo.find_pull(BookRef(issue).branch)
    if pr is None:
        return False
    reporter = ChecklistReporter(repo, pr.number)
    progress = reporter.progress
    state = CANCELLED if outcome == "cancelled" else FAILED
    link = f" ([run log]({run_url}))" if run_url else ""
    words = "was cancelled" if state == CANCELLED else "failed"
    note = f"> [!WARNING]\n> Generation {words}{link}. Finished pages are kept."
    reason = None
    if progress.state == FAILED and progress.run_url == run_url and progress.note:
        note = progress.note  # the job's own words, with the specific reason: kept
        reason = _reason(progress.note)
        if state == CANCELLED:
            note += "\n> The run was then cancelled."
    elif state == CANCELLED and progress.note and "cancelled by @" in progress.note:
        note = progress.note + link  # who cancelled it (/cancel), with the run's log
    reporter.update(state=state, failed_stage=progress.first_missing(), note=note, run_url=run_url)
    reporter.flush()
    who = asker(repo, issue, comment_id)
    announce(repo, issue, pr, reporter, Ending(state, who.login, reason), check_first=True)
    return True


def _reason(note: str) -> str | None:
    """The specific reason in a failure note ("> Generation failed: REASON ([run log](...))")."""
    for line in note.splitlines():
        text = line.removeprefix("> ").strip()
        if text.startswith("Generation failed: "):
            return one_line(text.removeprefix("Generation failed: ").split(" ([run log]")[0], 300)
    return None
