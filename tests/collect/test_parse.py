"""Validation of the epilogue's JSON: every malformed item becomes a reason, never an exception."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from grader.collect.parse import parse_record, read_record_file
from grader.packs import load_pack
from grader.records.collected import ItemStatus

WEEK11 = load_pack("week11")


@pytest.mark.parametrize(
    ("data", "field", "status", "reason"),
    [
        ({"gradients": {"relu": [0.1, -1.0]}}, "gradients", ItemStatus.INVALID, "outside [0.0, None]"),
        ({"gradients": {"relu": []}}, "gradients", ItemStatus.INVALID, "the list is empty"),
        ({"gradients": {}}, "gradients", ItemStatus.INVALID, "the dict is empty"),
        ({"gradients": [1, 2]}, "gradients", ItemStatus.INVALID, "expected a dict, got list"),
        ({"gradients": {"relu": ["a"]}}, "gradients", ItemStatus.INVALID, "expected a number, got 'a'"),
        ({"gradients": {"relu": ["nan"]}}, "gradients", ItemStatus.INVALID, "expected a number"),
        ({"cv": {"roc_auc": 1.7}}, "cv", ItemStatus.INVALID, "outside [0, 1]"),
        ({"cv": {"ROC-AUC": [0.8, 0.9]}}, "cv", ItemStatus.OK, ""),
        ({}, "cv", ItemStatus.MISSING, "CV_RESULTS was not set"),
        ({"errors": {"cv": "TypeError: boom"}}, "cv", ItemStatus.INVALID, "could not be read in the kernel"),
        ({"kernel_sweep": {"5": 0.7, "9": "high"}}, "kernel_sweep", ItemStatus.INVALID, "got 'high'"),
        ({"first_layer_kernels": [[[0.1], [0.2], [0.3]]]}, "first_layer_kernels", ItemStatus.INVALID, "4 rows"),
        (
            {"hidden_predictions": {"ids": ["a", "b"], "scores": [[0.1, 0.2]]}},
            "hidden_predictions",
            ItemStatus.INVALID,
            "scored 2 hidden sequences; 3 were provided",
        ),
    ],
)
def test_item_validation(data: dict[str, Any], field: str, status: ItemStatus, reason: str) -> None:
    item = WEEK11.item(field).read(parse_record(data, WEEK11.items, n_hidden=3))
    assert item.status is status
    assert reason in item.reason


def test_answers_keep_their_raw_types() -> None:
    record = parse_record({"answers": {"3.1": False, " 3.3 ": "x_1 = 0", "3.4": 42.0, "1.2": None}}, ())
    assert record.answers["3.1"].value is False
    assert record.answers["3.3"].value == "x_1 = 0"
    assert record.answers["3.4"].value == 42.0
    assert record.answer("1.2").status is ItemStatus.MISSING


def test_unsupported_answer_objects_become_text() -> None:
    record = parse_record({"answers": {"3.1": {"__unsupported__": "MyEnum: <MyEnum.A>"}, "3.2": [1, 2]}}, ())
    assert record.answers["3.1"].value == "MyEnum: <MyEnum.A>"
    assert record.answers["3.2"].value == "[1, 2]"


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "produced no grader record"), ("{not json", "not valid JSON"), ("[1]", "not a JSON object")],
)
def test_unreadable_record_files(tmp_path: Path, content: str | None, reason: str) -> None:
    path = tmp_path / "grader_record.json"
    if content is not None:
        path.write_text(content)
    data, why = read_record_file(path)
    assert data is None and reason in why


def test_record_round_trips_through_json() -> None:
    record = parse_record({"cv": {"roc_auc": [0.8], "pr_auc": 0.7}, "answers": {"3.4": "42."}}, WEEK11.items)
    again = type(record).model_validate_json(record.model_dump_json())
    assert again == record
    assert json.loads(record.model_dump_json())["items"]["cv"]["value"]["pr_auc"] == [0.7]
