"""Conversations and folders: who wrote a comment, whether a marked comment exists, a
folder's files; new comments and reactions."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from github import GithubException

from bot.github.api import GitHubApi, GitHubError
from bot.github.checklist import cap


@dataclass(frozen=True)
class CommentRef:
    id: int
    login: str
    body: str


class ThreadReads(GitHubApi):
    """Comments, reactions and folder reads on one repository (a base of `GitHubRepo`)."""

    def comment_by_id(self, comment_id: int) -> CommentRef | None:
        """An issue or PR comment by id (None when it was deleted)."""

        def get() -> CommentRef | None:
            try:
                _, data = self._gh.requester.requestJsonAndCheck(
                    "GET", f"{self._repo.url}/issues/comments/{comment_id}"
                )
            except GithubException as exc:
                if exc.status == 404:
                    return None
                raise
            user = data.get("user") or {}
            return CommentRef(int(data["id"]), str(user.get("login") or ""), data.get("body") or "")

        return self._call(f"comment {comment_id}", get)

    def find_comment(self, issue_number: int, marker: str) -> CommentRef | None:
        """The first comment on issue or PR `issue_number` that carries `marker`."""

        def find() -> CommentRef | None:
            for c in self._repo.get_issue(issue_number).get_comments():
                if marker in (c.body or ""):
                    return CommentRef(int(c.id), c.user.login if c.user else "", c.body or "")
            return None

        return self._call(f"comments of #{issue_number}", find)

    def author(self, issue_number: int) -> str | None:
        """Who opened issue `issue_number`."""

        def get() -> str | None:
            try:
                issue = self._repo.get_issue(issue_number)
                return issue.user.login if issue.user else None  # a lazy issue is read here
            except GithubException as exc:
                if exc.status in (404, 410):
                    return None
                raise

        return self._call(f"issue #{issue_number}", get)

    def _contents(self, branch: str, path: str) -> Any:
        """`path` on `branch` as PyGithub gives it (a file, or a folder's list); None when
        there is none. Call it inside `_call` (retries)."""
        try:
            return self._repo.get_contents(path, ref=branch)
        except GithubException as exc:
            if exc.status == 404:
                return None
            raise

    def folder(self, branch: str, path: str) -> list[str] | None:
        """The names of the files in folder `path` on `branch` (None when there is none)."""

        def get() -> list[str] | None:
            found = self._contents(branch, path)
            if found is None:
                return None
            if not isinstance(found, list):
                raise GitHubError(f"{path} on {branch} is a file, not a folder")
            return [f.name for f in found if f.type == "file"]

        return self._call(f"folder {path}", get)

    def post_comment(self, issue_number: int, body: str) -> int | None:
        """A new comment on issue or PR `issue_number`; its id (None in a dry run). A POST
        that fails is not repeated blindly: the comment is looked for first."""
        if not self._write(f"comment on #{issue_number}"):
            return None
        issue = self._repo.get_issue(issue_number)  # lazy: no request

        def landed() -> int | None:
            found = self.find_comment(issue_number, body)
            return found.id if found is not None else None

        return self._call(
            f"comment on #{issue_number}", lambda: int(issue.create_comment(body).id), find=landed
        )

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
