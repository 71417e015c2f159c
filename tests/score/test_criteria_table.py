"""A table of (rubric question, evidence) -> expected points, status and reason, for every criterion kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from assignments.week11.records import CVReport
from grader.records.collected import FigureRef, Item
from grader.records.evidence import Evidence
from grader.records.result import QuestionStatus
from grader.score import score_submission

from ._build import METHODS, TRUTH, question, rubric
from ._records import FLAT, GRADIENTS, evidence, hidden, hit, ran

P, F, M, INV = QuestionStatus.PASSED, QuestionStatus.FAILED, QuestionStatus.MISSING, QuestionStatus.INVALID


@dataclass(frozen=True)
class Case:
    name: str
    question: dict[str, Any]
    evidence: Evidence
    points: float
    status: QuestionStatus
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def choice(**kw: Any) -> dict[str, Any]:
    return question("3.1", {"id": "key", "kind": "choice", "options": TRUTH, "expected": "incorrect", **kw})


def number(expected: float | list[float] = 42, **kw: Any) -> dict[str, Any]:
    return question("3.4", {"id": "key", "kind": "number", "expected": expected, **kw})


def metric(name: str = "hidden_roc_auc", **kw: Any) -> dict[str, Any]:
    return question("2.5", {"id": "m", "kind": "metric", "metric": name, **kw}, points=5)


def rule(name: str, **kw: Any) -> dict[str, Any]:
    return question("2.4", {"id": "e", "kind": "evidence", "rule": name, **kw}, points=1)


def gradients_question(**kw: Any) -> dict[str, Any]:
    return question(
        "1.2",
        {"id": "key", "kind": "choice", "options": METHODS, "expected": "batch_norm", "points": 1},
        {"id": "data", "kind": "evidence", "rule": "gradient_uniformity", "choice": "key", "points": 1, **kw},
        all_or_nothing=True,
    )


WITH_OUTPUT = {**{name: [*g, 1.0] for name, g in GRADIENTS.items()}, "Batch Norm": [*FLAT, 1e-4]}
"""Every list ends with an output layer; batch norm's is tiny."""


def artifact(**kw: Any) -> dict[str, Any]:
    return question("1.1", {"id": "a", "kind": "artifact", **kw}, points=1)


def motif(**kw: Any) -> dict[str, Any]:
    spec = {"id": "m", "kind": "motif_match", "families": ["HNF4", "FOXA", "CEBP"], "min_score": 0.7, **kw}
    return question("2.6", spec, points=5)


def fig(section: str | None) -> FigureRef:
    return FigureRef(cell_index=1, section=section, mime="image/png")


