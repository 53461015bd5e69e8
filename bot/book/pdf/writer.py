"""A streaming PDF writer: objects go to the file as they are made, never held in memory.

Memory stays flat in the page count, and the output is deterministic: no dates, and the
file /ID is a hash of the bytes written.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Union


class Name(str):
    """A PDF name (/Name)."""


@dataclass(frozen=True)
class Ref:
    """An indirect reference (N 0 R)."""

    num: int


PdfValue = Union[  # noqa: UP007 - a recursive alias needs Union on Python 3.11
    None, bool, int, float, str, bytes, Name, Ref, list["PdfValue"], dict[str, "PdfValue"]
]


def fmt_num(x: float) -> str:
    """A number as PDF writes it: integers plain, reals to 4 decimals without trailing zeros."""
    if float(x).is_integer():
        return str(int(x))
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _literal(text: str) -> bytes:
    if all(32 <= ord(c) < 127 for c in text):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"({escaped})".encode("ascii")
    # anything else as UTF-16BE with a byte-order mark (PDF text strings)
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def serialize(value: PdfValue) -> bytes:
    """One PDF object, serialized."""
    if value is None:
        return b"null"
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, Ref):
        return f"{value.num} 0 R".encode()
    if isinstance(value, Name):
        safe = "".join(c if c.isalnum() or c in "-_.+" else f"#{ord(c):02X}" for c in value)
        return b"/" + safe.encode("ascii")
    if isinstance(value, int | float):
        return fmt_num(value).encode()
    if isinstance(value, str):
        return _literal(value)
    if isinstance(value, bytes):
        return b"<" + value.hex().upper().encode("ascii") + b">"
    if isinstance(value, list):
        return b"[" + b" ".join(serialize(v) for v in value) + b"]"
    if isinstance(value, dict):
        items = b" ".join(serialize(Name(k)) + b" " + serialize(v) for k, v in value.items())
        return b"<< " + items + b" >>"
    raise TypeError(f"cannot write {type(value).__name__} to a PDF")


class PdfStreamWriter:
    """Writes numbered objects straight to `fp`; `finish` writes the xref and trailer."""

    def __init__(self, fp: BinaryIO, version: str = "1.6") -> None:
        self._fp = fp
        self._pos = 0
        self._offsets: dict[int, int] = {}
        self._next = 1
        self._digest = hashlib.md5(usedforsecurity=False)
        self._write(f"%PDF-{version}\n".encode() + b"%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self._fp.write(data)
        self._digest.update(data)
        self._pos += len(data)

    def reserve(self) -> Ref:
        """A number for an object written later (e.g. the page tree, a font)."""
        ref = Ref(self._next)
        self._next += 1
        return ref

    def add(self, obj: PdfValue, ref: Ref | None = None) -> Ref:
        ref = ref or self.reserve()
        if ref.num in self._offsets:
            raise ValueError(f"object {ref.num} written twice")
        self._offsets[ref.num] = self._pos
        self._write(f"{ref.num} 0 obj\n".encode() + serialize(obj) + b"\nendobj\n")
        return ref

    def add_stream(
        self,
        info: dict[str, PdfValue],
        data: bytes,
        ref: Ref | None = None,
        *,
        compress: bool = False,
    ) -> Ref:
        if compress:
            data = zlib.compress(data, 6)
            info = {**info, "Filter": Name("FlateDecode")}
        ref = ref or self.reserve()
        if ref.num in self._offsets:
            raise ValueError(f"object {ref.num} written twice")
        self._offsets[ref.num] = self._pos
        head = serialize({**info, "Length": len(data)})
        self._write(f"{ref.num} 0 obj\n".encode() + head + b"\nstream\n")
        self._write(data)
        self._write(b"\nendstream\nendobj\n")
        return ref

    def finish(self, root: Ref, info: Ref) -> None:
        missing = [n for n in range(1, self._next) if n not in self._offsets]
        if missing:
            raise ValueError(f"objects reserved but never written: {missing}")
        xref_at = self._pos
        rows = [b"xref\n", f"0 {self._next}\n".encode(), b"0000000000 65535 f \n"]
        rows += [f"{self._offsets[n]:010d} 00000 n \n".encode() for n in range(1, self._next)]
        self._write(b"".join(rows))
        file_id = self._digest.digest()
        trailer: dict[str, PdfValue] = {
            "Size": self._next,
            "Root": root,
            "Info": info,
            "ID": [file_id, file_id],
        }
        self._write(b"trailer\n" + serialize(trailer) + f"\nstartxref\n{xref_at}\n%%EOF\n".encode())
