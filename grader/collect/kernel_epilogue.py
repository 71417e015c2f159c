"""Source of the grader's epilogue cell, generic part: runs INSIDE the student's kernel, after their cells.

This file is never imported by the grader for its behaviour; ``epilogue_source(pack)`` in
``grader.collect.epilogue`` reads it as text, appends the assignment pack's kernel code (which defines
``_pack_collect``) and a call. It turns ``ANSWERS`` and whatever the pack grabs into plain JSON (numbers,
strings, lists) and writes ``grader_record.json``. It scores nothing: whatever it writes is validated by
the grader outside the sandbox, and nothing is ever unpickled.
"""

from __future__ import annotations

from typing import Any

RECORD_FILE = "grader_record.json"
MAX_STR = 2000
MAX_LIST = 100_000


def _grader_collect(ns: dict[str, Any], pack_collect: Any = None) -> None:
    """Collect ``ANSWERS``, then the pack's items (``pack_collect(record, ns, plain, grab)``), into JSON."""
    import json
    import math
    import os

    record: dict[str, Any] = {"schema": 1, "errors": {}, "present": []}

    def plain(value: Any, depth: int = 0) -> Any:
        """Numbers, strings, booleans, None, and nested lists/dicts of them; anything else as text."""
        if value is None or isinstance(value, bool | int | str):
            return value[:MAX_STR] if isinstance(value, str) else value
        if isinstance(value, float):
            return value if math.isfinite(value) else repr(value)
        if hasattr(value, "detach"):
            value = value.detach().cpu().numpy()
        if hasattr(value, "tolist") and hasattr(value, "dtype"):
            return plain(value.tolist(), depth)
        if depth < 4 and isinstance(value, dict):
            return {str(k)[:200]: plain(v, depth + 1) for k, v in list(value.items())[:1000]}
        if depth < 4 and isinstance(value, list | tuple):
            return [plain(v, depth + 1) for v in list(value)[:MAX_LIST]]
        return {"__unsupported__": f"{type(value).__name__}: {repr(value)[:200]}"}

    def grab(key: str, name: str) -> None:
        if name not in ns:
            return
        record["present"].append(name)
        try:
            record[key] = plain(ns[name])
        except Exception as exc:  # the student's object may raise anything; record and go on
            record["errors"][key] = f"{type(exc).__name__}: {str(exc)[:300]}"

    grab("answers", "ANSWERS")
    if pack_collect is not None:
        pack_collect(record, ns, plain, grab)

    tmp = RECORD_FILE + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(record, handle, allow_nan=True)
    os.replace(tmp, RECORD_FILE)
    print(f"grader: collected {', '.join(record['present']) or 'nothing'}")
