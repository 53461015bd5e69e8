"""The shape of `bot/` that docs/architecture.md promises, kept true by tests: two sides,
settings read once, short modules and functions, no import circles."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "bot"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# the command layer and the settings themselves may read the environment
ENV_READERS = {"bot/settings.py", "bot/runtime.py", "bot/cli.py"}
# passes the process environment through to `git` (plus its auth), reads no setting
ENV_PASS_THROUGH = {"bot/github/gitops.py"}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path, *, typing_too: bool = False) -> Iterator[str]:
    """The bot modules `path` imports (anywhere in it; TYPE_CHECKING blocks only if asked)."""
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    if not typing_too:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and _is_type_checking(node):
                skip |= {id(n) for child in node.body for n in ast.walk(child)}
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("bot"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot"):
            yield node.module
            yield from (f"{node.module}.{a.name}" for a in node.names)


@pytest.mark.parametrize("path", modules(), ids=rel)
def test_module_is_short(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{rel(path)}: {lines} lines"


def test_no_function_is_long() -> None:
    long = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    long.append(f"{rel(path)}:{node.lineno} {node.name} ({size} lines)")
    assert long == []


def test_the_book_side_knows_nothing_of_github() -> None:
    forbidden = ("bot.github", "bot.commands", "bot.cli", "bot.runtime", "bot.ops")
    found = [
        f"{rel(path)} imports {name}"
        for path in modules()
        if module_name(path).startswith("bot.book")
        for name in imports(path, typing_too=True)
        if name.startswith(forbidden)
    ]
    assert found == []


def test_only_the_command_layer_reads_the_environment() -> None:
    readers = []
    for path in modules():
        if rel(path) in ENV_READERS:
            continue
        text = path.read_text()
        reads = ("os.environ" in text and rel(path) not in ENV_PASS_THROUGH) or any(
            word in text for word in ("os.getenv", "load_settings(", "Settings()")
        )
        if reads:
            readers.append(rel(path))
    assert readers == []


def _import_graph(*, typing_too: bool) -> dict[str, set[str]]:
    names = {module_name(p): p for p in modules()}
    graph = {
        name: {
            target
            for imported in imports(path, typing_too=typing_too)
            for target in (imported, imported.rpartition(".")[0])
            if target in names and target != name
        }
        for name, path in names.items()
    }
    # a package importing its own submodules (re-exports) is not a circle
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    return graph


def test_no_import_circles() -> None:
    assert _cycles(_import_graph(typing_too=False)) == []


def test_no_import_circles_even_for_type_checking() -> None:
    """Imports for type checking tie modules together all the same (book_job <-> summary
    and verdict <-> generation were two, issue 23)."""
    assert _cycles(_import_graph(typing_too=True)) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found
