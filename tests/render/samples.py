"""Synthetic graded submissions, one per scenario, for tests, benchmarks and template previews.

Nothing here is used in grading. Each factory builds a complete, valid :class:`GradedSubmission` for the
Week 11 sheet in memory (no notebook is run), deterministic for a given ``student_id`` and ``seed``:

- :func:`full_marks`: every question passed, all evidence present (gradients, hidden-set curves,
  kernels with JASPAR matches).
- :func:`wrong_answers`: graded, but several answers do not match the key (hidden findings fail).
- :func:`timeout`: the run hit the wall-time limit; later questions were not run.
- :func:`dead_kernel`: the kernel died (memory limit) in a student cell; the failure is recorded.
- :func:`cell_error`: a student cell raised; CV results are missing.
- :func:`missing_gradients`: ``GRADIENTS`` was never defined; question 1.2 is missing.
- :func:`metric_mismatch`: the reported CV ROC-AUC is far above the hidden-set measurement, saved outputs
  were edited and a locked cell was changed (integrity flags).
- :func:`hostile_strings`: student-controlled strings full of HTML and template syntax.
- :func:`self_check`: the student's own pre-submission check: hidden criteria deferred, not scored.
- :func:`class_of`: ``n`` varied submissions for the class summary and the benchmark.
- :func:`reference_data`: fixed reference profiles and JASPAR-like matrices (no torch, no pyjaspar).

``HIDDEN_SENTINELS`` lists strings that appear only in hidden findings; no student-facing file may
contain any of them.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections.abc import Callable
from statistics import NormalDist

from assignments.week11.items import CV, GRADIENTS
from assignments.week11.records import CVReport, GradientData, MotifHit
from assignments.week11.reference_data import GradientReference, ReferenceData
from grader.records.collected import CollectedRecord, Item, Scalar
from grader.records.evidence import Evidence, HiddenEvaluation
from grader.records.execution import CellFailure, ExecStatus, ExecutionRecord
from grader.records.graded import GradedSubmission, IntegrityReport
from grader.records.result import (
    Finding,
    FindingStatus,
    QuestionResult,
    QuestionStatus,
    SubmissionResult,
    SubmissionStatus,
    Visibility,
)

__all__ = [
    "HIDDEN_SENTINELS",
    "SCENARIOS",
    "cell_error",
    "class_of",
    "dead_kernel",
    "full_marks",
    "hostile_strings",
    "metric_mismatch",
    "missing_gradients",
    "reference_data",
    "self_check",
    "timeout",
    "wrong_answers",
]

GRADED_AT = "2024-06-24T10:15:00+00:00"
KEY: dict[str, Scalar] = {"1.2": "Batch Norm", "3.1": "Incorrect", "3.2": "Incorrect", "3.3": 0, "3.4": 42}
HIDDEN_SENTINELS: tuple[str, ...] = (
    "hidden-key:",
    "HIDDEN_TOLERANCE",
    "criterion_key_match",
    "hidden_seq_",
)
"""Fragments that occur only in hidden findings (messages and criterion names)."""

_TITLES: dict[str, str] = {
    "1.2": "Most effective countermeasure against vanishing gradients",
    "2.5": "ROC-AUC of the CNN with 5-fold cross-validation",
    "2.6": "First-layer kernels as DNA motifs (optional)",
    "3.1": "XNOR data with one linear layer and a sigmoid",
    "3.2": "Rotation equivariance of convolutions",
    "3.3": "One gradient-descent step on f(x) = x² + 3",
    "3.4": "∂L/∂w₁₁ of a two-layer ReLU network",
}
_MAX: dict[str, float] = {"1.2": 2, "2.5": 5, "2.6": 5, "3.1": 2, "3.2": 2, "3.3": 2, "3.4": 2}
_LIMITS = {"wall_time": "1800 s", "cell_time": "600 s", "memory": "6 GiB", "processes": "256", "network": "none"}
_METHODS = ("baseline", "skip", "batch_norm", "relu", "elu")
_MOTIFS = (("MA0114.4", "HNF4A"), ("MA0046.3", "HNF1A"), ("MA0148.5", "FOXA1"), ("MA0102.5", "CEBPA"))


# --------------------------------------------------------------------------- findings and questions


def _key_finding(qid: str, answer: Scalar, max_points: float) -> Finding:
    """The hidden answer-key check: its message names the key, so it must never reach a student."""
    passed = str(answer).strip().lower() == str(KEY[qid]).lower()
    return Finding(
        criterion=f"criterion_key_match_{qid}",
        kind="answer_key",
        passed=passed,
        points=max_points if passed else 0.0,
        max_points=max_points,
        message=f"hidden-key: expected {KEY[qid]!r}, got {answer!r} (HIDDEN_TOLERANCE 1e-6)",
        visibility=Visibility.HIDDEN,
    )


def _answer_question(qid: str, answer: Scalar) -> QuestionResult:
    """A key-checked question (1.2, 3.x): one public form check plus the hidden key check."""
    key = _key_finding(qid, answer, _MAX[qid])
    form = Finding(
        criterion="answer_given",
        kind="form",
        passed=True,
        points=0.0,
        max_points=0.0,
        message=f"answer read: {answer!r}",
    )
    points = key.points
    return QuestionResult(
        id=qid,
        title=_TITLES[qid],
        points=points,
        max_points=_MAX[qid],
        status=QuestionStatus.PASSED if key.passed else QuestionStatus.FAILED,
        reason="" if key.passed else f"answer {answer!r} was not accepted",
        findings=(form, key),
    )


def _cv_question(cv_mean: float, hidden_auc: float) -> QuestionResult:
    """Question 2.5: the reported CV ROC-AUC must reach 0.75 and agree with the hidden-set value."""
    reached = cv_mean >= 0.75
    agrees = abs(cv_mean - hidden_auc) <= 0.1
    findings = (
        Finding(
            criterion="cv_roc_auc_at_least_0.75",
            kind="threshold",
            passed=reached,
            points=3.0 if reached else 0.0,
            max_points=3.0,
            message=f"reported mean ROC-AUC {cv_mean:.3f} {'≥' if reached else '<'} 0.75",
        ),
        Finding(
            criterion="hidden_seq_agreement",
            kind="consistency",
            passed=agrees,
            points=2.0 if agrees else 0.0,
            max_points=2.0,
            message=f"hidden-key: |{cv_mean:.3f} - measured| within HIDDEN_TOLERANCE 0.1",
            visibility=Visibility.HIDDEN,
        ),
    )
    points = sum(f.points for f in findings)
    status = QuestionStatus.PASSED if points == 5 else QuestionStatus.PARTIAL if points else QuestionStatus.FAILED
    reason = "" if reached else f"reported ROC-AUC {cv_mean:.3f} is below 0.75"
    return QuestionResult(
        id="2.5", title=_TITLES["2.5"], points=points, max_points=5, status=status, reason=reason,
        findings=findings,
    )


def _kernels_question(n_matches: int) -> QuestionResult:
    """Question 2.6 (extra credit): at least two kernels resemble known liver motifs."""
    passed = n_matches >= 2
    return QuestionResult(
        id="2.6",
        title=_TITLES["2.6"],
        points=5.0 if passed else 0.0,
        max_points=5,
        status=QuestionStatus.PASSED if passed else QuestionStatus.FAILED,
        reason="" if passed else f"only {n_matches} kernel(s) match a JASPAR motif (need 2)",
        extra_credit=True,
        findings=(
            Finding(
                criterion="kernels_match_jaspar",
                kind="motif",
                passed=passed,
                points=5.0 if passed else 0.0,
                max_points=5.0,
                message=f"{n_matches} kernel(s) with a JASPAR match above 0.6",
            ),
        ),
    )


def _unjudged(qid: str, status: QuestionStatus, reason: str) -> QuestionResult:
    """A question that earned nothing because its input was missing, invalid or never ran."""
    return QuestionResult(
        id=qid, title=_TITLES[qid], points=0.0, max_points=_MAX[qid], status=status, reason=reason,
        extra_credit=qid == "2.6",
    )


# --------------------------------------------------------------------------- evidence


def _gradients(rng: random.Random, depth: int = 10) -> GradientData:
    """Per-layer gradient magnitudes shaped like the reference study (input side first)."""
    slopes = {"baseline": 0.8, "skip": 0.12, "batch_norm": 0.03, "relu": 0.35, "elu": 0.2}
    magnitudes: dict[str, tuple[float, ...]] = {}
    for method in _METHODS:
        top = 10 ** rng.uniform(-2.5, -1.5)
        noise = [rng.uniform(-0.08, 0.08) for _ in range(depth)]
        magnitudes[method] = tuple(
            top * 10 ** (-slopes[method] * (depth - 1 - i) + noise[i]) for i in range(depth)
        )
    zeros = {"relu": tuple(round(rng.uniform(0.2, 0.8), 3) for _ in range(depth))}
    return GradientData(magnitudes=magnitudes, zero_fractions=zeros)


def _hidden(rng: random.Random, auc: float, n: int = 400, n_positive: int = 160) -> HiddenEvaluation:
    """A binormal ROC and the PR curve it implies, for a model with ROC-AUC ``auc``."""
    normal = NormalDist()
    d = math.sqrt(2) * normal.inv_cdf(min(max(auc, 0.501), 0.999))
    prevalence = n_positive / n
    fprs = [0.0] + [10 ** (-3 + 3 * i / 39) for i in range(40)]
    roc = tuple((f, normal.cdf(normal.inv_cdf(min(max(f, 1e-9), 1 - 1e-9)) + d) if f > 0 else 0.0) for f in fprs)
    pr = tuple(
        (tpr, prevalence * tpr / (prevalence * tpr + (1 - prevalence) * fpr))
        for fpr, tpr in roc[1:]
        if tpr > 0
    )
    per_model = tuple(round(auc + rng.uniform(-0.02, 0.02), 4) for _ in range(5))
    pr_auc = sum((r2 - r1) * p2 for (r1, _), (r2, p2) in itertools.pairwise(pr)) + pr[0][0] * pr[0][1]
    return HiddenEvaluation(
        n=n, n_positive=n_positive, roc_auc=round(auc, 4), pr_auc=round(pr_auc, 4),
        per_model_roc_auc=per_model, roc_curve=roc, pr_curve=pr,
    )


def _kernels(rng: random.Random, n_filters: int = 16, width: int = 12) -> tuple[tuple[tuple[float, ...], ...], ...]:
    """First-layer kernels (filters, 4, width); the first four carry a planted motif."""
    planted = ("TGGACTTTGGAC", "GTTAATNATTAAC", "TGTTTACTTAGC", "TTGCGCAATCCC")
    kernels = []
    for f in range(n_filters):
        rows = [[rng.gauss(0.0, 0.12) for _ in range(width)] for _ in range(4)]
        if f < len(planted):
            for pos, base in enumerate(planted[f][:width]):
                if base in "ACGT":
                    rows["ACGT".index(base)][pos] += rng.uniform(0.5, 0.9)
        kernels.append(tuple(tuple(round(v, 4) for v in row) for row in rows))
    return tuple(kernels)


def _motif_hits(rng: random.Random, n: int) -> tuple[MotifHit, ...]:
    """Best JASPAR matches for the first ``n`` kernels."""
    return tuple(
        MotifHit(
            kernel_index=i, matrix_id=_MOTIFS[i][0], name=_MOTIFS[i][1], score=round(rng.uniform(0.62, 0.91), 3),
            strand="+" if i % 2 == 0 else "-", offset=i % 3,
        )
        for i in range(min(n, len(_MOTIFS)))
    )


def _cv(rng: random.Random, mean: float) -> CVReport:
    """Five per-fold ROC-AUC and PR-AUC values around ``mean``."""
    roc = tuple(round(mean + rng.uniform(-0.02, 0.02), 4) for _ in range(5))
    return CVReport(roc_auc=roc, pr_auc=tuple(round(v - 0.08, 4) for v in roc))


def _execution(status: ExecStatus = ExecStatus.OK, **overrides: object) -> ExecutionRecord:
    """A sandboxed CPU run with the course limits; ``overrides`` replace single fields."""
    base: dict[str, object] = {
        "status": status, "cells_executed": 42, "duration_s": 412.6, "device": "cpu", "sandboxed": True,
        "limits": dict(_LIMITS), "epilogue_ran": status is ExecStatus.OK,
    }
    base.update(overrides)
    return ExecutionRecord.model_validate(base)


# --------------------------------------------------------------------------- assembling


def _assemble(
    student_id: str,
    questions: tuple[QuestionResult, ...],
    execution: ExecutionRecord,
    evidence: Evidence,
    *,
    reason: str = "",
    integrity: IntegrityReport | None = None,
) -> GradedSubmission:
    """A ``GradedSubmission`` whose totals are the sums of its questions."""
    regular = [q for q in questions if not q.extra_credit]
    extra = [q for q in questions if q.extra_credit]
    result = SubmissionResult(
        student_id=student_id,
        source=f"submissions/{student_id}.ipynb",
        status=SubmissionStatus.from_exec(execution.status),
        reason=reason or execution.reason,
        total=sum(q.points for q in regular),
        max_points=sum(q.max_points for q in regular),
        extra_points=sum(q.points for q in extra),
        extra_max=sum(q.max_points for q in extra),
        rubric_id="week11@1",
        questions=questions,
    )
    return GradedSubmission(
        result=result,
        execution=execution.model_copy(update={"executed_notebook": f"executed/{student_id}.ipynb"}),
        evidence=evidence,
        integrity=integrity or IntegrityReport(saved_outputs_reproduced=True, student_code_sha256="0" * 64),
        submission_sha256=hashlib.sha256(student_id.encode()).hexdigest(),
        grader_version="0.1.0",
        graded_at=GRADED_AT,
    )


def _answers(values: dict[str, Scalar]) -> dict[str, Item[Scalar]]:
    """Collected answer items for ``values``."""
    return {qid: Item[Scalar].ok(v) for qid, v in values.items()}


def _graded(
    student_id: str,
    answers: dict[str, Scalar],
    *,
    seed: int,
    cv_mean: float,
    hidden_auc: float,
    n_matches: int = 4,
) -> GradedSubmission:
    """A submission that ran to the end, scored from ``answers`` and the given metric values."""
    rng = random.Random(seed)
    collected = CollectedRecord(
        answers=_answers(answers),
        gradients=Item[GradientData].ok(_gradients(rng)),
        cv=Item[CVReport].ok(_cv(rng, cv_mean)),
        kernel_sweep=Item[dict[str, float]].ok({"5": 0.771, "9": 0.798, "15": 0.812, "21": 0.806}),
        first_layer_kernels=Item[tuple[tuple[tuple[float, ...], ...], ...]].ok(_kernels(rng)),
    )
    evidence = Evidence(
        collected=collected,
        hidden=Item[HiddenEvaluation].ok(_hidden(rng, hidden_auc)),
        motifs=Item[tuple[MotifHit, ...]].ok(_motif_hits(rng, n_matches)),
    )
    questions = (
        _answer_question("1.2", answers["1.2"]),
        _cv_question(sum(CV.read(collected).value.roc_auc) / 5 if CV.read(collected).value else 0.0, hidden_auc),
        _kernels_question(n_matches),
        *(_answer_question(q, answers[q]) for q in ("3.1", "3.2", "3.3", "3.4")),
    )
    return _assemble(student_id, questions, _execution(), evidence)


def full_marks(student_id: str = "s_full", seed: int = 1) -> GradedSubmission:
    """Every answer matches the key; CV and hidden-set ROC-AUC agree around 0.81."""
    return _graded(student_id, dict(KEY), seed=seed, cv_mean=0.81, hidden_auc=0.80)


def wrong_answers(student_id: str = "s_wrong", seed: int = 2) -> GradedSubmission:
    """Graded run, but 1.2, 3.1 and 3.4 are wrong and CV stays below 0.75."""
    answers = dict(KEY) | {"1.2": "ReLU", "3.1": "Correct", "3.4": 84}
    return _graded(student_id, answers, seed=seed, cv_mean=0.71, hidden_auc=0.70, n_matches=1)


def metric_mismatch(student_id: str = "s_mismatch", seed: int = 3) -> GradedSubmission:
    """Reported CV ROC-AUC 0.95 but 0.68 on hidden data; edited saved outputs and a changed locked cell."""
    graded = _graded(student_id, dict(KEY), seed=seed, cv_mean=0.95, hidden_auc=0.68)
    integrity = IntegrityReport(
        saved_outputs_reproduced=False,
        saved_output_notes=("cell 31: saved output 'ROC-AUC: 0.953' but re-execution printed 'ROC-AUC: 0.694'",),
        locked_cells_changed=("cell-load-data",),
        student_code_sha256="1" * 64,
    )
    return graded.model_copy(update={"integrity": integrity})


def hostile_strings(student_id: str = "s_hostile", seed: int = 4) -> GradedSubmission:
    """Student-controlled strings (answers, method names) that look like HTML and template syntax."""
    graded = _graded(student_id, dict(KEY) | {"1.2": "<script>alert('x')</script>{{ 7*7 }}"}, seed=seed,
                     cv_mean=0.8, hidden_auc=0.79)
    grads = GRADIENTS.read(graded.evidence.collected).value
    assert grads is not None
    renamed = GradientData(magnitudes={"<b>bold</b> & {{x}}": grads.magnitudes["batch_norm"],
                                       "baseline": grads.magnitudes["baseline"]})
    collected = CollectedRecord.model_validate(
        {**graded.evidence.collected.model_dump(), "gradients": Item[GradientData].ok(renamed)}
    )
    return graded.model_copy(update={"evidence": graded.evidence.model_copy(update={"collected": collected})})


def _failed(
    student_id: str,
    execution: ExecutionRecord,
    collected: CollectedRecord,
    judged: dict[str, QuestionResult],
    reason: str,
) -> GradedSubmission:
    """A submission whose run ended early: questions not in ``judged`` were not run."""
    order = ("1.2", "2.5", "2.6", "3.1", "3.2", "3.3", "3.4")
    questions = tuple(judged.get(q) or _unjudged(q, QuestionStatus.NOT_RUN, reason) for q in order)
    evidence = Evidence(collected=collected, hidden=Item[HiddenEvaluation].missing(reason),
                        motifs=Item[tuple[MotifHit, ...]].missing(reason))
    return _assemble(student_id, questions, execution, evidence)


def timeout(student_id: str = "s_timeout", seed: int = 5) -> GradedSubmission:
    """Cell 23 (5-fold CV) ran past the 600 s cell limit; answers 3.x were never collected."""
    reason = "cell 23 exceeded the 600 s cell time limit"
    rng = random.Random(seed)
    execution = _execution(ExecStatus.TIMEOUT, reason=reason, duration_s=611.2, cells_executed=23,
                           failure=CellFailure(cell_index=23, source_preview="for fold in range(5):\n    trainer.fit(model, dl)",
                                               ename="CellTimeoutError", evalue="A cell timed out after 600 seconds."))
    collected = CollectedRecord(gradients=Item[GradientData].ok(_gradients(rng)))
    q12 = _answer_question("1.2", "Batch Norm")
    return _failed(student_id, execution, collected, {"1.2": q12}, "not run: the notebook timed out before this answer")


_TRACEBACK = (
    "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m\n"
    "\x1b[0;31mRuntimeError\x1b[0m                              Traceback (most recent call last)\n"
    "Cell \x1b[0;32mIn[17], line 4\x1b[0m\n"
    "\x1b[1;32m      2\x1b[0m x = torch.randn(8, 4, 200)\n"
    "\x1b[0;32m----> 4\x1b[0m \x1b[43mmodel\x1b[49m\x1b[43m(\x1b[49m\x1b[43mx\x1b[49m\x1b[43m)\x1b[49m\n"
    "\x1b[0;31mRuntimeError\x1b[0m: mat1 and mat2 shapes cannot be multiplied (8x6272 and 3136x1)"
)


def cell_error(student_id: str = "s_cellerr", seed: int = 6) -> GradedSubmission:
    """The CNN cell raised a shape error; later cells ran, but no CV results or models exist."""
    rng = random.Random(seed)
    failure = CellFailure(
        cell_index=17,
        source_preview="model = EnhancerCNN(kernel_size=9)\nx = torch.randn(8, 4, 200)\n\nmodel(x)",
        ename="RuntimeError",
        evalue="mat1 and mat2 shapes cannot be multiplied (8x6272 and 3136x1)",
        traceback_tail=_TRACEBACK,
        output_tail="EnhancerCNN(\n  (conv): Conv1d(4, 32, kernel_size=(9,), stride=(1,))\n  (fc): Linear(3136, 1)\n)",
    )
    execution = _execution(ExecStatus.CELL_ERROR, reason="cell 17 raised RuntimeError", failure=failure,
                           cell_errors=(17, 19, 20), epilogue_ran=True)
    answers = dict(KEY)
    collected = CollectedRecord(
        answers=_answers(answers),
        gradients=Item[GradientData].ok(_gradients(rng)),
        cv=Item[CVReport].missing("CV_RESULTS was not defined"),
    )
    judged = {q: _answer_question(q, answers[q]) for q in ("1.2", "3.1", "3.2", "3.3", "3.4")}
    judged["2.5"] = _unjudged("2.5", QuestionStatus.MISSING, "missing: CV_RESULTS was not defined")
    judged["2.6"] = _unjudged("2.6", QuestionStatus.MISSING, "missing: no trained models in FOLD_MODELS")
    return _failed(student_id, execution, collected, judged, "FOLD_MODELS was empty: no models to score")


def dead_kernel(student_id: str = "s_dead", seed: int = 7) -> GradedSubmission:
    """The kernel was killed by the 6 GiB memory limit while one-hot encoding all sequences."""
    failure = CellFailure(
        cell_index=9,
        source_preview="X = np.stack([one_hot(s) for s in seqs * 1000])",
        ename="DeadKernelError",
        evalue="Kernel died (exit code -9, SIGKILL)",
        traceback_tail="DeadKernelError: Kernel died",
        output_tail="Encoding 2,310,000 sequences...",
    )
    execution = _execution(ExecStatus.DEAD_KERNEL, reason="the kernel was killed: memory limit 6 GiB reached",
                           failure=failure, kernel_exit_code=-9, duration_s=95.3, cells_executed=9)
    return _failed(student_id, execution, CollectedRecord(), {}, "not run: the kernel died before this answer")


def missing_gradients(student_id: str = "s_nograd", seed: int = 8) -> GradedSubmission:
    """Everything ran, but ``GRADIENTS`` was never defined, so 1.2 has no supporting evidence."""
    graded = full_marks(student_id, seed)
    collected = CollectedRecord.model_validate({
        **graded.evidence.collected.model_dump(),
        "gradients": Item[GradientData].missing("GRADIENTS was not defined after the last cell"),
    })
    q12 = _unjudged("1.2", QuestionStatus.MISSING, "missing: GRADIENTS was not defined, so the answer is unsupported")
    questions = tuple(q12 if q.id == "1.2" else q for q in graded.result.questions)
    result = graded.result.model_copy(update={"questions": questions, "total": graded.result.total - 2})
    evidence = graded.evidence.model_copy(update={"collected": collected})
    return graded.model_copy(update={"result": result, "evidence": evidence})


def self_check(student_id: str = "s_self", seed: int = 9) -> GradedSubmission:
    """A self-check run: hidden criteria are deferred to grading and earn nothing yet."""
    graded = full_marks(student_id, seed)
    questions = []
    for q in graded.result.questions:
        findings = tuple(
            f.model_copy(update={"status": FindingStatus.DEFERRED, "passed": False, "points": 0.0})
            if f.visibility is Visibility.HIDDEN else f
            for f in q.findings
        )
        points = sum(f.points for f in findings)
        status = QuestionStatus.PASSED if points == q.max_points else QuestionStatus.NOT_RUN if not points \
            else QuestionStatus.PARTIAL
        questions.append(q.model_copy(update={"findings": findings, "points": points, "status": status, "reason": ""}))
    regular = sum(q.points for q in questions if not q.extra_credit)
    result = graded.result.model_copy(update={"questions": tuple(questions), "self_check": True, "total": regular})
    return graded.model_copy(update={"result": result})


SCENARIOS: dict[str, Callable[..., GradedSubmission]] = {
    "full_marks": full_marks,
    "wrong_answers": wrong_answers,
    "timeout": timeout,
    "dead_kernel": dead_kernel,
    "cell_error": cell_error,
    "missing_gradients": missing_gradients,
    "metric_mismatch": metric_mismatch,
    "hostile_strings": hostile_strings,
    "self_check": self_check,
}
"""Scenario name -> factory ``(student_id, seed) -> GradedSubmission``."""


def class_of(n: int, seed: int = 0) -> tuple[GradedSubmission, ...]:
    """``n`` submissions with varied answers and metrics (ids ``s001`` ...), about 8% failed runs."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        sid = f"s{i + 1:03d}"
        roll = rng.random()
        if roll < 0.03:
            out.append(timeout(sid, seed + i))
        elif roll < 0.05:
            out.append(dead_kernel(sid, seed + i))
        elif roll < 0.08:
            out.append(cell_error(sid, seed + i))
        else:
            answers = {q: (k if rng.random() < 0.75 else _wrong(q)) for q, k in KEY.items()}
            auc = rng.uniform(0.66, 0.86)
            out.append(_graded(sid, answers, seed=seed + i, cv_mean=auc + rng.uniform(-0.03, 0.06),
                               hidden_auc=auc, n_matches=rng.randint(0, 4)))
    return tuple(out)


