"""A stateful fake of the GitHub REST endpoints the bot uses, on `responses`.

Every request is checked against GitHub's published OpenAPI description (the subset in
fixtures/github/openapi-subset.json): an unknown operation or a body that breaks the schema
is recorded in `problems` and answered 404/422, as GitHub would. Every answer is checked
too: its status must be one GitHub documents for the operation and its body must match the
documented schema. A success answer is GitHub's own example for the operation with the
fake's state laid over it, so it carries every field GitHub sends, not only those the bot
reads. Faults can be queued (they are not checked: they play GitHub misbehaving).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import graphql
import jsonschema
import responses
from graphql.execution.values import get_variable_values

SUBSET = json.loads(
    (Path(__file__).parent / "fixtures" / "github" / "openapi-subset.json").read_text()
)


@contextlib.contextmanager
def serving(**kwargs: Any) -> Iterator[FakeGitHub]:
    """A fake GitHub answering every request; on leaving, every request must have matched
    GitHub's OpenAPI description."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        gh = FakeGitHub(rsps, **kwargs)
        yield gh
        assert gh.problems == [], gh.problems


# fields whose presence means something (an issue that is a pull request; what the token
# may do, which GitHub leaves out for the Actions token): from the fake's state only, never
# from GitHub's example
STATE_KEYS = frozenset({"pull_request", "permissions"})


def _laid_over(example: Any, data: Any) -> Any:
    """`data` laid over GitHub's `example`: objects merged key by key, each item of a list
    over the example's first item; anything else is `data`'s."""
    if isinstance(example, dict) and isinstance(data, dict):
        merged = dict(example)
        for key, value in data.items():
            merged[key] = _laid_over(example.get(key), value)
        return merged
    if isinstance(example, list) and isinstance(data, list) and example:
        return [_laid_over(copy.deepcopy(example[0]), item) for item in data]
    return data


GRAPHQL = graphql.build_client_schema(
    json.loads((Path(__file__).parent / "fixtures" / "github" / "graphql-subset.json").read_text())
)


def graphql_errors(query: str, variables: dict[str, Any]) -> list[str]:
    """What GitHub's GraphQL schema says against a request: the query, then its variables."""
    try:
        document = graphql.parse(query)
    except graphql.GraphQLError as exc:
        return [exc.message]
    errors = graphql.validate(GRAPHQL, document)
    if not errors:
        operation = graphql.get_operation_ast(document)
        assert operation is not None
        definitions = operation.variable_definitions or ()
        coerced = get_variable_values(GRAPHQL, definitions, variables)
        errors = coerced if isinstance(coerced, list) else []
    return [e.message for e in errors]


def graphql_answer_errors(query: str, variables: dict[str, Any], data: Any) -> list[str]:
    """Whether `data` is an answer the query can get: run the query over it as the root."""
    result = graphql.execute(GRAPHQL, graphql.parse(query), data, variable_values=variables)
    assert not hasattr(result, "__await__")
    found = [e.message for e in (result.errors or [])]  # type: ignore[union-attr]
    if not found and result.data != data:  # type: ignore[union-attr]
        found = [f"{data!r} has fields the query did not ask for"]
    return found


def _where(error: Any, answer: Any = None) -> str:
    """Where in an answer a schema error is: 'head/repo/name'; in a list answer, any item
    ('*/head/repo/name': every item is laid over the example's first)."""
    path = [str(p) for p in error.path]
    if isinstance(answer, list) and path:
        path[0] = "*"
    return "/".join(path) + f" ({error.validator})"


def _example_for(examples: dict[str, Any], data: Any) -> Any:
    """GitHub's example of the same shape as `data` (a folder's list or a file's object;
    for objects with a `type`, the example of that type)."""
    shaped = [e for e in examples.values() if isinstance(e, type(data))]
    if isinstance(data, dict) and "type" in data:
        typed = [e for e in shaped if e.get("type") == data["type"]]
        shaped = typed or shaped
    return shaped[0] if shaped else None


