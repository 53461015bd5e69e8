"""Which issue text a spec may be made from: text that someone with write access wrote or
approved (pure).

Anyone who can see an issue may edit its body when they opened it, and a maintainer's later
event (a reopen, a title edit) must not turn such an edit into a spec. So the bot records,
in its own status comment, the SHA-256 of the body a person with write access wrote or
approved (by adding the label, opening or editing it, or running the workflow by hand); any
other event makes a spec only while the body still has that hash.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bot.github.checklist import STATUS_MARKER

_LINE = re.compile(r"<!-- ebook-bot:approved sha256=([0-9a-f]{64}) by=([A-Za-z0-9\[\]-]{1,60}) -->")
_LOGIN = re.compile(r"[A-Za-z0-9\[\]-]{1,60}")


@dataclass(frozen=True)
class Approval:
    """The body hash a person with write access approved, and who."""

    digest: str
    by: str


def body_digest(body: str | None) -> str:
    """SHA-256 of an issue body (line endings normalised: the API and the form differ)."""
    text = (body or "").replace("\r\n", "\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def approval_of(comment: str | None) -> Approval | None:
    """The approval recorded in the bot's status comment: only on its second line, right
    after the marker, where no quoted user text can reach."""
    lines = (comment or "").split("\n", 2)
    if len(lines) < 2 or lines[0] != STATUS_MARKER:
        return None
    match = _LINE.fullmatch(lines[1])
    return Approval(match.group(1), match.group(2)) if match else None


def stamped(comment: str, approval: Approval | None) -> str:
    """The status comment `comment` (marker first) carrying `approval` on its second line."""
    head, _, rest = comment.partition("\n")
    if head != STATUS_MARKER:
        raise ValueError("a status comment starts with the status marker")
    if approval is None:
        return comment
    by = approval.by if _LOGIN.fullmatch(approval.by) else "unknown"
    line = f"<!-- ebook-bot:approved sha256={approval.digest} by={by} -->"
    return f"{head}\n{line}\n{rest}"


def spec_approval(
    body: str | None, sender: str, *, approves: bool, recorded: Approval | None
) -> Approval | None:
    """The approval a spec may be made under, or None when the body is not approved.

    `approves`: the event is a person with write access writing or approving this body.
    """
    digest = body_digest(body)
    if approves:
        return Approval(digest, sender)
    if recorded is not None and recorded.digest == digest:
        return recorded
    return None
