"""JSON from a submission, with its nesting depth capped *before* it is parsed.

Everything a notebook can shape reaches the grader as JSON: the notebook file, the kernel's messages and
the epilogue's record. Deeply nested JSON makes Python's parser, nbformat's schema check, ``deepcopy`` and
pydantic recurse until ``RecursionError``, a crash of the grader rather than a fact about the submission.
``json_depth`` measures the depth without recursion (escapes dropped, every byte but quotes and
brackets deleted, string literals masked by the parity of the quotes before each bracket, brackets
counted by a cumulative sum), so a document deeper than ``MAX_JSON_DEPTH`` is refused as data.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

__all__ = ["MAX_JSON_DEPTH", "JsonTooDeepError", "json_depth", "loads_capped"]

MAX_JSON_DEPTH = 64
"""Notebooks nest about 6 levels, the epilogue's record at most 8; 64 leaves room for any honest output."""

_STRUCTURE = b'"[]{}'
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(_STRUCTURE)))
_QUOTE, _OPENS, _CLOSES = ord('"'), (ord("["), ord("{")), (ord("]"), ord("}"))


class JsonTooDeepError(ValueError):
    """A JSON document nests deeper than the cap; ``depth`` is how deep it went."""

    def __init__(self, depth: int, limit: int) -> None:
        super().__init__(f"JSON nested {depth} levels deep; the limit is {limit}")
        self.depth = depth


def json_depth(raw: bytes | str) -> int:
    """The deepest nesting of arrays and objects in ``raw`` (0 for a scalar), brackets in strings ignored.

    >>> json_depth(b'{"a": [1, {"b": "]]]"}]}')
    3
    """
    data = raw.encode("utf-8", errors="surrogatepass") if isinstance(raw, str) else raw
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")  # escapes only occur inside strings
    codes = np.frombuffer(unescaped.translate(None, _NOT_STRUCTURE), dtype=np.uint8)
    if codes.size == 0:
        return 0
    outside = np.bitwise_xor.accumulate(codes == _QUOTE) == 0  # a closing quote counts as outside
    opens = ((codes == _OPENS[0]) | (codes == _OPENS[1])) & outside
    closes = ((codes == _CLOSES[0]) | (codes == _CLOSES[1])) & outside
    return int(max(0, np.cumsum(opens.astype(np.int64) - closes.astype(np.int64)).max()))


def loads_capped(raw: bytes | str, *, limit: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads(raw)`` once ``raw`` is known to nest at most ``limit`` deep.

    Raises:
        JsonTooDeepError: ``raw`` nests deeper than ``limit`` (a ``ValueError``).
        json.JSONDecodeError, UnicodeDecodeError: as ``json.loads``.
    """
    depth = json_depth(raw)
    if depth > limit:
        raise JsonTooDeepError(depth, limit)
    return json.loads(raw)
