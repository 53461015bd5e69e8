"""The generation job end to end: a real git branch (pushed to a local bare origin), the
fake GitHub for the PR, the real pipeline; checklist throttling, one commit, job summary."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.book.ledger import open_ledger
from bot.book.pipeline import Shard
from bot.cli import main
from bot.config import ProviderChoice, RepoConfig
from bot.errors import UserInputError
from bot.github.approval import Approval, approval_of, stamped
from bot.github.book_job import JobContext, run_book_job
from bot.github.checklist import Progress, parse_checklist, pr_body, status_comment
from bot.github.outcome import mark_book
from bot.github.repo import GitHubRepo
from bot.github.reporter import ChecklistReporter
from tests.conftest import minimal_spec
from tests.fake_github import FakeGitHub, serving

TOKEN = "ghs_fake_token_value_123456"
ISSUE = 7
BRANCH = f"ebook-generation-{ISSUE}"
RUN_URL = "https://github.com/Codertocat/Hello-World/actions/runs/42"
STATUS_ID = 1001  # the fake's first comment id
APPROVED = Approval("a" * 64, "Codertocat")  # the issue text approved: kept by every edit


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare origin whose book branch holds specs/ebook-7.yaml."""
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    seed = tmp_path / "seed"
    subprocess.run(["git", "init", "-q", "-b", BRANCH, str(seed)], check=True)
    spec = minimal_spec(trim="6x9", pages={"subjects": ["mandala", "maze", "stars", "shapes"]})
    (seed / "specs").mkdir()
    (seed / "specs" / f"ebook-{ISSUE}.yaml").write_text(yaml.safe_dump(spec))
    git(seed, "add", ".")
    git(seed, "commit", "-qm", "spec")
    git(seed, "push", "-q", str(bare), f"HEAD:refs/heads/{BRANCH}")
    return bare


def checkout(origin: Path, dest: Path) -> Path:
    subprocess.run(["git", "clone", "-q", "-b", BRANCH, str(origin), str(dest)], check=True)
    return dest


