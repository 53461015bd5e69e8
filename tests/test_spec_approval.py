"""A spec is made only from issue text that someone with write access wrote or approved;
the status comment is the bot's own; a command only acts on this repository's book branch.

Each attack of issue 21 runs on real webhook payloads against the fake GitHub."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bot.github.approval import Approval, approval_of, body_digest, stamped
from bot.github.checklist import STATUS_MARKER, status_comment
from bot.github.events import parse_trigger
from bot.github.flows import create_pr, init_from_issue
from bot.github.issue_form import load_form
from bot.github.repo import GitHubRepo
from tests.fake_github import FakeGitHub, serving

WEBHOOKS = Path(__file__).parent / "fixtures" / "webhooks"
BODY = (Path(__file__).parent / "fixtures" / "issue_bodies" / "complete.md").read_text()
TOKEN = "ghs_fake_token_value_123456"
SPEC = ("ebook-generation-1", "specs/ebook-1.yaml")
MAINTAINER, OUTSIDER = "Codertocat", "mallory"
HOSTILE = BODY.replace("Ocean Friends", "Hostile Title")


def event(
    name: str, sender: str, body: str = BODY, changes: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A real `issues.*` example on issue 1 with our label, `body`, and `sender`."""
    data = copy.deepcopy(json.loads((WEBHOOKS / f"issues.{name}.json").read_text()))
    base = json.loads((WEBHOOKS / "issues.opened.json").read_text())["issue"]
    data["issue"]["created_at"] = base["created_at"]  # one issue, whichever example
    data["issue"]["body"] = body
    data["issue"]["labels"] = [*data["issue"]["labels"], {"name": "ebook-generation"}]
    data["sender"]["login"] = sender
    if name == "labeled":
        data["label"] = {"name": "ebook-generation"}
    if name == "edited":
        data["changes"] = changes or {}  # what the edit changed: {} in the example
    return data


@pytest.fixture
def fake() -> Any:
    with serving() as gh:
        gh.permissions[MAINTAINER] = "write"
        gh.permissions[OUTSIDER] = "read"
        yield gh


def repo_of(fake: FakeGitHub) -> GitHubRepo:
    return GitHubRepo(
        TOKEN, fake.repo, api_url=fake.base, sleep=lambda s: None, seconds_between_writes=None
    )


def sync(fake: FakeGitHub, data: dict[str, Any]) -> str:
    trigger = parse_trigger("issues", data)
    result = init_from_issue(trigger, repo_of(fake), default_branch="main", form=load_form())
    return str(result.outcome)


def spec_text(fake: FakeGitHub) -> str:
    return fake.files[SPEC].decode()


def own_status(fake: FakeGitHub) -> str:
    (body,) = [
        c["body"]
        for c in fake.comments.values()
        if c["user"] == fake.login and c["body"].startswith(STATUS_MARKER)
    ]
    return body


def test_outsiders_edit_is_refused_and_a_maintainers_reopen_does_not_adopt_it(
    fake: FakeGitHub,
) -> None:
    assert sync(fake, event("labeled", MAINTAINER)) == "dispatched"
    assert approval_of(own_status(fake)) == Approval(body_digest(BODY), MAINTAINER)
    # the outsider rewrites the body of the issue a maintainer labelled
    edit = event("edited", OUTSIDER, HOSTILE, changes={"body": {"from": BODY}})
    assert sync(fake, edit) == "unauthorized"
    status = own_status(fake)
    assert "@mallory edited this issue" in status and "not used" in status
    assert approval_of(status) == Approval(body_digest(BODY), MAINTAINER)  # kept
    # later events by the maintainer that approve no text: a reopen, a title edit
    for data in (event("reopened", MAINTAINER, HOSTILE), event("edited", MAINTAINER, HOSTILE)):
        assert sync(fake, data) == "unapproved"
        assert "Hostile Title" not in spec_text(fake)
    assert "changed since @Codertocat approved it" in own_status(fake)
    assert len(fake.commits) == 1 and len(fake.dispatches) == 1
    # the maintainer approves the new text by adding the label again
    assert sync(fake, event("labeled", MAINTAINER, HOSTILE)) == "dispatched"
    assert "title: Hostile Title" in spec_text(fake)
    assert approval_of(own_status(fake)) == Approval(body_digest(HOSTILE), MAINTAINER)


def test_a_maintainers_own_body_edit_approves_it(fake: FakeGitHub) -> None:
    assert sync(fake, event("opened", MAINTAINER)) == "dispatched"
    mine = BODY.replace("Ocean Friends", "Ocean Friends, Vol. 2")
    assert (
        sync(fake, event("edited", MAINTAINER, mine, changes={"body": {"from": BODY}}))
        == "dispatched"
    )
    assert "Vol. 2" in spec_text(fake)


def test_an_issue_opened_by_an_outsider_needs_a_maintainers_label(fake: FakeGitHub) -> None:
    assert sync(fake, event("opened", OUTSIDER)) == "unauthorized"
    assert sync(fake, event("reopened", MAINTAINER)) == "unapproved"
    assert SPEC not in fake.files
    assert sync(fake, event("labeled", MAINTAINER)) == "dispatched"
    assert "title: Ocean Friends" in spec_text(fake)


