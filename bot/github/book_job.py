"""Step 4 on the runner: make the book of issue N on its branch, tick the draft PR's
checklist as each stage ends, commit everything in one commit, write the job summary.

Phases (the generation workflow picks them):
- `all`: one GPU runner does everything (the default);
- `pages`: one of several runners makes its share of pages (`--shard I/N` or `--claim`);
- `finish`: a GitHub-hosted job merges the shards' pages, assembles and commits.

Pages are made in a work folder under the state folder, which outlives the job on a
persistent runner, so a killed job resumes there; the book's checkout only receives results.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.book.kdp import PageKind, plan_interior
from bot.book.ledger import Ledger
from bot.book.pipeline import AssembleResult, GenerateResult, Job, Shard, assemble, generate
from bot.book.provenance import read_page_records
from bot.book.providers.folder import find_art
from bot.book.spec import BookSpec, load_spec
from bot.bookref import BookRef
from bot.config import RepoConfig
from bot.errors import BotError, UserInputError
from bot.fsutil import (
    copy_plain,
    read_plain,
    refuse_linked_parents,
    refuse_unplain,
    refuse_unplain_entry,
)
from bot.github.checklist import CANCELLED, DONE, FAILED, RUNNING
from bot.github.gitops import commit_and_push
from bot.github.job_model import JobContext, JobResult
from bot.github.notify import Ending
from bot.github.outcome import Asker, announce, asker
from bot.github.repo import GitHubRepo, PullRequestRef
from bot.github.reporter import ChecklistReporter
from bot.github.summary import job_summary, md_line, substitutes
from bot.log import stage
from bot.text import one_line

__all__ = ["JobContext", "JobResult", "Phase", "run_book_job"]
log = logging.getLogger(__name__)


class Phase(StrEnum):
    ALL = "all"
    PAGES = "pages"
    FINISH = "finish"


# the only files a book's pages folder exchanges (branch, work folder, artifacts)
PAGE_FILE = re.compile(r"([0-9]{3,4}\.(png|tif|json|thumb\.png)|cover\.png)")  # ASCII digits only


def _page_files(folder: Path, what: str) -> dict[str, Path]:
    """The expected plain files of a pages folder by name; a link or other non-regular
    entry anywhere in it is refused (exit 2, naming it), unexpected names are left alone."""
    refuse_unplain(folder, what)
    if not folder.is_dir():
        return {}
    return {f.name: f for f in folder.iterdir() if PAGE_FILE.fullmatch(f.name) and f.is_file()}


def _copy_files(src: Path, dest: Path, *, replace: bool, what: str = "pages") -> None:
    """The expected page files of `src` into `dest`; existing ones kept unless `replace`.
    Nothing is followed: a link at either end is refused, not written through."""
    files = _page_files(src, what)
    refuse_unplain(dest, str(dest))
    dest.mkdir(parents=True, exist_ok=True)
    for name, f in files.items():
        if replace or not (dest / name).exists():
            copy_plain(f, dest / name)


def _mirror(src: Path, dest: Path) -> None:
    """Make `dest` hold exactly the page files of `src` (copying only what differs)."""
    wanted = _page_files(src, str(src))
    have = _page_files(dest, str(dest))
    dest.mkdir(parents=True, exist_ok=True)
    for name, f in have.items():
        if name not in wanted:
            f.unlink()
    for name, a in wanted.items():
        b = have.get(name)
        if b is None or a.stat().st_size != b.stat().st_size or read_plain(a) != read_plain(b):
            copy_plain(a, dest / name)


def check_book_tree(checkout: Path, book: BookRef) -> None:
    """Refuse a book branch whose spec or book folder holds (or sits behind) a link or
    anything but plain files and folders: the branch is data, never a way to the runner."""
    refuse_unplain_entry(checkout / ".git", ".git")
    for rel in (Path(book.spec_path), Path(book.book_dir)):
        refuse_linked_parents(checkout, rel)
    refuse_unplain(checkout / book.book_dir, book.book_dir)


@dataclass
class _Book:
    """One job's book: its names, spec, folders, the PR's checklist and who asked."""

    ctx: JobContext
    spec: BookSpec
    pr: PullRequestRef
    reporter: ChecklistReporter
    config: RepoConfig | None
    _asker: Asker | None = None

    @property
    def out(self) -> Path:
        return self.ctx.checkout / self.ctx.book.book_dir

    @property
    def spec_file(self) -> Path:
        return self.ctx.checkout / self.ctx.book.spec_path

    @property
    def work(self) -> Path:
        return self.ctx.state_dir / self.ctx.book.work_dir

    @property
    def asker(self) -> Asker:
        """Who asked for this run (read once, when first needed)."""
        if self._asker is None:
            self._asker = asker(self.ctx.repo, self.ctx.issue, self.ctx.comment_id)
        return self._asker

    def all_pages_done(self) -> None:
        total = self.spec.pages.total
        self.reporter.update(
            done=self.reporter.progress.done | {"cover", "pages"},
            pages_done=total,
            pages_total=total,
        )

    def tell(self, state: str, **details: str | None) -> None:
        """The end-of-run comment and the issue's status; a failure to tell is logged, never
        hides what happened to the book."""
        try:
            ending = Ending(state, self.asker.login, **details)
            announce(self.ctx.repo, self.ctx.issue, self.pr, self.reporter, ending)
        except BotError as exc:
            log.warning("could not post the end of the run on #%s: %s", self.pr.number, exc)


def run_book_job(
    ctx: JobContext,
    *,
    ledger: Ledger,
    config: RepoConfig | None = None,
    phase: Phase = Phase.ALL,
    shard: Shard | None = None,
    claim: bool = False,
    reporter_factory: Callable[[GitHubRepo, int], ChecklistReporter] = ChecklistReporter,
) -> JobResult:
    ref = ctx.book
    spec_file = ctx.checkout / ref.spec_path
    check_book_tree(ctx.checkout, ref)
    refuse_unplain(ctx.state_dir / ref.work_dir, "the runner's work folder")
    if not spec_file.exists():
        raise UserInputError(
            f"{ref.spec_path}: not in {ctx.checkout} (check out branch {ref.branch} there first)"
        )
    spec = load_spec(spec_file)
    pr = ctx.repo.find_pull(ref.branch)
    if pr is None:
        raise BotError(f"no pull request from {ref.branch}: run the create-pr step first")
    book = _Book(ctx, spec, pr, reporter_factory(ctx.repo, pr.number), config)
    running: dict[str, Any] = {"note": None, "state": RUNNING, "failed_stage": None}
    if phase is not Phase.FINISH:  # the boxes show this run, not the last one
        running.update(done=frozenset({"spec"}), pages_done=0, pages_total=spec.pages.total)
    book.reporter.update(run_url=ctx.run_url, **running)
    generated = assembled = None
    commit = preview_url = None
    try:
        if phase in (Phase.ALL, Phase.PAGES):
            generated = _make_pages(book, ledger, phase, shard, claim)
        if phase == Phase.FINISH and ctx.exchange is not None:
            _copy_files(ctx.exchange, book.out / "pages", replace=True, what="the pages artifact")
        if phase in (Phase.ALL, Phase.FINISH):
            assembled, commit, preview_url = _finish(book)
    except BaseException as exc:
        _mark_failed(book, exc, tell=phase is not Phase.PAGES)
        raise
    book.reporter.flush()
    qa = read_page_records(book.out / "pages", spec.pages.total) if assembled else []
    result = JobResult(generated, assembled, commit, preview_url, qa)
    if ctx.summary_path is not None:
        with ctx.summary_path.open("a", encoding="utf-8") as fp:
            fp.write(job_summary(ctx, spec.title, pr.url, result))
    return result


def _make_pages(
    book: _Book,
    ledger: Ledger,
    phase: Phase,
    shard: Shard | None,
    claim: bool,
) -> GenerateResult:
    """Make this runner's pages in the work folder, then copy them to the checkout."""
    _copy_files(book.out / "pages", book.work / "pages", replace=False)  # pages on the branch
    reporter, total = book.reporter, book.spec.pages.total

    def on_progress(label: str, done: int, _total: int) -> None:
        if label == "cover":
            reporter.done("cover")
        reporter.update(pages_done=max(0, done - 1), pages_total=total)

    # only a runner that makes every page knows the book's count
    single = not claim and (shard is None or shard.single)
    job = Job(
        book=book.ctx.book.ledger_key,
        issue=book.ctx.issue,
        shard=shard,
        claim=claim,
        on_progress=on_progress if phase is Phase.ALL or single else None,
    )
    if book.ctx.cleanup_workers is not None:
        job = replace(job, workers=book.ctx.cleanup_workers)
    with stage("generate"):
        art = find_art(book.spec, book.spec_file)
        generated = generate(
            book.spec, book.work, ledger=ledger, job=job, config=book.config, art=art
        )
    if phase is Phase.ALL:
        book.all_pages_done()
        _mirror(book.work / "pages", book.out / "pages")
    else:  # for the artifact: only the page files, never into the checkout
        target = book.ctx.exchange or book.out / "pages"
        _copy_files(book.work / "pages", target, replace=True, what="the runner's work folder")
    return generated


