"""The book pipeline: generate the pages and cover, then assemble the PDFs and preview.

`generate` (pages, resumable, shardable) and `assemble` (PDFs, preview, preflight) are the
two halves; `ebook-bot build` runs one after the other.
"""

from bot.book.pipeline.assemble import AssembleResult, assemble
from bot.book.pipeline.generate import (
    GenerateResult,
    Job,
    PageRecord,
    check_claiming,
    generate,
    providers_for,
)
from bot.book.pipeline.inputs import dir_key, page_inputs, resolve_spec
from bot.book.pipeline.making import MAX_ATTEMPTS, make_cover, make_page, make_pages
from bot.book.pipeline.shard import Shard

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
    "resolve_spec",
]