def test_a_status_comment_forged_by_an_outsider_is_neither_read_nor_edited(
    fake: FakeGitHub,
) -> None:
    forged = stamped(status_comment(["ok"]), Approval(body_digest(HOSTILE), MAINTAINER))
    cid = fake.add_comment(1, forged, OUTSIDER)
    assert sync(fake, event("reopened", MAINTAINER, HOSTILE)) == "unapproved"
    assert SPEC not in fake.files
    assert fake.comments[cid]["body"] == forged  # the bot wrote its own comment instead
    assert approval_of(own_status(fake)) is None


def test_create_pr_never_edits_a_comment_it_was_pointed_at_that_is_not_its_own(
    fake: FakeGitHub,
) -> None:
    assert sync(fake, event("labeled", MAINTAINER)) == "dispatched"
    theirs = fake.add_comment(1, status_comment(["someone's text"]), OUTSIDER)
    dispatch = json.loads((WEBHOOKS / "repository_dispatch.json").read_text())
    dispatch["action"] = "create-ebook-pr"
    dispatch["client_payload"] = {"issue_number": 1, "status_comment_id": theirs}
    result = create_pr(
        parse_trigger("repository_dispatch", dispatch), repo_of(fake), default_branch="main"
    )
    assert result.outcome == "pr"
    assert fake.comments[theirs]["body"] == status_comment(["someone's text"])
    status = own_status(fake)
    assert "Draft pull request: #" in status
    assert approval_of(status) == Approval(body_digest(BODY), MAINTAINER)  # carried on


def test_the_approval_is_read_only_from_the_line_after_the_marker() -> None:
    approval = Approval(body_digest(BODY), MAINTAINER)
    line = stamped(status_comment(["x"]), approval).split("\n")[1]
    # an approval line quoted further down (a problem echoing the body) is not one
    quoted = status_comment(["The coloring book could not start:", "", f"- Title: {line}"])
    assert approval_of(quoted) is None
    assert approval_of(stamped(quoted, approval)) == approval
    assert approval_of("x\n" + line) is None
    # CRLF and LF bodies are the same text
    assert body_digest("a\r\nb") == body_digest("a\nb") != body_digest("a b")


def test_a_title_edit_approves_nothing_but_the_body_edit_does() -> None:
    title_only = parse_trigger(
        "issues", event("edited", MAINTAINER, changes={"title": {"from": "old"}})
    )
    body_edit = parse_trigger(
        "issues", event("edited", MAINTAINER, changes={"body": {"from": "old"}})
    )
    reopen = parse_trigger("issues", event("reopened", MAINTAINER))
    labeled = parse_trigger("issues", event("labeled", MAINTAINER))
    assert not title_only.approves_body and not reopen.approves_body
    assert body_edit.approves_body and labeled.approves_body


def test_a_command_on_a_forks_pr_with_a_book_branchs_name_is_ignored(fake: FakeGitHub) -> None:
    from bot.github.review import handle_command

    fake.refs["ebook-generation-1"] = "0" * 40
    fake.files[SPEC] = b"title: ours\n"
    fake.pulls[9] = {
        "state": "open",
        "draft": True,
        "title": "Coloring book: x",
        "body": "",
        "head": "ebook-generation-1",  # the fork's branch, same name as the book's
        "head_repo": "mallory/Hello-World",
        "base": "main",
    }
    data = copy.deepcopy(json.loads((WEBHOOKS / "issue_comment.created.json").read_text()))
    data["issue"]["number"] = 9
    data["issue"]["pull_request"] = {"url": f"{fake.base}/repos/{fake.repo}/pulls/9"}
    data["comment"]["body"] = "/regenerate 2"
    trigger = parse_trigger("issue_comment", data)
    result = handle_command(trigger, repo_of(fake))
    assert result.outcome == "ignored" and "not an open book pull request" in result.detail
    assert fake.writes() == [] and fake.files[SPEC] == b"title: ours\n"
    fake.pulls[9]["head_repo"] = fake.repo  # the same PR from this repository is a book's
    data["comment"]["body"] = "/help"
    assert handle_command(parse_trigger("issue_comment", data), repo_of(fake)).outcome == "help"


