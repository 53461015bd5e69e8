"""Step 4 on the runner: make the book of issue N on its branch, tick the draft PR's
checklist as each stage ends, commit everything in one commit, write the job summary.

Phases (the generation workflow picks them):
- `all`: one GPU runner does everything (the default);
- `pages`: one of several runners makes its share of pages (`--shard I/N` or `--claim`);
- `finish`: a GitHub-hosted job merges the shards' pages, assembles and commits.

Pages are made in a work folder under the state folder, which outlives the job on a
persistent runner, so a killed job resumes there; the checkout only receives results.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from bot.checklist import parse_checklist, render_checklist, splice
from bot.config import RepoConfig
from bot.delivery.drive import DriveDelivery
from bot.errors import BotError, UserInputError
from bot.flows import branch_name, spec_path
from bot.github_repo import GitHubRepo
from bot.gitops import commit_and_push
from bot.ledger import Ledger
from bot.log import stage
from bot.pipeline import AssembleResult, GenerateResult, Shard, assemble, generate
from bot.spec import load_spec
from bot.text import one_line

log = logging.getLogger(__name__)
MIN_INTERVAL = 10.0  # seconds between two PR-body updates


def book_dir(issue: int) -> str:
    return f"books/ebook-{issue}"


class ChecklistReporter:
    """Keeps the draft PR's checklist current with at most one body update per interval:
    changes that come sooner are held and written by the next update or by `flush`."""

    def __init__(
        self,
        repo: GitHubRepo,
        pr_number: int,
        *,
        interval: float = MIN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.repo, self.pr_number = repo, pr_number
        self.interval, self._clock, self._sleep = interval, clock, sleep
        self.progress = parse_checklist(repo.pull_body(pr_number))
        self._last: float | None = None
        self._dirty = False
        self.write_times: list[float] = []  # when each PR-body update was sent

    def update(self, **changes: object) -> None:
        new = replace(self.progress, **changes)  # type: ignore[arg-type]
        if new == self.progress:
            return
        self.progress, self._dirty = new, True
        if self._last is None or self._clock() - self._last >= self.interval:
            self._write()

    def done(self, *stages: str) -> None:
        self.update(done=self.progress.done | frozenset(stages))

    def flush(self) -> None:
        if not self._dirty:
            return
        if self._last is not None:
            wait = self.interval - (self._clock() - self._last)
            if wait > 0:
                self._sleep(wait)
        self._write()

    def _write(self) -> None:
        body = self.repo.pull_body(self.pr_number)
        self.repo.set_pull_body(self.pr_number, splice(body, render_checklist(self.progress)))
        self._last, self._dirty = self._clock(), False
        self.write_times.append(self._last)


@dataclass
class JobContext:
    issue: int
    checkout: Path
    state_dir: Path
    repo: GitHubRepo
    repository: str
    server_url: str = "https://github.com"
    run_url: str | None = None
    summary_path: Path | None = None
    push: bool = True
    git_auth: dict[str, str] | None = None  # see gitops.auth_env
    drive: DriveDelivery | None = None  # deliver to Google Drive when configured


@dataclass
class JobResult:
    generated: GenerateResult | None
    assembled: AssembleResult | None
    commit: str | None
    preview_url: str | None


def _copy_files(src: Path, dest: Path, *, replace: bool) -> None:
    """The files of `src` (not temp files) into `dest`; existing ones kept unless `replace`."""
    if not src.is_dir():
        return
    dest.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file() and not f.name.startswith(".") and (replace or not (dest / f.name).exists()):
            shutil.copy2(f, dest / f.name)


def _mirror(src: Path, dest: Path) -> None:
    """Make `dest` hold exactly the files of `src` (copying only what differs)."""
    dest.mkdir(parents=True, exist_ok=True)
    wanted = {f.name for f in src.iterdir() if f.is_file() and not f.name.startswith(".")}
    for f in dest.iterdir():
        if f.is_file() and f.name not in wanted:
            f.unlink()
    for name in wanted:
        a, b = src / name, dest / name
        if (
            not b.exists()
            or a.stat().st_size != b.stat().st_size
            or a.read_bytes() != b.read_bytes()
        ):
            shutil.copy2(a, b)


def run_book_job(
    ctx: JobContext,
    *,
    ledger: Ledger,
    config: RepoConfig | None = None,
    phase: str = "all",
    shard: Shard | None = None,
    claim: bool = False,
    reporter_factory: Callable[[GitHubRepo, int], ChecklistReporter] = ChecklistReporter,
) -> JobResult:
    if phase not in ("all", "pages", "finish"):
        raise UserInputError(f"--phase: {phase!r} is not all, pages or finish")
    branch = branch_name(ctx.issue)
    spec_file = ctx.checkout / spec_path(ctx.issue)
    if not spec_file.exists():
        raise UserInputError(
            f"{spec_path(ctx.issue)}: not in this checkout (check out branch {branch} first)"
        )
    spec = load_spec(spec_file)
    pr = ctx.repo.find_pull(branch)
    if pr is None:
        raise BotError(f"no pull request from {branch}: run the create-pr step first")
    reporter = reporter_factory(ctx.repo, pr.number)
    reporter.update(note=None)
    reporter.done("spec")
    out_rel = book_dir(ctx.issue)
    out = ctx.checkout / out_rel
    work = ctx.state_dir / "work" / f"ebook-{ctx.issue}"
    generated = assembled = None
    commit = preview_url = None
    try:
        if phase in ("all", "pages"):
            _copy_files(out / "pages", work / "pages", replace=False)  # pages on the branch

            def on_progress(label: str, done: int, total: int) -> None:
                if label == "cover":
                    reporter.done("cover")
                reporter.update(pages_done=max(0, done - 1), pages_total=spec.pages.total)

            with stage("generate"):
                generated = generate(
                    spec,
                    work,
                    ledger=ledger,
                    issue=ctx.issue,
                    shard=shard,
                    claim=claim,
                    config=config,
                    on_progress=on_progress if phase == "all" or _single(shard, claim) else None,
                )
            if phase == "all":
                reporter.done("cover", "pages")
                reporter.update(pages_done=spec.pages.total, pages_total=spec.pages.total)
                _mirror(work / "pages", out / "pages")
            else:
                _copy_files(work / "pages", out / "pages", replace=True)  # for the artifact
        if phase in ("all", "finish"):
            if phase == "finish":
                reporter.done("cover", "pages")
                reporter.update(pages_done=spec.pages.total, pages_total=spec.pages.total)
            with stage("assemble and preflight"):
                assembled = assemble(spec, out, config=config)
            reporter.done("pdfs", "preflight")
            commit, _ = commit_and_push(
                ctx.checkout,
                [out_rel],
                f"Book for #{ctx.issue}: {spec.pages.total} pages, PDFs and preview",
                branch,
                push=ctx.push,
                auth=ctx.git_auth,
            )
            preview_url = f"{ctx.server_url}/{ctx.repository}/raw/{commit}/{out_rel}/preview.png"
            reporter.update(preview_url=preview_url)
            reporter.done("delivered")
            if ctx.drive is not None:
                with stage("deliver to Google Drive"):
                    delivered = ctx.drive.deliver(f"issue-{ctx.issue}", spec.title, out)
                reporter.update(drive_url=delivered.folder_link)
    except BaseException as exc:
        what = "cancelled" if isinstance(exc, KeyboardInterrupt) else "failed"
        reason = exc.lines()[0] if isinstance(exc, BotError) else type(exc).__name__
        link = f" ([run log]({ctx.run_url}))" if ctx.run_url else ""
        reporter.update(note=f"> [!WARNING]\n> Generation {what}: {_one_line(reason)}{link}")
        reporter.flush()
        raise
    reporter.flush()
    result = JobResult(generated, assembled, commit, preview_url)
    if ctx.summary_path is not None:
        with ctx.summary_path.open("a", encoding="utf-8") as fp:
            fp.write(job_summary(ctx, spec.title, pr.url, result))
    return result


def _single(shard: Shard | None, claim: bool) -> bool:
    """One runner makes every page (so its count is the book's count)."""
    return not claim and (shard is None or shard.count == 1)


def _one_line(text: str, limit: int = 300) -> str:
    """For markdown: one line, no backticks to break out of."""
    return one_line(text.replace("`", "'"), limit)


def mark_book(repo: GitHubRepo, issue: int, outcome: str, run_url: str | None) -> bool:
    """After a job failed or was cancelled from outside: say so on the checklist."""
    pr = repo.find_pull(branch_name(issue))
    if pr is None:
        return False
    reporter = ChecklistReporter(repo, pr.number)
    words = {"cancelled": "was cancelled", "failure": "failed"}.get(outcome, f"ended: {outcome}")
    link = f" ([run log]({run_url}))" if run_url else ""
    reporter.update(note=f"> [!WARNING]\n> Generation {words}{link}. Finished pages are kept.")
    reporter.flush()
    return True


def job_summary(ctx: JobContext, title: str, pr_url: str, result: JobResult) -> str:
    """Markdown for `$GITHUB_STEP_SUMMARY`."""
    lines = [f"## Coloring book: {_one_line(title, 120)} (#{ctx.issue})", ""]
    g, a = result.generated, result.assembled
    lines += ["| | |", "| --- | --- |", f"| Pull request | {pr_url} |"]
    if g is not None:
        kept = len(g.pages) - g.generated
        lines.append(f"| Pages | {len(g.pages)} ({g.generated} made, {kept} already done) |")
        lines.append(f"| Generation time | {g.seconds:.1f} s |")
        if g.elsewhere:
            lines.append(f"| Pages by other runners | {g.elsewhere} |")
    if a is not None:
        lines.append(f"| Interior | {a.plan.page_count} pages, {a.interior_bytes / 1e6:.2f} MB |")
        lines.append(f"| Cover | {a.cover_bytes / 1e6:.2f} MB |")
        lines.append(f"| Assembly + preflight | {a.seconds:.1f} s (passed) |")
    if result.commit:
        lines.append(f"| Commit | `{result.commit[:12]}` |")
    lines.append("")
    if g is not None and g.flagged:
        lines.append(f"**{len(g.flagged)} page(s) flagged by line-art QA** (best attempt kept):")
        lines += [f"- page {p.key}: {_one_line('; '.join(p.reasons), 200)}" for p in g.flagged[:50]]
        lines.append("")
    if result.preview_url:
        lines += [f"![preview]({result.preview_url})", ""]
    return "\n".join(lines) + "\n"
