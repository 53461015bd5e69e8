"""What `generate` returns: each finished asset and the run's figures (apart from the
pipeline itself, so the verdict on a run and the run share it without an import circle)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.book.pipeline.stream import StreamTimes


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
    times: StreamTimes = field(default_factory=StreamTimes)  # provider, cleanup, writing
    provider: str = ""  # the pages' provider, by name
    # subjects the provider cannot draw: subject -> (what it drew instead, page labels)
    substitutes: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    @property
    def flagged(self) -> list[PageRecord]:
        return [p for p in self.pages if p.flagged]
