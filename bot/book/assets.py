"""The assets of a book (the cover art and the coloring pages) and their names on disk."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

COVER_ART = "cover.png"


class AssetKind(StrEnum):
    """What an image is for; the value is the ledger's `kind` column."""

    COVER = "cover"
    PAGE = "page"

    @property
    def seed_salt(self) -> str:
        """The salt of this kind's seeds (the provider field's name: stable since v0.1)."""
        return "cover" if self is AssetKind.COVER else "coloring_page"


Key = tuple[AssetKind, int]  # (kind, 0-based page index; 0 for the cover)
COVER_KEY: Key = (AssetKind.COVER, 0)


def page_key(index: int) -> Key:
    return (AssetKind.PAGE, index)


def label(key: tuple[str, int]) -> str:
    """'cover', or the page number as the files and summaries show it ('001')."""
    return "cover" if key[0] == AssetKind.COVER else f"{key[1] + 1:03d}"


def png_path(pages_dir: Path, index: int) -> Path:
    return pages_dir / f"{index + 1:03d}.png"


def tif_path(pages_dir: Path, index: int) -> Path:
    return pages_dir / f"{index + 1:03d}.tif"


def thumb_path(pages_dir: Path, index: int) -> Path:
    """The page's small grey thumbnail, made with it, for the preview."""
    return pages_dir / f"{index + 1:03d}.thumb.png"


def page_number(path: Path) -> int | None:
    """The page number a page file belongs to ('012.png', '012.thumb.png' -> 12)."""
    head = path.name.split(".", 1)[0]
    return int(head) if len(head) == 3 and head.isdigit() else None


def asset_path(pages_dir: Path, key: tuple[str, int]) -> Path:
    return pages_dir / COVER_ART if key[0] == AssetKind.COVER else png_path(pages_dir, key[1])
