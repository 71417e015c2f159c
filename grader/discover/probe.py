"""A cheap first look at a notebook file: its hash, and whether it can be graded at all.

The probe catches what makes a file ungradable before any kernel starts: empty, over the size cap,
not JSON, not a notebook, an nbformat version the grader does not read. These rules have their one home
here (``size_problem``, ``content_problem``): ``grader.prepare.notebook.read_notebook`` applies them
first and adds the deeper checks (the nbformat schema, at least one code cell); the pipeline records
either as ``INVALID`` with the same words.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from grader._json import JsonTooDeepError, loads_capped
from grader.discover.archive import file_sha256
from grader.records.contract import MAX_NOTEBOOK_BYTES

__all__ = ["Probe", "content_problem", "probe_notebook", "size_problem"]

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


def size_problem(size: int, max_bytes: int = MAX_NOTEBOOK_BYTES) -> str | None:
    """Why a notebook file of ``size`` bytes cannot be graded (empty, over ``max_bytes``), or None.

    >>> size_problem(0), size_problem(51 * 2**20)
    ('empty file (0 bytes)', 'file is 51.0 MiB; the limit is 50 MiB')
    """
    if size == 0:
        return "empty file (0 bytes)"
    if size > max_bytes:
        return f"file is {size / 2**20:.1f} MiB; the limit is {max_bytes / 2**20:.0f} MiB"
    return None


def content_problem(raw: bytes) -> tuple[str | None, str | None]:
    """``(problem, note)`` for a notebook file's bytes: UTF-8 JSON (depth-capped), an object, an
    nbformat the grader reads, a ``cells`` list. ``problem`` None: readable; ``note``: worth telling."""
    doc, problem = _json_problem(raw)
    if problem is not None:
        return problem, None
    return _format_problem(doc)


def probe_notebook(path: Path, *, max_bytes: int = MAX_NOTEBOOK_BYTES) -> Probe:
    """Hash ``path`` and say whether it can be graded; ``max_bytes`` defaults to 50 MiB."""
    size = path.stat().st_size
    if (too := size_problem(size, max_bytes)) is not None:
        sha = hashlib.sha256(b"").hexdigest() if size == 0 else file_sha256(path)
        return Probe(sha, size, too)
    raw = path.read_bytes()
    problem, note = content_problem(raw)
    return Probe(hashlib.sha256(raw).hexdigest(), size, problem, note)
