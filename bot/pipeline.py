"""The book pipeline: generate pages and cover, assemble the PDFs and preview, preflight.

Stages (inputs are checked before anything is written):
  1. resolve the spec and providers, plan the interior (page count, padding, geometry)
  2. generate the cover art and every page, each page through line-art QA with retries
  3. assemble interior.pdf, cover.pdf and preview.png
  4. preflight both PDFs against KDP's rules
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from bot.config import RepoConfig, provider_names
from bot.cover_art import fit_art
from bot.credit import provider_credit
from bot.errors import PreflightError, QualityError, UserInputError
from bot.fsutil import atomic_write
from bot.kdp import InteriorPlan, art_size_px, cover_art_size_px, plan_interior
from bot.ledger.store import Claim, Key, PageInput
from bot.lineart import LineArtOptions, QAReport, to_line_art
from bot.pages import encode_rgb_png, load_g4, load_png, page_identity, png_path, save_page
from bot.palette import spec_palette
from bot.pdf.cover import write_cover
from bot.pdf.interior import write_interior
from bot.preflight import check_pdf
from bot.preview import write_preview
from bot.progress import Progress
from bot.providers import (
    AssetKind,
    ImageRequest,
    Provider,
    generate_images,
    get_provider,
    provider_fingerprint,
)
from bot.spec import BookSpec, derive_seed, variant_salt

if TYPE_CHECKING:
    from bot.ledger import Ledger

COVER_ART = "cover.png"
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Shard:
    """`--shard I/N`: this worker makes pages I, I+N, I+2N... (1-based), and shard 1 the cover."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        left, sep, right = text.partition("/")
        if not (sep and left.isdigit() and right.isdigit()):
            raise UserInputError(f"--shard: expected I/N such as 2/4, got {text!r}")
        index, count = int(left), int(right)
        if not 1 <= index <= count <= 64:
            raise UserInputError(f"--shard: need 1 <= I <= N <= 64, got {text!r}")
        return cls(index, count)

    def owns(self, key: Key) -> bool:
        kind, idx = key
        if kind == "cover":
            return self.index == 1
        return idx % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass
class PageRecord:
    """One finished asset, as the summary reports it."""

    key: str  # "001".."400", or "cover"
    subject: str
    attempts: int = 0
    reasons: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)


@dataclass
class GenerateResult:
    pages: list[PageRecord]
    generated: int  # pages made by this run; the others were already done
    seconds: float
    elsewhere: int = 0  # pages another worker made or holds (sharded / claiming runs)

    @property
    def flagged(self) -> list[PageRecord]:
        return [p for p in self.pages if p.flagged]


@dataclass
class AssembleResult:
    plan: InteriorPlan
    interior_bytes: int
    cover_bytes: int
    preview_bytes: int
    seconds: float


def resolve_spec(spec: BookSpec, *, provider: str | None, pages: int | None) -> BookSpec:
    """Apply the command-line overrides (`--provider`, `--pages`) to a spec."""
    if pages is not None:
        spec = spec.with_page_count(pages)
    if provider is not None:
        data = spec.to_data()
        data["providers"] = {"cover": provider, "coloring_page": provider}
        spec = BookSpec.model_validate(data)
    return spec


def _salt(spec: BookSpec, kind: AssetKind, index: int) -> str:
    variant = spec.cover.variant if kind == "cover" else spec.page_variant(index)
    return variant_salt(kind, variant)


def _request(
    spec: BookSpec, kind: AssetKind, index: int, subject: str, size: tuple[int, int], attempt: int
) -> ImageRequest:
    return ImageRequest(
        kind=kind,
        index=index,
        subject=subject,
        seed=derive_seed(spec.seed, index, attempt, salt=_salt(spec, kind, index)),
        width=size[0],
        height=size[1],
        audience=spec.audience,
        theme=spec.theme,
        style=spec.style,
        palette=spec_palette(spec).fills if kind == "cover" else (),
    )


def make_pages(
    provider: Provider,
    spec: BookSpec,
    pages: list[tuple[int, str]],
    size: tuple[int, int],
    options: LineArtOptions,
    max_attempts: int = MAX_ATTEMPTS,
) -> dict[int, tuple[Image.Image, QAReport, int]]:
    """Coloring pages (index, subject) through QA, retried with new derived seeds; the best
    attempt of each wins. Each round asks the provider for every page still failing at once,
    so a GPU provider batches them."""
    best: dict[int, tuple[Image.Image, QAReport, int]] = {}
    todo = list(pages)
    for attempt in range(1, max_attempts + 1):
        requests = [_request(spec, "coloring_page", i, subj, size, attempt - 1) for i, subj in todo]
        images = generate_images(provider, requests)
        still: list[tuple[int, str]] = []
        for (index, subject), image in zip(todo, images, strict=True):
            art, report = to_line_art(image, size, options)
            kept = best.get(index)
            better = kept is None or report.badness(options) < kept[1].badness(options)
            if better or not report.flagged:
                best[index] = (art, report, attempt)
            elif kept is not None:
                best[index] = (kept[0], kept[1], attempt)  # keep the art, count the attempt
            if report.flagged:
                still.append((index, subject))
        todo = still
        if not todo:
            break
    return best


