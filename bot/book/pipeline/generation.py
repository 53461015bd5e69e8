"""`generate`: make a book's cover art and pages under `out/pages`, recorded in the ledger.

Stages (inputs are checked before anything is written):
  1. providers and the interior plan (an impossible book is refused here)
  2. the ledger squared with the book's inputs and the files on disk
  3. claim, make and record pages until none is left for this worker
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.book.assets import AssetKind, Key, asset_path, label, page_number
from bot.book.kdp import art_size_px, plan_interior
from bot.book.ledger import Ledger
from bot.book.ledger.claims import Claim, PageInput
from bot.book.ledger.models import PageStatus, RunStatus
from bot.book.lineart import LineArtOptions
from bot.book.pages import page_identity
from bot.book.pdf.cover_fit import check_cover_texts
from bot.book.pipeline.inputs import page_inputs
from bot.book.pipeline.making import Made, Makers, write_cover_art
from bot.book.pipeline.records import complete_records, record_agrees
from bot.book.pipeline.results import GenerateResult, PageRecord
from bot.book.pipeline.shard import Shard
from bot.book.pipeline.stream import PageStream, PageWork, StreamTimes
from bot.book.pipeline.verdict import strict_check, substitutes
from bot.book.pipeline.workers import LazyPool, default_workers
from bot.book.progress import Progress
from bot.book.providers import Provider, get_provider
from bot.book.providers.folder import ArtPage, FolderProvider
from bot.book.spec import BookSpec
from bot.config import RepoConfig, provider_names
from bot.errors import UserInputError

ProgressFactory = Callable[[int, str], Progress]
OnProgress = Callable[[str, int, int], None]  # (label, finished, total)


@dataclass(frozen=True)
class Job:
    """Which book, which share of it, and how it is reported."""

    book: str  # the ledger's key (BookRef.ledger_key, or inputs.dir_key)
    issue: int | None = None
    shard: Shard | None = None
    claim: bool = False
    strict: bool = False
    on_progress: OnProgress | None = None
    progress: ProgressFactory = Progress
    workers: int = field(default_factory=default_workers)  # cleanup processes; 0: inline

    @property
    def mode(self) -> str:
        return "claim" if self.claim else f"shard {self.shard}" if self.shard else "all"

    def owns(self, key: Key) -> bool:
        return self.shard is None or self.shard.owns(key)


def providers_for(
    spec: BookSpec, config: RepoConfig, art: Mapping[int, ArtPage] | None = None
) -> tuple[Provider, Provider]:
    """(page provider, cover provider): the spec's choice, else the repository config's;
    each checked ready to work here (extra, model, key) before anything is made. `art`:
    the pages the user's own images make (the page provider makes the others)."""
    cover_name, page_name = provider_names(
        spec.providers.cover, spec.providers.coloring_page, config
    )
    pages = get_provider(page_name, field="providers.coloring_page", config=config)
    cover = (
        pages
        if cover_name == page_name
        else get_provider(cover_name, field="providers.cover", config=config)
    )
    for provider in {id(pages): pages, id(cover): cover}.values():
        provider.check()
    return (FolderProvider(art, pages) if art else pages), cover


def generate(
    spec: BookSpec,
    out: Path,
    *,
    ledger: Ledger,
    job: Job,
    config: RepoConfig | None = None,
    providers: tuple[Provider, Provider] | None = None,
    options: LineArtOptions | None = None,
    art: Mapping[int, ArtPage] | None = None,
) -> GenerateResult:
    """Make the cover art and pages under `out/pages`, recording each in the ledger.

    Pages already done (ledger row done, file on disk with that hash) are kept; a page on
    disk made from the same inputs is adopted without making it again; pages whose inputs
    changed are made again. `job.shard` makes a fixed share of the pages; `job.claim` takes
    pages from the queue the ledger keeps for every worker of this book until none is left.
    """
    started = time.perf_counter()
    # 1. inputs
    # the book's readers, and which breaks its pages close
    opts = replace(options or LineArtOptions(), audience=spec.audience, gaps=spec.pages.gaps)
    page_provider, cover_provider = providers or providers_for(spec, config or RepoConfig(), art)
    plan_interior(spec)  # refuse an impossible book before making anything
    check_cover_texts(spec)  # and cover texts that cannot fit its trim
    if job.shard is not None and job.claim:
        raise UserInputError("--shard and --claim: choose one (a fixed share, or the queue)")
    if job.claim:
        check_claiming(ledger)
    # 2. the ledger squared with the inputs and the disk
    pages_dir = out / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    finish = opts.key()
    wanted = page_inputs(spec, page_provider, cover_provider, finish, art or {})
    inputs = {p.key: p for p in wanted}
    ledger.sync(job.book, inputs.values())
    ledger.recover(job.book)
    if job.shard is None and not job.claim:
        _remove_stale_pages(pages_dir, spec.pages.total)
    makers = Makers(spec, page_provider, cover_provider, art_size_px(spec), opts)
    # 3. make what is left
    worker = _Worker(ledger, job, makers, pages_dir, inputs)
    made = worker.run()
    records, elsewhere = _records(ledger, job.book, worker.mine, made)
    count = sum(1 for key in made if key[0] != AssetKind.COVER)
    seconds = time.perf_counter() - started
    result = GenerateResult(records, count, seconds, elsewhere=elsewhere, times=worker.times)
    result.provider = page_provider.name
    result.substitutes = substitutes(spec, page_provider, makers.size, worker.mine)
    if job.strict:
        strict_check(result)
    return result


