"""The sample submissions: a well-formed manifest, LMS file names, no drift from make_samples.py."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest
import yaml

from grader.assign import LockedChangeKind, verify_locked
from grader.records.result import SubmissionStatus
from grader.rubric import load_rubric

from ._notebooks import ROOT, TEMPLATE

SUBMISSIONS = ROOT / "submissions"
MOODLE = re.compile(r"^(?P<name>[^/]+)_(?P<id>\d+)_assignsubmission_file_/week11\.ipynb$")
CANVAS = re.compile(r"^(?P<name>[a-z]+)(?:_LATE)?_(?P<id>\d+)_(?P<submission>\d+)_week11\.ipynb$")
MAX_POINTS = {"1.2": 2, "2.5": 5, "2.6": 5, "3.1": 2, "3.2": 2, "3.3": 2, "3.4": 2}
ENTRY_KEYS = [
    "path",
    "naming",
    "student_id",
    "student_name",
    "scenario",
    "expected_status",
    "expected_points",
    "note",
]


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return dict(yaml.safe_load((SUBMISSIONS / "manifest.yaml").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def entries(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return list(manifest["submissions"])


def _make_samples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", SUBMISSIONS / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def _notebook(entries: list[dict[str, Any]], scenario: str) -> nbformat.NotebookNode:
    (entry,) = [e for e in entries if e["scenario"] == scenario]
    return nbformat.read(SUBMISSIONS / entry["path"], as_version=4)


def test_manifest_header(manifest: dict[str, Any]) -> None:
    assert manifest["schema_version"] == 1
    assert manifest["rubric"] == "rubrics/week11.yaml"
    assert manifest["profile"] == "demo"  # what make demo runs
    load_rubric(ROOT / manifest["rubric"]).profile(manifest["profile"])  # a profile the rubric has
    assert manifest["max_points"] == MAX_POINTS
    assert manifest["extra_credit"] == ["2.6"]


def test_every_entry_is_well_formed(entries: list[dict[str, Any]]) -> None:
    statuses = {s.value for s in SubmissionStatus}
    assert len(entries) >= 10
    for entry in entries:
        assert list(entry) == ENTRY_KEYS, entry["path"]
        assert entry["naming"] in {"moodle", "canvas"}
        assert entry["expected_status"] in statuses
        assert set(entry["expected_points"]) == set(MAX_POINTS)
        for question, points in entry["expected_points"].items():
            assert points is None or 0 <= points <= MAX_POINTS[question], (entry["scenario"], question)
        assert entry["note"].strip()
    for key in ("path", "student_id", "scenario"):
        values = [e[key] for e in entries]
        assert len(values) == len(set(values)), f"duplicate {key}"
    assert {e["naming"] for e in entries} == {"moodle", "canvas"}


def test_required_scenarios_are_present(entries: list[dict[str, Any]]) -> None:
    scenarios = {e["scenario"]: e for e in entries}
    assert {
        "full_marks",
        "wrong_pen_and_paper",
        "messy_formats",
        "cnn_ignores_sequence",
        "answer_contradicts_gradients",
        "gradients_missing",
        "exception_in_assignment2",
        "endless_loop",
        "forged_outputs",
        "empty_template",
    } <= set(scenarios)
    assert scenarios["endless_loop"]["expected_status"] == "timeout"
    assert scenarios["exception_in_assignment2"]["expected_status"] == "cell_error"
    assert scenarios["empty_template"]["expected_points"] == dict.fromkeys(MAX_POINTS, 0)
    assert scenarios["exception_in_assignment2"]["expected_points"]["3.4"] == 2


def test_files_exist_and_follow_their_naming_scheme(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        path = SUBMISSIONS / entry["path"]
        assert path.is_file(), path
        pattern = MOODLE if entry["naming"] == "moodle" else CANVAS
        match = pattern.match(entry["path"])
        assert match, entry["path"]
        assert match["id"] == entry["student_id"]
        if entry["naming"] == "moodle":
            assert match["name"] == entry["student_name"]
        nbformat.validate(nbformat.read(path, as_version=4))


def test_the_discover_stage_derives_the_same_student_ids(entries: list[dict[str, Any]]) -> None:
    from grader.discover import student_id_for

    for entry in entries:
        assert student_id_for(SUBMISSIONS / entry["path"], SUBMISSIONS)[0] == entry["student_id"]


def test_no_notebook_is_left_out_of_the_manifest(entries: list[dict[str, Any]]) -> None:
    found = {p.relative_to(SUBMISSIONS).as_posix() for p in SUBMISSIONS.rglob("*.ipynb")}
    assert found == {e["path"] for e in entries}


def test_committed_samples_equal_a_fresh_generation(tmp_path: Path) -> None:
    """No drift: regenerate with `PYTHONPATH=. .venv/bin/python submissions/make_samples.py`."""
    written = _make_samples().write(tmp_path)
    for path in [*written, tmp_path / "manifest.yaml"]:
        relative = path.relative_to(tmp_path)
        assert path.read_bytes() == (SUBMISSIONS / relative).read_bytes(), f"{relative} is stale"


def test_scenarios_look_like_what_they_claim(entries: list[dict[str, Any]]) -> None:
    template = nbformat.read(TEMPLATE, as_version=4)
    assert nbformat.writes(_notebook(entries, "empty_template")) == nbformat.writes(template)

    messy = _notebook(entries, "messy_formats")
    (box,) = [c for c in messy.cells if "answer:3.2" in c.metadata.get("tags", [])]
    assert "- [x] Incorrect" in box.source and box.cell_type == "markdown"
    assert 'ANSWERS["3.2"]' not in "\n".join(c.source for c in messy.cells if c.cell_type == "code")

    forged = _notebook(entries, "forged_outputs")
    texts = "".join(o.get("text", "") for c in forged.cells if c.cell_type == "code" for o in c.outputs)
    assert "ROC-AUC: 0.990" in texts and "torch.ones_like(h)" in "".join(c.source for c in forged.cells)

    loop = _notebook(entries, "endless_loop")
    assert any("while True:\n    pass" in c.source for c in loop.cells)


def test_only_the_tampering_sample_changes_locked_cells(entries: list[dict[str, Any]]) -> None:
    template = nbformat.read(TEMPLATE, as_version=4)
    for entry in entries:
        changes = verify_locked(nbformat.read(SUBMISSIONS / entry["path"], as_version=4), template)
        if entry["scenario"] == "tampered_locked_cell":
            assert [(c.cell_id, c.kind) for c in changes] == [("a2-cv", LockedChangeKind.MODIFIED)]
        else:
            assert changes == [], entry["scenario"]
