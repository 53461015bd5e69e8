"""Cut the GitHub REST operations the bot uses out of GitHub's published OpenAPI description.

    npm pack @octokit/openapi && tar xzf octokit-openapi-*.tgz
    python tools/cut_openapi.py package/generated/api.github.com.deref.json \
        tests/fixtures/github/openapi-subset.json --version 23.0.2

The fake GitHub in the tests validates every request against this subset, and every answer
against the documented response for its status; it builds its answers from GitHub's own
example of each operation, so they carry every field GitHub sends.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

OPERATIONS = [
    ("get", "/repos/{owner}/{repo}"),
    ("get", "/repos/{owner}/{repo}/git/ref/{ref}"),
    ("post", "/repos/{owner}/{repo}/git/refs"),
    ("get", "/repos/{owner}/{repo}/contents/{path}"),
    ("put", "/repos/{owner}/{repo}/contents/{path}"),
    ("post", "/repos/{owner}/{repo}/dispatches"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("get", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("get", "/repos/{owner}/{repo}/pulls"),
    ("post", "/repos/{owner}/{repo}/pulls"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("patch", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("get", "/repos/{owner}/{repo}/collaborators/{username}/permission"),
    ("post", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"),
    ("get", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs"),
    ("post", "/repos/{owner}/{repo}/actions/runs/{run_id}/cancel"),
]


def _strip(node: object) -> object:
    """Drop prose and examples: only what validation needs is kept."""
    if isinstance(node, dict):
        return {
            k: _strip(v)
            for k, v in node.items()
            if k not in ("description", "examples", "example", "externalDocs", "summary")
        }
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _schema(response: dict[str, object]) -> object:
    content = response.get("content") or {}
    body = content.get("application/json") if isinstance(content, dict) else None
    return body.get("schema") if isinstance(body, dict) else None


def _examples(op: dict[str, object]) -> dict[str, object]:
    """GitHub's example answer of each documented success status, by status (the first
    example when there are several: a file, not a folder, for the contents API)."""
    found: dict[str, object] = {}
    for code, response in op["responses"].items():  # type: ignore[attr-defined]
        if not code.startswith("2"):
            continue
        content = (response.get("content") or {}).get("application/json") or {}
        examples = content.get("examples") or {}
        for name, example in examples.items():
            value = example.get("value")
            # an example with future changes wraps itself: {"value": ..., "x-github-...": ...}
            if isinstance(value, dict) and "x-github-breaking-changes" in value:
                value = value.get("value")
            found.setdefault(code, {})[name] = value  # type: ignore[union-attr]
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--version", required=True, help="@octokit/openapi version")
    args = parser.parse_args()
    spec = json.loads(args.source.read_text())
    subset: dict[str, object] = {
        "source": f"@octokit/openapi {args.version} generated/api.github.com.deref.json",
        "openapi": spec["openapi"],
        "info_version": spec["info"]["version"],
        "paths": {},
    }
    paths: dict[str, dict[str, object]] = subset["paths"]  # type: ignore[assignment]
    for method, path in OPERATIONS:
        op = spec["paths"][path][method]
        kept = {"operationId": op["operationId"], "parameters": op.get("parameters", [])}
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            kept["requestBody"] = {
                "required": op["requestBody"].get("required", False),
                "schema": body["schema"],
            }
        kept["responses"] = {code: _schema(r) for code, r in sorted(op["responses"].items())}
        paths.setdefault(path, {})[method] = _strip(kept)
        examples = _examples(op)
        if examples:
            paths[path][method]["examples"] = examples  # type: ignore[index]
    args.dest.write_text(json.dumps(subset, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
