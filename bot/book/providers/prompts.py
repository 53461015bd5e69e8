"""Prompts for image models (pure functions).

SDXL-turbo runs at guidance 0, where a negative prompt does nothing: every requirement of
a coloring page (black outlines, white ground, no shading, no grey) goes in the positive
prompt. CLIP reads 77 tokens, so the subject comes first and the requirements are short.
"""

from __future__ import annotations

from bot.book.assets import AssetKind
from bot.book.providers.base import ImageRequest
from bot.book.spec import Audience

PAGE_RULES = (
    "black and white line art, bold clean black outlines, pure white background, "
    "no shading, no grey, no colour, no text, closed shapes to colour in"
)
AUDIENCE_HINTS = {
    Audience.AGES_3_5: "very simple, a few big shapes, extra thick outlines",
    Audience.AGES_6_8: "simple, large areas, thick outlines",
    Audience.AGES_9_12: "medium detail",
    Audience.TEENS: "detailed",
    Audience.ADULTS: "intricate detailed patterns",
}


def _clean(text: str) -> str:
    return " ".join(text.replace(",", " ").split())[:200]


def page_prompt(request: ImageRequest) -> str:
    parts = [f"coloring book page of {_clean(request.subject)}"]
    if request.style:
        parts.append(_clean(request.style))
    if request.theme:
        parts.append(f"{_clean(request.theme)} theme")
    parts.append(AUDIENCE_HINTS[request.audience])
    parts.append(PAGE_RULES)
    return ", ".join(parts)


def cover_prompt(request: ImageRequest, cover_style: str | None = None) -> str:
    parts = [f"children's coloring book cover illustration of {_clean(request.subject)}"]
    if cover_style or request.style:
        parts.append(_clean(cover_style or request.style))
    if request.theme:
        parts.append(f"{_clean(request.theme)} theme")
    parts.append("bright cheerful colours, bold clean outlines, centred composition, no text")
    return ", ".join(parts)


def prompt_for(request: ImageRequest) -> str:
    return cover_prompt(request) if request.kind is AssetKind.COVER else page_prompt(request)