class _Worker:
    """One run of `generate`: claims pages, makes them, records them, reports progress."""

    def __init__(
        self,
        ledger: Ledger,
        job: Job,
        makers: Makers,
        pages_dir: Path,
        inputs: dict[Key, PageInput],
    ) -> None:
        self.ledger, self.job, self.makers = ledger, job, makers
        self.pages_dir, self.inputs = pages_dir, inputs
        self.mine = [k for k in inputs if job.owns(k)]
        self.made: dict[Key, PageRecord] = {}
        self.finished = 0
        self.gpu_seconds = 0.0
        self.times = StreamTimes()

    def run(self) -> dict[Key, PageRecord]:
        spec, pages = self.makers.spec, self.makers.pages
        run_id = self.ledger.start_run(
            book=self.job.book,
            issue=self.job.issue,
            spec_sha=spec.sha256(),
            provider=f"cover={self.makers.cover.name}, pages={pages.name}",
            model=pages.model_id,
            mode=self.job.mode,
        )
        # the count is of pages (the cover is a note of its own), finished in any order
        count = sum(1 for kind, _ in self.mine if kind != AssetKind.COVER)
        self.progress = self.job.progress(count, "pages done")
        try:
            self._loop(run_id)
        except BaseException as exc:
            status = RunStatus.CANCELLED if isinstance(exc, KeyboardInterrupt) else RunStatus.FAILED
            # best effort: when the ledger itself failed, these fail too, and the first
            # error (not a chain of them) is what the user needs
            with contextlib.suppress(Exception):
                self.ledger.release(self.job.book)
            with contextlib.suppress(Exception):
                self._finish(run_id, status, str(exc) or type(exc).__name__)
            raise
        finally:
            self.progress.close()
        self._finish(run_id, RunStatus.DONE, None)
        return self.made

    def _finish(self, run_id: int, status: RunStatus, error: str | None) -> None:
        self.ledger.finish_run(
            run_id, status, pages_made=len(self.made), gpu_seconds=self.gpu_seconds, error=error
        )

    def _loop(self, run_id: int) -> None:
        book, claim = self.job.book, self.job.claim
        kept = _reconcile(self.ledger, book, self.pages_dir, self.inputs, self.mine, run_id, claim)
        m = self.makers
        # pages made before a stop (a kill, a bad image) may lack their record: write it
        rows = self.ledger.pages(book)
        complete_records(self.pages_dir, kept, rows, m.spec, m.pages, m.size)
        for key in kept:
            self._say(key, "already done")
            self._tick(key)
        only = None if claim else self.mine
        claimed: dict[int, Claim] = {}

        def next_pages(n: int) -> list[PageWork]:
            """Claim up to `n` pages; a claimed cover is made here at once (one image)."""
            while claims := self.ledger.claim(book, limit=n, run_id=run_id, only=only):
                for cover in (c for c in claims if c.kind == AssetKind.COVER):
                    made = write_cover_art(self.makers, self.pages_dir, cover.input_key)
                    self._record(cover, made, run_id)
                pages = [c for c in claims if c.kind != AssetKind.COVER]
                if pages:
                    claimed.update((c.idx, c) for c in pages)
                    return [PageWork(c.idx, c.subject, c.input_key) for c in pages]
            return []

        def finished(page: PageWork) -> None:
            reasons = page.best.reasons if page.best else ()
            made = Made(page.sha256, page.attempt, reasons, page.seconds)
            self._record(claimed.pop(page.index), made, run_id)

        # a pool's processes take a moment to start: not worth it for a page or two
        workers = self.job.workers if len(self.mine) - len(kept) > 2 else 0
        with LazyPool(workers) as pool:
            stream = PageStream(m.spec, m.pages, m.size, m.options, self.pages_dir, pool)
            stream.run(next_pages, finished)
        self.times = stream.times
        if m.pages.capabilities.gpu:
            self.gpu_seconds += stream.times.generate

    def _record(self, claim: Claim, made: Made, run_id: int) -> None:
        key = claim.key
        ok = self.ledger.complete(
            claim,
            run_id=run_id,
            sha256=made.sha256,
            attempts=made.attempts,
            reasons=made.reasons,
            duration=made.seconds,
        )
        rec = PageRecord(label(key), claim.subject, made.attempts, list(made.reasons), made.seconds)
        self.made[key] = rec
        note = "" if ok else " (lease lost: another worker took it over)"
        status = "flagged: " + "; ".join(rec.reasons) if rec.flagged else "ok"
        self._say(key, f"{status} ({rec.seconds:.2f} s){note}")
        self._tick(key)

    def _say(self, key: Key, what: str) -> None:
        """One line per finished asset: pages counted, the cover art a note of its own."""
        if key[0] == AssetKind.COVER:
            self.progress.note(f"cover art {what}")
        else:
            self.progress.advance(f"page {label(key)} {what}")

    def _tick(self, key: Key) -> None:
        self.finished += 1
        if self.job.on_progress is not None:
            self.job.on_progress(label(key), self.finished, len(self.mine))


