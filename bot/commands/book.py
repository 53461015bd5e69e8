"""`build`, `generate` and `assemble`: the book on one machine, no GitHub needed."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.bookref import BookRef
from bot.commands.base import Command, typed
from bot.commands.types import issue_number, page_count, provider_name
from bot.errors import UserInputError
from bot.runtime import Runtime
from bot.text import safe_text

FIELD = "pages.art"

if TYPE_CHECKING:
    from bot.book.ledger import Ledger
    from bot.book.pipeline import AssembleResult, GenerateResult, Job
    from bot.book.providers import Provider
    from bot.book.providers.folder import ArtPage, ArtPages
    from bot.book.spec import BookSpec
    from bot.config import RepoConfig


@dataclass(frozen=True)
class MakeArgs:
    """Options of `build` and `generate`."""

    spec: Path
    out: Path
    issue: int | None
    provider: str | None
    config: Path | None
    pages: int | None
    strict: bool
    thicken: int
    shard: str | None = None
    claim: bool = False


@dataclass(frozen=True)
class AssembleArgs:
    spec: Path
    out: Path
    pages: int | None
    config: Path | None


def _load(spec: Path, *, provider: str | None, pages: int | None) -> BookSpec:
    """The spec with the command line's overrides, refused when no book can be made of it."""
    from bot.book.kdp import plan_interior
    from bot.book.spec import load_spec

    resolved = load_spec(spec).with_overrides(provider=provider, pages=pages)
    plan_interior(resolved)  # KDP's page limits, before anything is written
    return resolved


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:.2f} MB"


def print_generate(result: GenerateResult) -> None:
    total = len(result.pages)
    kept = total - result.generated
    print(f"pages: {total} ({result.generated} made{f', {kept} already done' if kept else ''})")
    if result.elsewhere:
        print(f"pages made or held by other workers: {result.elsewhere}")
    flagged = result.flagged
    if flagged:
        print(f"flagged pages: {len(flagged)} (kept the best attempt; a reviewer decides)")
        for page in flagged:
            print(f"  page {page.key} after {page.attempts} attempts: {'; '.join(page.reasons)}")
    else:
        print("flagged pages: none")
    if result.substitutes:
        print(
            f"not drawn: {len(result.substitutes)} subject(s) the {result.provider} provider "
            "cannot draw, a pattern printed instead (--provider diffusers or openrouter "
            "draws pictures; --strict fails)"
        )
        for subject, (drawn, pages) in result.substitutes.items():
            at = ", ".join(pages[:8]) + (f" and {len(pages) - 8} more" if len(pages) > 8 else "")
            plural = "s" if len(pages) > 1 else ""
            print(safe_text(f"  {subject!r}: {drawn} instead (page{plural} {at})"))
    t = result.times
    made = f"{t.images} images drawn" if t.images else "nothing drawn"
    # cleanup and writing run on every core at once: their seconds add up past the wall
    print(
        f"generate time: {result.seconds:.1f} s ({made}; provider {t.generate:.1f} s; "
        f"summed over the workers: line art {t.clean:.1f} s, writing {t.write:.1f} s)"
    )


def print_art(art: ArtPages | dict[int, ArtPage], spec: BookSpec) -> None:
    """Which of the user's images became pages, and those the book has no page for."""
    unused = getattr(art, "unused", [])
    if not art:
        return
    print(f"own art: {len(art)} page(s) from {FIELD} {spec.pages.art}")
    if unused:
        names = ", ".join(p.name for p in unused[:5])
        more = f" and {len(unused) - 5} more" if len(unused) > 5 else ""
        print(
            safe_text(
                f"  {len(unused)} image(s) not used (the book has {spec.pages.total} pages; "
                f"raise pages.count to use them): {names}{more}"
            )
        )


def print_assemble(out: Path, result: AssembleResult, spec: BookSpec | None = None) -> None:
    from bot.book.pipeline.verdict import pictures_to_fill

    plan = result.plan
    print(
        f"interior: {out / 'interior.pdf'} ({plan.page_count} pages, "
        f"{_megabytes(result.interior_bytes)})"
    )
    if plan.padding:
        first = plan.page_count - plan.padding + 1
        more = pictures_to_fill(spec) if spec is not None else None
        fill = f"; {more} more picture(s) would fill them" if more else ""
        print(
            f"blank pages added: {plan.padding} at the end (pages {first}-{plan.page_count}) "
            f"to reach an even count of at least 24 (KDP's minimum){fill}"
        )
    print(f"cover: {out / 'cover.pdf'} ({_megabytes(result.cover_bytes)})")
    print(f"preview: {out / 'preview.png'} ({_megabytes(result.preview_bytes)})")
    print("preflight: passed")
    parts = ", ".join(f"{name} {s:.1f} s" for name, s in result.stages.items())
    print(f"assemble time: {result.seconds:.1f} s ({parts})")


