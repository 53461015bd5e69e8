"""The book pipeline: generate pages and cover, assemble the PDFs and preview, preflight.

Stages (inputs are checked before anything is written):
  1. resolve the spec and providers, plan the interior (page count, padding, geometry)
  2. generate the cover art and every page, each page through line-art QA with retries
  3. assemble interior.pdf, cover.pdf and preview.png
  4. preflight both PDFs against KDP's rules
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from bot.errors import PreflightError, QualityError, UserInputError
from bot.fsutil import atomic_write
from bot.kdp import InteriorPlan, art_size_px, cover_art_size_px, plan_interior
from bot.lineart import LineArtOptions, QAReport, to_line_art
from bot.pages import encode_rgb_png, load_g4, png_path, save_page, sha256_file
from bot.pdf.cover import write_cover
from bot.pdf.interior import write_interior
from bot.preflight import check_pdf
from bot.preview import write_preview
from bot.progress import Progress
from bot.providers import AssetKind, ImageRequest, Provider, get_provider
from bot.spec import BookSpec, derive_seed

MANIFEST = "manifest.json"
COVER_ART = "cover.png"
MAX_ATTEMPTS = 3


@dataclass
class PageRecord:
    """What the manifest keeps of one finished asset (enough to skip it on a rerun)."""

    key: str  # "001".."400", or "cover"
    subject: str
    seed: int  # the book seed the page's seeds derive from
    provider: str
    size: tuple[int, int]
    finish: str = ""  # the line-art options the page was cleaned with
    sha256: str = ""
    attempts: int = 0
    reasons: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)

    def matches(self, entry: Any, path: Path) -> bool:
        """True when `entry` (from the manifest) is this same asset and its file is intact."""
        if not isinstance(entry, dict) or not path.exists():
            return False
        wanted = {
            "subject": self.subject,
            "seed": self.seed,
            "provider": self.provider,
            "finish": self.finish,
        }
        if any(entry.get(k) != v for k, v in wanted.items()):
            return False
        if tuple(entry.get("size", ())) != self.size:
            return False
        return bool(entry.get("sha256") == sha256_file(path))


@dataclass
class GenerateResult:
    pages: list[PageRecord]
    generated: int  # pages made by this run; the others were already done
    seconds: float

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


def _load_manifest(pages_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((pages_dir / MANIFEST).read_text("utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_manifest(pages_dir: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    atomic_write(pages_dir / MANIFEST, text.encode("utf-8"))


def _request(
    spec: BookSpec, kind: AssetKind, index: int, subject: str, size: tuple[int, int], attempt: int
) -> ImageRequest:
    return ImageRequest(
        kind=kind,
        index=index,
        subject=subject,
        seed=derive_seed(spec.seed, index, attempt, salt=kind),
        width=size[0],
        height=size[1],
        audience=spec.audience,
        theme=spec.theme,
        style=spec.style,
    )


def make_page(
    provider: Provider,
    spec: BookSpec,
    index: int,
    subject: str,
    size: tuple[int, int],
    options: LineArtOptions,
    max_attempts: int = MAX_ATTEMPTS,
) -> tuple[Image.Image, QAReport, int]:
    """One coloring page through QA, retried with new derived seeds; the best attempt wins."""
    best: tuple[Image.Image, QAReport] | None = None
    for attempt in range(1, max_attempts + 1):
        request = _request(spec, "coloring_page", index, subject, size, attempt - 1)
        art, report = to_line_art(provider.generate(request), size, options)
        if best is None or report.badness(options) < best[1].badness(options):
            best = (art, report)
        if not report.flagged:
            return art, report, attempt
    assert best is not None
    return best[0], best[1], max_attempts


def make_cover(provider: Provider, spec: BookSpec, size: tuple[int, int]) -> Image.Image:
    """The front-cover art in colour, exactly `size` pixels."""
    subject = spec.cover.subject or spec.title
    request = _request(spec, "cover", 0, subject, size, 0)
    image = provider.generate(request).convert("RGB")
    if image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def generate(
    spec: BookSpec,
    out: Path,
    *,
    strict: bool = False,
    options: LineArtOptions | None = None,
) -> GenerateResult:
    """Make the cover art and pages under `out/pages`; finished pages are kept (resumable)."""
    started = time.perf_counter()
    opts = options or LineArtOptions()
    page_provider = get_provider(spec.providers.coloring_page, field="providers.coloring_page")
    cover_provider = get_provider(spec.providers.cover, field="providers.cover")
    plan_interior(spec)  # refuse an impossible book before making anything
    pages_dir = out / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(pages_dir)
    manifest.setdefault("pages", {})
    size = art_size_px(spec)
    finish = f"threshold={opts.threshold},specks={opts.min_speck_px},thicken={opts.thicken_px}"
    subjects = spec.page_subjects()
    indices = range(len(subjects))
    progress = Progress(len(indices) + 1, "page")
    records: list[PageRecord] = []
    generated = 0
    try:
        cover = PageRecord(
            "cover",
            spec.cover.subject or spec.title,
            spec.seed,
            cover_provider.name,
            cover_art_size_px(spec),
        )
        if cover.matches(manifest.get("cover"), pages_dir / COVER_ART):
            progress.advance("cover already done")
        else:
            t0 = time.perf_counter()
            data = encode_rgb_png(make_cover(cover_provider, spec, cover.size))
            atomic_write(pages_dir / COVER_ART, data)
            cover.sha256 = sha256_file(pages_dir / COVER_ART)
            cover.attempts = 1
            cover.seconds = round(time.perf_counter() - t0, 3)
            manifest["cover"] = asdict(cover)
            _save_manifest(pages_dir, manifest)
            progress.advance(f"cover ({cover.seconds:.2f} s)")
        for index in indices:
            record = PageRecord(
                f"{index + 1:03d}", subjects[index], spec.seed, page_provider.name, size, finish
            )
            entry = manifest["pages"].get(record.key)
            if record.matches(entry, png_path(pages_dir, index)):
                record = PageRecord(**{**entry, "size": tuple(entry["size"])})
                records.append(record)
                progress.advance(f"{record.key} already done")
                continue
            t0 = time.perf_counter()
            art, report, attempts = make_page(
                page_provider, spec, index, record.subject, size, opts
            )
            record.sha256 = save_page(pages_dir, index, art)
            record.attempts = attempts
            record.reasons = list(report.reasons)
            record.seconds = round(time.perf_counter() - t0, 3)
            manifest["pages"][record.key] = asdict(record)
            _save_manifest(pages_dir, manifest)
            records.append(record)
            generated += 1
            status = "flagged: " + "; ".join(record.reasons) if record.flagged else "ok"
            progress.advance(f"{record.key} {status} ({record.seconds:.2f} s)")
    finally:
        progress.close()
    result = GenerateResult(records, generated, time.perf_counter() - started)
    if strict and result.flagged:
        raise QualityError(
            f"{len(result.flagged)} page(s) still failed line-art QA after {MAX_ATTEMPTS} attempts",
            [f"page {p.key}: {'; '.join(p.reasons)}" for p in result.flagged],
        )
    return result


def assemble(spec: BookSpec, out: Path) -> AssembleResult:
    """interior.pdf, cover.pdf and preview.png from `out/pages`, then preflight both PDFs."""
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
    write_interior(spec, plan, lambda i: load_g4(pages_dir, i), interior)
    with Image.open(pages_dir / COVER_ART) as art:
        art.load()
        write_cover(spec, plan.page_count, art, cover_pdf)
        preview_bytes = write_preview(
            art, (png_path(pages_dir, i) for i in range(spec.pages.total)), out / "preview.png"
        )
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
