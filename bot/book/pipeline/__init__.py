"""The book pipeline: generate the pages and cover, then assemble the PDFs and preview.

`generate` (pages, resumable, shardable) and `assemble` (PDFs, preview, preflight) are the
two halves; `ebook-bot build` runs one after the other. Names are imported on first use,
so `assemble` alone never loads the ledger's database layer or the line-art stage.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names, for type checkers; at run time `__getattr__` imports them
    from bot.book.pipeline.assembly import AssembleResult, assemble
    from bot.book.pipeline.generation import Job, check_claiming, generate, providers_for
    from bot.book.pipeline.inputs import dir_key, page_inputs
    from bot.book.pipeline.making import make_cover, make_page, make_pages
    from bot.book.pipeline.results import GenerateResult, PageRecord
    from bot.book.pipeline.shard import Shard
    from bot.book.pipeline.stream import MAX_ATTEMPTS

_HOMES = {
    "AssembleResult": "assembly",
    "assemble": "assembly",
    "GenerateResult": "results",
    "Job": "generation",
    "PageRecord": "results",
    "check_claiming": "generation",
    "generate": "generation",
    "providers_for": "generation",
    "dir_key": "inputs",
    "page_inputs": "inputs",
    "MAX_ATTEMPTS": "stream",
    "make_cover": "making",
    "make_page": "making",
    "make_pages": "making",
    "Shard": "shard",
}
__all__ = [
    "MAX_ATTEMPTS",
    "AssembleResult",
    "GenerateResult",
    "Job",
    "PageRecord",
    "Shard",
    "assemble",
    "check_claiming",
    "dir_key",
    "generate",
    "make_cover",
    "make_page",
    "make_pages",
    "page_inputs",
    "providers_for",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
