"""Turn pydantic's validation errors into RubricError lines a course author can act on.

Each line reads ``FILE: KEY.PATH: what is wrong; expected ...; got ...``, e.g.
``rubrics/week11.yaml: questions[1].criteria[0].metric: unknown 'hiden_roc_auc'; expected one of
['cv_pr_auc', 'cv_roc_auc', ...] (did you mean 'hidden_roc_auc'?)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from grader.rubric._base import did_you_mean

__all__ = ["format_loc", "format_validation_error"]

_TYPE_NAMES = {
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "tuple_type": "a list",
    "list_type": "a list",
    "string_type": "a string",
    "float_type": "a number",
    "int_type": "a whole number",
    "bool_type": "true or false",
}
_BOUNDS = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def format_loc(loc: Sequence[int | str]) -> str:
    """``('questions', 1, 'criteria', 0, 'metric')`` -> ``questions[1].criteria[0].metric``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out or "(top level)"


def _got(value: Any) -> str:
    if isinstance(value, Mapping):
        return "got a mapping"
    if isinstance(value, list):
        return "got a list"
    text = repr(value)
    return f"got {text if len(text) <= 60 else text[:57] + '...'}"


def _describe(error: ErrorDetails) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind in ("unknown_key", "unknown_value", "bad_value", "missing_key"):
        return error["msg"]
    if kind == "missing":
        return "required key is missing"
    if kind in _BOUNDS:
        bound = next(ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx)
        return f"expected a number {_BOUNDS[kind]} {bound:g}, got {value!r}"
    if kind == "too_short":
        return f"expected at least {ctx.get('min_length')} item(s), got {ctx.get('actual_length')}"
    if kind in ("literal_error", "enum"):
        allowed = _QUOTED.findall(str(ctx.get("expected", "")))
        return f"unknown {value!r}; expected one of {allowed}{did_you_mean(value, allowed)}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"expected a string, got the number {value!r}; quote it: '{value}'"
    if kind in _TYPE_NAMES:
        return f"expected {_TYPE_NAMES[kind]}, {_got(value)}"
    text = error["msg"]
    text = "expected " + text[len("Input should be ") :] if text.startswith("Input should be ") else text
    return f"{text}, {_got(value)}"


def _question_hint(loc: Sequence[int | str], data: Any) -> str:
    """`` (question '2.5')`` when ``loc`` lies inside a question whose id can be read from ``data``."""
    if len(loc) < 2 or loc[0] != "questions" or not isinstance(loc[1], int) or not isinstance(data, Mapping):
        return ""
    questions = data.get("questions")
    if not isinstance(questions, list) or not 0 <= loc[1] < len(questions):
        return ""
    entry = questions[loc[1]]
    qid = entry.get("id") if isinstance(entry, Mapping) else None
    return f" (question {str(qid)!r})" if qid is not None else ""


def _shadowed(error: ErrorDetails, errors: Sequence[ErrorDetails]) -> bool:
    """A length error on a list whose items already failed (pydantic reports both)."""
    loc = tuple(error["loc"])
    return any(tuple(other["loc"])[: len(loc)] == loc and len(other["loc"]) > len(loc) for other in errors)


def format_validation_error(exc: ValidationError, source: str, data: Any = None) -> str:
    """One line per error: ``SOURCE: KEY.PATH[ (question ID)]: message``."""
    errors = exc.errors(include_url=False)
    lines = []
    for error in errors:
        ctx = error.get("ctx") or {}
        loc = (*error["loc"], *ctx.get("at", ()))
        if error["type"] == "too_short" and _shadowed(error, errors):
            continue
        lines.append(f"{source}: {format_loc(loc)}{_question_hint(loc, data)}: {_describe(error)}")
    return "\n".join(dict.fromkeys(lines))
