"""Every rubric error names the file, the key path, the allowed values and the bad value."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.errors import RubricError, RubricVersionError
from grader.rubric import load_rubric, parse_rubric

from ._build import METHODS, TRUTH, dump, question, rubric_data

SOURCE = "rubrics/x.yaml"
CHOICE = question("3.1", {"id": "key", "kind": "choice", "options": TRUTH, "expected": "incorrect"})
METRIC = question(
    "2.5", {"id": "auc", "kind": "metric", "metric": "hidden_roc_auc", "threshold": 0.75}, points=5
)
Mutation = Callable[[dict[str, Any]], object]


def _error(mutate: Mutation) -> RubricError:
    data = rubric_data(CHOICE, METRIC)
    mutate(data)
    with pytest.raises(RubricError) as caught:
        parse_rubric(dump(data), source=SOURCE)
    return caught.value


def _crit(data: dict[str, Any], q: int = 1, c: int = 0) -> dict[str, Any]:
    criterion: dict[str, Any] = data["questions"][q]["criteria"][c]
    return criterion


def _add(data: dict[str, Any], criterion: dict[str, Any]) -> None:
    data["questions"][1]["criteria"].append(criterion)


def test_unknown_key_names_path_allowed_keys_and_close_match() -> None:
    error = _error(lambda d: _crit(d).update(treshold=0.7))
    assert str(error) == (
        "rubrics/x.yaml: questions[1].criteria[0].treshold (question '2.5'): unknown key 'treshold'; expected one "
        "of ['group', 'id', 'kind', 'metric', 'min_count', 'points', 'threshold', 'visibility'] "
        "(did you mean 'threshold'?)"
    )


def test_unknown_top_level_key() -> None:
    error = _error(lambda d: d.update(questoins=d.pop("questions")))
    assert str(error).startswith(
        "rubrics/x.yaml: questoins: unknown key 'questoins'; expected one of ['assignment', 'data', "
    )
    assert str(error).endswith("(did you mean 'questions'?)")


def test_bad_value_names_allowed_values_and_close_match() -> None:
    error = _error(lambda d: _crit(d).update(metric="hiden_roc_auc"))
    assert str(error) == (
        "rubrics/x.yaml: questions[1].criteria[0].metric (question '2.5'): unknown 'hiden_roc_auc'; expected one "
        "of ['cv_pr_auc', 'cv_roc_auc', 'hidden_model_roc_auc', 'hidden_pr_auc', 'hidden_roc_auc', "
        "'sweep_best_roc_auc'] (did you mean 'hidden_roc_auc'?)"
    )


def test_missing_field() -> None:
    error = _error(lambda d: d["questions"][0].pop("title"))
    assert str(error) == "rubrics/x.yaml: questions[0].title (question '3.1'): required key is missing"


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (
            2,
            "schema_version: this rubric was written for schema 2; this grader reads schema 1. "
            "Upgrade the grader with: pip install -U nbgrade-ml",
        ),
        (
            0,
            "schema_version: 0 is older than any schema this grader reads (1); rewrite the rubric for schema 1 "
            "as described in docs/rubric-format.md and set `schema_version: 1`",
        ),
        (
            "1",
            "schema_version: expected a whole number, got '1'; this grader reads schema 1: write "
            "`schema_version: 1`",
        ),
        (
            None,
            "schema_version: required key is missing; this grader reads schema 1: add `schema_version: 1` "
            "as the first line (see docs/rubric-format.md)",
        ),
    ],
)
def test_wrong_version_says_what_to_do(version: object, message: str) -> None:
    def mutate(data: dict[str, Any]) -> None:
        if version is None:
            del data["schema_version"]
        else:
            data["schema_version"] = version

    error = _error(mutate)
    assert isinstance(error, RubricVersionError)
    assert str(error) == f"{SOURCE}: {message}"


CASES: list[tuple[str, Mutation, str]] = [
    (
        "kind",
        lambda d: _crit(d).update(kind="metrc"),
        "questions[1].criteria[0].kind (question '2.5'): unknown 'metrc'; expected one of ['artifact', 'choice', "
        "'deferred', 'evidence', 'metric', 'motif_match', 'number'] (did you mean 'metric'?)",
    ),
    (
        "no kind",
        lambda d: _crit(d).pop("kind"),
        "questions[1].criteria[0].kind (question '2.5'): required key is missing; expected one of ['artifact',",
    ),
    (
        "rule",
        lambda d: _add(d, {"id": "r", "kind": "evidence", "rule": "reported_vs_measurd", "tolerance": 0.1}),
        "questions[1].criteria[1].rule (question '2.5'): unknown 'reported_vs_measurd'; expected one of "
        "['gradient_uniformity', 'kernel_sweep_run', 'reported_vs_measured'] (did you mean 'reported_vs_measured'?)",
    ),
    (
        "visibility",
        lambda d: d["questions"][0].update(visibility="hiden"),
        "questions[0].visibility (question '3.1'): unknown 'hiden'; expected one of ['public', 'hidden'] "
        "(did you mean 'hidden'?)",
    ),
    (
        "expected option",
        lambda d: _crit(d, 0).update(expected="incorect"),
        "questions[0].criteria[0].expected[0] (question '3.1'): unknown 'incorect'; expected one of ['correct', "
        "'incorrect'] (did you mean 'incorrect'?)",
    ),
    (
        "feedback option",
        lambda d: _crit(d, 0).update(feedback={"corect": "x"}),
        "questions[0].criteria[0].feedback.corect (question '3.1'): unknown 'corect'; expected one of ['correct', "
        "'incorrect'] (did you mean 'correct'?)",
    ),
    (
        "ambiguous alias",
        lambda d: _crit(d, 0)["options"]["incorrect"].append("Yes"),
        "questions[0].criteria[0].options.incorrect[3] (question '3.1'): alias 'Yes' of option 'incorrect' reads the "
        "same as 'yes' of option 'correct'; an answer must name exactly one option",
    ),
    (
        "one option",
        lambda d: _crit(d, 0).update(options={"a": []}),
        "questions[0].criteria[0].options (question '3.1'): expected at least 2 item(s), got 1",
    ),
    (
        "points string",
        lambda d: d["questions"][0].update(points="2"),
        "questions[0].points (question '3.1'): expected a number, got '2'",
    ),
    (
        "points bool",
        lambda d: d["questions"][0].update(points=True),
        "questions[0].points (question '3.1'): expected a number, got True",
    ),
    (
        "points negative",
        lambda d: d["questions"][0].update(points=-1),
        "questions[0].points (question '3.1'): expected a number >= 0, got -1",
    ),
    (
        "id as number",
        lambda d: d["questions"][0].update(id=3.1),
        "questions[0].id (question '3.1'): expected a string, got the number 3.1; quote it: '3.1'",
    ),
    (
        "declared total",
        lambda d: d.update(max_points=15),
        "max_points: declared 15, but the regular questions sum to 7 (3.1: 2, 2.5: 5)",
    ),
    (
        "threshold bounds",
        lambda d: _crit(d).update(threshold=1.5),
        "questions[1].criteria[0].threshold (question '2.5'): threshold 1.5 is outside hidden_roc_auc's bounds [0, 1]",
    ),
    (
        "threshold nan",
        lambda d: _crit(d).update(threshold=float("nan")),
        "questions[1].criteria[0].threshold (question '2.5'): expected a finite number, got nan",
    ),
    (
        "min_count not per fold",
        lambda d: _crit(d).update(min_count=5),
        "questions[1].criteria[0].min_count (question '2.5'): hidden_roc_auc is not a per-fold metric; min_count "
        "applies only to ['cv_pr_auc', 'cv_roc_auc', 'hidden_model_roc_auc']",
    ),
    (
        "duplicate criterion",
        lambda d: d["questions"][0]["criteria"].append(
            {"id": "key", "kind": "artifact", "artifact": "figure"}
        ),
        "questions[0].criteria[1].id (question '3.1'): duplicate criterion id 'key'",
    ),
    (
        "points on some criteria",
        lambda d: d["questions"][0]["criteria"].append(
            {"id": "k2", "kind": "artifact", "artifact": "figure", "points": 1}
        ),
        "questions[0].criteria (question '3.1'): give points to every criterion or to none; missing for ['key']",
    ),
    (
        "criteria points sum",
        lambda d: _crit(d, 0).update(points=1),
        "questions[0].criteria (question '3.1'): criteria points [1.0] sum to 1, but the question has points 2",
    ),
    (
        "duplicate question",
        lambda d: (d["questions"].append(copy.deepcopy(CHOICE)), d.update(max_points=9)),
        "questions[2].id (question '3.1'): duplicate question id '3.1'",
    ),
    (
        "metric pairing",
        lambda d: _add(
            d,
            {
                "id": "r",
                "kind": "evidence",
                "rule": "reported_vs_measured",
                "reported": "cv_roc_auc",
                "measured": "hidden_pr_auc",
                "tolerance": 0.1,
            },
        ),
        "questions[1].criteria[1].measured (question '2.5'): 'cv_roc_auc' measures roc_auc but 'hidden_pr_auc' "
        "measures pr_auc; pair metrics of the same quantity",
    ),
    (
        "reported must be reported",
        lambda d: _add(
            d,
            {
                "id": "r",
                "kind": "evidence",
                "rule": "reported_vs_measured",
                "reported": "hidden_roc_auc",
                "tolerance": 0.1,
            },
        ),
        "questions[1].criteria[1].reported (question '2.5'): unknown 'hidden_roc_auc'; expected one of ['cv_pr_auc',",
    ),
    (
        "gradient choice missing",
        lambda d: _add(d, {"id": "g", "kind": "evidence", "rule": "gradient_uniformity", "choice": "nope"}),
        "questions[1].criteria[1].choice (question '2.5'): 'nope' names no choice criterion: this question has none",
    ),
    (
        "gradient choice options",
        lambda d: (
            _crit(d, 0).update(id="pick")
            or d["questions"][0]["criteria"].append(
                {"id": "g", "kind": "evidence", "rule": "gradient_uniformity", "choice": "pick"}
            )
        ),
        "questions[0].criteria[1].choice (question '3.1'): choice 'pick' has options ['correct', 'incorrect'] the "
        "gradient rule does not know; expected options among ['skip', 'batch_norm', 'relu', 'elu']",
    ),
    (
        "output layer",
        lambda d: d["questions"].__setitem__(
            0,
            question(
                "1.2",
                {"id": "k", "kind": "choice", "options": METHODS, "expected": "batch_norm"},
                {
                    "id": "g",
                    "kind": "evidence",
                    "rule": "gradient_uniformity",
                    "choice": "k",
                    "include_output_layer": True,
                },
            ),
        ),
        "questions[0].criteria[1].include_output_layer (question '1.2'): include_output_layer: true needs "
        "output_layer_recorded: true",
    ),
    (
        "artifact name",
        lambda d: _add(d, {"id": "r", "kind": "artifact", "artifact": "figures"}),
        "questions[1].criteria[1].artifact (question '2.5'): unknown 'figures'; expected one of ['cv', 'figure', ",
    ),
    (
        "artifact section",
        lambda d: _add(d, {"id": "r", "kind": "artifact", "artifact": "cv", "section": "A"}),
        "questions[1].criteria[1] (question '2.5'): section and min_count apply only to artifact 'figure', not 'cv'",
    ),
    (
        "group in all_or_nothing",
        lambda d: (_crit(d, 0).update(group="g"), d["questions"][0].update(all_or_nothing=True)),
        "questions[0].criteria[0].group (question '3.1'): group has no effect in an all_or_nothing question",
    ),
    (
        "questions not a list",
        lambda d: d.update(questions={"a": 1}),
        "questions: expected a list, got a mapping",
    ),
    (
        "no questions",
        lambda d: d.update(questions=[], max_points=0),
        "questions: expected at least 1 item(s), got 0",
    ),
    (
        "execution key",
        lambda d: d.update(execution={"cell_timeout": 5}),
        "execution.cell_timeout: unknown key 'cell_timeout'; expected one of ['cell_timeout_s', ",
    ),
    (
        "execution value",
        lambda d: d.update(execution={"cell_timeout_s": -5}),
        "execution.cell_timeout_s: expected a number > 0, got -5",
    ),
    (
        "sandbox mode",
        lambda d: d.update(execution={"sandbox": "maybe"}),
        "execution.sandbox: unknown 'maybe'; expected one of ['required', 'auto', 'off']",
    ),
    (
        "profile key",
        lambda d: d["profiles"]["quick"].update(max_epoch=3),
        "profiles.quick.max_epoch: unknown key 'max_epoch'; expected one of ['cell_timeout_s', 'folds', "
        "'max_epochs', 'n_per_class', 'notebook_timeout_s', 'seq_len'] (did you mean 'max_epochs'?)",
    ),
    ("profile missing", lambda d: d["profiles"].pop("full"), "profiles.full: required key is missing"),
    (
        "data kind",
        lambda d: d["data"].update(train={"kind": "fastq", "seed": 0}),
        "data.train.kind: unknown 'fastq'; expected one of ['fasta', 'synthetic', 'table'] (did you mean 'fasta'?)",
    ),
    (
        "fasta path missing",
        lambda d: d["data"].update(train={"kind": "fasta", "positive": "a.fa"}),
        "data.train.negative: required key is missing",
    ),
    (
        "late fraction",
        lambda d: d.update(late_penalty={"per_day": 1.5}),
        "late_penalty.per_day: expected a number <= 1, got 1.5",
    ),
    (
        "due without zone",
        lambda d: d.update(due="2024-06-21T23:00:00"),
        "due: due 2024-06-21T23:00:00 has no time zone; write it like 2024-06-21T23:00:00+02:00",
    ),
    ("loader field", lambda d: d.update(origin={"path": "x", "sha256": "y"}), "origin: unknown key 'origin'"),
]


@pytest.mark.parametrize(("mutate", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_messages(mutate: Mutation, message: str) -> None:
    text = str(_error(mutate))
    assert text.startswith(f"{SOURCE}: {message}"), text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "schema_version: 1\nid: a\nid: b\n",
            "line 3: duplicate key 'id' (first given at line 2); YAML would silently keep only the last one",
        ),
        ("schema_version: 1\nid: [a\n", "line 3, column 1: invalid YAML: expected ',' or ']'"),
        ("- a\n- b\n", "expected a mapping of keys at the top level (schema_version, id, ...), got list"),
        ("", "expected a mapping of keys at the top level (schema_version, id, ...), got an empty file"),
    ],
)
def test_yaml_level_errors(text: str, message: str) -> None:
    with pytest.raises(RubricError) as caught:
        parse_rubric(text, source=SOURCE)
    assert str(caught.value).startswith(f"{SOURCE}: {message}")


def test_every_error_is_reported_once_per_line() -> None:
    def two_problems(data: dict[str, Any]) -> None:
        _crit(data).update(metric="nope")
        data["questions"][0]["points"] = "2"

    lines = str(_error(two_problems)).splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{SOURCE}: questions[") for line in lines)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match=r"missing\.yaml: cannot read the rubric file"):
        load_rubric(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(RubricError, match=r"latin\.yaml: the rubric file is not UTF-8 text"):
        load_rubric(latin)
