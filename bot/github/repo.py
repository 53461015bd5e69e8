"""The GitHub adapter: the few repository operations the bot makes, on PyGithub.

Every call has bounded retries that honour `retry-after` and `x-ratelimit-reset` (5xx,
secondary rate limits, and the 404/422 GitHub can answer just after creating a ref or PR).
Creating calls are never blindly retried: after a failed POST the object is looked for
first, so a retry never makes a second comment or PR. With `dry_run`, writes are printed
and not made.
"""

from __future__ import annotations

import base64
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from github import Auth, Github, GithubException
from github.Repository import Repository

from bot.errors import BotError
from bot.github.checklist import STATUS_MARKER, cap

T = TypeVar("T")
WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})


class GitHubError(BotError):
    """GitHub refused or kept failing a call."""


@dataclass(frozen=True)
class PullRequestRef:
    number: int
    url: str
    created: bool
    draft: bool


def _header(exc: GithubException, name: str) -> str | None:
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    return headers.get(name)


def _message(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    errors = data.get("errors") or []
    details = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
    return " ".join(x for x in (str(data.get("message", "")), details) if x) or str(exc.status)


class GitHubRepo:
    """One repository, through PyGithub, with retries and an optional dry run."""

    def __init__(
        self,
        token: str,
        full_name: str,
        *,
        api_url: str = "https://api.github.com",
        dry_run: bool = False,
        max_attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        echo: Callable[[str], None] = print,
        seconds_between_writes: float | None = 1.0,
    ) -> None:
        # PyGithub's own urllib3 retries are off: these retries are explicit and bounded.
        self._gh = Github(
            auth=Auth.Token(token),
            base_url=api_url,
            retry=None,
            timeout=30,
            lazy=True,
            seconds_between_requests=None,
            seconds_between_writes=seconds_between_writes,
        )
        self.full_name = full_name
        self.owner = full_name.split("/")[0]
        self.dry_run = dry_run
        self._attempts = max_attempts
        self._sleep = sleep
        self._echo = echo
        self._repo: Repository = self._gh.get_repo(full_name)

    # -- retries -------------------------------------------------------------------------

    def _delay(
        self, exc: GithubException, attempt: int, transient: tuple[int, ...]
    ) -> float | None:
        status = exc.status
        retry_after = _header(exc, "retry-after")
        text = _message(exc).lower()
        if status in (403, 429) and (retry_after or "secondary rate limit" in text):
            return float(retry_after or 60)
        if status in (403, 429) and _header(exc, "x-ratelimit-remaining") == "0":
            reset = float(_header(exc, "x-ratelimit-reset") or 0)
            return min(max(reset - time.time(), 1.0), 900.0)
        if status >= 500 or status in transient:
            return float(retry_after) if retry_after else float(2 ** (attempt - 1))
        return None

    def _call(
        self,
        what: str,
        fn: Callable[[], T],
        *,
        find: Callable[[], T | None] | None = None,
        transient: tuple[int, ...] = (),
    ) -> T:
        """`fn` with bounded retries. With `find` (for a create), each failure is followed,
        after the back-off, by a look for the thing before trying again, since the POST may
        have landed before the error reached us."""
        for attempt in range(1, self._attempts + 1):
            try:
                return fn()
            except GithubException as exc:
                delay = self._delay(exc, attempt, transient)
                if delay is None or attempt == self._attempts:
                    raise GitHubError(
                        f"{what}: GitHub answered {exc.status}: {_message(exc)}"
                    ) from None
                self._sleep(delay)
            found = find() if find is not None else None
            if found is not None:
                return found
        raise AssertionError("unreachable")

    def _write(self, description: str) -> bool:
        """True when the write should really happen; in a dry run, say what it would be."""
        if self.dry_run:
            self._echo(f"dry run: would {description}")
        return not self.dry_run

    # -- reads ---------------------------------------------------------------------------

    def permission(self, login: str) -> str:
        return self._call(
            f"permission of {login}", lambda: self._repo.get_collaborator_permission(login)
        )

    def access(self) -> tuple[str, bool | None]:
        """(full name, whether the token may push: None when GitHub does not say, as for
        the Actions token, whose rights are the workflow's `permissions:`)."""

        def get() -> tuple[str, bool | None]:
            data = self._repo.raw_data  # a lazy repository is fetched here
            perms = data.get("permissions")
            push = bool(perms.get("push")) if isinstance(perms, dict) else None
            return str(data.get("full_name", self.full_name)), push

        return self._call(f"repository {self.full_name}", get)

    def may_write(self, login: str | None, allowlist: frozenset[str] = frozenset()) -> bool:
        if not login:
            return False
        if login.lower() in allowlist:
            return True
        return self.permission(login) in WRITE_PERMISSIONS

    def issue(self, number: int) -> dict[str, Any]:
        issue = self._call(f"issue #{number}", lambda: self._repo.get_issue(number))
        return {
            "number": issue.number,
            "title": issue.title,
            "body": issue.body,
            "labels": [{"name": label.name} for label in issue.labels],
            "pull_request": issue.pull_request is not None or None,
        }

    def _ref_sha(self, branch: str) -> str | None:
        def get() -> str | None:
            try:
                return self._repo.get_git_ref(f"heads/{branch}").object.sha
            except GithubException as exc:
                if exc.status == 404:
                    return None
                raise

        return self._call(f"branch {branch}", get)

    # -- writes --------------------------------------------------------------------------

    def ensure_branch(self, branch: str, base: str) -> bool:
        """Create `branch` from `base` unless it exists; True when it was created."""
        base_sha = self._ref_sha(base)
        if base_sha is None:
            raise GitHubError(f"branch {base}: not found (the default branch of {self.full_name})")
        if not self._write(f"create branch {branch} from {base} ({base_sha[:7]})"):
            return True

        def create() -> bool:
            try:
                self._repo.create_git_ref(f"refs/heads/{branch}", base_sha)
                return True
            except GithubException as exc:
                if exc.status == 422 and "already exists" in _message(exc):
                    return False
                raise

        return self._call(f"create branch {branch}", create)

    def put_file(
        self, branch: str, path: str, content: bytes, message: str
    ) -> tuple[bool, str | None]:
        """Create or update `path` on `branch` only when its bytes change; (changed, blob sha).

        Just after the branch is made, GitHub may briefly answer 404 for it; a 409 means the
        file changed under us: it is read again and the write retried once.
        """
        for conflict_retry in (True, False):
            current = self._get_file(branch, path)
            if current is not None and current[0] == content:
                return False, current[1]
            if not self._write(f"commit {path} to {branch} ({len(content)} bytes)"):
                return True, None
            try:
                return True, self._put(branch, path, content, message, current)
            except GitHubError as exc:
                if conflict_retry and " 409:" in exc.message:
                    continue
                raise
        raise AssertionError("unreachable")

    def read_file(self, branch: str, path: str) -> bytes | None:
        found = self._get_file(branch, path)
        return found[0] if found else None

    def _get_file(self, branch: str, path: str) -> tuple[bytes, str] | None:
        def get() -> tuple[bytes, str] | None:
            try:
                found = self._repo.get_contents(path, ref=branch)
            except GithubException as exc:
                if exc.status == 404:
                    return None
                raise
            if isinstance(found, list):
                raise GitHubError(f"{path} on {branch} is a folder, not a file")
            return base64.b64decode(found.content or ""), found.sha

        return self._call(f"read {path}", get)

    def _put(
        self,
        branch: str,
        path: str,
        content: bytes,
        message: str,
        current: tuple[bytes, str] | None,
    ) -> str:
        def put() -> str:
            if current is None:
                result = self._repo.create_file(path, message, content, branch=branch)
            else:
                result = self._repo.update_file(path, message, content, current[1], branch=branch)
            return str(result["content"].sha)

        return self._call(f"commit {path}", put, transient=(404,))

    def dispatch(self, event_type: str, payload: dict[str, Any]) -> None:
        if self._write(f"send repository_dispatch {event_type} {payload}"):
            # Repository.create_repository_dispatch returns False on an error status instead
            # of raising, which would lose the dispatch silently: use the checked call.
            body = {"event_type": event_type, "client_payload": payload}
            self._call(
                f"repository_dispatch {event_type}",
                lambda: self._gh.requester.requestJsonAndCheck(
                    "POST", f"{self._repo.url}/dispatches", input=body
                ),
            )

    def upsert_status_comment(
        self, issue_number: int, body: str, comment_id: int | None = None
    ) -> int | None:
        """Edit the issue's one status comment (found by its marker), or create it.

        A POST that fails is never simply repeated: the comments are read again first, in
        case it landed before the error reached us.
        """
        if STATUS_MARKER not in body:
            raise ValueError("a status comment carries the status marker")
        found = comment_id or self._find_status_comment(issue_number)
        if found is not None:
            if self._write(f"edit status comment {found} on #{issue_number}"):
                comment = self._repo.get_issue(issue_number).get_comment(found)
                self._call("edit the status comment", functools.partial(comment.edit, body))
            return found
        if not self._write(f"post the status comment on #{issue_number}"):
            return None
        issue = self._repo.get_issue(issue_number)  # lazy: no request
        return self._call(
            "post the status comment",
            lambda: int(issue.create_comment(body).id),
            find=lambda: self._find_status_comment(issue_number),
        )

    def _find_status_comment(self, issue_number: int) -> int | None:
        def find() -> int | None:
            for comment in self._repo.get_issue(issue_number).get_comments():
                if STATUS_MARKER in (comment.body or ""):
                    return int(comment.id)
            return None

        return self._call(f"comments of #{issue_number}", find)

    def find_pull(self, branch: str) -> PullRequestRef | None:
        """The open PR whose head is `branch`, if any."""

        def find() -> PullRequestRef | None:
            for pr in self._repo.get_pulls(state="open", head=f"{self.owner}:{branch}"):
                return PullRequestRef(pr.number, pr.html_url, False, bool(pr.draft))
            return None

        return self._call(f"pull requests from {branch}", find)

    def find_or_create_pull(
        self, branch: str, base: str, title: str, body: str
    ) -> PullRequestRef | None:
        """The draft PR for `branch`: found by head, else created (a normal PR when the
        plan refuses drafts). A 422 "already exists" means another run made it: use it."""
        existing = self.find_pull(branch)
        if existing is not None:
            return existing
        if not self._write(f"open a draft pull request {branch} -> {base}: {title!r}"):
            return None
        draft = True

        def create() -> PullRequestRef:
            nonlocal draft
            try:
                pr = self._repo.create_pull(base, branch, title=title, body=body, draft=draft)
            except GithubException as exc:
                text = _message(exc).lower()
                if exc.status == 422 and "already exists" in text:
                    found = self.find_pull(branch)  # another run made it: use it
                    if found is not None:
                        return found
                if exc.status != 422 or "draft" not in text or not draft:
                    raise
                draft = False  # drafts need a paid plan on private repositories
                pr = self._repo.create_pull(base, branch, title=title, body=body, draft=False)
            return PullRequestRef(pr.number, pr.html_url, True, draft)

        return self._call(
            "open the pull request",
            create,
            find=lambda: self.find_pull(branch),
            transient=(404, 422),
        )

    def pull(self, number: int) -> dict[str, Any]:
        """head branch, draft, state and node id of PR `number`."""

        def get() -> dict[str, Any]:
            pr = self._repo.get_pull(number)
            return {
                "number": pr.number,
                "head": pr.head.ref,
                "draft": bool(pr.draft),
                "state": pr.state,
                "node_id": pr.raw_data.get("node_id"),
                "url": pr.html_url,
            }

        return self._call(f"pull request #{number}", get)

    def react(self, comment_id: int, content: str) -> None:
        """A reaction (eyes, rocket, confused...) on an issue or PR comment."""
        if self._write(f"react {content} to comment {comment_id}"):
            url = f"{self._repo.url}/issues/comments/{comment_id}/reactions"
            self._call(
                f"reaction on comment {comment_id}",
                lambda: self._gh.requester.requestJsonAndCheck(
                    "POST", url, input={"content": content}
                ),
            )

    def comment(self, issue_number: int, body: str) -> None:
        if self._write(f"comment on #{issue_number}"):
            issue = self._repo.get_issue(issue_number)  # lazy: no request
            self._call(
                f"comment on #{issue_number}",
                functools.partial(issue.create_comment, cap(body)),
            )

    def mark_ready(self, node_id: str) -> None:
        """Draft -> ready for review. REST cannot do it; GraphQL's mutation can."""
        if not self._write("mark the pull request ready for review"):
            return
        base = self._gh.requester.base_url.rstrip("/")
        url = base[: -len("/v3")] + "/graphql" if base.endswith("/api/v3") else base + "/graphql"
        query = (
            "mutation($id: ID!) { markPullRequestReadyForReview(input: {pullRequestId: $id}) "
            "{ pullRequest { isDraft } } }"
        )

        def call() -> None:
            _, data = self._gh.requester.requestJsonAndCheck(
                "POST", url, input={"query": query, "variables": {"id": node_id}}
            )
            if isinstance(data, dict) and data.get("errors"):
                message = str(data["errors"][0].get("message", "error"))[:200]
                raise GitHubError(f"marking the pull request ready failed: {message}")

        self._call("mark the pull request ready", call)

    def cancel_runs(self, workflow_file: str, title: str) -> list[int]:
        """Cancel the queued and running runs of `workflow_file` named `title`."""
        url = f"{self._repo.url}/actions/workflows/{workflow_file}/runs"
        found: list[int] = []
        for status in ("in_progress", "queued"):
            _, data = self._call(
                f"{status} runs of {workflow_file}",
                lambda status=status: self._gh.requester.requestJsonAndCheck(  # type: ignore[misc]
                    "GET", url, parameters={"status": status, "per_page": 100}
                ),
            )
            for run in (data or {}).get("workflow_runs", []):
                if run.get("display_title") == title and run["id"] not in found:
                    found.append(int(run["id"]))
        for run_id in found:
            if self._write(f"cancel run {run_id}"):
                self._call(
                    f"cancel run {run_id}",
                    lambda run_id=run_id: self._gh.requester.requestJsonAndCheck(  # type: ignore[misc]
                        "POST", f"{self._repo.url}/actions/runs/{run_id}/cancel"
                    ),
                )
        return found

    def pull_body(self, number: int) -> str:
        return self._call(f"pull request #{number}", lambda: self._repo.get_pull(number).body or "")

    def set_pull_body(self, number: int, body: str) -> None:
        if self._write(f"update the body of pull request #{number}"):
            pr = self._repo.get_pull(number)
            self._call(f"update pull request #{number}", lambda: pr.edit(body=body))
