"""`make-book`, `plan-book` and `mark-book`: the generation workflow's steps on a runner."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from bot.commands.base import Command, typed
from bot.commands.types import issue_number, object_id
from bot.errors import UserInputError
from bot.runtime import Runtime


@dataclass(frozen=True)
class MakeBookArgs:
    issue: int
    phase: str
    shard: str | None
    claim: bool
    checkout: Path
    config: Path | None
    no_push: bool
    comment_id: int | None
    exchange: Path | None = None


@dataclass(frozen=True)
class PlanArgs:
    issue: int
    comment_id: int | None
    config: Path | None


@dataclass(frozen=True)
class MarkArgs:
    issue: int
    outcome: str
    comment_id: int | None = None


def make_book(args: MakeBookArgs, rt: Runtime) -> int:
    from bot.book.pipeline import Shard
    from bot.commands.book import print_assemble, print_generate
    from bot.github.book_job import JobContext, Phase, run_book_job
    from bot.github.gitops import auth_env

    s = rt.settings
    phase = Phase(args.phase)
    exchange = _exchange(args.exchange, args.checkout)
    repo = rt.github()
    token = s.github_token.get_secret_value() if s.github_token else ""
    ctx = JobContext(
        issue=args.issue,
        checkout=args.checkout,
        state_dir=s.state_path,
        repo=repo,
        repository=repo.full_name,
        server_url=s.github_server_url,
        run_url=s.run_url(),
        summary_path=s.github_step_summary,
        push=not args.no_push,
        git_auth=auth_env(token, s.github_server_url),
        drive=rt.drive() if phase is not Phase.PAGES else None,
        cleanup_workers=s.cleanup_workers,
        exchange=exchange,
        comment_id=args.comment_id if phase is not Phase.PAGES else None,
    )
    result = run_book_job(
        ctx,
        ledger=rt.ledger,
        config=rt.repo_config(args.config),
        phase=phase,
        shard=Shard.parse(args.shard) if args.shard else None,
        claim=args.claim,
    )
    if result.generated is not None:
        print_generate(result.generated)
    if result.assembled is not None:
        print_assemble(args.checkout / ctx.book.book_dir, result.assembled)
    if result.commit:
        print(f"commit: {result.commit}")
    if args.comment_id and phase is not Phase.PAGES:
        repo.react(args.comment_id, "rocket")  # the /regenerate or /cover that asked is done
    return 0


def _exchange(folder: Path | None, checkout: Path) -> Path | None:
    """The pages artifact's folder: never inside the checkout, where a branch's links
    could lead a download or an upload anywhere."""
    if folder is None:
        return None
    if folder.resolve().is_relative_to(checkout.resolve()):
        raise UserInputError(f"--pages-dir: {folder} is inside the checkout {checkout}")
    return folder


def plan_book(args: PlanArgs, rt: Runtime) -> int:
    """The generation workflow's plan: validated issue, runner labels, pages jobs."""
    from bot.bookref import BookRef
    from bot.config import load_repo_config

    generation = load_repo_config(args.config).generation
    branch = BookRef(args.issue).branch
    # the book branch, resolved once: every later job checks out this commit, so a push
    # to the branch while the book is made changes nothing the jobs read
    sha = rt.github().branch_sha(branch)
    if sha is None:
        raise UserInputError(f"--issue {args.issue}: no branch {branch} (run create-pr first)")
    outputs = {
        "issue": str(args.issue),
        "book-sha": sha,
        "comment-id": str(args.comment_id or ""),
        "runs-on": json.dumps(generation.runs_on),
        "shards": json.dumps(list(range(generation.runners))),
        "claim": "true" if generation.claim else "false",
    }
    lines = [f"{key}={value}" for key, value in outputs.items()]
    target = rt.settings.github_output
    if target:
        with open(target, "a", encoding="utf-8") as fp:
            fp.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


def mark_book(args: MarkArgs, rt: Runtime) -> int:
    from bot.github.outcome import mark_book

    repo, run_url = rt.github(), rt.settings.run_url()
    found = mark_book(repo, args.issue, args.outcome, run_url, args.comment_id)
    print("checklist marked" if found else f"no pull request for #{args.issue}")
    return 0


def _make_book_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--issue", type=issue_number, required=True, metavar="N")
    p.add_argument("--phase", choices=["all", "pages", "finish"], default="all")
    p.add_argument("--shard", metavar="I/N", help="with --phase pages: this runner's share")
    p.add_argument("--claim", action="store_true", help="with --phase pages: the shared queue")
    p.add_argument(
        "--checkout",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the book branch's checkout (data only; default: .)",
    )
    p.add_argument("--config", type=Path, metavar="FILE", help="default: .github/ebook-bot.yml")
    p.add_argument("--no-push", action="store_true", help="commit but do not push")
    p.add_argument(
        "--pages-dir",
        dest="exchange",
        type=Path,
        metavar="DIR",
        help="the pages artifact's folder outside the checkout: --phase pages writes the page "
        "files there, --phase finish takes them from there",
    )
    p.add_argument(
        "--comment-id", type=object_id, metavar="ID", help="react 🚀 on this comment when done"
    )


def canonical_issue(text: str) -> int:
    """An issue number written as GitHub writes it (no sign, no leading zero): the run's
    name and concurrency group were made from this very text."""
    number = issue_number(text)
    if str(number) != text:
        raise argparse.ArgumentTypeError(f"write issue {text!r} as {number}")
    return number


def _plan_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--issue", type=canonical_issue, required=True, metavar="N")
    p.add_argument("--comment-id", type=object_id, metavar="ID", help="the asking comment")
    p.add_argument("--config", type=Path, metavar="FILE", help="default: .github/ebook-bot.yml")


def _mark_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--issue", type=issue_number, required=True, metavar="N")
    p.add_argument("--outcome", required=True, choices=["failure", "cancelled"])
    p.add_argument("--comment-id", type=object_id, metavar="ID", help="the asking comment")


COMMANDS = (
    Command(
        "make-book",
        "on the runner: make issue N's book on its branch, tick the PR, commit, summarise",
        """
        Step 4 (the `ebook book` workflow runs it): make the book of issue N from
        specs/ebook-N.yaml in the book branch's checkout (--checkout DIR), ticking the draft
        PR's checklist as each stage ends, then assemble, preflight and commit the pages,
        PDFs and preview to the branch in one commit. --phase pages makes one runner's share
        of the pages; --phase finish assembles and commits them.
        """,
        ("ebook-bot make-book --issue 12 --checkout book --phase all",),
        _make_book_options,
        typed(MakeBookArgs, make_book),
    ),
    Command(
        "plan-book",
        "the generation workflow's plan (runners, shards)",
        """
        Print the generation workflow's plan for issue N as key=value lines (and append them
        to GITHUB_OUTPUT): the runner labels, one entry per pages job and whether the jobs
        share the ledger's queue, from the `generation:` section of .github/ebook-bot.yml.
        """,
        ("ebook-bot plan-book --issue 12",),
        _plan_options,
        typed(PlanArgs, plan_book),
    ),
    Command(
        "mark-book",
        "mark issue N's checklist after a failed/cancelled job",
        """
        Say on issue N's draft PR checklist that its generation run failed or was cancelled,
        with a link to the run's log, keeping the reason the job itself wrote, and tell whoever
        asked in one comment unless the job already did (the workflow's `report` job runs it).
        """,
        ("ebook-bot mark-book --issue 12 --outcome failure",),
        _mark_options,
        typed(MarkArgs, mark_book),
    ),
)
