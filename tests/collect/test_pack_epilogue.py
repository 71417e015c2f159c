"""The epilogue cell is the generic collector plus the assignment pack's kernel code (a tiny pack here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assignments.week11.items import CV, FIRST_LAYER_KERNELS, HIDDEN_PREDICTIONS
from grader.collect.parse import nothing_collected, parse_record
from grader.collect.values import ItemValueError, finite
from grader.packs import AssignmentPack, ItemSpec, ParseContext, load_pack
from tests.collect._epilogue import run_epilogue

TINY_EPILOGUE = '''"""The tiny pack's kernel code."""

from __future__ import annotations


def _pack_collect(record, ns, plain, grab):
    grab("score", "SCORE")
    record["doubled"] = plain(2 * ns.get("SCORE", 0))
'''


def _score(value: Any, context: ParseContext) -> float:
    return finite(value, "SCORE")


TINY = AssignmentPack(name="tiny", items=(ItemSpec("score", "SCORE", _score, float),), epilogue=TINY_EPILOGUE)


def test_the_pack_code_collects_its_items_after_the_answers(tmp_path: Path) -> None:
    ns: dict[str, Any] = {"ANSWERS": {"1.1": "a"}, "SCORE": 0.5, "GRADIENTS": {"relu": [1.0]}}
    data = run_epilogue(TINY, ns, tmp_path)
    assert (data["answers"], data["score"], data["doubled"], data["present"]) == ({"1.1": "a"}, 0.5, 1.0, [
        "ANSWERS", "SCORE"
    ])
    assert "gradients" not in data  # week11's items are week11's pack's, not the generic collector's


def test_a_pack_without_kernel_code_collects_the_answers_only(tmp_path: Path) -> None:
    bare = AssignmentPack(name="bare", items=())
    data = run_epilogue(bare, {"ANSWERS": {"1.1": 3}, "SCORE": 1.0}, tmp_path)
    assert (data["answers"], data["present"]) == ({"1.1": 3}, ["ANSWERS"])


def test_the_epilogue_leaves_no_grader_function_in_the_students_namespace(tmp_path: Path) -> None:
    ns: dict[str, Any] = {}
    run_epilogue(load_pack("week11"), ns, tmp_path)
    assert not [name for name, value in ns.items() if callable(value) and name.startswith("_")]


def test_a_bad_value_says_what_is_wrong() -> None:
    with pytest.raises(ItemValueError, match=r"^SCORE: expected a number, got 'high'$"):
        _score("high", ParseContext(data={}))


def test_nothing_collected_marks_every_item_of_the_pack_missing() -> None:
    record = nothing_collected("the kernel died", load_pack("week11").items)
    assert record.problem == "the kernel died"
    assert {CV.read(record).reason, FIRST_LAYER_KERNELS.read(record).reason} == {"the kernel died"}
    assert not HIDDEN_PREDICTIONS.read(record).is_ok


def test_the_record_holds_exactly_the_packs_items(tmp_path: Path) -> None:
    data = run_epilogue(TINY, {"SCORE": 3, "GRADIENTS": {"relu": [1.0]}}, tmp_path)
    record = parse_record(data, TINY.items)
    assert set(record.items) == {"score"} and TINY.item("score").read(record).value == 3.0
    bad = parse_record({"score": "high"}, TINY.items).item("score")
    assert (bad.status.value, bad.reason) == ("invalid", "SCORE: SCORE: expected a number, got 'high'")
    assert set(nothing_collected("no kernel", TINY.items).items) == {"score"}
