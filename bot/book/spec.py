"""The book spec: a versioned, validated description of one coloring book."""

from __future__ import annotations

import errno
import hashlib
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from bot.book.pdf.faces import unprintable
from bot.book.validation import validate_mapping
from bot.book.yamlio import MAX_SPEC_BYTES, dump_yaml, load_yaml
from bot.errors import SpecError

SPEC_VERSION = 1
SPEC_SUFFIXES = (".yaml", ".yml")
MAX_PAGES = 400  # art pages; the interior limit (KDP's 828) is checked on the whole plan

# C0 and C1 controls (tab and newline aside), and the bidi embeddings, overrides and
# isolates that make text read in another order than it is stored ("Trojan Source")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _clean_line(value: str) -> str:
    value = value.strip()
    if "\n" in value or "\t" in value or _CONTROL.search(value):
        raise ValueError("must be one line of printable text (no control characters)")
    return value


def _has_glyphs(value: str | None) -> str | None:
    """Printed text: refused up front when a character has no glyph in the bundled fonts."""
    problem = None if value is None else unprintable(value)
    if problem:
        raise ValueError(f"cannot be printed: {problem}")
    return value


Line = Annotated[str, StringConstraints(max_length=200)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _hex_color(value: Any) -> Any:
    """A colour as `#rrggbb`; anything else is refused with the accepted form."""
    if not isinstance(value, str) or not _HEX_COLOR.match(value.strip()):
        shown = "empty" if value is None else f"{value!r} is not a colour"
        raise ValueError(
            f"{shown}: give it as '#rrggbb' in quotes (e.g. '#ffd166'; "
            "the quotes keep YAML from reading '#' as a comment)"
        )
    return value.strip()


# the pattern stays in the JSON schema (editors and the issue form read it)
Color = Annotated[
    str,
    BeforeValidator(_hex_color),
    WithJsonSchema({"type": "string", "pattern": _HEX_COLOR.pattern}),
]
ProviderName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
# a plain relative path (its parts checked below): letters, digits, "_", "-", ".", " "
ArtFolder = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_./ -]{0,199}$")]


class Audience(StrEnum):
    """Age band: sets line weight and how much detail a page carries."""

    AGES_3_5 = "3-5"
    AGES_6_8 = "6-8"
    AGES_9_12 = "9-12"
    TEENS = "teens"
    ADULTS = "adults"


class Gaps(StrEnum):
    """Which breaks in the lines a page's clean-up closes."""

    EVIDENCE = "evidence"  # only where the evidence says it is a break (two ends facing
    # each other, a corner, an end straight at a line within 0.06 in): strokes the artist
    # left open (fur, hair, folds) stay open
    SEALED = "sealed"  # more areas closed, for crayons and fill tools: also a line end
    # that stops within 0.12 in of the line it points at, strokes left open included


class Paper(StrEnum):
    WHITE = "white"
    CREAM = "cream"


class Trim(StrEnum):
    """KDP paperback trim sizes (width x height, inches)."""

    T8_5X11 = "8.5x11"
    T8X10 = "8x10"
    T6X9 = "6x9"
    T8_5X8_5 = "8.5x8.5"
    T7X10 = "7x10"
    T8_25X8_25 = "8.25x8.25"
    T8_27X11_69 = "8.27x11.69"

    @property
    def inches(self) -> tuple[float, float]:
        w, h = self.value.split("x")
        return float(w), float(h)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


Subject = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class PageOverride(_Model):
    """A reviewer's change to one page (`/regenerate N`, `/regenerate N subject: ...`)."""

    subject: Subject | None = None
    variant: int = Field(default=0, ge=0, le=100_000)  # each /regenerate draws a new seed

    @field_validator("subject")
    @classmethod
    def _one_line_subject(cls, value: str | None) -> str | None:
        return None if value is None else _clean_line(value)