def _openapi_to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` as JSON Schema's null type (jsonschema knows no
    `nullable`)."""
    if isinstance(node, list):
        return [_openapi_to_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _openapi_to_json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if "type" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


_VALIDATORS: dict[int, Any] = {}


def _validator(schema: dict[str, Any]) -> Any:
    key = id(schema)
    if key not in _VALIDATORS:
        _VALIDATORS[key] = jsonschema.Draft7Validator(_openapi_to_json_schema(schema))
    return _VALIDATORS[key]


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=lambda: {"message": "Server Error"})
    times: int = 1
    after_effect: bool = False  # apply the request, then answer with the fault


@dataclass
class Request:
    method: str
    path: str
    operation: str
    body: Any


class FakeGitHub:
    def __init__(
        self,
        rsps: responses.RequestsMock,
        *,
        base: str = "https://api.github.com",
        repo: str = "Codertocat/Hello-World",
        default_branch: str = "main",
    ) -> None:
        self.base = base.rstrip("/")
        self.repo = repo
        self.default_branch = default_branch
        self.refs: dict[str, str] = {default_branch: _sha("root")}
        self.files: dict[tuple[str, str], bytes] = {}
        self.commits: list[tuple[str, str]] = []
        self.messages: list[str] = []
        self.issues: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, dict[str, Any]] = {}
        self.pulls: dict[int, dict[str, Any]] = {}
        self.permissions: dict[str, str] = {}
        self.dispatches: list[dict[str, Any]] = []
        self.reactions: list[tuple[int, str]] = []
        self.runs: dict[int, dict[str, Any]] = {}  # run id -> workflow, display_title, status
        self.cancelled: list[int] = []
        self.graphql: list[dict[str, Any]] = []
        self.requests: list[Request] = []
        self.problems: list[str] = []
        self.faults: list[Fault] = []
        self.drafts_allowed = True
        self.login = "github-actions[bot]"  # the author of what the token writes
        self._ids = itertools.count(1001)
        self._operations = [
            (method.upper(), self._template(path), op)
            for path, methods in SUBSET["paths"].items()
            for method, op in methods.items()
        ]
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            # PyGithub may spell the default port out (host:443)
            split = urlsplit(self.base)
            pattern = (
                re.escape(f"{split.scheme}://{split.hostname}")
                + r"(:443)?"
                + re.escape(split.path)
                + "/.*"
            )
            rsps.add_callback(method, re.compile(pattern), self._handle)

    # -- set-up helpers ----------------------------------------------------------------

    def add_issue(
        self, number: int, body: str | None, title: str = "[Book]: test", user: str = "Codertocat"
    ) -> None:
        self.issues[number] = {
            "title": title,
            "body": body,
            "labels": ["ebook-generation"],
            "user": user,
        }

    def pr_comments(self, number: int) -> list[str]:
        return [c["body"] for c in self.comments.values() if c["issue"] == number]

    def add_comment(self, issue: int, body: str, user: str) -> int:
        """A comment by `user` (the bot's own comments are by github-actions[bot])."""
        cid = next(self._ids)
        self.comments[cid] = {"issue": issue, "body": body, "user": user}
        return cid

    def fail(self, method: str, path: str, status: int, **kwargs: Any) -> Fault:
        fault = Fault(method, re.compile(path), status, **kwargs)
        self.faults.append(fault)
        return fault

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method != "GET"]

    # -- routing -------------------------------------------------------------------------

    @staticmethod
    def _template(path: str) -> re.Pattern[str]:
        pattern = re.sub(r"\{(path|ref)\}", r"(?P<\1>.+)", path)
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        return re.compile("^" + pattern + "$")

    def _handle(self, request: Any) -> tuple[int, dict[str, str], str]:
        url = urlsplit(request.url)
        path = url.path[len(urlsplit(self.base).path) :]
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = json.loads(request.body) if request.body else None
        if request.method == "POST" and path == "/graphql":
            return self._graphql(body)
        found = next(
            (
                (template.match(path), op)
                for method, template, op in self._operations
                if method == request.method and template.match(path)
            ),
            None,
        )
        if found is None:
            self.problems.append(f"no such operation: {request.method} {path}")
            return self._json(404, {"message": "Not Found"})
        match, op = found
        assert match is not None
        self.requests.append(Request(request.method, path, op["operationId"], body))
        schema = op.get("requestBody", {}).get("schema")
        if schema is not None:
            errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(body), key=str)
            if errors:
                self.problems.append(f"{op['operationId']}: {errors[0].message}")
                return self._json(422, {"message": "Invalid request", "errors": [str(errors[0])]})
        params = {k: unquote(v) for k, v in match.groupdict().items()}
        if params.get("owner") + "/" + params.get("repo") != self.repo:  # type: ignore[operator]
            return self._json(404, {"message": "Not Found"})
        for fault in self.faults:
            if fault.times > 0 and fault.method == request.method and fault.path.search(path):
                fault.times -= 1
                if fault.after_effect:
                    self._dispatch(op["operationId"], params, query, body)
                return self._json(fault.status, fault.body, fault.headers)
        return self._answer(op, self._dispatch(op["operationId"], params, query, body))

    def _answer(
        self, op: dict[str, Any], answer: tuple[int, dict[str, str], str]
    ) -> tuple[int, dict[str, str], str]:
        """GitHub's example with the fake's state laid over it, checked against the schema."""
        status, headers, text = answer
        code = str(status)
        if code not in op["responses"]:
            self.problems.append(f"{op['operationId']}: GitHub never answers {status}")
            return answer
        if not text:
            return answer
        data = json.loads(text)
        if status >= 400 and isinstance(data, dict):  # GitHub's errors always link the docs
            data.setdefault("documentation_url", "https://docs.github.com/rest")
        example = _example_for(op.get("examples", {}).get(code, {}), data)
        schema = op["responses"][code]
        known: set[str] = set()
        if example is not None:
            if schema is not None:  # a few of GitHub's own examples break its schema
                known = {_where(e, example) for e in _validator(schema).iter_errors(example)}
            base = copy.deepcopy(example)
            if isinstance(base, dict) and isinstance(data, dict):
                for key in STATE_KEYS - data.keys():  # the fake, not the example, says
                    base.pop(key, None)
            data = _laid_over(base, data)
        if schema is not None:
            errors = [
                e for e in _validator(schema).iter_errors(data) if _where(e, data) not in known
            ]
            for error in sorted(errors, key=_where)[:1]:
                self.problems.append(
                    f"{op['operationId']} answer {_where(error)}: {error.message[:200]}"
                )
        return status, headers, json.dumps(data)

    @staticmethod
    def _json(
        status: int, data: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(data)

    # -- objects as GitHub returns them ---------------------------------------------------

    @property
    def _repo_url(self) -> str:
        return f"{self.base}/repos/{self.repo}"

    def _user(self, login: str) -> dict[str, Any]:
        return {
            "login": login,
            "id": abs(hash(login)) % 10**8,
            "type": "User",
            "url": f"{self.base}/users/{login}",
        }

    def _comment(self, cid: int) -> dict[str, Any]:
        c = self.comments[cid]
        return {
            "id": cid,
            "body": c["body"],
            "user": self._user(c.get("user", self.login)),
            "url": f"{self._repo_url}/issues/comments/{cid}",
            "html_url": f"https://github.com/{self.repo}/issues/{c['issue']}#issuecomment-{cid}",
            "issue_url": f"{self._repo_url}/issues/{c['issue']}",
        }

    def _pull(self, number: int) -> dict[str, Any]:
        p = self.pulls[number]
        head_repo = p.get("head_repo", self.repo)  # a fork's PR names its own repository
        return {
            "number": number,
            "state": p["state"],
            "draft": p["draft"],
            "title": p["title"],
            "body": p["body"],
            "url": f"{self._repo_url}/pulls/{number}",
            "html_url": f"https://github.com/{self.repo}/pull/{number}",
            "node_id": f"PR_node{number}",
            "user": self._user(p.get("user", self.login)),  # who opened it
            "head": {
                "ref": p["head"],
                "label": f"{head_repo.split('/')[0]}:{p['head']}",
                "repo": {
                    "full_name": head_repo,
                    "name": head_repo.split("/")[1],
                    "url": f"{self.base}/repos/{head_repo}",
                },
            },
            "base": {"ref": p["base"]},
        }

    def _file(self, branch: str, path: str) -> dict[str, Any]:
        data = self.files[(branch, path)]
        return {
            "type": "file",
            "encoding": "base64",
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": base64.b64encode(data).decode(),
            "sha": _sha(f"blob {data!r}"),
            "url": f"{self._repo_url}/contents/{path}?ref={branch}",
        }

    # -- the endpoints -------------------------------------------------------------------

    def _dispatch(
        self, op: str, params: dict[str, str], query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], str]:
        handler = getattr(self, "_op_" + op.replace("/", "_").replace("-", "_"))
        return handler(params, query, body)  # type: ignore[no-any-return]

    def _op_repos_get(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        return self._json(
            200,
            {
                "full_name": self.repo,
                "name": self.repo.split("/")[1],
                "default_branch": self.default_branch,
                "url": self._repo_url,
                "owner": self._user(self.repo.split("/")[0]),
            },
        )

    def _op_git_get_ref(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        branch = p["ref"].removeprefix("heads/")
        if branch not in self.refs:
            return self._json(404, {"message": "Not Found"})
        return self._json(
            200,
            {
                "ref": f"refs/heads/{branch}",
                "url": f"{self._repo_url}/git/refs/heads/{branch}",
                "object": {
                    "sha": self.refs[branch],
                    "type": "commit",
                    "url": f"{self._repo_url}/git/commits/{self.refs[branch]}",
                },
            },
        )

    def _op_git_create_ref(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        branch = b["ref"].removeprefix("refs/heads/")
        if branch in self.refs:
            return self._json(422, {"message": "Reference already exists"})
        self.refs[branch] = b["sha"]
        return self._json(
            201,
            {
                "ref": b["ref"],
                "url": f"{self._repo_url}/git/{b['ref']}",
                "object": {"sha": b["sha"], "type": "commit", "url": ""},
            },
        )

    def _op_repos_get_content(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        branch, path = q.get("ref", self.default_branch), p["path"].rstrip("/")
        if branch not in self.refs:
            return self._json(404, {"message": "Not Found"})
        if (branch, path) in self.files:
            return self._json(200, self._file(branch, path))
        inside = sorted(f for b, f in self.files if b == branch and f.startswith(path + "/"))
        if not inside:
            return self._json(404, {"message": "Not Found"})
        listed = [self._file(branch, f) for f in inside if "/" not in f[len(path) + 1 :]]
        return self._json(200, [{k: v for k, v in f.items() if k != "content"} for f in listed])

    def _op_repos_create_or_update_file_contents(
        self, p: dict[str, str], q: dict[str, str], b: Any
    ) -> Any:
        branch, path = b.get("branch", self.default_branch), p["path"]
        if branch not in self.refs:
            return self._json(404, {"message": "Branch not found"})
        key = (branch, path)
        if key in self.files:
            if "sha" not in b:
                return self._json(422, {"message": 'Invalid request.\n\n"sha" wasn\'t supplied.'})
            if b["sha"] != self._file(branch, path)["sha"]:
                return self._json(409, {"message": f"{path} does not match {b['sha']}"})
        self.files[key] = base64.b64decode(b["content"])
        self.commits.append(key)
        self.messages.append(b["message"])
        self.refs[branch] = _sha(f"commit {len(self.commits)}")
        return self._json(
            201 if len(self.commits) else 200,
            {
                "content": self._file(branch, path),
                "commit": {"sha": self.refs[branch], "message": b["message"]},
            },
        )

    def _op_repos_create_dispatch_event(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        self.dispatches.append(b)
        return 204, {}, ""

    def _op_issues_get(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        number = int(p["issue_number"])
        if number not in self.issues:
            return self._json(404, {"message": "Not Found"})
        i = self.issues[number]
        return self._json(
            200,
            {
                "number": number,
                "title": i["title"],
                "body": i["body"],
                "labels": [{"name": n} for n in i["labels"]],
                "state": "open",
                "user": self._user(i.get("user", "Codertocat")),
                "url": f"{self._repo_url}/issues/{number}",
            },
        )

    def _op_issues_list_comments(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        number = int(p["issue_number"])
        mine = [
            self._comment(c) for c in sorted(self.comments) if self.comments[c]["issue"] == number
        ]
        return self._json(200, mine)

    def _op_issues_create_comment(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        cid = next(self._ids)
        self.comments[cid] = {
            "issue": int(p["issue_number"]),
            "body": b["body"],
            "user": self.login,
        }
        return self._json(201, self._comment(cid))

    def _op_issues_get_comment(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        cid = int(p["comment_id"])
        if cid not in self.comments:
            return self._json(404, {"message": "Not Found"})
        return self._json(200, self._comment(cid))

    def _op_issues_update_comment(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        cid = int(p["comment_id"])
        if cid not in self.comments:
            return self._json(404, {"message": "Not Found"})
        self.comments[cid]["body"] = b["body"]
        return self._json(200, self._comment(cid))

    def _op_pulls_list(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        found = [
            self._pull(n)
            for n, pr in sorted(self.pulls.items())
            if pr["state"] == q.get("state", "open")
            and ("head" not in q or q["head"] == self._pull(n)["head"]["label"])
        ]
        return self._json(200, found)

    def _op_pulls_create(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        owner = self.repo.split("/")[0]
        if any(pr["head"] == b["head"] and pr["state"] == "open" for pr in self.pulls.values()):
            return self._json(
                422,
                {
                    "message": "Validation Failed",
                    "errors": [
                        {
                            "resource": "PullRequest",
                            "code": "custom",
                            "message": f"A pull request already exists for {owner}:{b['head']}.",
                        }
                    ],
                },
            )
        if b.get("draft") and not self.drafts_allowed:
            return self._json(
                422,
                {
                    "message": "Validation Failed",
                    "errors": [
                        {
                            "resource": "PullRequest",
                            "code": "custom",
                            "message": "Draft pull requests are not supported in this repository.",
                        }
                    ],
                },
            )
        if b["head"] not in self.refs:
            return self._json(
                422,
                {"message": "Validation Failed", "errors": [{"field": "head", "code": "invalid"}]},
            )
        number = max([0, *self.pulls, *self.issues]) + 1
        self.pulls[number] = {
            "state": "open",
            "draft": bool(b.get("draft")),
            "title": b["title"],
            "body": b.get("body"),
            "head": b["head"],
            "base": b["base"],
        }
        return self._json(201, self._pull(number))

    def _op_pulls_get(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        number = int(p["pull_number"])
        if number not in self.pulls:
            return self._json(404, {"message": "Not Found"})
        return self._json(200, self._pull(number))

    def _op_pulls_update(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        number = int(p["pull_number"])
        self.pulls[number].update({k: v for k, v in b.items() if k in ("body", "title", "state")})
        return self._json(200, self._pull(number))

    def _graphql(self, body: Any) -> tuple[int, dict[str, str], str]:
        """The one GraphQL mutation the bot sends: mark a draft PR ready for review."""
        self.requests.append(Request("POST", "/graphql", "graphql", body))
        self.graphql.append(body)
        query = body.get("query", "") if isinstance(body, dict) else ""
        variables = (body.get("variables") or {}) if isinstance(body, dict) else {}
        errors = graphql_errors(query, variables)
        if errors:  # as GitHub answers a query its schema refuses
            self.problems.append(f"GraphQL request refused by GitHub's schema: {errors[0]}")
            return self._json(200, {"errors": [{"message": e} for e in errors]})
        if "markPullRequestReadyForReview" not in query:
            self.problems.append(f"unexpected GraphQL request: {body!r}")
            return self._json(200, {"errors": [{"message": "unexpected query"}]})
        node = variables.get("id")
        for number, pr in self.pulls.items():
            if node == f"PR_node{number}":
                pr["draft"] = False
                data = {"markPullRequestReadyForReview": {"pullRequest": {"isDraft": False}}}
                wrong = graphql_answer_errors(query, variables, data)
                if wrong:
                    self.problems.append(f"GraphQL answer does not fit the query: {wrong[0]}")
                return self._json(200, {"data": data})
        return self._json(200, {"errors": [{"message": f"Could not resolve to a node {node}"}]})

    def _op_reactions_create_for_issue_comment(
        self, p: dict[str, str], q: dict[str, str], b: Any
    ) -> Any:
        cid = int(p["comment_id"])
        self.reactions.append((cid, b["content"]))
        return self._json(
            201, {"id": len(self.reactions), "content": b["content"], "user": self._user("bot")}
        )

    def _op_actions_list_workflow_runs(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        runs = [
            {
                "id": rid,
                "name": "ebook book",
                "display_title": r["display_title"],
                "status": r["status"],
                "path": f".github/workflows/{r['workflow']}",
            }
            for rid, r in sorted(self.runs.items())
            if r["workflow"] == p["workflow_id"] and r["status"] == q.get("status", r["status"])
        ]
        return self._json(200, {"total_count": len(runs), "workflow_runs": runs})

    def _op_actions_cancel_workflow_run(self, p: dict[str, str], q: dict[str, str], b: Any) -> Any:
        rid = int(p["run_id"])
        if rid not in self.runs:
            return self._json(404, {"message": "Not Found"})
        self.runs[rid]["status"] = "cancelled"
        self.cancelled.append(rid)
        return self._json(202, {})

    def _op_repos_get_collaborator_permission_level(
        self, p: dict[str, str], q: dict[str, str], b: Any
    ) -> Any:
        perm = self.permissions.get(p["username"], "read")
        return self._json(
            200, {"permission": perm, "role_name": perm, "user": self._user(p["username"])}
        )