def _finish(book: _Book) -> tuple[AssembleResult, str, str]:
    """Assemble, preflight, commit and push; deliver to Drive when configured; tell."""
    ctx, ref, reporter = book.ctx, book.ctx.book, book.reporter
    book.all_pages_done()
    with stage("assemble and preflight"):
        assembled = assemble(book.spec, book.out, config=book.config)
    records = read_page_records(book.out / "pages", book.spec.pages.total)
    flagged = [r for r in records if not r["qa"]["ok"]]
    labels = _printed_numbers(book.spec)
    reporter.update(
        done=reporter.progress.done | {"pdfs", "preflight"},
        flagged=tuple(
            f"page {r['page']:03d}: {md_line('; '.join(r['qa']['reasons']), 200)}"
            for r in flagged[:50]
        ),
        labels=tuple(f"{r['page']:03d}={labels.get(r['page'], r['page'])}" for r in flagged[:50]),
        substitutes=substitutes(records),
    )
    commit, committed = commit_and_push(
        ctx.checkout,
        [ref.book_dir],
        commit_message(book),
        ref.branch,
        push=ctx.push,
        auth=ctx.git_auth,
    )
    preview_url = ctx.raw_url(commit, "preview.png")
    sheets = sorted(p.name for p in book.out.glob("preview-*.png"))
    drive_url = None
    if ctx.drive is not None:
        with stage("deliver to Google Drive"):
            drive_url = ctx.drive.deliver(ref.ledger_key, book.spec.title, book.out).folder_link
    reporter.update(
        done=reporter.progress.done | {"delivered"},
        preview_url=preview_url,
        sheets=tuple(ctx.raw_url(commit, name) for name in sheets),
        files_url=ctx.files_url(commit),
        commit=commit,
        state=DONE,
        drive_url=drive_url or reporter.progress.drive_url,
    )
    reporter.flush()
    changed = _changed(book.asker)
    commit_url = ctx.commit_url(commit) if committed and changed else None
    book.tell(DONE, changed=changed, commit_url=commit_url)
    return assembled, commit, preview_url


