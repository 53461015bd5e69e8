"""Safe YAML in and canonical YAML out.

Specs come from issue bodies, so the loader is strict: a size cap, no tags (`!!python/...`),
no anchors or aliases (alias bombs), no duplicate keys. The dumper is canonical, so
load -> dump -> load -> dump is byte-identical.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.errors import SpecError

MAX_SPEC_BYTES = 256 * 1024


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise SpecError(
                f"duplicate key {key!r} at line {key_node.start_mark.line + 1}",
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _where(event: yaml.Event) -> str:
    mark = event.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"


def load_yaml(text: str | bytes, *, source: str = "spec") -> Any:
    """Parse untrusted YAML text, refusing anything beyond plain data."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > MAX_SPEC_BYTES:
        raise SpecError(
            f"{source}: file is {len(raw):,} bytes; a spec may be at most {MAX_SPEC_BYTES:,} bytes"
        )
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        # Walk the events first: tags and anchors are refused before anything is built.
        for event in yaml.parse(decoded, Loader=yaml.SafeLoader):
            anchor = getattr(event, "anchor", None)
            if isinstance(event, yaml.AliasEvent) or anchor is not None:
                raise SpecError(f"{source}: anchors and aliases are not allowed ({_where(event)})")
            tag = getattr(event, "tag", None)
            implicit = getattr(event, "implicit", True)
            explicit = tag is not None and (
                implicit is False or (isinstance(implicit, tuple) and not any(implicit))
            )
            if explicit:
                raise SpecError(f"{source}: YAML tags are not allowed ({tag} at {_where(event)})")
        return yaml.load(decoded, Loader=_StrictLoader)  # noqa: S506 - strict SafeLoader subclass
    except SpecError as exc:
        if not exc.message.startswith(source):
            exc.message = f"{source}: {exc.message}"
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(f"{source}: not valid YAML: {problem}{where}") from None


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _canonical(base: type[yaml.SafeDumper]) -> type[yaml.SafeDumper]:
    """`base` with block style, no aliases and literal blocks for multi-line text."""

    class Canonical(base):  # type: ignore[valid-type,misc]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    Canonical.add_representer(str, _represent_str)
    return Canonical


PY_DUMPER = _canonical(yaml.SafeDumper)
# libyaml's emitter is ~50x faster and, with these settings, writes the same bytes (tested)
DUMPER = _canonical(getattr(yaml, "CSafeDumper", yaml.SafeDumper))


def dump_yaml(data: Any, dumper: type[yaml.SafeDumper] | None = None) -> str:
    """Dump plain data canonically (key order as given, UTF-8, block style)."""
    return yaml.dump(
        data,
        Dumper=dumper or DUMPER,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=2,
    )