def make_page(
    provider: Provider,
    spec: BookSpec,
    index: int,
    subject: str,
    size: tuple[int, int],
    options: LineArtOptions,
    max_attempts: int = MAX_ATTEMPTS,
) -> tuple[Image.Image, QAReport, int]:
    """One coloring page through QA (see `make_pages`)."""
    return make_pages(provider, spec, [(index, subject)], size, options, max_attempts)[index]


def make_cover(provider: Provider, spec: BookSpec, size: tuple[int, int]) -> Image.Image:
    """The front-cover art in colour, exactly `size` pixels."""
    subject = spec.cover.subject or spec.title
    request = _request(spec, "cover", 0, subject, size, 0)
    return fit_art(generate_images(provider, [request])[0], size)


def _input_key(**fields: Any) -> str:
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def page_inputs(
    spec: BookSpec, page_provider: Provider, cover_provider: Provider, finish: str
) -> list[PageInput]:
    """What every asset of the book should be. A page's key covers everything that shapes
    it (subject, seed, style, theme, audience, provider and its model, size, line-art
    settings), so after a spec edit exactly the pages whose inputs changed are made again."""
    common = {"seed": spec.seed, "style": spec.style, "theme": spec.theme}
    common["audience"] = spec.audience.value
    cover_subject = spec.cover.subject or spec.title
    inputs = [
        PageInput(
            "cover",
            0,
            cover_subject,
            derive_seed(spec.seed, 0, 0, salt=_salt(spec, "cover", 0)),
            _input_key(
                kind="cover",
                subject=cover_subject,
                variant=spec.cover.variant,
                cover_style=spec.cover.style,
                palette=spec_palette(spec).fills,
                provider=provider_fingerprint(cover_provider),
                size=cover_art_size_px(spec),
                **common,
            ),
        )
    ]
    size = art_size_px(spec)
    for index, subject in enumerate(spec.page_subjects()):
        inputs.append(
            PageInput(
                "page",
                index,
                subject,
                derive_seed(spec.seed, index, 0, salt=_salt(spec, "coloring_page", index)),
                _input_key(
                    kind="page",
                    index=index,
                    subject=subject,
                    variant=spec.page_variant(index),
                    provider=provider_fingerprint(page_provider),
                    size=size,
                    finish=finish,
                    **common,
                ),
            )
        )
    return inputs


def book_key(out: Path, issue: int | None) -> str:
    """The ledger's name for a book: its issue number, else its output folder."""
    return f"issue-{issue}" if issue is not None else f"dir:{out.resolve()}"


def _asset_path(pages_dir: Path, key: Key) -> Path:
    return pages_dir / COVER_ART if key[0] == "cover" else png_path(pages_dir, key[1])


def _label(key: Key) -> str:
    return "cover" if key[0] == "cover" else f"{key[1] + 1:03d}"