def output_folder(path: Path, option: str = "--out") -> Path:
    """`path` as a folder the book can be written to, made if missing; else a clear error
    naming the option, before anything is written."""
    if path.is_symlink() and not path.exists():
        raise UserInputError(f"{option} {path}: {_broken_link(path)} (give a folder)")
    if path.exists() and not path.is_dir():
        raise UserInputError(f"{option} {path}: a file is in the way (give a folder)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserInputError(f"{option} {path}: cannot make the folder ({exc.strerror})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise UserInputError(f"{option} {path}: not writable")
    return path


def _broken_link(path: Path) -> str:
    """What a link that leads nowhere is: a loop, or a link to something missing."""
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a link loop (the link leads back to itself)"
    return "a link to something missing"


@dataclass(frozen=True)
class Making:
    """Everything `generate` needs, checked before anything is written."""

    spec: BookSpec
    job: Job
    config: RepoConfig
    providers: tuple[Provider, Provider]
    ledger: Ledger
    art: dict[int, ArtPage] = field(default_factory=dict)  # pages from the user's images


def _prepare(args: MakeArgs, rt: Runtime) -> Making:
    """The spec, the book's share, its providers, the ledger and the output folder, each
    checked in turn; the first problem stops the command before any file is written."""
    spec = _load(args.spec, provider=args.provider, pages=args.pages)
    # the pipeline (numpy, OpenCV, scikit-image) only once the spec is known to be good:
    # a bad spec is refused in the time the interpreter takes to start
    from bot.book.pipeline import Job, Shard, dir_key, providers_for
    from bot.book.providers.folder import find_art

    shard = Shard.parse(args.shard) if args.shard else None
    number = args.issue
    if number is None:
        found = BookRef.from_spec_file(str(args.spec))
        number = found.issue if found else None
    if args.claim and number is None:
        raise UserInputError(
            "--claim: workers share a queue by book number; pass --issue N "
            "(or name the spec ebook-N.yaml)"
        )
    if shard is not None and args.claim:
        raise UserInputError("--shard and --claim: choose one (a fixed share, or the queue)")
    config = rt.repo_config(args.config)
    art = find_art(spec, args.spec)  # a missing or empty art folder stops here
    providers = providers_for(spec, config, art)  # an unusable provider too
    ledger = rt.ledger  # an unreachable or unmigrated database too
    output_folder(args.out)
    book = BookRef(number).ledger_key if number is not None else dir_key(args.out)
    job = Job(book=book, issue=number, shard=shard, claim=args.claim, strict=args.strict)
    if rt.settings.cleanup_workers is not None:
        job = replace(job, workers=rt.settings.cleanup_workers)
    return Making(spec, job, config, providers, ledger, art)


def _generate(args: MakeArgs, making: Making) -> GenerateResult:
    from bot.book.kdp import DPI
    from bot.book.lineart import LineArtOptions
    from bot.book.pipeline import generate
    from bot.log import stage

    with stage("generate"):
        return generate(
            making.spec,
            args.out,
            ledger=making.ledger,
            job=making.job,
            config=making.config,
            providers=making.providers,
            options=LineArtOptions(thicken_in=args.thicken / DPI),
            art=making.art,
        )


@contextlib.contextmanager
def writing(out: Path, command: str, *, shared: bool = False) -> Iterator[None]:
    """Hold `out` for this command: `build` and `assemble` alone, `generate` with other
    `generate`s (the ledger shares the pages among them); refused, naming who holds it,
    when another command is writing there. Held alone, the temporary files a killed run
    left are removed first."""
    from bot.fsutil import FolderBusy, folder_lock, remove_stale_temps

    try:
        with folder_lock(out, f"ebook-bot {command}", shared=shared) as alone:
            if alone:
                for folder in (out, out / "pages"):
                    remove_stale_temps(folder)
            yield
    except FolderBusy as exc:
        held = f" ({exc.holder})" if exc.holder else ""
        raise UserInputError(
            f"--out {out}: another ebook-bot is writing this folder{held}; wait for it to "
            "finish, or give another --out"
        ) from None


def build(args: MakeArgs, rt: Runtime) -> int:
    import time

    from bot.log import stage

    started = time.perf_counter()
    making = _prepare(args, rt)
    from bot.book.pipeline import assemble

    with writing(args.out, "build"):
        result = _generate(args, making)
        with stage("assemble"):
            assembled = assemble(making.spec, args.out, config=making.config)
    print_generate(result)
    print_art(making.art, making.spec)
    print_assemble(args.out, assembled, making.spec)
    print(
        f"total time: {time.perf_counter() - started:.1f} s (pages {result.seconds:.1f} s, "
        f"PDFs and preview {assembled.seconds:.1f} s)"
    )
    return 0


def generate(args: MakeArgs, rt: Runtime) -> int:
    making = _prepare(args, rt)
    with writing(args.out, "generate", shared=True):
        print_generate(_generate(args, making))
    print_art(making.art, making.spec)
    return 0


def assemble(args: AssembleArgs, rt: Runtime) -> int:
    from bot.book.pipeline import assemble

    spec = _load(args.spec, provider=None, pages=args.pages)
    config = rt.repo_config(args.config)
    if args.out.is_symlink() and not args.out.exists():
        raise UserInputError(f"--out {args.out}: {_broken_link(args.out)}")
    if not args.out.is_dir():  # nothing to assemble: the pipeline says what is missing
        print_assemble(args.out, assemble(spec, args.out, config=config), spec)
        return 0
    with writing(args.out, "assemble"):
        result = assemble(spec, args.out, config=config)
    print_assemble(args.out, result, spec)
    return 0


def _spec_and_out(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", type=Path, metavar="SPEC", help="book spec (YAML)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")


def _making(p: argparse.ArgumentParser, *, shares: bool) -> None:
    _spec_and_out(p)
    p.add_argument("--issue", type=issue_number, metavar="N", help="the book's issue number")
    if shares:
        p.add_argument("--shard", metavar="I/N", help="make only share I of N (a runner matrix)")
        p.add_argument(
            "--claim",
            action="store_true",
            help="take pages from the book's shared queue until none is left",
        )
    p.add_argument(
        "--provider",
        type=provider_name,
        metavar="P",
        help="provider for every asset: procedural, diffusers or openrouter",
    )
    _config_option(p)
    p.add_argument("--pages", type=page_count, metavar="N", help="number of coloring pages")
    p.add_argument("--strict", action="store_true", help="fail when a page still fails QA")
    p.add_argument(
        "--thicken",
        type=int,
        default=0,
        choices=range(0, 9),
        metavar="PX",
        help="bolder lines: PX pixels at 300 DPI more, within the audience's range (0-8)",
    )


def _config_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="bot config (default: .github/ebook-bot.yml when it exists)",
    )


def _assembling(p: argparse.ArgumentParser) -> None:
    _spec_and_out(p)
    p.add_argument("--pages", type=page_count, metavar="N", help="number of coloring pages")
    _config_option(p)


COMMANDS = (
    Command(
        "build",
        "make the whole book: pages, interior.pdf, cover.pdf, preview.png",
        """
        Make the whole book of SPEC in DIR: every coloring page (DIR/pages/NNN.png, 1-bit at
        300 DPI), the KDP interior (DIR/interior.pdf), the full-wrap cover (DIR/cover.pdf)
        and a contact sheet (DIR/preview.png). The offline procedural provider needs no GPU,
        network or token. Run it again after a crash or a spec edit: finished pages are kept.
        """,
        (
            "ebook-bot build specs/examples/mandalas-adults.yaml --out out/",
            "ebook-bot build book.yaml --out out/ --pages 3 --provider diffusers",
        ),
        lambda p: _making(p, shares=False),
        typed(MakeArgs, build),
    ),
    Command(
        "generate",
        "make the cover art and pages only (resumable)",
        """
        Make the cover art and the coloring pages of SPEC in DIR/pages, without the PDFs.
        Killed, it resumes where it stopped. Several machines can share a book: a fixed
        share each with --shard I/N, or a shared queue with --claim (PostgreSQL ledger).
        Then `ebook-bot assemble` makes the PDFs.
        """,
        (
            "ebook-bot generate book.yaml --out out/",
            "ebook-bot generate specs/ebook-12.yaml --out out/ --shard 2/4",
        ),
        lambda p: _making(p, shares=True),
        typed(MakeArgs, generate),
    ),
    Command(
        "assemble",
        "make interior.pdf, cover.pdf and preview.png from DIR/pages",
        """
        Assemble the interior and cover PDFs and the preview from the pages already in
        DIR/pages (made by `generate`), then run the print preflight on both PDFs.
        """,
        ("ebook-bot assemble book.yaml --out out/",),
        _assembling,
        typed(AssembleArgs, assemble),
    ),
)