def check_claiming(ledger: Ledger) -> None:
    """SQLite's locks hold between processes of one machine, not across a network share."""
    from bot.book.ledger.db import NETWORK_FILESYSTEMS, filesystem_type, sqlite_path

    path = sqlite_path(ledger.engine)
    if path is None:
        return
    kind = filesystem_type(path.parent)
    if kind in NETWORK_FILESYSTEMS:
        raise UserInputError(
            f"--claim: the ledger {path} is on a network filesystem ({kind}); SQLite cannot "
            "lock it safely between machines. Point DATABASE_URL at PostgreSQL to share a "
            "queue between runners, or use --shard I/N"
        )


def _remove_stale_pages(pages_dir: Path, total: int) -> None:
    """Page files past the end of a book that got shorter."""
    for path in pages_dir.glob("[0-9][0-9][0-9].*"):
        number = page_number(path)
        if number is not None and number > total and path.suffix in (".png", ".tif", ".json"):
            path.unlink()


def _reconcile(
    ledger: Ledger,
    book: str,
    pages_dir: Path,
    inputs: dict[Key, PageInput],
    mine: list[Key],
    run_id: int,
    claim: bool,
) -> list[Key]:
    """Square the ledger with the files on disk; returns the keys already done here."""
    rows = {(p.kind, p.idx): p for p in ledger.pages(book)}
    kept: list[Key] = []
    for key in mine:
        row = rows.get(key)
        if row is None or row.status == PageStatus.RUNNING:
            continue
        found = page_identity(asset_path(pages_dir, key))
        same_input = found is not None and found[1] == inputs[key].input_key
        if row.status == PageStatus.DONE and found is not None and found[0] == row.sha256:
            kept.append(key)
        elif (
            same_input
            and found is not None
            and row.status != PageStatus.DONE  # a done page's pixels are the ledger's hash
            and record_agrees(pages_dir, key, found[0])  # or its record's
        ):
            if ledger.adopt(book, key, inputs[key].input_key, found[0], run_id):
                kept.append(key)
        elif row.status == PageStatus.DONE and not claim:
            ledger.requeue(book, key)  # the file is gone or changed: make it again
    return kept


def _records(
    ledger: Ledger, book: str, keys: list[Key], made: dict[Key, PageRecord]
) -> tuple[list[PageRecord], int]:
    """Summary records for the pages of this run's share, and how many are elsewhere."""
    wanted = set(keys)
    records: list[PageRecord] = []
    elsewhere = 0
    for row in ledger.pages(book):
        key = (AssetKind(row.kind), row.idx)
        if key not in wanted or row.kind == AssetKind.COVER:
            continue
        if key in made:
            records.append(made[key])
        elif row.status == PageStatus.DONE:
            reasons = [r for r in row.reasons.split("; ") if r]
            records.append(
                PageRecord(label(key), row.subject, row.attempts, reasons, row.duration or 0.0)
            )
        else:
            elsewhere += 1
    return records, elsewhere
