"""Results stored before the records were generic (schema 1: items and measurements as top-level keys)
still load, from OUT/results and from the gradebook, and read back as the same values.

The fixtures are ``tests/render/samples.py``'s ``full_marks`` and ``missing_gradients`` as the grader of
commit f48ea83 dumped them (``GradedSubmission.model_dump_json()``), byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assignments.week11 import items as week11
from grader.packs import load_pack
from grader.records.collected import RECORD_SCHEMA_VERSION, ItemStatus
from grader.records.graded import GradedSubmission
from grader.store.files import read_result, result_path
from grader.store.gradebook import RunInfo, current_results, open_gradebook, start_run, upsert_result
from tests.render.samples import full_marks, missing_gradients
from tests.store.builders import graded

FIXTURES = Path(__file__).parents[1] / "fixtures" / "records"
CASES = [("graded_v1_full_marks.json", "s_legacy"), ("graded_v1_missing_gradients.json", "s_legacy_missing")]


def _today(student_id: str) -> GradedSubmission:
    return full_marks(student_id) if student_id == "s_legacy" else missing_gradients(student_id)


def _assert_same(loaded: GradedSubmission, today: GradedSubmission) -> None:
    """Equal in every value read (schema 1 also stored the items nobody set, as ``not collected``)."""
    assert loaded.model_dump(exclude={"evidence"}) == today.model_dump(exclude={"evidence"})
    old, new = loaded.evidence.collected, today.evidence.collected
    assert (old.answers, old.figures, old.problem) == (new.answers, new.figures, new.problem)
    for spec in load_pack("week11").items:
        assert spec.read(old) == spec.read(new), spec.name
    assert loaded.evidence.hidden == today.evidence.hidden
    assert week11.MOTIFS.read(loaded.evidence) == week11.MOTIFS.read(today.evidence)


@pytest.mark.parametrize(("name", "student_id"), CASES)
def test_a_schema_1_result_loads_as_the_same_submission(name: str, student_id: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    stored = json.loads(text)["evidence"]
    assert {"gradients", "cv"} <= set(stored["collected"]) and {"hidden", "motifs"} <= set(stored)  # schema 1
    loaded = GradedSubmission.model_validate_json(text)
    _assert_same(loaded, _today(student_id))
    assert loaded.evidence.collected.schema_version == RECORD_SCHEMA_VERSION
    again = GradedSubmission.model_validate_json(loaded.model_dump_json())
    assert again == loaded and "gradients" not in json.loads(loaded.model_dump_json())["evidence"]["collected"]


def test_the_items_read_back_typed() -> None:
    loaded = GradedSubmission.model_validate_json((FIXTURES / CASES[0][0]).read_text(encoding="utf-8"))
    collected, evidence = loaded.evidence.collected, loaded.evidence
    gradients, cv, sweep = week11.GRADIENTS.read(collected), week11.CV.read(collected), week11.KERNEL_SWEEP.read(collected)
    assert gradients.value is not None and gradients.value.magnitudes["batch_norm"]
    assert cv.value is not None and 0.7 < cv.value.mean_roc_auc < 0.9
    assert sweep.value == {"5": 0.771, "9": 0.798, "15": 0.812, "21": 0.806}
    kernels = week11.FIRST_LAYER_KERNELS.read(collected).value
    assert kernels is not None and len(kernels[0]) == 4 and isinstance(kernels[0][0], tuple)
    assert week11.HIDDEN_PREDICTIONS.read(collected).reason == "not collected"
    assert evidence.hidden.value is not None and evidence.hidden.value.roc_auc > 0.5
    motifs = week11.MOTIFS.read(evidence).value
    assert motifs and motifs[0].matrix_id.startswith("MA")


def test_a_missing_item_keeps_its_reason() -> None:
    loaded = GradedSubmission.model_validate_json((FIXTURES / CASES[1][0]).read_text(encoding="utf-8"))
    item = week11.GRADIENTS.read(loaded.evidence.collected)
    assert item.status is ItemStatus.MISSING and "GRADIENTS" in item.reason


def test_a_schema_1_result_file_is_read_by_the_store(tmp_path: Path) -> None:
    path = result_path(tmp_path, "s_legacy")
    path.parent.mkdir(parents=True)
    path.write_bytes((FIXTURES / CASES[0][0]).read_bytes())
    result = read_result(tmp_path, "s_legacy")
    assert result is not None
    _assert_same(result, full_marks("s_legacy"))


def test_a_schema_1_gradebook_row_is_read_by_the_gradebook(tmp_path: Path) -> None:
    legacy = (FIXTURES / CASES[0][0]).read_text(encoding="utf-8")
    with open_gradebook(tmp_path / "gradebook.db") as conn:
        run = start_run(conn, RunInfo(rubric_id="week11@abc", rubric_sha256="r1", grader_version="test"))
        upsert_result(conn, run, graded("s_legacy"))
        conn.execute("UPDATE results SET graded_json = ?", (legacy,))
        conn.commit()
    (current,) = current_results(tmp_path / "gradebook.db")
    assert current.graded is not None
    _assert_same(current.graded, full_marks("s_legacy"))
