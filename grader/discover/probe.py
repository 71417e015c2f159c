"""A cheap first look at a notebook file: its hash, and whether it can be graded at all.

The probe catches what makes a file ungradable before any kernel starts: empty, over the size cap,
not JSON, not a notebook, an nbformat version the grader does not read. Deeper checks (the nbformat
schema) stay with the pipeline, which records them as ``INVALID`` the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from grader._json import JsonTooDeepError, loads_capped
from grader.discover.archive import file_sha256
from grader.records.contract import MAX_NOTEBOOK_BYTES

__all__ = ["Probe", "probe_notebook"]

_READABLE_MAJOR = {4: None, 3: "nbformat 3 notebook, converted to nbformat 4 for grading"}


@dataclass(frozen=True)
class Probe:
    """``problem``: why the file cannot be graded (``None``: it can). ``note``: worth telling the TA."""

    sha256: str
    size: int
    problem: str | None = None
    note: str | None = None


def _json_problem(raw: bytes) -> tuple[object, str | None]:
    try:
        return loads_capped(raw.decode("utf-8")), None
    except UnicodeDecodeError as exc:
        return None, f"not a notebook: not UTF-8 text (byte {exc.start})"
    except json.JSONDecodeError as exc:
        return None, f"not valid notebook JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
    except JsonTooDeepError as exc:
        return None, f"not valid notebook JSON: {exc}"


def _format_problem(doc: object) -> tuple[str | None, str | None]:
    """``(problem, note)`` for a parsed JSON document that should be a notebook."""
    if not isinstance(doc, dict):
        return f"not a notebook: the JSON is a {type(doc).__name__}, not an object", None
    version = doc.get("nbformat")
    if version is None:
        return "not a notebook: no 'nbformat' field", None
    if not isinstance(version, int) or isinstance(version, bool) or version not in _READABLE_MAJOR:
        return f"nbformat version {version!r}; the grader reads 4 (re-save the file in Jupyter)", None
    if version == 4 and not isinstance(doc.get("cells"), list):
        return "not a notebook: no 'cells' list", None
    return None, _READABLE_MAJOR[version]


def probe_notebook(path: Path, *, max_bytes: int = MAX_NOTEBOOK_BYTES) -> Probe:
    """Hash ``path`` and say whether it can be graded; ``max_bytes`` defaults to 50 MiB."""
    size = path.stat().st_size
    if size == 0:
        return Probe(hashlib.sha256(b"").hexdigest(), 0, "empty file (0 bytes)")
    if size > max_bytes:
        huge = f"file is {size / 2**20:.1f} MiB; the limit is {max_bytes / 2**20:.0f} MiB"
        return Probe(file_sha256(path), size, huge)
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    doc, problem = _json_problem(raw)
    if problem is not None:
        return Probe(sha, size, problem)
    problem, note = _format_problem(doc)
    return Probe(sha, size, problem, note)