def test_boxes_ticked_on_a_forks_pr_with_a_book_branchs_name_change_nothing(
    fake: FakeGitHub,
) -> None:
    """A fork's PR named like a book's, with a checklist its author wrote: a maintainer who
    ticks a box there (pull_request_target runs for forks) must not remake our book."""
    from bot.book.spec import parse_spec
    from bot.github.checklist import Progress, pr_body
    from bot.github.review import handle_command
    from tests.conftest import minimal_spec

    fake.refs["ebook-generation-1"] = "0" * 40
    ours = parse_spec(minimal_spec()).to_yaml().encode()
    fake.files[SPEC] = ours
    files = f"https://github.com/{fake.repo}/blob/abc/books/ebook-1"
    flagged = ("page 002: empty page",)
    done = frozenset({"spec", "cover"})
    progress = Progress(done, state="done", files_url=files, flagged=flagged)
    before = pr_body(1, progress)
    after = before.replace("- [ ] [page 002]", "- [x] [page 002]")
    assert after != before
    fake.pulls[9] = {
        "state": "open",
        "draft": False,
        "title": "Coloring book: x",
        "body": after,
        "head": "ebook-generation-1",  # the fork's branch, same name as the book's
        "head_repo": "mallory/Hello-World",
        "base": "main",
    }
    data = copy.deepcopy(json.loads((WEBHOOKS / "pull_request.opened.json").read_text()))
    data["action"], data["changes"] = "edited", {"body": {"from": before}}
    data["number"] = data["pull_request"]["number"] = 9
    data["pull_request"]["body"] = after
    data["sender"]["login"] = MAINTAINER
    result = handle_command(parse_trigger("pull_request_target", data), repo_of(fake))
    assert result.outcome == "ignored" and "not an open book pull request" in result.detail
    assert fake.writes() == [] and fake.files[SPEC] == ours and fake.dispatches == []


def test_a_pr_an_outsider_opened_from_the_book_branch_is_not_the_books(fake: FakeGitHub) -> None:
    """Anyone who can read the repository may open a PR from its book branch (into another
    base); GitHub lists the newest first. The checklist, the status comment's link and the
    runs' reports must go to the bot's own PR, never to the outsider's."""
    repo = repo_of(fake)
    pull = {"state": "open", "draft": True, "title": "t", "body": "", "base": "main"}
    fake.pulls[12] = {**pull, "head": "ebook-generation-1"}  # the bot's own
    # the fake lists by number, GitHub newest first: the outsider's comes first either way
    fake.pulls[3] = {**pull, "head": "ebook-generation-1", "base": "gh-pages", "user": OUTSIDER}
    found = repo.find_pull("ebook-generation-1")
    assert found is not None and found.number == 12
    del fake.pulls[12]  # the outsider's alone: no book PR (create-pr opens the bot's)
    assert repo.find_pull("ebook-generation-1") is None


def pr_edit(box: str) -> dict[str, Any]:
    """GitHub's pull_request example as `edited` by the maintainer on book PR 9: page 2's
    box unticked before; after, `box` there and a line of text added."""
    from bot.github.checklist import Progress, pr_body

    files = "https://github.com/Codertocat/Hello-World/blob/abc/books/ebook-1"
    done, flagged = frozenset({"spec", "cover"}), ("page 002: empty page",)
    before = pr_body(1, Progress(done, state="done", files_url=files, flagged=flagged))
    assert "- [ ] [page 002]" in before
    after = before.replace("- [ ] [page 002]", box) + "\n\n(typo fixed)"
    data = copy.deepcopy(json.loads((WEBHOOKS / "pull_request.opened.json").read_text()))
    data["action"], data["changes"] = "edited", {"body": {"from": before}}
    data["number"] = data["pull_request"]["number"] = 9
    data["pull_request"]["body"] = after
    data["sender"]["login"] = MAINTAINER
    return data


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("issues", lambda: event("edited", OUTSIDER), ["issue=1", "allowed=false"]),
        ("issues", lambda: event("labeled", MAINTAINER), ["issue=1", "allowed=true"]),
        (
            "workflow_dispatch",
            lambda: {
                **json.loads((WEBHOOKS / "workflow_dispatch.json").read_text()),
                "inputs": {"issue_number": "05"},
            },
            ["issue=5", "allowed=true"],  # one book, one group: 05 is 5
        ),
        (
            "issue_comment",
            lambda: json.loads((WEBHOOKS / "issue_comment.created.json").read_text()),
            ["issue=", "allowed="],  # a comment on an issue, not a PR: not the bot's
        ),
        # a book PR's body edited without a page box newly ticked (a maintainer's typo fix,
        # the bot's own progress under a personal token): not a request, so it must not
        # join the PR's command group and replace a maintainer's queued /cancel there
        ("pull_request_target", lambda: pr_edit("- [ ] [page 002]"), ["issue=", "allowed="]),
        ("pull_request_target", lambda: pr_edit("- [x] [page 002]"), ["issue=9", "allowed=true"]),
    ],
)
def test_check_sender_gives_the_writing_jobs_gate_and_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, data: Any, expected: list[str]
) -> None:
    from bot.cli import main

    path, out = tmp_path / "event.json", tmp_path / "output"
    path.write_text(json.dumps(data()))
    with serving() as gh:
        gh.permissions[MAINTAINER] = gh.permissions["octocat"] = "write"
        for key, value in {
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_REPOSITORY": gh.repo,
            "GITHUB_EVENT_NAME": name,
            "GITHUB_EVENT_PATH": str(path),
            "GITHUB_OUTPUT": str(out),
        }.items():
            monkeypatch.setenv(key, value)
        assert main(["check-sender"]) == 0
        assert gh.writes() == []
    assert out.read_text().splitlines() == expected
