"""Whose pictures may be sold: the licence of an image model, from its model card (the
README's front matter, cached by `ebook-bot models pull`) or, for the well-known models,
from what their cards said when checked (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

# from the models' Hugging Face cards (checked 2026-11); a cached card wins over this table
KNOWN = {
    "stabilityai/sdxl-turbo": "sai-nc-community",
    "stabilityai/sd-turbo": "sai-nc-community",
    "stabilityai/stable-diffusion-xl-base-1.0": "openrail++",
    "madebyollin/taesdxl": "mit",
    "madebyollin/sdxl-vae-fp16-fix": "mit",
}
# where a non-commercial licence points a publisher
COMMERCIAL_TERMS = {"sai-nc-community": "https://stability.ai/license"}
_NON_COMMERCIAL = re.compile(r"(^|[-_ ])nc([-_ ]|$)|non-?commercial|research", re.IGNORECASE)


@dataclass(frozen=True)
class Licence:
    name: str  # e.g. "sai-nc-community", "openrail++", "unknown"
    commercial: bool | None  # False: books made with it may not be sold; None: not known

    def describe(self, model: str) -> str:
        if self.commercial is None:
            return (
                f"{model}: licence unknown; read its model card before selling books made with it"
            )
        if self.commercial:
            return f"{model}: licence {self.name} (allows commercial use; check its use terms)"
        terms = COMMERCIAL_TERMS.get(self.name)
        where = f" (see {terms})" if terms else ""
        return (
            f"{model}: licence {self.name} is NON-COMMERCIAL: books made with it may not be "
            f"sold on KDP without a commercial licence from its maker{where}"
        )


def card_licence(card: str) -> str | None:
    """`license_name` (or `license`) from a model card's YAML front matter."""
    match = re.match(r"---\s*\n(.*?)\n---", card, re.DOTALL)
    if not match:
        return None
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    name = data.get("license_name") or data.get("license")
    return str(name).strip().lower() if name else None


def model_licence(model: str, card: str | None = None) -> Licence:
    """The licence of `model`: its card's, else the table's, else unknown."""
    name = (card_licence(card) if card else None) or KNOWN.get(model)
    if name is None or name == "other":
        return Licence(name or "unknown", None)
    return Licence(name, not _NON_COMMERCIAL.search(name))
