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
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

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
from bot.github.gitops import commit_and_push
from bot.github.repo import GitHubRepo
from bot.github.reporter import ChecklistReporter
from bot.github.summary import job_summary, md_line
from bot.log import stage
from bot.ops.drive import DriveDelivery

log = logging.getLogger(__name__)


class Phase(StrEnum):
    ALL = "all"
    PAGES = "pages"
    FINISH = "finish"


@dataclass
class JobContext:
    issue: int
    checkout: Path  # the book branch's checkout: data only, never the bot's code
    state_dir: Path
    repo: GitHubRepo
    repository: str
    server_url: str = "https://github.com"
    run_url: str | None = None
    summary_path: Path | None = None
    push: bool = True
    git_auth: dict[str, str] | None = None  # see gitops.auth_env
    drive: DriveDelivery | None = None  # deliver to Google Drive when configured
    cleanup_workers: int | None = None  # None: every core but one (EBOOK_BOT_CLEANUP_WORKERS)
    # the pages artifact's folder, outside the checkout (runner.temp): the pages phase
    # writes its page files there to upload, the finish phase reads the downloaded ones
    exchange: Path | None = None

    @property
    def book(self) -> BookRef:
        return BookRef(self.issue)


@dataclass
class JobResult:
    generated: GenerateResult | None
    assembled: AssembleResult | None
    commit: str | None
    preview_url: str | None
    qa: list[dict[str, Any]] = field(default_factory=list)  # pages' provenance records


# the only files a book's pages folder exchanges (branch, work folder, artifacts)
PAGE_FILE = re.compile(r"(\d{3,4}\.(png|tif|json|thumb\.png)|cover\.png)")


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
    """One job's book: its names, spec, folders and the PR's checklist."""

    ctx: JobContext
    spec: BookSpec
    reporter: ChecklistReporter
    config: RepoConfig | None

    @property
    def out(self) -> Path:
        return self.ctx.checkout / self.ctx.book.book_dir

    @property
    def spec_file(self) -> Path:
        return self.ctx.checkout / self.ctx.book.spec_path

    @property
    def work(self) -> Path:
        return self.ctx.state_dir / self.ctx.book.work_dir

    def all_pages_done(self) -> None:
        self.reporter.done("cover", "pages")
        total = self.spec.pages.total
        self.reporter.update(pages_done=total, pages_total=total)


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
    book = _Book(ctx, spec, reporter_factory(ctx.repo, pr.number), config)
    book.reporter.update(note=None)
    book.reporter.done("spec")
    generated = assembled = None
    commit = preview_url = None
    try:
        if phase in (Phase.ALL, Phase.PAGES):
            generated = _make_pages(book, ledger, phase, shard, claim)
        if phase is Phase.FINISH and ctx.exchange is not None:
            _copy_files(ctx.exchange, book.out / "pages", replace=True, what="the pages artifact")
        if phase in (Phase.ALL, Phase.FINISH):
            assembled, commit, preview_url = _finish(book)
    except BaseException as exc:
        _mark_failed(book, exc)
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
    """Assemble, preflight, commit and push; deliver to Drive when configured."""
    ctx, ref, reporter = book.ctx, book.ctx.book, book.reporter
    book.all_pages_done()
    with stage("assemble and preflight"):
        assembled = assemble(book.spec, book.out, config=book.config)
    reporter.done("pdfs", "preflight")
    records = read_page_records(book.out / "pages", book.spec.pages.total)
    flagged = [r for r in records if not r["qa"]["ok"]]
    reporter.update(
        flagged=tuple(
            f"page {r['page']:03d}: {md_line('; '.join(r['qa']['reasons']), 200)}"
            for r in flagged[:50]
        )
    )
    commit, _ = commit_and_push(
        ctx.checkout,
        [ref.book_dir],
        f"Book for #{ctx.issue}: {book.spec.pages.total} pages, PDFs and preview",
        ref.branch,
        push=ctx.push,
        auth=ctx.git_auth,
    )
    preview_url = f"{ctx.server_url}/{ctx.repository}/raw/{commit}/{ref.book_dir}/preview.png"
    reporter.update(preview_url=preview_url)
    reporter.done("delivered")
    if ctx.drive is not None:
        with stage("deliver to Google Drive"):
            delivered = ctx.drive.deliver(ref.ledger_key, book.spec.title, book.out)
        reporter.update(drive_url=delivered.folder_link)
    return assembled, commit, preview_url


def _mark_failed(book: _Book, exc: BaseException) -> None:
    what = "cancelled" if isinstance(exc, KeyboardInterrupt) else "failed"
    reason = exc.lines()[0] if isinstance(exc, BotError) else type(exc).__name__
    link = f" ([run log]({book.ctx.run_url}))" if book.ctx.run_url else ""
    book.reporter.update(note=f"> [!WARNING]\n> Generation {what}: {md_line(reason)}{link}")
    book.reporter.flush()