class Clock:
    """Fake time: every reading moves on one second; sleeping moves it on."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake() -> Any:
    with serving() as gh:
        gh.refs[BRANCH] = "0" * 40
        gh.add_issue(ISSUE, "the form", user="octocat")
        line = "Spec saved. Draft pull request: #8 (https://github.com/x/y/pull/8)"
        status = stamped(status_comment([line]), APPROVED)
        assert gh.add_comment(ISSUE, status, user="github-actions[bot]") == STATUS_ID
        gh.pulls[ISSUE + 1] = {
            "state": "open",
            "draft": True,
            "title": "Coloring book: Test Book",
            "body": "Hello reviewers.\n\n" + pr_body(ISSUE, Progress(done=frozenset({"spec"}))),
            "head": BRANCH,
            "base": "main",
        }
        yield gh


def context(fake: FakeGitHub, work: Path, tmp_path: Path, **kwargs: Any) -> JobContext:
    repo = GitHubRepo(
        TOKEN, fake.repo, api_url=fake.base, sleep=lambda s: None, seconds_between_writes=None
    )
    return JobContext(
        issue=ISSUE,
        checkout=work,
        state_dir=kwargs.pop("state_dir", tmp_path / "state"),
        repo=repo,
        repository=fake.repo,
        run_url=RUN_URL,
        summary_path=tmp_path / "summary.md",
        **kwargs,
    )


def run(ctx: JobContext, clock: Clock, reporters: list[ChecklistReporter], **kwargs: Any) -> Any:
    def factory(repo: GitHubRepo, number: int) -> ChecklistReporter:
        reporter = ChecklistReporter(repo, number, clock=clock, sleep=clock.sleep)
        reporters.append(reporter)
        return reporter

    ledger = open_ledger(None, state_dir=ctx.state_dir)
    return run_book_job(ctx, ledger=ledger, reporter_factory=factory, **kwargs)


def test_whole_job_commits_once_ticks_everything_and_summarises(
    fake: FakeGitHub, origin: Path, tmp_path: Path
) -> None:
    work = checkout(origin, tmp_path / "work")
    clock, reporters = Clock(), []
    result = run(context(fake, work, tmp_path), clock, reporters)

    # one commit on the branch with every file of the book
    log = git(origin, "log", "--format=%s", BRANCH).splitlines()
    assert log == [f"Book for #{ISSUE}: 4 pages, PDFs and preview", "spec"]
    files = set(git(origin, "show", "--name-only", "--format=", BRANCH).splitlines())
    book = f"books/ebook-{ISSUE}"
    assert {f"{book}/interior.pdf", f"{book}/cover.pdf", f"{book}/preview.png"} <= files
    assert {f"{book}/pages/00{i}.png" for i in range(1, 5)} <= files
    assert result.commit == git(origin, "rev-parse", BRANCH)

    # the PR body: every stage ticked, the preview from that commit, people's text kept
    body = fake.pulls[ISSUE + 1]["body"]
    progress = parse_checklist(body)
    assert progress.done == {"spec", "cover", "pages", "pdfs", "preflight", "delivered"}
    assert (progress.pages_done, progress.pages_total) == (4, 4)
    assert progress.preview_url == (
        f"https://github.com/{fake.repo}/raw/{result.commit}/{book}/preview.png"
    )
    assert body.startswith("Hello reviewers.")

    # at most one PR-body update per 10 seconds
    times = reporters[0].write_times
    assert len(times) >= 2
    assert all(b - a >= 10 for a, b in itertools.pairwise(times))
    updates = [r for r in fake.requests if r.operation == "pulls/update"]
    assert len(updates) == len(times)

    # one new comment tells whoever asked (the issue's author), with every link
    (told,) = fake.pr_comments(ISSUE + 1)
    assert told.splitlines()[1] == "@octocat the coloring book is ready."
    files = f"https://github.com/{fake.repo}/blob/{result.commit}/{book}"
    for link in (
        f"[interior.pdf]({files}/interior.pdf)",
        f"[cover.pdf]({files}/cover.pdf)",
        f"[preview]({progress.preview_url})",
        f"[run]({RUN_URL})",
        f"[artifact]({RUN_URL}#artifacts)",
    ):
        assert link in told and link in body, link
    # the issue's status comment follows the book and keeps its PR link
    status = fake.comments[STATUS_ID]["body"]
    assert f"Draft pull request: #{ISSUE + 1} (https://github.com/{fake.repo}/pull/8)" in status
    assert "The book is ready for review" in status and f"{files}/interior.pdf" in status
    assert approval_of(status) == APPROVED
    assert progress.state == "done"

    summary = (tmp_path / "summary.md").read_text()
    assert "## Coloring book: Test Book (#7)" in summary
    assert "| Pages | 4 (4 made, 0 already done) |" in summary
    assert f"![preview]({progress.preview_url})" in summary

    # run again: nothing new to make or commit
    again = run(context(fake, work, tmp_path), Clock(), [])
    assert again.generated.generated == 0
    assert git(origin, "rev-parse", BRANCH) == result.commit


def test_fresh_runner_reuses_pages_from_the_branch(
    fake: FakeGitHub, origin: Path, tmp_path: Path
) -> None:
    first = run(context(fake, checkout(origin, tmp_path / "a"), tmp_path), Clock(), [])
    ctx = context(fake, checkout(origin, tmp_path / "b"), tmp_path, state_dir=tmp_path / "new")
    second = run(ctx, Clock(), [])
    assert second.generated.generated == 0  # adopted from the committed pages
    assert git(origin, "rev-parse", BRANCH) == first.commit


def test_failure_is_marked_on_the_checklist_with_the_run_link(
    fake: FakeGitHub, origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EBOOK_BOT_OPENROUTER_API_KEY", raising=False)
    work = checkout(origin, tmp_path / "work")
    config = RepoConfig(providers=ProviderChoice(coloring_page="openrouter"))
    with pytest.raises(UserInputError):
        run(context(fake, work, tmp_path), Clock(), [], config=config)
    body = fake.pulls[ISSUE + 1]["body"]
    reason = "EBOOK_BOT_OPENROUTER_API_KEY: not set"
    assert f"Generation failed: {reason}" in body
    assert f"([run log]({RUN_URL}))" in body
    progress = parse_checklist(body)
    assert progress.done == {"spec"} and progress.state == "failed"
    assert progress.failed_stage == "cover"
    assert "- [ ] Cover generated — **failed here**" in body
    assert git(origin, "log", "--format=%s", BRANCH).splitlines() == ["spec"]
    (told,) = fake.pr_comments(ISSUE + 1)
    assert "@octocat generating the coloring book failed." in told and reason in told
    status = fake.comments[STATUS_ID]["body"]
    assert "Draft pull request: #8" in status and reason in status

    # the workflow's report job then adds to this, and tells nobody twice
    repo = GitHubRepo(TOKEN, fake.repo, api_url=fake.base, seconds_between_writes=None)
    assert mark_book(repo, ISSUE, "failure", RUN_URL)
    after = fake.pulls[ISSUE + 1]["body"]
    assert f"Generation failed: {reason}" in after and "- [ ] Cover generated — **failed" in after
    assert len(fake.pr_comments(ISSUE + 1)) == 1
    # /approve is refused while the last run failed
    assert parse_checklist(after).blocked == "the last generation run failed"


def test_cancelled_job_is_marked_and_keeps_the_ticks(fake: FakeGitHub) -> None:
    repo = GitHubRepo(TOKEN, fake.repo, api_url=fake.base, seconds_between_writes=None)
    assert mark_book(repo, ISSUE, "cancelled", RUN_URL)
    body = fake.pulls[ISSUE + 1]["body"]
    assert "Generation was cancelled" in body and RUN_URL in body
    assert parse_checklist(body).done == {"spec"}
    assert "- [ ] Cover generated — **cancelled here**" in body
    (told,) = fake.pr_comments(ISSUE + 1)
    assert "@octocat generating the coloring book was cancelled." in told
    assert mark_book(repo, ISSUE, "cancelled", RUN_URL)  # a second report job: nobody told twice
    assert len(fake.pr_comments(ISSUE + 1)) == 1
    assert "was cancelled" in fake.comments[STATUS_ID]["body"]
    assert not mark_book(repo, 99, "failure", None)


def test_shards_then_finish_equal_one_runner(
    fake: FakeGitHub, origin: Path, tmp_path: Path
) -> None:
    single = checkout(origin, tmp_path / "single")
    run(context(fake, single, tmp_path, push=False, state_dir=tmp_path / "s0"), Clock(), [])
    finish = checkout(origin, tmp_path / "finish")
    downloaded = tmp_path / "finish-temp" / "ebook-pages"  # download-artifact, merge-multiple
    downloaded.mkdir(parents=True)
    for i in (1, 2):  # two GPU runners, each with its own ledger, then upload-artifact
        shard = checkout(origin, tmp_path / f"shard{i}")
        upload = tmp_path / f"shard{i}-temp" / "ebook-pages"  # the job's runner.temp
        ctx = context(
            fake, shard, tmp_path, push=False, state_dir=tmp_path / f"s{i}", exchange=upload
        )
        result = run(ctx, Clock(), [], phase="pages", shard=Shard(i, 2))
        assert result.commit is None and result.assembled is None
        assert not (shard / "books").exists()  # nothing written into the checkout
        for f in upload.iterdir():
            shutil.copy2(f, downloaded / f.name)
    ctx = context(fake, finish, tmp_path, state_dir=tmp_path / "s3", exchange=downloaded)
    run(ctx, Clock(), [], phase="finish")
    for name in ("interior.pdf", "cover.pdf", "preview.png"):
        a = (finish / f"books/ebook-{ISSUE}" / name).read_bytes()
        assert a == (single / f"books/ebook-{ISSUE}" / name).read_bytes(), name
    assert git(origin, "log", "-1", "--format=%s", BRANCH).startswith("Book for #7")


def test_make_book_command_needs_the_spec_in_the_checkout(
    fake: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", fake.repo)
    monkeypatch.setenv("GITHUB_API_URL", fake.base)
    assert main(["make-book", "--issue", "7", "--checkout", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"specs/ebook-7.yaml: not in {tmp_path}" in err
    assert "check out branch ebook-generation-7 there" in err


def test_create_pr_starts_the_generation_job(fake: FakeGitHub) -> None:
    from bot.github.events import Trigger
    from bot.github.flows import create_pr

    repo = GitHubRepo(TOKEN, fake.repo, api_url=fake.base, seconds_between_writes=None)
    trigger = Trigger("create-pr", fake.repo, ISSUE, "Codertocat", "create-ebook-pr", None, {})
    create_pr(trigger, repo, default_branch="main")
    assert fake.dispatches[-1] == {
        "event_type": "generate-ebook",
        "client_payload": {"issue_number": ISSUE, "pull_number": ISSUE + 1},
    }


def test_make_book_command_reacts_rocket_on_the_asking_comment(
    fake: FakeGitHub, origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/regenerate` got 👀 on receipt; the job that remade the book adds 🚀."""
    work = checkout(origin, tmp_path / "work")
    for name, value in {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": fake.repo,
        "GITHUB_API_URL": fake.base,
        "EBOOK_BOT_STATE_DIR": str(tmp_path / "state"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    asked = fake.add_comment(ISSUE + 1, "\n/regenerate 2 subject: a fox", user="alice")
    args = ["make-book", "--issue", str(ISSUE), "--checkout", str(work)]
    assert main([*args, "--comment-id", str(asked)]) == 0
    assert fake.reactions == [(asked, "rocket")]
    message = git(origin, "log", "-1", "--format=%s", BRANCH)
    assert message == "Book for #7: page 2 (new subject: a fox) made again (asked by @alice)"
    commit = git(origin, "rev-parse", BRANCH)
    told = fake.pr_comments(ISSUE + 1)[-1]
    assert told.splitlines()[1] == "@alice the coloring book is ready."
    commit_url = f"https://github.com/{fake.repo}/commit/{commit}"
    assert f"Made again: page 2 (new subject: a fox) in {commit_url}" in told


class SlowClock(Clock):
    """Fake time where every reading moves on `step` seconds (slow or fast pages)."""

    def __init__(self, step: float) -> None:
        super().__init__()
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.mark.parametrize("seconds_per_page", [0.05, 3.0, 60.0])
def test_a_100_page_book_costs_at_most_40_requests_whatever_the_page_speed(
    fake: FakeGitHub, seconds_per_page: float
) -> None:
    """The calls a whole job makes on the PR, in its order, for 100 pages: at most ~40
    requests (it was 228 when pages were slow: one body edit, a GET and a PATCH, a page)."""
    from bot.github.notify import Ending
    from bot.github.outcome import announce

    repo = GitHubRepo(TOKEN, fake.repo, api_url=fake.base, seconds_between_writes=None)
    clock, total = SlowClock(seconds_per_page), 100
    pr = repo.find_pull(BRANCH)
    assert pr is not None
    reporter = ChecklistReporter(repo, pr.number, clock=clock, sleep=clock.sleep)
    reporter.update(run_url=RUN_URL, state="running", done=frozenset({"spec"}), pages_total=total)
    reporter.done("cover")
    for done in range(total):  # the generation's progress callback, once a page
        reporter.update(pages_done=done, pages_total=total)
    reporter.update(done=reporter.progress.done | {"cover", "pages"}, pages_done=total)
    reporter.update(done=reporter.progress.done | {"pdfs", "preflight"}, flagged=("page 003: x",))
    reporter.update(done=reporter.progress.done | {"delivered"}, state="done", commit="c" * 40)
    reporter.flush()
    announce(repo, ISSUE, pr, reporter, Ending("done", "octocat"))
    assert len(fake.requests) <= 40, len(fake.requests)
    progress = parse_checklist(fake.pulls[pr.number]["body"])
    assert progress.pages_done == total and progress.state == "done"  # nothing held back
    # the page count is still seen moving: about every tenth of the book
    updates = [r for r in fake.requests if r.operation == "pulls/update"]
    assert len(updates) >= (12 if seconds_per_page >= 10 else 2)


def test_a_real_10_page_job_with_slow_pages_costs_at_most_20_requests(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    """The whole job against the fake, a minute between clock readings: every PR-body edit,
    the end-of-run comment and the status comment (it was 26 before batching)."""
    bare = tmp_path / "origin10.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    seed = tmp_path / "seed10"
    subprocess.run(["git", "init", "-q", "-b", BRANCH, str(seed)], check=True)
    spec = minimal_spec(trim="6x9", pages={"count": 10, "subjects": ["mandala", "maze"]})
    (seed / "specs").mkdir()
    (seed / "specs" / f"ebook-{ISSUE}.yaml").write_text(yaml.safe_dump(spec))
    git(seed, "add", ".")
    git(seed, "commit", "-qm", "spec")
    git(seed, "push", "-q", str(bare), f"HEAD:refs/heads/{BRANCH}")
    clock = SlowClock(60.0)
    run(context(fake, checkout(bare, tmp_path / "work"), tmp_path), clock, [])
    ops = [r.operation for r in fake.requests]
    assert len(ops) <= 20, ops
    assert parse_checklist(fake.pulls[ISSUE + 1]["body"]).pages_done == 10