class PagesSpec(_Model):
    """Page subjects; with `count`, subjects cycle until that many pages exist.
    `overrides` (keyed by page number, from 1) change single pages after review."""

    subjects: list[Annotated[str, StringConstraints(min_length=1, max_length=300)]] = Field(
        min_length=1, max_length=MAX_PAGES
    )
    count: int | None = Field(default=None, ge=1, le=MAX_PAGES)
    # a folder of your own images (relative to the spec's folder): the first pages, cleaned
    # and checked like generated ones, in file-name order; subjects make the rest
    art: ArtFolder | None = None
    gaps: Gaps = Gaps.EVIDENCE  # which breaks in the lines are closed (see Gaps)
    overrides: dict[Annotated[int, Field(ge=1, le=MAX_PAGES)], PageOverride] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _overrides_in_book(self) -> PagesSpec:
        outside = sorted(n for n in self.overrides if n > self.total)
        if outside:
            raise ValueError(f"overrides: page {outside[0]} is past the last page ({self.total})")
        return self

    @field_validator("art")
    @classmethod
    def _below_the_spec(cls, value: str | None) -> str | None:
        if value is not None and any(part in ("", ".", "..") for part in value.split("/")[:-1]):
            raise ValueError("must be a folder below the spec's own (no '..', no '//')")
        if value is not None and value.rstrip("/").split("/")[-1] in ("", ".", ".."):
            raise ValueError("must be a folder below the spec's own (no '..')")
        return value

    @field_validator("subjects")
    @classmethod
    def _one_line_subjects(cls, value: list[str]) -> list[str]:
        return [_clean_line(v) for v in value]

    @property
    def total(self) -> int:
        return self.count if self.count is not None else len(self.subjects)


class FrontMatter(_Model):
    title_page: bool = True
    copyright_page: bool = True
    belongs_to: bool = True


def isbn13_problem(digits: str) -> str | None:
    """Why `digits` (13 digits) is not an ISBN-13, or None when its checksum holds."""
    if len(digits) != 13 or not digits.isdigit():
        return "must be an ISBN-13: 13 digits, hyphens or spaces allowed"
    if not digits.startswith(("978", "979")):
        return "an ISBN-13 starts with 978 or 979"
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    if (10 - total % 10) % 10 != int(digits[12]):
        return f"{digits}: the check digit is wrong (a typo?)"
    return None


