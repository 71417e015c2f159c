"""The sample submissions of every assignment and what grading them should give: their manifests.

Week 11's live in ``submissions/`` (``submissions/manifest.yaml``); every other pack keeps its own in
``assignments/<name>/samples/manifest.yaml``. A manifest names the rubric, the template and the profile its
outcomes hold for (paths from the repository root) and lists each sample with its expected status and
points per question (``null``: not stated). ``make demo`` (``scripts/demo.py``) and ``tests/test_samples.py``
grade them all from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ROOT", "SampleManifest", "mismatches", "sample_manifests"]

ROOT = Path(__file__).resolve().parents[1]
_KEYS = ("assignment", "rubric", "template", "profile", "submissions")


@dataclass(frozen=True, slots=True)
class SampleManifest:
    """One manifest: its file, the folder of its samples (the manifest's own) and what it states."""

    path: Path
    assignment: str
    rubric: Path
    template: Path
    profile: str
    entries: tuple[Mapping[str, Any], ...]

    @property
    def folder(self) -> Path:
        return self.path.parent


def _read(path: Path, root: Path) -> SampleManifest:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    missing = [key for key in _KEYS if not isinstance(data, dict) or key not in data]
    if missing:
        raise ValueError(f"{path}: missing key(s) {', '.join(missing)} (see {Path(__file__).name})")
    return SampleManifest(path, str(data["assignment"]), root / data["rubric"], root / data["template"],
                          str(data["profile"]), tuple(data["submissions"]))


def sample_manifests(root: Path = ROOT) -> list[SampleManifest]:
    """Week 11's manifest first, then each pack's (``assignments/*/samples/manifest.yaml``) by name."""
    paths = [root / "submissions" / "manifest.yaml", *sorted(root.glob("assignments/*/samples/manifest.yaml"))]
    return [_read(path, root) for path in paths if path.is_file()]


def mismatches(manifest: SampleManifest, results: Iterable[Any]) -> list[str]:
    """How ``results`` (``GradedSubmission``s of a run over the manifest's samples) differ from it: one line
    per sample whose status or stated points differ, or that has no result."""
    by_id = {g.result.student_id: g.result for g in results}
    problems = []
    for entry in manifest.entries:
        result = by_id.get(str(entry["student_id"]))
        if result is None:
            problems.append(f"{entry['scenario']}: no result for student {entry['student_id']}")
            continue
        if result.status.value != entry["expected_status"]:
            problems.append(f"{entry['scenario']}: status {result.status.value}, expected {entry['expected_status']}")
        earned = {q.id: q.points for q in result.questions}
        for qid, expected in entry["expected_points"].items():
            if expected is not None and earned.get(qid) != expected:
                problems.append(f"{entry['scenario']}: {qid} earned {earned.get(qid)}, expected {expected}")
    return problems
