"""The LMS roster an output folder was graded with, kept in ``OUT/lms/`` so that every later publish
(``grader report``, the review app) writes the same importable files with the grades of the moment.

``OUT/lms/settings.json``: ``{"roster": "<file name>", "lms_assignment": ..., "extra_credit": ...,
"rubric_title": ...}``; the roster file itself is copied beside it, byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from grader.errors import LmsFileError
from grader.export._scale import ExtraCredit
from grader.store.files import write_atomic

__all__ = ["LMS_DIR", "LmsSettings", "load_lms_settings", "resolve_lms_settings", "save_lms_settings"]

LMS_DIR = "lms"
_SETTINGS = "settings.json"


@dataclass(frozen=True)
class LmsSettings:
    """How the LMS exports of an output folder are made. ``roster``: the kept copy's path."""

    roster: Path
    lms_assignment: str | None = None
    extra_credit: ExtraCredit = "separate"
    rubric_title: str = ""


def save_lms_settings(out_dir: Path, roster: Path, settings: LmsSettings) -> LmsSettings:
    """Copy ``roster`` into ``out_dir/lms/`` and record ``settings`` there; returns them with the copy's path."""
    kept = out_dir / LMS_DIR / roster.name
    if kept.resolve() != roster.resolve():
        write_atomic(kept, roster.read_bytes())
    data: dict[str, Any] = asdict(settings) | {"roster": roster.name}
    write_atomic(out_dir / LMS_DIR / _SETTINGS, json.dumps(data, indent=1) + "\n")
    return LmsSettings(kept, settings.lms_assignment, settings.extra_credit, settings.rubric_title)


def load_lms_settings(out_dir: Path) -> LmsSettings | None:
    """The recorded settings (``None`` when the folder was never graded with a roster)."""
    path = out_dir / LMS_DIR / _SETTINGS
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        extra = data.get("extra_credit", "separate")
        if extra not in ("separate", "added"):
            raise ValueError(f"extra_credit {extra!r}")
        return LmsSettings(out_dir / LMS_DIR / str(data["roster"]), data.get("lms_assignment"), extra,
                           str(data.get("rubric_title", "")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LmsFileError(f"{path}: unreadable ({exc}); give the roster again with --roster") from exc


def resolve_lms_settings(
    out_dir: Path,
    *,
    roster: Path | None = None,
    lms_assignment: str | None = None,
    extra_credit: ExtraCredit | None = None,
    rubric_title: str | None = None,
) -> LmsSettings | None:
    """The settings to export with: each one given wins over the one recorded in ``out_dir``
    (``None``: as recorded); ``None`` when no roster was given and none is recorded."""
    saved = load_lms_settings(out_dir)
    path = roster or (saved.roster if saved is not None else None)
    if path is None:
        return None
    return LmsSettings(
        path,
        lms_assignment or (saved.lms_assignment if saved else None),
        extra_credit or (saved.extra_credit if saved else "separate"),
        rubric_title if rubric_title is not None else (saved.rubric_title if saved else ""),
    )
