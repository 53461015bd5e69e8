"""What people are told when a book run ends (pure): the PR comment that @mentions whoever
asked, and the issue's status comment.

On GitHub an edited body or a reaction notifies nobody, so the end of a run is a NEW
comment with an @mention; a hidden marker with the run's link lets a second job of the same
run (the workflow's report job) see that it was already said.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.github.checklist import CANCELLED, DONE, FAILED, Progress

OUTCOME_MARKER = "<!-- ebook-bot:outcome "


@dataclass(frozen=True)
class Ending:
    """How a run ended, for whom, and what changed."""

    state: str  # done, failed, cancelled
    requester: str | None
    reason: str | None = None  # the specific failure
    changed: str | None = None  # "pages 3, 7" when a /regenerate or ticked boxes asked
    commit_url: str | None = None  # the commit that replaced them


def outcome_marker(run_url: str | None) -> str:
    return f"{OUTCOME_MARKER}{run_url or 'local'} -->"


def _book_links(progress: Progress) -> str:
    parts = []
    if progress.files_url:
        f = progress.files_url
        parts += [f"[interior.pdf]({f}/interior.pdf)", f"[cover.pdf]({f}/cover.pdf)"]
    if progress.preview_url:
        parts.append(f"[preview]({progress.preview_url})")
    if progress.run_url:
        parts += [f"[run]({progress.run_url})", f"[artifact]({progress.run_url}#artifacts)"]
    return " · ".join(parts)


def outcome_comment(ending: Ending, progress: Progress) -> str:
    """The PR comment at the end of a run: who asked, what happened, where to look."""
    who = f"@{ending.requester} " if ending.requester else ""
    if ending.state == DONE:
        lines = [f"{who}the coloring book is ready."]
        if ending.changed:
            where = f" in {ending.commit_url}" if ending.commit_url else ""
            lines.append(f"Made again: {ending.changed}{where} (old and new pages side by side).")
        elif ending.commit_url is None and ending.changed is None and not progress.commit:
            lines.append("Nothing changed.")
        if progress.flagged:
            lines.append(
                f"Line-art QA flagged {len(progress.flagged)} page(s): see the list in the "
                "description; `/approve` waits until they are made again (or `/approve force`)."
            )
    else:
        what = "failed" if ending.state == FAILED else "was cancelled"
        lines = [f"{who}generating the coloring book {what}."]
        if ending.reason:
            lines.append(f"Reason: {ending.reason}")
        if progress.failed_stage:
            lines.append(f"It stopped at: {progress.failed_stage}. Finished pages are kept.")
    links = _book_links(progress)
    if links:
        lines += ["", links]
    return "\n".join([outcome_marker(progress.run_url), *lines])


def status_lines(pr_number: int, pr_url: str, progress: Progress, reason: str | None) -> list[str]:
    """The issue's status comment for a book whose run has ended; it keeps the PR link."""
    lines = [f"Draft pull request: #{pr_number} ({pr_url})"]
    if progress.state == DONE:
        lines.append("The book is ready for review: " + _book_links(progress))
    elif progress.state == FAILED:
        lines.append(f"The last generation run failed: {reason or 'see the run log'}.")
    elif progress.state == CANCELLED:
        lines.append("The last generation run was cancelled.")
    else:
        lines.append("The book is being made.")
    return lines
