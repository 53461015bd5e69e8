"""What a run owes its user beyond its files: the subjects the provider could not draw
(named in the summary, failing --strict), and pages still flagged by QA under --strict."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.book.assets import AssetKind, Key, label
from bot.book.kdp import plan_interior
from bot.book.pipeline.inputs import image_request
from bot.book.pipeline.stream import MAX_ATTEMPTS
from bot.book.providers import Provider
from bot.book.spec import BookSpec
from bot.errors import BotError, QualityError

if TYPE_CHECKING:
    from bot.book.pipeline.results import GenerateResult


def substitutes(
    spec: BookSpec, provider: Provider, size: tuple[int, int], keys: list[Key]
) -> dict[str, tuple[str, list[str]]]:
    """Subjects of these pages the provider cannot draw, what it draws instead and on
    which pages (asked of the provider, so pages kept from an earlier run count too)."""
    found: dict[str, tuple[str, list[str]]] = {}
    for kind, index in keys:
        if kind != AssetKind.PAGE:
            continue
        subject = spec.page_subjects()[index]
        request = image_request(spec, AssetKind.PAGE, index, subject, size)
        drawn = provider.describe(request).substitute
        if drawn:
            found.setdefault(subject, (drawn, []))[1].append(label((kind, index)))
    return found


def strict_check(result: GenerateResult) -> None:
    """--strict: a page still failing QA, or a subject not drawn, fails the run (exit 1)."""
    problems = [f"page {p.key}: {'; '.join(p.reasons)}" for p in result.flagged]
    problems += [
        f"{subject!r}: not drawn, {result.provider} drew {drawn} instead "
        f"(page{'s' if len(at) > 1 else ''} {', '.join(at)})"
        for subject, (drawn, at) in result.substitutes.items()
    ]
    if not problems:
        return
    parts = []
    if result.flagged:
        parts.append(
            f"{len(result.flagged)} page(s) still failed line-art QA after {MAX_ATTEMPTS} attempts"
        )
    if result.substitutes:
        parts.append(
            f"{len(result.substitutes)} subject(s) the {result.provider} provider cannot draw "
            "(use --provider diffusers or openrouter for pictures)"
        )
    raise QualityError("--strict: " + "; ".join(parts), problems)


def pictures_to_fill(spec: BookSpec) -> int | None:
    """How many more pictures would leave no blank padding at the end (None: none would
    within KDP's limits)."""
    for more in range(1, 25):
        try:
            if plan_interior(spec.with_page_count(spec.pages.total + more)).padding == 0:
                return more
        except BotError:  # past a limit
            return None
    return None