def generate(
    spec: BookSpec,
    out: Path,
    *,
    strict: bool = False,
    options: LineArtOptions | None = None,
    ledger: Ledger | None = None,
    issue: int | None = None,
    shard: Shard | None = None,
    claim: bool = False,
    config: RepoConfig | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> GenerateResult:
    """Make the cover art and pages under `out/pages`, recording each in the ledger.

    Pages already done (ledger row done, file on disk with that hash) are kept; a page on
    disk made from the same inputs is adopted without making it again; pages whose inputs
    changed are made again. `shard` makes a fixed share of the pages; `claim` takes pages
    from the queue the ledger keeps for every worker of this book until none is left.
    """
    started = time.perf_counter()
    opts = options or LineArtOptions()
    config = config or RepoConfig()
    cover_name, page_name = provider_names(
        spec.providers.cover, spec.providers.coloring_page, config
    )
    page_provider = get_provider(page_name, field="providers.coloring_page", config=config)
    cover_provider = (
        page_provider
        if cover_name == page_name
        else get_provider(cover_name, field="providers.cover", config=config)
    )
    plan_interior(spec)  # refuse an impossible book before making anything
    if shard is not None and claim:
        raise UserInputError("--shard and --claim: choose one (a fixed share, or the queue)")
    if ledger is None:
        from bot.settings import load_settings, open_ledger_from

        ledger = open_ledger_from(load_settings())
    if claim:
        check_claiming(ledger)
    book = book_key(out, issue)
    pages_dir = out / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    size = art_size_px(spec)
    finish = f"threshold={opts.threshold},specks={opts.min_speck_px},thicken={opts.thicken_px}"
    inputs = {p.key: p for p in page_inputs(spec, page_provider, cover_provider, finish)}
    ledger.sync(book, inputs.values())
    ledger.recover(book)
    mine = [k for k in inputs if shard is None or shard.owns(k)]
    if shard is None and not claim:
        _remove_stale_pages(pages_dir, spec.pages.total)
    run_id = ledger.start_run(
        book=book,
        issue=issue,
        spec_sha=spec.sha256(),
        provider=f"cover={cover_provider.name}, pages={page_provider.name}",
        model=getattr(page_provider, "model_name", None),
        mode="claim" if claim else f"shard {shard}" if shard else "all",
    )
    progress = Progress(len(mine), "page")
    made: dict[Key, PageRecord] = {}
    finished = 0

    def tick(key: Key) -> None:
        nonlocal finished
        finished += 1
        if on_progress is not None:
            on_progress(_label(key), finished, len(mine))

    gpu_seconds = 0.0
    try:
        kept = _reconcile(ledger, book, pages_dir, inputs, mine, run_id, claim=claim)
        for key in kept:
            progress.advance(f"{_label(key)} already done")
            tick(key)
        batch = max(1, int(getattr(page_provider, "batch_size", 1)))
        while True:
            claims = ledger.claim(book, limit=batch, run_id=run_id, only=None if claim else mine)
            if not claims:
                break
            t0 = time.perf_counter()
            for c, record in _make_claimed(
                claims, spec, pages_dir, page_provider, cover_provider, size, opts, inputs
            ):
                sha = record.pop("sha256")
                ok = ledger.complete(c, run_id=run_id, sha256=sha, **record)
                rec = PageRecord(
                    _label(c.key),
                    c.subject,
                    record["attempts"],
                    list(record["reasons"]),
                    record["duration"],
                )
                made[c.key] = rec
                note = "" if ok else " (lease lost: another worker took it over)"
                status = "flagged: " + "; ".join(rec.reasons) if rec.flagged else "ok"
                progress.advance(f"{rec.key} {status} ({rec.seconds:.2f} s){note}")
                tick(c.key)
            if getattr(page_provider, "uses_gpu", False):
                gpu_seconds += time.perf_counter() - t0
    except BaseException as exc:
        ledger.release(book)
        status = "cancelled" if isinstance(exc, KeyboardInterrupt) else "failed"
        ledger.finish_run(
            run_id,
            status,
            pages_made=len(made),
            gpu_seconds=gpu_seconds,
            error=str(exc) or type(exc).__name__,
        )
        raise
    finally:
        progress.close()
    ledger.finish_run(run_id, "done", pages_made=len(made), gpu_seconds=gpu_seconds)
    records, elsewhere = _records(ledger, book, mine if not claim else list(inputs), made)
    made_pages = sum(1 for key in made if key[0] != "cover")
    result = GenerateResult(records, made_pages, time.perf_counter() - started, elsewhere=elsewhere)
    if strict and result.flagged:
        raise QualityError(
            f"{len(result.flagged)} page(s) still failed line-art QA after {MAX_ATTEMPTS} attempts",
            [f"page {p.key}: {'; '.join(p.reasons)}" for p in result.flagged],
        )
    return result


def check_claiming(ledger: Ledger) -> None:
    """SQLite's locks hold between processes of one machine, not across a network share."""
    from bot.ledger.db import NETWORK_FILESYSTEMS, filesystem_type, sqlite_path

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
    """Pages past the end of a book that got shorter."""
    for path in pages_dir.glob("[0-9][0-9][0-9].*"):
        if path.stem.isdigit() and int(path.stem) > total and path.suffix in (".png", ".tif"):
            path.unlink()


def _reconcile(
    ledger: Ledger,
    book: str,
    pages_dir: Path,
    inputs: dict[Key, PageInput],
    mine: list[Key],
    run_id: int,
    *,
    claim: bool,
) -> list[Key]:
    """Square the ledger with the files on disk; returns the keys already done here."""
    rows = {(p.kind, p.idx): p for p in ledger.pages(book)}
    kept: list[Key] = []
    for key in mine:
        row = rows.get(key)
        path = _asset_path(pages_dir, key)
        if row is None or row.status == "running":
            continue
        found = page_identity(path)
        same_input = found is not None and found[1] == inputs[key].input_key
        if row.status == "done" and found is not None and found[0] == row.sha256:
            kept.append(key)
        elif same_input and found is not None:
            if ledger.adopt(book, key, inputs[key].input_key, found[0], run_id):
                kept.append(key)
        elif row.status == "done" and not claim:
            ledger.requeue(book, key)  # the file is gone or changed: make it again
    return kept


def _make_claimed(
    claims: list[Claim],
    spec: BookSpec,
    pages_dir: Path,
    page_provider: Provider,
    cover_provider: Provider,
    size: tuple[int, int],
    opts: LineArtOptions,
    inputs: dict[Key, PageInput],
) -> Iterator[tuple[Claim, dict[str, Any]]]:
    """Make the claimed assets (pages in one batch) and write each file atomically."""
    covers = [c for c in claims if c.kind == "cover"]
    pages = [c for c in claims if c.kind != "cover"]
    for c in covers:
        t0 = time.perf_counter()
        art = make_cover(cover_provider, spec, cover_art_size_px(spec))
        data = encode_rgb_png(art, input_key=c.input_key)
        atomic_write(pages_dir / COVER_ART, data)
        yield (
            c,
            {
                "sha256": hashlib.sha256(data).hexdigest(),
                "attempts": 1,
                "reasons": [],
                "duration": time.perf_counter() - t0,
            },
        )
    if not pages:
        return
    t0 = time.perf_counter()
    results = make_pages(page_provider, spec, [(c.idx, c.subject) for c in pages], size, opts)
    each = (time.perf_counter() - t0) / len(pages)
    for c in pages:
        art, report, attempts = results[c.idx]
        sha = save_page(pages_dir, c.idx, art, input_key=inputs[c.key].input_key)
        yield (
            c,
            {
                "sha256": sha,
                "attempts": attempts,
                "reasons": list(report.reasons),
                "duration": each,
            },
        )


def _records(
    ledger: Ledger, book: str, keys: list[Key], made: dict[Key, PageRecord]
) -> tuple[list[PageRecord], int]:
    """Summary records for the pages of this run's share, and how many are elsewhere."""
    wanted = set(keys)
    records: list[PageRecord] = []
    elsewhere = 0
    for row in ledger.pages(book):
        key = (row.kind, row.idx)
        if key not in wanted or row.kind == "cover":
            continue
        if key in made:
            records.append(made[key])
        elif row.status == "done":
            reasons = [r for r in row.reasons.split("; ") if r]
            records.append(
                PageRecord(_label(key), row.subject, row.attempts, reasons, row.duration or 0.0)
            )
        else:
            elsewhere += 1
    return records, elsewhere


def assemble(spec: BookSpec, out: Path, *, config: RepoConfig | None = None) -> AssembleResult:
    """interior.pdf, cover.pdf and preview.png from `out/pages`, then preflight both PDFs.
    `config` names the providers that made the book (for the copyright page's credit)."""
    started = time.perf_counter()
    plan = plan_interior(spec)
    pages_dir = out / "pages"
    missing = [
        png_path(pages_dir, i).name
        for i in range(spec.pages.total)
        if not png_path(pages_dir, i).exists()
    ]
    if not (pages_dir / COVER_ART).exists():
        missing.insert(0, COVER_ART)
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise UserInputError(
            f"{pages_dir}: missing {shown}; run `ebook-bot generate` for this spec first"
        )
    interior = out / "interior.pdf"
    cover_pdf = out / "cover.pdf"
    names = provider_names(
        spec.providers.cover, spec.providers.coloring_page, config or RepoConfig()
    )
    credit = provider_credit(*names, config or RepoConfig())
    write_interior(spec, plan, lambda i: load_g4(pages_dir, i), interior, credit=credit)
    with Image.open(pages_dir / COVER_ART) as art:
        art.load()
        write_cover(
            spec, plan.page_count, art, cover_pdf, load_sample=lambda i: load_png(pages_dir, i)
        )
    pages = (png_path(pages_dir, i) for i in range(spec.pages.total))
    preview_bytes = write_preview(cover_pdf, pages, out / "preview.png")
    problems = check_pdf(interior) + check_pdf(cover_pdf)
    if problems:
        raise PreflightError("the built PDFs fail print preflight", problems)
    return AssembleResult(
        plan,
        interior.stat().st_size,
        cover_pdf.stat().st_size,
        preview_bytes,
        time.perf_counter() - started,
    )
