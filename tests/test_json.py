"""The depth scan agrees with a recursive reference on random documents, and refuses deep ones before parsing."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from grader._json import MAX_JSON_DEPTH, JsonTooDeepError, json_depth, loads_capped

TRICKY = ['', '"', '\\', '\\"', '[', ']', '{', '}', '"]"', '\\\\"[', 'é[', '\u2028', '\x00{']


def _reference_depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_reference_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_reference_depth(v) for v in value.values()), default=0)
    return 0


def _random_document(rng: random.Random, depth: int) -> Any:
    kind = rng.randrange(5) if depth > 0 else rng.randrange(2)
    if kind == 0:
        return "".join(rng.choice(TRICKY) for _ in range(rng.randrange(4)))
    if kind == 1:
        return rng.choice([0, -1.5, True, None, 1e300])
    if kind == 2:
        return [_random_document(rng, depth - 1) for _ in range(rng.randrange(4))]
    keys = ("".join(rng.choice(TRICKY) for _ in range(2)) for _ in range(rng.randrange(4)))
    return {k: _random_document(rng, depth - 1) for k in keys}


@pytest.mark.parametrize("seed", range(200))
def test_depth_matches_a_recursive_reference(seed: int) -> None:
    rng = random.Random(seed)
    doc = _random_document(rng, rng.randrange(12))
    for ascii_only in (True, False):
        raw = json.dumps(doc, ensure_ascii=ascii_only)
        assert json_depth(raw) == json_depth(raw.encode()) == _reference_depth(doc), raw


def test_a_deep_document_is_refused_before_it_is_parsed() -> None:
    deep = "[" * 100_000 + "]" * 100_000  # json.loads would raise RecursionError
    with pytest.raises(JsonTooDeepError, match="nested 100000 levels deep; the limit is 64"):
        loads_capped(deep)
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert _reference_depth(loads_capped(at_limit)) == MAX_JSON_DEPTH
