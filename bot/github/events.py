"""What triggered the bot, from GitHub's event name and payload (pure)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.bookref import MAX_ISSUE
from bot.errors import UserInputError
from bot.text import shown

LABEL = "ebook-generation"
DISPATCH_CREATE_PR = "create-ebook-pr"
DISPATCH_GENERATE = "generate-ebook"
ISSUE_ACTIONS = ("opened", "reopened", "labeled", "edited")


class TriggerKind(StrEnum):
    SYNC_SPEC = "sync-spec"  # issue -> spec branch
    CREATE_PR = "create-pr"  # spec branch -> draft PR
    COMMAND = "command"  # a slash command on a book's PR
    TICKED = "ticked"  # boxes ticked in a book PR's body: pages to make again
    IGNORE = "ignore"


@dataclass(frozen=True)
class Trigger:
    """One unit of work: sync the spec of `issue_number`, open its PR, or run a command."""

    kind: TriggerKind
    repository: str
    issue_number: int | None = None
    sender: str | None = None
    reason: str = ""
    issue: dict[str, Any] | None = None  # the issue from the payload, when it carried one
    client_payload: dict[str, Any] | None = None
    # the sender wrote or approved the issue body with this event (a label added, the issue
    # opened, its body edited, a run by hand); whether they may is checked by the flow
    approves_body: bool = False


def _obj(data: dict[str, Any], key: str) -> dict[str, Any]:
    """`data[key]` when it is an object, else an empty one (payload fields are untrusted)."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _number(data: dict[str, Any], key: str = "number") -> int | None:
    """A positive integer field, or None (a bool or a string is not one)."""
    value = data.get(key)
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**53
    return value if ok else None


def _labels(issue: dict[str, Any]) -> set[str]:
    labels = issue.get("labels")
    if not isinstance(labels, list):
        return set()
    return {str(label.get("name")) for label in labels if isinstance(label, dict)}


def _issue_number(raw: object, where: str) -> int:
    """A positive issue number from an event field (an int, or digits with an optional #)."""
    text = str(raw).strip().lstrip("#") if isinstance(raw, int | str) else ""
    digits = text.isascii() and text.isdigit()
    if isinstance(raw, bool) or not digits or not 1 <= int(text) <= MAX_ISSUE:
        raise UserInputError(f"{where}: `{shown(str(raw))}` is not an issue number")
    return int(text)


def read_event_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise UserInputError(f"{path}: no such event file (set GITHUB_EVENT_PATH)") from None
    except (OSError, ValueError) as exc:
        raise UserInputError(f"{path}: not a readable JSON event ({exc})") from None
    if not isinstance(data, dict):
        raise UserInputError(f"{path}: an event payload is a JSON object")
    return data


def parse_trigger(name: str, payload: dict[str, Any]) -> Trigger:
    """Decide what to do for one event; anything not ours becomes an `ignore` with a reason."""
    repo = str(_obj(payload, "repository").get("full_name") or "")
    login = _obj(payload, "sender").get("login")
    sender = login if isinstance(login, str) else None
    parse = _PARSERS.get(name)
    if parse is None:
        return Trigger(TriggerKind.IGNORE, repo, None, sender, f"event {name!r} is not handled")
    return parse(payload, repo, sender)


def _ignore(repo: str, number: int | None, sender: str | None, reason: str) -> Trigger:
    return Trigger(TriggerKind.IGNORE, repo, number, sender, reason)


def _issues(payload: dict[str, Any], repo: str, sender: str | None) -> Trigger:
    action = payload.get("action")
    issue = _obj(payload, "issue")
    number = _number(issue)
    if number is None:
        return _ignore(repo, None, sender, "the payload carries no issue number")
    if action not in ISSUE_ACTIONS:
        return _ignore(repo, number, sender, f"issues.{action} is not handled")
    if "pull_request" in issue:
        return _ignore(repo, number, sender, "a pull request, not an issue")
    if LABEL not in _labels(issue):
        return _ignore(repo, number, sender, f"issue has no `{LABEL}` label")
    if action == "labeled" and (payload.get("label") or {}).get("name") != LABEL:
        return _ignore(repo, number, sender, "another label was added")
    # a reopen or a title edit approves nothing: the body may be someone else's edit
    changes = _obj(payload, "changes")
    approves = action in ("opened", "labeled") or (action == "edited" and "body" in changes)
    reason = f"issues.{action}"
    return Trigger(TriggerKind.SYNC_SPEC, repo, number, sender, reason, issue, None, approves)


def _workflow_dispatch(payload: dict[str, Any], repo: str, sender: str | None) -> Trigger:
    inputs = payload.get("inputs")
    raw = inputs.get("issue_number") if isinstance(inputs, dict) else None
    number = _issue_number(raw, "workflow_dispatch input issue_number")
    return Trigger(
        TriggerKind.SYNC_SPEC, repo, number, sender, "workflow_dispatch", None, None, True
    )


def _issue_comment(payload: dict[str, Any], repo: str, sender: str | None) -> Trigger:
    issue = _obj(payload, "issue")
    comment = _obj(payload, "comment")
    number = _number(issue)
    if number is None or _number(comment, "id") is None:
        return _ignore(repo, None, sender, "the payload carries no comment")
    if payload.get("action") != "created":
        return _ignore(repo, number, sender, f"issue_comment.{payload.get('action')}")
    client: dict[str, Any] = {"comment_id": comment["id"], "body": str(comment.get("body") or "")}
    if not issue.get("pull_request"):
        if LABEL not in _labels(issue):
            return _ignore(repo, number, sender, "a comment on an issue, not a PR")
        client["on_issue"] = True  # a command on a book's issue gets pointed to its PR
    reason = "issue_comment.created"
    return Trigger(TriggerKind.COMMAND, repo, number, sender, reason, issue, client)


def _pull_request(payload: dict[str, Any], repo: str, sender: str | None) -> Trigger:
    """A book PR's body edited: the checklist's boxes someone ticked ask for pages again."""
    pr = _obj(payload, "pull_request")
    number = _number(pr)
    if number is None:
        return _ignore(repo, None, sender, "the payload carries no pull request")
    before = _obj(_obj(payload, "changes"), "body").get("from")
    if payload.get("action") != "edited" or not isinstance(before, str):
        return _ignore(repo, number, sender, "not an edit of the pull request's body")
    client = {"before": before, "after": str(pr.get("body") or "")}
    return Trigger(TriggerKind.TICKED, repo, number, sender, "pull_request.edited", None, client)


def _repository_dispatch(payload: dict[str, Any], repo: str, sender: str | None) -> Trigger:
    if payload.get("action") != DISPATCH_CREATE_PR:
        return _ignore(repo, None, sender, f"dispatch {payload.get('action')!r}")
    client = payload.get("client_payload")
    if not isinstance(client, dict) or "issue_number" not in client:
        raise UserInputError("repository_dispatch client_payload.issue_number is missing")
    number = _issue_number(
        client["issue_number"], "repository_dispatch client_payload.issue_number"
    )
    reason = DISPATCH_CREATE_PR
    return Trigger(TriggerKind.CREATE_PR, repo, number, sender, reason, None, dict(client))


_PARSERS: dict[str, Callable[[dict[str, Any], str, str | None], Trigger]] = {
    "issues": _issues,
    "workflow_dispatch": _workflow_dispatch,
    "issue_comment": _issue_comment,
    "pull_request_target": _pull_request,
    "repository_dispatch": _repository_dispatch,
}
