"""Turn the JSON the epilogue wrote into a validated ``CollectedRecord``.

The answers are generic; every other item is the assignment pack's (``ItemSpec``), checked by its parser
for type, shape, finiteness and size (``grader.collect.values``). A problem becomes an ``invalid`` item
with a reason, and an absent one a ``missing`` item. Nothing here raises for a bad submission.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from grader._json import loads_capped
from grader.collect.values import ItemValueError
from grader.packs import ItemSpec, ParseContext
from grader.records.collected import CollectedRecord, FigureRef, Item, Scalar

__all__ = ["MAX_RECORD_BYTES", "nothing_collected", "parse_record", "read_record_file"]

MAX_RECORD_BYTES = 32 * 1024 * 1024
T = TypeVar("T")


def read_record_file(path: Path) -> tuple[dict[str, Any] | None, str]:
    """The epilogue's JSON as a dict, or ``None`` and why it is unusable."""
    if not path.is_file():
        return None, "the notebook produced no grader record (the epilogue did not run)"
    size = path.stat().st_size
    if size > MAX_RECORD_BYTES:
        return None, f"the grader record is {size / 2**20:.0f} MiB; the limit is 32 MiB"
    try:
        data = loads_capped(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError, JsonTooDeepError
        return None, f"the grader record is not valid JSON: {exc}"
    if not isinstance(data, dict):
        return None, "the grader record is not a JSON object"
    return data, ""


def _item(data: Mapping[str, Any], spec: ItemSpec[T], context: ParseContext) -> Item[T]:
    raw = data.get("errors")
    errors: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    if spec.name in errors:
        return Item.invalid(f"{spec.shown} could not be read in the kernel: {errors[spec.name]}")
    if spec.name not in data:
        return Item.missing(f"{spec.shown} was not set by the notebook")
    try:
        return Item.ok(spec.parse(data[spec.name], context))
    except ItemValueError as exc:
        return Item.invalid(f"{spec.shown}: {exc}")


def _scalar(value: Any) -> Scalar:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict) and "__unsupported__" in value:
        return str(value["__unsupported__"])
    return json.dumps(value)[:200]


def parse_record(
    data: Mapping[str, Any],
    items: Sequence[ItemSpec[Any]],
    *,
    figures: tuple[FigureRef, ...] = (),
    n_hidden: int | None = None,
) -> CollectedRecord:
    """Validate the epilogue's JSON ``data`` into a ``CollectedRecord`` (never raises for bad data).

    ``items``: the assignment pack's items (``AssignmentPack.items``); ``n_hidden``: how many hidden
    examples the grader wrote for the kernel.
    """
    raw_answers = data.get("answers")
    answers: dict[str, Item[Scalar]] = {}
    if isinstance(raw_answers, dict):
        answers = {str(k).strip(): Item.ok(_scalar(v)) for k, v in raw_answers.items() if v is not None}
    context = ParseContext(data=data, n_hidden=n_hidden)
    collected = {spec.name: _item(data, spec, context) for spec in items}
    return CollectedRecord.model_validate({"answers": answers, **collected, "figures": figures})


def nothing_collected(reason: str, items: Sequence[ItemSpec[Any]]) -> CollectedRecord:
    """A record whose every item (of ``items``) is ``missing`` for ``reason``, and which says why."""
    missing = {spec.name: {"status": "missing", "reason": reason} for spec in items}
    return CollectedRecord.model_validate({**missing, "problem": reason})