class CoverSpec(_Model):
    subject: Line | None = None
    style: Line | None = None
    background: Color = "#ffffff"
    title_color: Color = "#1a1a1a"
    back_text: Annotated[str, StringConstraints(max_length=600)] | None = None
    variant: int = Field(default=0, ge=0, le=100_000)  # each /cover draws a new cover
    # a short line on the front, e.g. "50 pages · Ages 3-5"; unset: made from the audience
    # and page count; "" for none
    badge: Annotated[str, StringConstraints(max_length=40)] | None = None
    isbn: str | None = None  # ISBN-13, printed under the barcode area; stored as 13 digits

    @field_validator("badge", "back_text")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and _CONTROL.search(value):
            raise ValueError("must be printable text")
        return _has_glyphs(value)

    @field_validator("badge")
    @classmethod
    def _one_line_badge(cls, value: str | None) -> str | None:
        return None if value is None else _clean_line(value)

    @field_validator("isbn", mode="before")
    @classmethod
    def _isbn13(cls, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # YAML reads an unquoted ISBN as a number
        if not isinstance(value, str):
            raise ValueError("must be an ISBN-13 such as 978-0-306-40615-7")
        text = value.strip()
        digits = re.sub(r"[\s-]", "", text.removeprefix("ISBN").removeprefix(":").strip())
        problem = isbn13_problem(digits)
        if problem:
            raise ValueError(problem)
        return digits

    @field_validator("subject", "style")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        return None if value is None else _clean_line(value)


class ProvidersSpec(_Model):
    """Which provider makes each asset kind; unset means the repository's config decides
    (`.github/ebook-bot.yml`), and without one the offline `procedural` provider."""

    cover: ProviderName | None = None
    coloring_page: ProviderName | None = None


class BookSpec(_Model):
    """One coloring book."""

    spec_version: Literal[1] = 1
    title: Title
    subtitle: Line | None = None
    author: Title
    audience: Audience = Audience.ADULTS
    theme: Line = ""
    style: Line = ""
    pages: PagesSpec
    seed: int = Field(default=1, ge=0, le=2**63 - 1)
    # the copyright year; unset, the copyright page prints none: a default taken from the
    # clock would change a rebuilt book's bytes next January (the issue flow writes the
    # issue's year here)
    year: int | None = Field(default=None, ge=1900, le=2200)
    trim: Trim = Trim.T8_5X11
    bleed: bool = False
    paper: Paper = Paper.WHITE
    single_sided: bool = True
    front_matter: FrontMatter = FrontMatter()
    page_numbers: bool = True
    cover: CoverSpec = CoverSpec()
    providers: ProvidersSpec = ProvidersSpec()

    @field_validator("title", "subtitle", "author", "theme", "style")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        return None if value is None else _clean_line(value)

    @field_validator("pages", mode="before")
    @classmethod
    def _pages_shape(cls, value: Any) -> Any:
        # pydantic's own words ("valid dictionary or instance of PagesSpec") name a class
        if not isinstance(value, (dict, list, PagesSpec)):
            raise ValueError(
                f"got {value!r}; give the subjects as a list (pages: [cat, dog, fish]), or "
                "subjects: and count: under pages: (count: 12 makes 12 pages)"
            )
        return value

    @field_validator("title", "subtitle", "author")
    @classmethod
    def _printed(cls, value: str | None) -> str | None:
        return _has_glyphs(value)

    @model_validator(mode="before")
    @classmethod
    def _pages_shorthand(cls, data: Any) -> Any:
        # `pages: [a, b, c]` is shorthand for `pages: {subjects: [a, b, c]}`.
        if isinstance(data, dict) and isinstance(data.get("pages"), list):
            data = {**data, "pages": {"subjects": data["pages"]}}
        return data

    def page_subjects(self) -> list[str]:
        """The subject of every art page, subjects cycling up to the page count, with
        reviewers' overrides applied."""
        subjects = self.pages.subjects
        out = [subjects[i % len(subjects)] for i in range(self.pages.total)]
        for number, override in self.pages.overrides.items():
            if override.subject and number <= len(out):
                out[number - 1] = override.subject
        return out

    def page_variant(self, index: int) -> int:
        """How many times a reviewer asked for page `index` (0-based) again."""
        override = self.pages.overrides.get(index + 1)
        return override.variant if override else 0

    def with_page_count(self, count: int) -> BookSpec:
        """A copy with `count` art pages (the `--pages` option)."""
        overrides = {n: o.model_dump() for n, o in self.pages.overrides.items() if n <= count}
        pages = {**self.to_data()["pages"], "count": count, "overrides": overrides}
        return self.model_validate({**self.to_data(), "pages": pages})

    def with_overrides(self, *, provider: str | None, pages: int | None) -> BookSpec:
        """A copy with the command line's `--provider` and `--pages` applied."""
        spec = self if pages is None else self.with_page_count(pages)
        if provider is None:
            return spec
        data = {**spec.to_data(), "providers": {"cover": provider, "coloring_page": provider}}
        return parse_spec(data, source="--provider")

    def to_data(self) -> dict[str, Any]:
        """Plain data in field order, every field explicit."""
        return self.model_dump(mode="json")

    def to_yaml(self) -> str:
        """Canonical YAML: the same spec always dumps to the same bytes."""
        return dump_yaml(self.to_data())

    def sha256(self) -> str:
        return hashlib.sha256(self.to_yaml().encode("utf-8")).hexdigest()


def variant_salt(kind: str, variant: int) -> str:
    """The seed salt of an asset kind; a reviewer's n-th redo salts with /vN."""
    return kind if variant == 0 else f"{kind}/v{variant}"


def derive_seed(book_seed: int, index: int, attempt: int = 0, salt: str = "page") -> int:
    """A page's seed from the book seed, its index and the retry attempt (stable everywhere)."""
    digest = hashlib.blake2b(
        f"{salt}:{book_seed}:{index}:{attempt}".encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") >> 1  # 63 bits: fits torch and numpy generators


def parse_spec(data: Any, *, source: str = "spec") -> BookSpec:
    """Validate plain data as a spec; every problem is listed with its field path."""
    return validate_mapping(BookSpec, data, source=source, what="spec")


def load_spec(path: str | Path) -> BookSpec:
    """Read, safely parse and validate a spec file."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_SPEC_BYTES:  # refuse before reading a huge file into memory
            raise SpecError(
                f"{p}: file is {size:,} bytes; a spec may be at most {MAX_SPEC_BYTES:,} bytes"
            )
        raw = p.read_bytes()
    except FileNotFoundError:
        raise SpecError(f"{p}: no such spec file") from None
    except IsADirectoryError:
        raise SpecError(f"{p}: is a directory, not a spec file") from None
    except PermissionError:
        raise SpecError(f"{p}: permission denied") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SpecError(
                f"{p}: a link loop (the link leads back to itself), not a spec file"
            ) from None
        raise
    try:
        data = load_yaml(raw, source=str(p))
    except SpecError:
        if p.suffix.lower() in SPEC_SUFFIXES:
            raise
        data = None  # README.md, a picture...: say what it is not, not what YAML saw
    if p.suffix.lower() not in SPEC_SUFFIXES and not isinstance(data, dict):
        raise SpecError(
            f"{p}: not a spec: a spec is a YAML file (.yaml) of `key: value` lines with "
            "title:, author: and pages: (see specs/examples/)"
        )
    return parse_spec(data, source=str(p))