def _printed_numbers(spec: BookSpec) -> dict[int, int]:
    """Each picture's page number in the printed interior (picture 1 -> page 5, say)."""
    return {
        (p.art_index or 0) + 1: p.number
        for p in plan_interior(spec).pages
        if p.kind is PageKind.ART
    }


def _changed(who: Asker) -> str | None:
    """What the asking command remade, in words ("pages 3, 7"; "the cover")."""
    command = who.command
    if command is None or command.name not in ("regenerate", "cover"):
        return None
    if command.name == "cover":
        return "the cover"
    words = ("page " if len(command.pages) == 1 else "pages ") + ", ".join(
        str(n) for n in command.pages
    )
    if command.subject is not None:
        words += f" (new subject: {one_line(command.subject, 100)})"
    return words


def commit_message(book: _Book) -> str:
    """The book commit's message: what was remade and for whom, when a command asked."""
    issue, changed = book.ctx.issue, _changed(book.asker) if book.ctx.comment_id else None
    if changed is None:
        return f"Book for #{issue}: {book.spec.pages.total} pages, PDFs and preview"
    who = f" (asked by @{book.asker.login})" if book.asker.login else ""
    return f"Book for #{issue}: {changed} made again{who}"


def _mark_failed(book: _Book, exc: BaseException, *, tell: bool) -> None:
    state = CANCELLED if isinstance(exc, KeyboardInterrupt) else FAILED
    reason = exc.lines()[0] if isinstance(exc, BotError) else type(exc).__name__
    link = f" ([run log]({book.ctx.run_url}))" if book.ctx.run_url else ""
    words = "cancelled" if state == CANCELLED else "failed"
    book.reporter.update(
        state=state,
        failed_stage=book.reporter.progress.first_missing(),
        note=f"> [!WARNING]\n> Generation {words}: {md_line(reason)}{link}",
    )
    book.reporter.flush()
    if tell:
        book.tell(state, reason=md_line(reason))
