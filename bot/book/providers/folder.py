"""Bring your own art: the first pages of a book from a folder of the user's images (their
drawings, scans, another tool's output), the rest from the book's provider. The images go
through the same line-art stage and QA as generated pages."""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from bot.book.assets import AssetKind
from bot.book.lineart.batch import read_image
from bot.book.providers.base import ImageRequest, Provenance, Provider
from bot.book.spec import BookSpec
from bot.errors import UserInputError
from bot.fsutil import read_plain, refuse_unplain

IMAGES = {".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif"}
FIELD = "pages.art"


@dataclass(frozen=True)
class ArtPage:
    """One page from the user's folder: the file and its content's hash (a changed file
    makes its page again, an unchanged one is kept)."""

    path: Path
    digest: str


def _natural(name: str) -> list[object]:
    """Sort key: "page2" before "page10"."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def find_art(spec: BookSpec, spec_file: Path) -> dict[int, ArtPage]:
    """The spec's art folder (relative to the spec file's folder) as pages by index, in
    file-name order, as many as the book has pages; {} when the spec names none."""
    if spec.pages.art is None:
        return {}
    base = spec_file.resolve().parent
    folder = (base / spec.pages.art).resolve()
    if not folder.is_relative_to(base):  # a link pointing out of the spec's folder
        raise UserInputError(f"{FIELD}: {spec.pages.art} leads out of the spec's folder")
    if not folder.is_dir():
        raise UserInputError(f"{FIELD}: no folder {spec.pages.art} beside {spec_file.name}")
    # a link inside the folder could lead anywhere on the runner: plain files only
    refuse_unplain(base / spec.pages.art, f"{FIELD} {spec.pages.art}")
    files = sorted(
        (p for p in folder.iterdir() if p.suffix.lower() in IMAGES and p.is_file()),
        key=lambda p: _natural(p.name),
    )
    if not files:
        kinds = ", ".join(sorted(IMAGES))
        raise UserInputError(f"{FIELD}: {spec.pages.art} holds no images ({kinds})")
    pages = ArtPages(unused=files[spec.pages.total :])
    for index, path in enumerate(files[: spec.pages.total]):
        data = read_plain(path)
        # a bad image stops the book here, before anything is made
        check_image(f"{spec.pages.art.rstrip('/')}/{path.name}", data)
        pages[index] = ArtPage(path, hashlib.sha256(data).hexdigest())
    return pages


class ArtPages(dict[int, ArtPage]):
    """The pages from the user's folder by index, and the images left over (the book has
    fewer pages than the folder has images): the summary names them."""

    def __init__(self, unused: Sequence[Path] = ()) -> None:
        super().__init__()
        self.unused = list(unused)


def check_image(shown: str, data: bytes) -> None:
    """Refuse an art image that does not decode to the end, naming the file and the fix."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                im.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        why = "not an image this tool can read"
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt data
        why = f"cannot decode it ({exc})"
    else:
        return
    raise UserInputError(f"{FIELD}: {shown}: {why}; replace or remove it")


class FolderProvider:
    """The user's images for the pages they cover; `fallback` makes the others."""

    def __init__(self, art: Mapping[int, ArtPage], fallback: Provider) -> None:
        self.art = dict(art)
        self.fallback = fallback
        self.name = fallback.name
        self.capabilities = fallback.capabilities
        self.model_id = fallback.model_id
        self.fingerprint = fallback.fingerprint

    def check(self) -> None:
        self.fallback.check()

    def _own(self, request: ImageRequest) -> ArtPage | None:
        return self.art.get(request.index) if request.kind is AssetKind.PAGE else None

    def generate(self, requests: Sequence[ImageRequest]) -> list[Image.Image]:
        made = iter(self.fallback.generate([r for r in requests if self._own(r) is None]))
        images = []
        for request in requests:
            page = self._own(request)
            if page is None:
                images.append(next(made))
                continue
            try:
                images.append(read_image(page.path))
            except ValueError as exc:
                raise UserInputError(f"{FIELD}: {exc}") from None
        return images

    def describe(self, request: ImageRequest) -> Provenance:
        page = self._own(request)
        if page is None:
            return self.fallback.describe(request)
        return Provenance(f"your art: {page.path.name} (sha256 {page.digest[:12]})", given=True)
