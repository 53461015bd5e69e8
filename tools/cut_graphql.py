"""Cut the part of GitHub's GraphQL schema the bot's queries use out of the published one.

    npm pack @octokit/graphql-schema && tar xzf octokit-graphql-schema-*.tgz
    python tools/cut_graphql.py package/schema.json \
        tests/fixtures/github/graphql-subset.json --version 15.26.1

Kept: every type and field the bot's queries (`bot.github.repo.GRAPHQL_QUERIES`) name, the
input types of their arguments whole, and a one-field Query root. The fake GitHub in the
tests validates each GraphQL request against this subset with graphql-core.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from graphql import (
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_client_schema,
    parse,
    visit,
)

from bot.github.repo import GRAPHQL_QUERIES

STANDARD = {"String", "Boolean", "ID", "Int", "Float"}


def _used(schema: Any, queries: tuple[str, ...]) -> dict[str, set[str]]:
    """(type name -> field names) that the queries select."""
    used: dict[str, set[str]] = {}
    info = TypeInfo(schema)

    class Fields(Visitor):
        def enter_field(self, node: Any, *_: Any) -> None:
            parent = info.get_parent_type()
            if parent is not None:
                used.setdefault(parent.name, set()).add(node.name.value)

    for query in queries:
        visit(parse(query), TypeInfoVisitor(info, Fields()))
    return used


def _named(ref: dict[str, Any]) -> str:
    while ref.get("ofType"):
        ref = ref["ofType"]
    return str(ref["name"])


def cut(full: dict[str, Any], queries: tuple[str, ...]) -> dict[str, Any]:
    data = full.get("data", full)["__schema"]
    types = {t["name"]: t for t in data["types"]}
    used = _used(build_client_schema({"__schema": data}), queries)
    root = data["queryType"]["name"]
    used.setdefault(root, set()).add("viewer")
    used.setdefault("User", set()).add("login")
    kept: dict[str, dict[str, Any]] = {}
    todo = list(used) + sorted(STANDARD)
    while todo:
        name = todo.pop()
        if name in kept:
            continue
        kind = dict(types[name])
        if kind["kind"] in ("OBJECT", "INTERFACE"):
            kind["fields"] = [f for f in kind["fields"] if f["name"] in used.get(name, set())]
            kind["interfaces"] = []
            if kind["kind"] == "INTERFACE":
                kind["possibleTypes"] = []
            for f in kind["fields"]:
                todo += [_named(f["type"])] + [_named(a["type"]) for a in f["args"]]
        elif kind["kind"] == "INPUT_OBJECT":
            todo += [_named(f["type"]) for f in kind["inputFields"]]
        elif kind["kind"] == "UNION":
            kind["possibleTypes"] = []
        kept[name] = kind
    kept.update({n: t for n, t in types.items() if n.startswith("__")})
    directives = [d for d in data["directives"] if d["name"] in ("include", "skip")]
    subset = dict(data, types=[kept[n] for n in sorted(kept)], directives=directives)
    subset["subscriptionType"] = None
    build_client_schema({"__schema": subset})  # a schema graphql-core accepts
    return {"__schema": subset}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--version", required=True, help="@octokit/graphql-schema version")
    args = parser.parse_args()
    subset = cut(json.loads(args.source.read_text()), GRAPHQL_QUERIES)
    subset["source"] = f"@octokit/graphql-schema {args.version} schema.json"
    args.dest.write_text(json.dumps(subset, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