CV5 = CVReport(roc_auc=(0.8,) * 5, pr_auc=(0.7,) * 5)
CASES = [
    # choice: spellings, wrong option with feedback, unreadable, missing, invalid, several keys
    Case(
        "choice exact",
        choice(),
        evidence({"3.1": "Incorrect"}),
        2,
        P,
        "'Incorrect' read as 'incorrect': matches the key",
    ),
    Case("choice messy", choice(), evidence({"3.1": "- [ ] Correct\n- [x] Incorrect "}), 2, P),
    Case("choice bool", choice(), evidence({"3.1": False}), 2, P, "False read as 'incorrect'"),
    Case(
        "choice wrong",
        choice(feedback={"correct": "a sigmoid of one linear layer cannot separate XNOR"}),
        evidence({"3.1": "Correct"}),
        0,
        F,
        "'Correct' read as 'correct'; the key is 'incorrect'. a sigmoid of one linear layer cannot separate XNOR",
    ),
    Case(
        "choice unreadable",
        choice(),
        evidence({"3.1": "it depends"}),
        0,
        INV,
        "invalid: could not match 'it depends' to an option; expected one of ['correct', 'incorrect']",
    ),
    Case("choice missing", choice(), evidence({}), 0, M, "missing: no answer to 3.1 was given"),
    Case(
        "choice invalid item",
        choice(),
        evidence(answers={"3.1": Item.invalid("expected a string, number or bool, got a list")}),
        0,
        INV,
        "invalid: expected a string, number or bool, got a list",
    ),
    Case("choice two keys", choice(expected=["correct", "incorrect"]), evidence({"3.1": "yes"}), 2, P),
    Case("choice other answer id", choice(answer="q31"), evidence({"q31": "wrong"}), 2, P),
    # number: spellings, tolerance edges, feedback for a specific wrong value, unreadable
    Case(
        "number text",
        number(0, abs_tol=1e-6),
        evidence({"3.4": "x_1 = 0"}),
        2,
        P,
        "'x_1 = 0' read as 0: matches 0",
    ),
    Case("number 42.", number(), evidence({"3.4": "42."}), 2, P),
    Case("abs edge in", number(abs_tol=0.5), evidence({"3.4": 42.5}), 2, P),
    Case(
        "abs edge out",
        number(abs_tol=0.5),
        evidence({"3.4": 42.5000001}),
        0,
        F,
        "expected 42 (tolerance 0.5)",
    ),
    Case("rel edge in", number(100, rel_tol=0.25), evidence({"3.4": "75"}), 2, P),
    Case(
        "rel edge out",
        number(100, rel_tol=0.25),
        evidence({"3.4": 74.99}),
        0,
        F,
        "expected 100 (tolerance 25)",
    ),
    Case("abs wins over rel", number(0, abs_tol=0.5, rel_tol=0.9), evidence({"3.4": -0.5}), 2, P),
    Case(
        "number feedback",
        number(feedback=[{"value": 84, "message": "84 is dL/dw21"}]),
        evidence({"3.4": "84"}),
        0,
        F,
        "'84' read as 84; expected 42 (tolerance 0). 84 is dL/dw21",
    ),
    Case(
        "number forty-two",
        number(),
        evidence({"3.4": "forty-two"}),
        0,
        INV,
        "invalid: could not read 'forty-two' as a number",
    ),
    Case("number bool", number(), evidence({"3.4": True}), 0, INV, "expected a number, got True"),
    # number: a list of accepted alternatives
    Case(
        "number alternative",
        number([42, 84], abs_tol=1e-6),
        evidence({"3.4": "84"}),
        2,
        P,
        "'84' read as 84: matches one of 42, 84 (tolerance 1e-06)",
    ),
    Case(
        "number no alternative",
        number([42, 84], abs_tol=1e-6, feedback=[{"value": 21, "message": "21 misses the factor 2"}]),
        evidence({"3.4": 21}),
        0,
        F,
        "21 read as 21; expected one of 42, 84 (tolerance 1e-06). 21 misses the factor 2",
    ),
    Case(
        "number alternatives, relative tolerance",
        number([1, 100], rel_tol=0.1),
        evidence({"3.4": 50}),
        0,
        F,
        "expected one of 1 (tolerance 0.1), 100 (tolerance 10)",
    ),
    Case("number alternative, relative edge", number([1, 100], rel_tol=0.1), evidence({"3.4": 90}), 2, P),
    # metric: threshold edges read higher_is_better from the spec; missing, invalid, out of bounds, folds
    Case(
        "metric at threshold",
        metric(threshold=0.75),
        evidence(hidden_item=hidden(0.75)),
        5,
        P,
        "hidden_roc_auc = 0.75 >= 0.75",
    ),
    Case(
        "metric below",
        metric(threshold=0.75),
        evidence(hidden_item=hidden(0.7499)),
        0,
        F,
        "hidden_roc_auc = 0.7499; needs >= 0.75",
    ),
    Case(
        "metric not evaluated",
        metric(threshold=0.75),
        evidence(),
        0,
        M,
        "missing: hidden_roc_auc: hidden-set evaluation: not evaluated",
    ),
    Case(
        "metric invalid",
        metric(threshold=0.75),
        evidence(hidden_item=Item.invalid("FOLD_MODELS gave NaN scores")),
        0,
        INV,
        "invalid: hidden_roc_auc: hidden-set evaluation: FOLD_MODELS gave NaN scores",
    ),
    Case(
        "metric out of bounds",
        metric("cv_roc_auc"),
        evidence(cv=CVReport(roc_auc=(1.2, 1.3))),
        0,
        INV,
        "invalid: cv_roc_auc = 1.25 is outside [0, 1]",
    ),
    Case(
        "metric present",
        metric("cv_pr_auc", min_count=5),
        evidence(cv=CV5),
        5,
        P,
        "cv_pr_auc = 0.7 (mean of 5 folds) reported",
    ),
    Case(
        "metric too few folds",
        metric("cv_roc_auc", min_count=5),
        evidence(cv=CVReport(roc_auc=(0.8, 0.9, 0.7))),
        0,
        F,
        "cv_roc_auc = 0.8 (mean of 3 folds); at least 5 folds are needed",
    ),
    Case(
        "metric pr missing",
        metric("cv_pr_auc"),
        evidence(cv=CVReport(roc_auc=(0.8,))),
        0,
        M,
        "missing: cv_pr_auc: CV_RESULTS has no 'pr_auc'",
    ),
    Case(
        "metric cv missing",
        metric("cv_roc_auc"),
        evidence(),
        0,
        M,
        "missing: cv_roc_auc: CV_RESULTS: not collected",
    ),
    Case(
        "metric sweep",
        metric("sweep_best_roc_auc", threshold=0.8),
        evidence(sweep={"5": 0.7, "9": 0.85}),
        5,
        P,
    ),
    # evidence: reported vs measured (edges exact in binary), kernel sweep
    Case(
        "reported vs measured edge",
        rule("reported_vs_measured", reported="cv_roc_auc", measured="hidden_model_roc_auc", tolerance=0.25),
        evidence(cv=CVReport(roc_auc=(0.75,)), hidden_item=hidden(0.5)),
        1,
        P,
        "they differ by 0.25 <= 0.25",
    ),
    Case(
        "reported vs measured far",
        rule("reported_vs_measured", reported="cv_roc_auc", measured="hidden_model_roc_auc", tolerance=0.25),
        evidence(cv=CVReport(roc_auc=(0.9375,)), hidden_item=hidden(0.5)),
        0,
        F,
        "they differ by 0.4375 > 0.25; the reported value is not reproduced on held-out data",
    ),
    Case(
        "reported missing",
        rule("reported_vs_measured", reported="cv_roc_auc", measured="hidden_model_roc_auc", tolerance=0.1),
        evidence(hidden_item=hidden()),
        0,
        M,
        "missing: cv_roc_auc: CV_RESULTS: not collected",
    ),
    Case(
        "measured missing",
        rule("reported_vs_measured", reported="cv_roc_auc", measured="hidden_model_roc_auc", tolerance=0.1),
        evidence(cv=CV5),
        0,
        M,
        "missing: hidden_model_roc_auc: hidden-set evaluation: not evaluated",
    ),
    Case(
        "sweep enough",
        rule("kernel_sweep_run", min_sizes=2),
        evidence(sweep={"15": 0.8, "5": 0.7, "9": 0.75}),
        1,
        P,
        "3 kernel size(s) tried (5, 9, 15)",
    ),
    Case(
        "sweep one size",
        rule("kernel_sweep_run", min_sizes=2),
        evidence(sweep={"9": 0.8}),
        0,
        F,
        "1 kernel size(s) tried (9); at least 2 needed",
    ),
    Case("sweep missing", rule("kernel_sweep_run"), evidence(), 0, M, "missing: KERNEL_SWEEP: not collected"),
    # evidence: gradient uniformity, combined all-or-nothing with the key
    Case(
        "gradients support BN",
        gradients_question(),
        evidence({"1.2": "BN"}, gradients=GRADIENTS),
        2,
        P,
        "'batch_norm' is supported by your GRADIENTS: U(batch_norm)=0.15 <= min U=0.15 (batch_norm) + 0.3 decades",
    ),
    Case(
        "gradients favour ELU",
        gradients_question(),
        evidence(
            {"1.2": "Batch Norm"},
            gradients={
                **GRADIENTS,
                "ELU": [1.0, 0.99, 1.0, 0.98, 1.0],
                "Batch Norm": [0.1, 0.3, 0.5, 0.8, 1.0],
            },
        ),
        0,
        F,
        "no points for a partially correct answer (all or nothing); data: 'batch_norm' is not supported by "
        "your GRADIENTS: U(batch_norm)=1.00 > min U=0.01 (elu) + 0.3 decades",
    ),
    Case(
        "relu drops to zero",
        gradients_question(),
        evidence({"1.2": "ReLU"}, gradients=GRADIENTS),
        0,
        F,
        "data: 'relu' is not supported by your GRADIENTS: 'relu' drops to zero: layer 1 has g=0",
    ),
    Case(
        "zero fractions count",
        gradients_question(),
        evidence({"1.2": "BN"}, gradients=GRADIENTS, zero_fractions={"BN": [0, 0, 0.05, 0, 0]}),
        0,
        F,
        "'batch_norm' drops to zero: layer 3 has 5.0% exactly-zero entries > 1.0%",
    ),
    Case(
        "gradients missing",
        gradients_question(),
        evidence({"1.2": "BN"}),
        0,
        F,
        "data: missing: GRADIENTS: not collected",
    ),
    Case(
        "no choice, no data",
        gradients_question(),
        evidence({}),
        0,
        M,
        "key: missing: no answer to 1.2 was given; data: missing: no choice to check: no answer to 1.2 was given",
    ),
    Case(
        "choice unreadable for data",
        gradients_question(),
        evidence({"1.2": "Dropout"}, gradients=GRADIENTS),
        0,
        INV,
        "data: invalid: no choice to check: could not match 'Dropout'",
    ),
    Case(
        "gradients duplicate",
        gradients_question(),
        evidence({"1.2": "BN"}, gradients={**GRADIENTS, "bn": FLAT}),
        0,
        F,
        "data: invalid: GRADIENTS: GRADIENTS has two entries for 'batch_norm': 'Batch Norm' and 'bn'",
    ),
    Case(
        "gradients unknown entry",
        gradients_question(),
        evidence({"1.2": "BN"}, gradients={**GRADIENTS, "tanh": FLAT}),
        2,
        P,
        "(ignored entries that name no method: ['tanh'])",
    ),
    Case(
        "gradients one layer",
        gradients_question(),
        evidence({"1.2": "BN"}, gradients={name: [1.0] for name in GRADIENTS}),
        0,
        F,
        "data: invalid: GRADIENTS: GRADIENTS needs at least 2 hidden layers per method; got {'baseline': 1, "
        "'skip': 1, 'batch_norm': 1, 'relu': 1, 'elu': 1}",
    ),
    Case(
        "output layer dropped",
        gradients_question(output_layer_recorded=True),
        evidence({"1.2": "BN"}, gradients=WITH_OUTPUT),
        2,
        P,
    ),
    Case(
        "output layer included",
        gradients_question(output_layer_recorded=True, include_output_layer=True),
        evidence({"1.2": "BN"}, gradients=WITH_OUTPUT),
        0,
        F,
        "U(batch_norm)=4.00",
    ),
    # artifact
    Case(
        "figure in section",
        artifact(artifact="figure", section="Assignment 1"),
        evidence(figures=(fig("Assignment 1 · Vanishing gradients"),)),
        1,
        P,
        "1 figure(s) in section 'Assignment 1'",
    ),
    Case(
        "figure elsewhere",
        artifact(artifact="figure", section="Assignment 1"),
        evidence(figures=(fig("Assignment 10"), fig(None))),
        0,
        M,
        "missing: 0 figure(s) in section 'Assignment 1', at least 1 needed; figures were found in "
        "['(no section)', 'Assignment 10']",
    ),
    Case(
        "no figure", artifact(artifact="figure", min_count=2), evidence(), 0, M, "the run produced no figure"
    ),
    Case(
        "gradients recorded",
        artifact(artifact="gradients"),
        evidence(gradients=GRADIENTS),
        1,
        P,
        "GRADIENTS recorded",
    ),
    Case(
        "kernels invalid",
        artifact(artifact="first_layer_kernels"),
        evidence(first_layer_kernels=Item.invalid("shape (16, 5, 9); expected (filters, 4, width)")),
        0,
        INV,
        "invalid: first-layer kernels: shape (16, 5, 9); expected (filters, 4, width)",
    ),
    # motif match
    Case(
        "motif match",
        motif(),
        evidence(motifs=(hit(2, "GATA1", 0.95), hit(4, "HNF4A", 0.8))),
        5,
        P,
        "1 kernel(s) match HNF4/FOXA/CEBP: kernel 4 ~ HNF4A (MA0004.1, score 0.8)",
    ),
    Case("motif dimer, mouse case", motif(), evidence(motifs=(hit(1, "Foxa1::Foxa2", 0.7),)), 5, P),
    Case(
        "motif too weak",
        motif(),
        evidence(motifs=(hit(4, "HNF4A", 0.69),)),
        0,
        F,
        "0 kernel(s) match HNF4/FOXA/CEBP with score >= 0.7, 1 needed (best: kernel 4 ~ HNF4A (MA0004.1, score 0.69))",
    ),
    Case(
        "motif other family",
        motif(),
        evidence(motifs=(hit(2, "GATA1", 0.99),)),
        0,
        F,
        "best: kernel 2 ~ GATA1",
    ),
    Case(
        "motif same kernel twice",
        motif(min_kernels=2),
        evidence(motifs=(hit(1, "HNF4A", 0.9), hit(1, "HNF4G", 0.8))),
        0,
        F,
        "1 kernel(s) match",
    ),
    Case("motif none", motif(), evidence(motifs=()), 0, F, "best: no matches"),
    Case(
        "motif not evaluated",
        motif(),
        evidence(),
        0,
        M,
        "missing: motif matches of the first-layer kernels: not evaluated",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case) -> None:
    result = score_submission(rubric(case.question), case.evidence, ran(), student_id="s", source="s.ipynb")
    (q,) = result.questions
    assert (q.points, q.status) == (case.points, case.status), q.reason
    assert case.reason in q.reason
    lost = [f for f in q.findings if f.points < f.max_points]
    assert all(f.message for f in lost), "every lost point has a reason"
    assert q.points == sum(f.points for f in q.findings)


def test_every_criterion_kind_is_in_the_table() -> None:
    kinds = {
        c["kind"] if c["kind"] != "evidence" else c["rule"]
        for case in CASES
        for c in case.question["criteria"]
    }
    assert kinds == {
        "choice",
        "number",
        "metric",
        "artifact",
        "motif_match",
        "gradient_uniformity",
        "reported_vs_measured",
        "kernel_sweep_run",
    }
