"""Validation messages for the spec and config models: one line per problem, each naming
the field by its dotted path, with a suggestion for a misspelt key or value."""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.errors import SpecError
from bot.text import did_you_mean

M = TypeVar("M", bound=BaseModel)
_MESSAGES = {
    "extra_forbidden": "unknown field",
    "missing": "required field is missing",
}
_INTERNAL = ("function-after[_pages_shorthand()]",)


def _format_loc(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model whose field `loc` names (following nested models, lists and dicts)."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            field = current.model_fields.get(part)
            if field is None:
                return None
            current = field.annotation
        current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """The model inside `X | None`, `list[X]` or `dict[K, X]` (or the annotation itself)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(inner[0]) if len(inner) == 1 else annotation
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (list, dict):
        return _unwrap(typing.get_args(annotation)[-1])
    return annotation


def _suggestion(model: type[BaseModel], loc: tuple[int | str, ...], err: Any) -> str:
    """' (did you mean ...?)' for a misspelt key or enum value, else ''."""
    if err["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
        parent = _model_at(model, loc[:-1])
        return did_you_mean(loc[-1], list(parent.model_fields)) if parent else ""
    if err["type"] in ("enum", "literal_error") and isinstance(err.get("input"), str):
        expected = str(err.get("ctx", {}).get("expected", ""))
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ",").split(",")]
        return did_you_mean(err["input"], [c for c in choices if c])
    return ""


def validation_problems(exc: ValidationError, model: type[BaseModel]) -> list[str]:
    """One line per problem, each naming the field by its dotted path."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(x for x in err["loc"] if x not in _INTERNAL)
        msg = _MESSAGES.get(err["type"], err["msg"])
        if err["type"] == "enum":
            msg = f"must be one of {err.get('ctx', {}).get('expected', '')}"
        msg = msg.removeprefix("Value error, ") + _suggestion(model, loc, err)
        problems.append(f"{_format_loc(loc)}: {msg}")
    return problems


def validate_mapping(model: type[M], data: Any, *, source: str, what: str) -> M:
    """Plain data as `model`; a SpecError lists every problem with its field path."""
    if data is None:
        raise SpecError(f"{source}: the {what} is empty (see specs/examples/ for a start)")
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        raise SpecError(f"{source}: a {what} is a mapping of `key: value` lines, not {kind}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SpecError(f"{source}: invalid {what}", validation_problems(exc, model)) from None
