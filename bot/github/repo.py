"""The GitHub adapter: the few repository operations the bot makes, on PyGithub, each
through `GitHubApi`'s bounded retries (and its dry run)."""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass
from typing import Any

from github import GithubException

from bot.github.api import GitHubError, message
from bot.github.checklist import STATUS_MARKER
from bot.github.threads import ThreadReads

WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})
# the one GraphQL request (REST cannot mark a draft ready); tests check it against GitHub's
# GraphQL schema
READY_MUTATION = (
    "mutation($id: ID!) { markPullRequestReadyForReview(input: {pullRequestId: $id}) "
    "{ pullRequest { isDraft } } }"
)
GRAPHQL_QUERIES = (READY_MUTATION,)
ACTIONS_LOGIN = "github-actions[bot]"  # who writes with the workflow's own token
__all__ = ["GitHubError", "GitHubRepo", "PullRequestRef", "StatusComment"]


@dataclass(frozen=True)
class PullRequestRef:
    number: int
    url: str
    created: bool
    draft: bool


@dataclass(frozen=True)
class StatusComment:
    """The bot's own status comment on an issue (author checked)."""

    id: int
    body: str


class GitHubRepo(ThreadReads):
    """One repository: the reads and writes of the issue, spec, PR and review flows."""

    def __init__(self, token: str, full_name: str, *, login: str = ACTIONS_LOGIN, **kw: Any):
        super().__init__(token, full_name, **kw)
        # the bot's own login: only its comments are status comments, since anyone can
        # post one carrying the marker
        self.login = login

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
            "user": issue.user.login if issue.user else None,
        }

    def branch_sha(self, branch: str) -> str | None:
        """The commit `branch` points at now (None when there is no such branch)."""
        sha = self._ref_sha(branch)
        if sha is not None and not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha):
            raise GitHubError(f"branch {branch}: GitHub answered a commit id {sha[:80]!r}")
        return sha

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
                if exc.status == 422 and "already exists" in message(exc):
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
            found = self._contents(branch, path)
            if found is None:
                return None
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
        self,
        issue_number: int,
        body: str,
        comment_id: int | None = None,
        *,
        current: StatusComment | None = None,
        search: bool = True,
    ) -> int | None:
        """Edit the issue's one status comment (the bot's own: `current`, else `comment_id`
        when it is the bot's, else found by marker and author), or create it. `search`
        False: the caller just looked and found none.

        A POST that fails is never simply repeated: the comments are read again first, in
        case it landed before the error reached us.
        """
        if not body.startswith(STATUS_MARKER):
            raise ValueError("a status comment starts with the status marker")
        found = current
        if found is None and (search or comment_id is not None):
            found = self.status_comment(issue_number, comment_id)
        if found is not None:
            if self._write(f"edit status comment {found.id} on #{issue_number}"):
                comment = self._repo.get_issue(issue_number).get_comment(found.id)  # lazy
                self._call("edit the status comment", functools.partial(comment.edit, body))
            return found.id
        if not self._write(f"post the status comment on #{issue_number}"):
            return None
        issue = self._repo.get_issue(issue_number)  # lazy: no request
        return self._call(
            "post the status comment",
            lambda: int(issue.create_comment(body).id),
            find=lambda: m.id if (m := self.status_comment(issue_number)) else None,
        )

    def _own_status(self, comment: Any, issue_number: int) -> StatusComment | None:
        body = comment.body or ""
        mine = comment.user is not None and comment.user.login == self.login
        on_issue = str(comment.issue_url or "").endswith(f"/issues/{issue_number}")
        ok = mine and on_issue and body.startswith(STATUS_MARKER)
        return StatusComment(int(comment.id), body) if ok else None

    def status_comment(
        self, issue_number: int, comment_id: int | None = None
    ) -> StatusComment | None:
        """The bot's status comment on the issue: comment `comment_id` when it is that, else
        the first comment by the bot's login that starts with the marker."""
        if comment_id is not None:

            def get() -> StatusComment | None:
                try:
                    comment = self._repo.get_issue(issue_number).get_comment(comment_id)
                    return self._own_status(comment, issue_number)
                except GithubException as exc:
                    if exc.status == 404:
                        return None
                    raise

            found = self._call(f"comment {comment_id}", get)
            if found is not None:
                return found

        def find() -> StatusComment | None:
            for comment in self._repo.get_issue(issue_number).get_comments():
                mine = self._own_status(comment, issue_number)
                if mine is not None:
                    return mine
            return None

        return self._call(f"comments of #{issue_number}", find)

    def find_pull(self, branch: str) -> PullRequestRef | None:
        """The bot's own open PR whose head is `branch`, if any: anyone who can read the
        repository may open another from it (into another base), and GitHub lists it first."""

        def find() -> PullRequestRef | None:
            for pr in self._repo.get_pulls(state="open", head=f"{self.owner}:{branch}"):
                if pr.user is not None and pr.user.login == self.login:
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
                text = message(exc).lower()
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
        """head branch (and its repository: None when deleted), draft, state and node id of
        PR `number`."""

        def get() -> dict[str, Any]:
            pr = self._repo.get_pull(number)
            head_repo = pr.head.repo.full_name if pr.head.repo is not None else None
            return {
                "number": pr.number,
                "head": pr.head.ref,
                "head_repo": head_repo,
                "draft": bool(pr.draft),
                "state": pr.state,
                "node_id": pr.raw_data.get("node_id"),
                "url": pr.html_url,
            }

        return self._call(f"pull request #{number}", get)

    def mark_ready(self, node_id: str) -> None:
        """Draft -> ready for review. REST cannot do it; GraphQL's mutation can."""
        if not self._write("mark the pull request ready for review"):
            return
        base = self._gh.requester.base_url.rstrip("/")
        url = base[: -len("/v3")] + "/graphql" if base.endswith("/api/v3") else base + "/graphql"
        query = READY_MUTATION

        def call() -> None:
            _, data = self._gh.requester.requestJsonAndCheck(
                "POST", url, input={"query": query, "variables": {"id": node_id}}
            )
            if isinstance(data, dict) and data.get("errors"):
                message = str(data["errors"][0].get("message", "error"))[:200]
                raise GitHubError(f"marking the pull request ready failed: {message}")

        self._call("mark the pull request ready", call)

    def cancel_runs(self, workflow_file: str, title: str) -> list[int]:
        """Cancel the runs of `workflow_file` named `title` that have not ended: running,
        queued, `pending` in a concurrency group or `waiting` for an environment."""
        url = f"{self._repo.url}/actions/workflows/{workflow_file}/runs"
        found: list[int] = []
        for status in ("in_progress", "queued", "pending", "waiting", "requested"):
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
