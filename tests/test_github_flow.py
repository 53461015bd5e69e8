"""Issue -> spec branch -> dispatch -> draft PR, with PyGithub against the fake GitHub."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from github import BadAttributeException

from bot.github.checklist import BEGIN, END, STATUS_MARKER
from bot.github.events import parse_trigger
from bot.github.flows import create_pr, init_from_issue
from bot.github.issue_form import load_form
from bot.github.repo import GitHubError, GitHubRepo
from tests.fake_github import FakeGitHub, serving

WEBHOOKS = Path(__file__).parent / "fixtures" / "webhooks"
BODY = (Path(__file__).parent / "fixtures" / "issue_bodies" / "complete.md").read_text()
TOKEN = "ghs_fake_token_value_123456"


def payload(name: str, *, body: str | None = BODY, label: bool = True) -> dict[str, Any]:
    """A real webhook example, with our label and form body put on its issue."""
    data = copy.deepcopy(json.loads((WEBHOOKS / name).read_text()))
    if "issue" in data:
        data["issue"]["body"] = body
        if label:
            data["issue"]["labels"] = [*data["issue"]["labels"], {"name": "ebook-generation"}]
        if data.get("action") == "labeled":
            data["label"] = {"name": "ebook-generation"}
        if data.get("action") == "edited":  # GitHub names what an edit changed
            data["changes"] = {"body": {"from": "(the text before)"}}
    return data


@pytest.fixture
def fake() -> Any:
    with serving() as gh:
        gh.permissions["Codertocat"] = "write"
        yield gh


def repo_for(fake: FakeGitHub, **kwargs: Any) -> tuple[GitHubRepo, list[float]]:
    sleeps: list[float] = []
    repo = GitHubRepo(
        TOKEN,
        fake.repo,
        api_url=fake.base,
        sleep=sleeps.append,
        seconds_between_writes=None,
        **kwargs,
    )
    return repo, sleeps


def run_init(fake: FakeGitHub, event: str, data: dict[str, Any], **kwargs: Any) -> Any:
    repo, _ = repo_for(fake, **kwargs)
    return init_from_issue(
        parse_trigger(event, data), repo, default_branch="main", form=load_form()
    )


def init_opened(fake: FakeGitHub) -> list[float]:
    """Run init-from-issue on the real `issues.opened` payload; the backoff sleeps it asked."""
    repo, sleeps = repo_for(fake)
    trigger = parse_trigger("issues", payload("issues.opened.json"))
    init_from_issue(trigger, repo, default_branch="main", form=load_form())
    return sleeps


def pr_dispatches(fake: FakeGitHub) -> list[dict[str, Any]]:
    return [d for d in fake.dispatches if d["event_type"] == "create-ebook-pr"]


def run_create_pr(fake: FakeGitHub) -> Any:
    dispatch = json.loads((WEBHOOKS / "repository_dispatch.json").read_text())
    dispatch["action"] = pr_dispatches(fake)[-1]["event_type"]
    dispatch["client_payload"] = pr_dispatches(fake)[-1]["client_payload"]
    repo, _ = repo_for(fake)
    return create_pr(parse_trigger("repository_dispatch", dispatch), repo, default_branch="main")


def status_comments(fake: FakeGitHub) -> list[str]:
    return [c["body"] for c in fake.comments.values() if STATUS_MARKER in c["body"]]


def test_happy_path_issue_to_draft_pr(fake: FakeGitHub) -> None:
    result = run_init(fake, "issues", payload("issues.labeled.json"))
    assert result.outcome == "dispatched"
    assert "ebook-generation-1" in fake.refs
    spec_yaml = fake.files[("ebook-generation-1", "specs/ebook-1.yaml")].decode()
    assert "title: Ocean Friends\n" in spec_yaml and "seed: 1\n" in spec_yaml
    # the copyright year is the issue's, so a rebuild next January prints the same
    issue_year = payload("issues.labeled.json")["issue"]["created_at"][:4]
    assert f"year: {issue_year}\n" in spec_yaml
    (sent,) = pr_dispatches(fake)
    assert sent["event_type"] == "create-ebook-pr"
    assert sent["client_payload"]["issue_number"] == 1
    assert sent["client_payload"]["branch"] == "ebook-generation-1"

    assert run_create_pr(fake).outcome == "pr"
    ((number, pr),) = fake.pulls.items()
    assert pr["draft"] and pr["head"] == "ebook-generation-1" and pr["base"] == "main"
    assert pr["body"].startswith("Closes #1") and BEGIN in pr["body"] and END in pr["body"]
    assert "- [x] Spec committed" in pr["body"] and "- [ ] Cover generated" in pr["body"]
    (comment,) = status_comments(fake)
    assert (
        f"Draft pull request: #{number} (https://github.com/{fake.repo}/pull/{number})" in comment
    )


@pytest.mark.parametrize("pages", [24, 200])
def test_request_count_per_book_is_small_and_flat(fake: FakeGitHub, pages: int) -> None:
    body = BODY.replace("### Number of pages\n\n30", f"### Number of pages\n\n{pages}")
    run_init(fake, "issues", payload("issues.opened.json", body=body))
    run_create_pr(fake)
    assert len(fake.requests) <= 13, [r.operation for r in fake.requests]
    # 11 + the dispatch that starts the generation job + create-pr reading the status
    # comment it was handed (to check it is the bot's own and carry the approved body hash)
    assert len(fake.requests) == 13


@pytest.mark.parametrize(
    "event",
    ["issues.opened.json", "issues.labeled.json", "issues.edited.json", "issues.reopened.json"],
)
def test_replaying_an_event_three_times_changes_nothing_twice(fake: FakeGitHub, event: str) -> None:
    if event == "issues.reopened.json":  # a reopen approves no text: a label did first
        labeled = payload(event) | {"action": "labeled", "label": {"name": "ebook-generation"}}
        run_init(fake, "issues", labeled)
        run_create_pr(fake)
    for _ in range(3):
        run_init(fake, "issues", payload(event))
        if fake.dispatches:
            run_create_pr(fake)
    assert [b for b in fake.refs if b.startswith("ebook-generation")] == ["ebook-generation-1"]
    assert len(fake.commits) == 1
    assert len(status_comments(fake)) == 1
    assert len(fake.pulls) == 1
    assert len(pr_dispatches(fake)) == 1


def test_edited_issue_resyncs_the_spec(fake: FakeGitHub) -> None:
    run_init(fake, "issues", payload("issues.opened.json"))
    run_create_pr(fake)
    edited = BODY.replace("Ocean Friends", "Ocean Friends, Vol. 2")
    assert (
        run_init(fake, "issues", payload("issues.edited.json", body=edited)).outcome == "dispatched"
    )
    assert "Vol. 2" in fake.files[("ebook-generation-1", "specs/ebook-1.yaml")].decode()
    assert len(fake.commits) == 2 and len(pr_dispatches(fake)) == 2
    run_create_pr(fake)
    assert len(fake.pulls) == 1


def test_unlabelled_or_other_label_is_ignored(fake: FakeGitHub) -> None:
    assert run_init(fake, "issues", payload("issues.opened.json", label=False)).outcome == "ignored"
    other = payload("issues.labeled.json")
    other["label"] = {"name": "bug"}
    assert run_init(fake, "issues", other).outcome == "ignored"
    assert fake.requests == []


def test_sender_without_write_access_gets_one_polite_comment(fake: FakeGitHub) -> None:
    fake.permissions["Codertocat"] = "read"
    for _ in range(2):
        assert run_init(fake, "issues", payload("issues.opened.json")).outcome == "unauthorized"
    (comment,) = status_comments(fake)
    assert "write access" in comment
    assert fake.dispatches == [] and fake.commits == [] and list(fake.refs) == ["main"]


def test_allowlisted_sender_may_start(fake: FakeGitHub) -> None:
    fake.permissions["Codertocat"] = "none"
    repo, _ = repo_for(fake)
    trigger = parse_trigger("issues", payload("issues.opened.json"))
    result = init_from_issue(
        trigger, repo, default_branch="main", form=load_form(), allowlist=frozenset({"codertocat"})
    )
    assert result.outcome == "dispatched"


def test_invalid_form_lists_problems_by_label_and_writes_nothing_else(fake: FakeGitHub) -> None:
    body = BODY.replace("8 x 10 in", "9 x 9 in").replace("Marina Reyes", "_No response_")
    assert run_init(fake, "issues", payload("issues.opened.json", body=body)).outcome == "invalid"
    (comment,) = status_comments(fake)
    assert "- Trim size: `9 x 9 in` is not one of the choices" in comment
    assert "- Author: an answer is required" in comment
    assert fake.dispatches == [] and list(fake.refs) == ["main"]


def test_workflow_dispatch_reads_the_issue(fake: FakeGitHub) -> None:
    fake.add_issue(7, BODY)
    data = json.loads((WEBHOOKS / "workflow_dispatch.json").read_text())
    data["inputs"] = {"issue_number": "7"}
    data["repository"]["full_name"] = fake.repo
    fake.permissions[data["sender"]["login"]] = "admin"
    assert run_init(fake, "workflow_dispatch", data).outcome == "dispatched"
    assert ("ebook-generation-7", "specs/ebook-7.yaml") in fake.files


# --- faults -------------------------------------------------------------------------------


def test_5xx_is_retried_with_backoff(fake: FakeGitHub) -> None:
    fake.fail("PUT", r"/contents/", 502, times=2)
    sleeps = init_opened(fake)
    assert len(fake.commits) == 1 and sleeps == [1.0, 2.0]


def test_secondary_rate_limit_honours_retry_after(fake: FakeGitHub) -> None:
    fake.fail(
        "POST",
        r"/dispatches$",
        403,
        headers={"retry-after": "7"},
        body={"message": "You have exceeded a secondary rate limit."},
    )
    sleeps = init_opened(fake)
    assert sleeps == [7.0] and len(fake.dispatches) == 1


def test_primary_rate_limit_waits_for_reset(fake: FakeGitHub) -> None:
    import time

    reset = int(time.time()) + 30
    fake.fail(
        "GET",
        r"/permission$",
        403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
        body={"message": "API rate limit exceeded"},
    )
    repo, sleeps = repo_for(fake)
    assert repo.may_write("Codertocat")
    assert 25 <= sleeps[0] <= 31


def test_stale_sha_409_rereads_and_retries_once(fake: FakeGitHub) -> None:
    run_init(fake, "issues", payload("issues.opened.json"))
    fake.fail("PUT", r"/contents/", 409, body={"message": "does not match"})
    edited = BODY.replace("Ocean Friends", "Sea Friends")
    run_init(fake, "issues", payload("issues.edited.json", body=edited))
    assert "Sea Friends" in fake.files[("ebook-generation-1", "specs/ebook-1.yaml")].decode()
    gets = [r for r in fake.requests if r.operation == "repos/get-content"]
    assert len(gets) == 3  # first run, then read, conflict, read again


def test_404_just_after_creating_the_branch_is_retried(fake: FakeGitHub) -> None:
    fake.fail("PUT", r"/contents/", 404, body={"message": "Branch not found"})
    sleeps = init_opened(fake)
    assert len(fake.commits) == 1 and sleeps == [1.0]


def test_comment_post_that_landed_before_a_5xx_is_not_posted_twice(fake: FakeGitHub) -> None:
    fake.fail("POST", r"/comments$", 502, after_effect=True)
    run_init(fake, "issues", payload("issues.opened.json"))
    assert len(status_comments(fake)) == 1


def test_pr_already_exists_422_uses_it(fake: FakeGitHub) -> None:
    run_init(fake, "issues", payload("issues.opened.json"))
    fake.fail("POST", r"/pulls$", 502, after_effect=True)  # created, but the answer was lost
    assert run_create_pr(fake).outcome == "pr"
    assert len(fake.pulls) == 1


def test_drafts_refused_opens_a_normal_pr_and_says_so(fake: FakeGitHub) -> None:
    fake.drafts_allowed = False
    run_init(fake, "issues", payload("issues.opened.json"))
    run_create_pr(fake)
    (pr,) = fake.pulls.values()
    assert pr["draft"] is False
    assert "Draft pull requests are not available" in status_comments(fake)[0]


def test_persistent_5xx_gives_up_with_a_clear_error(fake: FakeGitHub) -> None:
    from bot.github.repo import GitHubError

    fake.fail("GET", r"/permission$", 500, times=10)
    repo, sleeps = repo_for(fake)
    with pytest.raises(GitHubError, match="permission of Codertocat: GitHub answered 500"):
        repo.may_write("Codertocat")
    assert len(sleeps) == 3


def test_dry_run_makes_no_writes(fake: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:
    run_init(fake, "issues", payload("issues.opened.json"), dry_run=True)
    assert fake.writes() == []
    out = capsys.readouterr().out
    assert "would create branch ebook-generation-1" in out
    assert "would commit specs/ebook-1.yaml" in out
    assert "would send repository_dispatch create-ebook-pr" in out


def test_github_enterprise_api_url() -> None:
    with serving(base="https://ghe.example.test/api/v3") as fake:
        fake.permissions["Codertocat"] = "maintain"
        assert run_init(fake, "issues", payload("issues.opened.json")).outcome == "dispatched"
        assert fake.problems == []


def test_pr_body_splice_keeps_peoples_text() -> None:
    from bot.github.checklist import Progress, pr_body, render_checklist, splice

    body = pr_body(3, Progress()) + "\n\nReviewer note: page 4 looks great."
    updated = splice(body, render_checklist(Progress(done=frozenset({"spec", "cover"}))))
    assert "Reviewer note: page 4 looks great." in updated
    assert "- [x] Cover generated" in updated and updated.count(BEGIN) == 1
    huge = splice("x" * 70_000, render_checklist(Progress()))
    assert len(huge) < 65_536 and huge.endswith(END)


@pytest.mark.parametrize("pr_step_between", [True, False])
def test_opened_then_labeled_makes_one_sync_one_dispatch_and_keeps_the_pr_link(
    fake: FakeGitHub, pr_step_between: bool
) -> None:
    """A form-made issue sends `opened` and `labeled`; the PR step may run between them."""
    run_init(fake, "issues", payload("issues.opened.json"))
    if pr_step_between:
        run_create_pr(fake)
    second = run_init(fake, "issues", payload("issues.labeled.json"))
    assert second.outcome == "unchanged"
    if not pr_step_between:
        run_create_pr(fake)
    assert len(pr_dispatches(fake)) == 1 and len(fake.commits) == 1 and len(fake.pulls) == 1
    (comment,) = status_comments(fake)
    (number,) = fake.pulls
    assert (
        f"Draft pull request: #{number} (https://github.com/{fake.repo}/pull/{number})" in comment
    )
    assert "Nothing new to make" not in comment


def test_an_edited_spec_keeps_the_pr_link_while_the_book_is_remade(fake: FakeGitHub) -> None:
    run_init(fake, "issues", payload("issues.opened.json"))
    run_create_pr(fake)
    edited = BODY.replace("Ocean Friends", "Ocean Friends, Vol. 2")
    run_init(fake, "issues", payload("issues.edited.json", body=edited))
    (comment,) = status_comments(fake)
    (number,) = fake.pulls
    assert (
        f"Draft pull request: #{number} (https://github.com/{fake.repo}/pull/{number})" in comment
    )


def test_pr_body_links_the_book_flags_pages_and_lists_commands() -> None:
    from bot.github.checklist import Progress, parse_checklist, render_checklist

    files = "https://github.com/o/r/blob/abc123/books/ebook-9"
    raw = files.replace("/blob/", "/raw/")
    progress = Progress(
        done=frozenset({"spec", "cover", "pages", "pdfs", "preflight", "delivered"}),
        pages_done=64,
        pages_total=64,
        preview_url=f"{raw}/preview.png",
        flagged=("page 003: empty page",),
        state="done",
        files_url=files,
        commit="abc123",
        run_url="https://github.com/o/r/actions/runs/5",
        substitutes=("a unicorn: a star pattern",),
        sheets=(f"{raw}/preview-2.png", f"{raw}/preview-3.png"),
        labels=("003=9",),
    )
    body = render_checklist(progress)
    assert f"[interior.pdf]({files}/interior.pdf) · [cover.pdf]({files}/cover.pdf)" in body
    assert "[run](https://github.com/o/r/actions/runs/5)" in body
    assert "[artifact](https://github.com/o/r/actions/runs/5#artifacts)" in body
    assert f"- [ ] [page 003]({files}/pages/003.png) (printed page 9): empty page" in body
    assert "- a unicorn: a star pattern" in body
    assert f"![preview sheet 3]({raw}/preview-3.png)" in body
    assert "<details><summary>Commands</summary>" in body and "`/approve force`" in body
    assert parse_checklist(body) == progress
    assert "### Preview\n" in body
    # a preview from an earlier run says so while the book is remade or after a failure
    again = render_checklist(replace(progress, state="running"))
    assert "### Preview (of the last finished run: being made again)" in again
    assert "### Preview (of the last finished run)\n" in render_checklist(
        replace(progress, state="failed")
    )
    # hidden state cannot be closed early by text in it
    tricky = Progress(note="--> <script>", flagged=("page 001: a -->",))
    assert parse_checklist(render_checklist(tricky)) == tricky


def test_the_fake_checks_its_answers_against_githubs_description() -> None:
    """An answer GitHub would never give (a wrong type, an undocumented status) is caught,
    so the flow is tested against what GitHub returns, not what the fake happens to say."""
    import responses

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeGitHub(rsps)
        fake.pulls[3] = {
            "state": "open",
            "draft": True,
            "title": "t",
            "body": "b",
            "head": "ebook-generation-2",
            "base": "main",
        }
        repo, _ = repo_for(fake)
        assert repo.pull(3)["head"] == "ebook-generation-2"
        assert fake.problems == []  # GitHub's example filled in every field GitHub sends
        wrong = fake._pull

        def stringly(number: int) -> dict[str, Any]:
            return {**wrong(number), "number": str(number)}

        fake._pull = stringly  # type: ignore[method-assign]
        with pytest.raises(BadAttributeException):
            repo.pull(3)  # PyGithub too refuses it
        assert fake.problems == ["pulls/get answer number (type): '3' is not of type 'integer'"]
        fake.problems.clear()

        def teapot(p: Any, q: Any, b: Any) -> Any:
            return fake._json(418, {"message": "I'm a teapot"})

        fake._op_pulls_get = teapot  # type: ignore[method-assign]
        with pytest.raises(GitHubError, match="GitHub answered 418"):
            repo.pull(3)
        assert fake.problems == ["pulls/get: GitHub never answers 418"]
        fake.problems.clear()


def test_the_fake_checks_graphql_against_githubs_schema() -> None:
    from bot.github.repo import READY_MUTATION
    from tests.fake_github import graphql_answer_errors, graphql_errors

    assert graphql_errors(READY_MUTATION, {"id": "PR_node1"}) == []
    wrong = READY_MUTATION.replace("pullRequestId", "pullRequestID").replace("isDraft", "draft")
    found = graphql_errors(wrong, {"id": "PR_node1"})
    assert "Cannot query field 'draft' on type 'PullRequest'. Did you mean 'isDraft'?" in found
    assert graphql_errors(READY_MUTATION, {"id": 7.5})[0].startswith("Variable '$id' got invalid")
    assert graphql_errors(READY_MUTATION, {})[0] == (
        "Variable '$id' of required type 'ID!' was not provided."
    )
    good = {"markPullRequestReadyForReview": {"pullRequest": {"isDraft": False}}}
    assert graphql_answer_errors(READY_MUTATION, {"id": "x"}, good) == []
    bad = {"markPullRequestReadyForReview": {"pullRequest": {"isDraft": "no"}}}
    assert graphql_answer_errors(READY_MUTATION, {"id": "x"}, bad) != []