def _wrong(qid: str) -> Scalar:
    """A plausible wrong answer to ``qid``."""
    wrong: dict[str, Scalar] = {"1.2": "ReLU", "3.1": "Correct", "3.2": "Correct", "3.3": 0.5, "3.4": 84}
    return wrong[qid]


def _count_matrix(consensus: str) -> tuple[tuple[float, ...], ...]:
    """A (4, width) count matrix with 80 of 100 counts on the consensus base (N: uniform)."""
    rows = []
    for base in "ACGT":
        rows.append(tuple(25.0 if c == "N" else 80.0 if c == base else 20.0 / 3 for c in consensus))
    return tuple(rows)


def reference_data() -> ReferenceData:
    """Fixed reference material: median-like profiles of depth 20 and four JASPAR-like matrices."""
    slopes = {"baseline": 0.9, "skip": 0.05, "batch_norm": 0.01, "relu": 0.45, "elu": 0.3}
    profiles = {m: tuple(1e-2 * 10 ** (-s * (19 - i)) for i in range(20)) for m, s in slopes.items()}
    motifs = {
        "MA0114.4": _count_matrix("GGGGTCAAAGGTCA"),
        "MA0046.3": _count_matrix("GTTAATNATTAAC"),
        "MA0148.5": _count_matrix("TGTTTACTTAG"),
        "MA0102.5": _count_matrix("ATTGCGCAAT"),
    }
    return ReferenceData(
        gradients=GradientReference(profiles, "synthetic reference profiles (samples.reference_data)"),
        motifs=motifs,
        notes=("sample reference data",),
    )


def prepared(reference: ReferenceData) -> dict[str, object]:
    """``reference`` as the Week 11 panels' prepared data (by panel id), as ``prepare_panels`` makes it."""
    return {"gradients": reference.gradients, "kernels": reference.motifs}
