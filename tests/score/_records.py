"""Evidence and execution records for scoring tests, built in code (no kernels)."""

from __future__ import annotations

from typing import Any

from assignments.week11.records import CVReport, GradientData, MotifHit
from grader.records.collected import CollectedRecord, FigureRef, Item, Scalar
from grader.records.evidence import Evidence, HiddenEvaluation
from grader.records.execution import CellFailure, ExecStatus, ExecutionRecord

FLAT = [1.0, 0.8, 0.9, 0.7, 0.85]
GRADIENTS = {
    "baseline": [1e-9, 1e-7, 1e-5, 1e-3, 1e-1],
    "Skip Connections": [0.05, 0.2, 0.4, 0.7, 1.0],
    "Batch Norm": FLAT,
    "ReLU": [0.0, 0.1, 0.3, 0.6, 1.0],
    "ELU": [0.001, 0.01, 0.1, 0.5, 1.0],
}
CORRECT_ANSWERS: dict[str, Scalar] = {
    "1.2": "Batch Norm",
    "3.1": "Incorrect",
    "3.2": False,
    "3.3": "x_1 = 0",
    "3.4": 42,
}


def answers(**by_id: Scalar) -> dict[str, Item[Scalar]]:
    return {qid.replace("_", "."): Item.ok(value) for qid, value in by_id.items()}


def hidden(roc_auc: float = 0.8, pr_auc: float = 0.78) -> Item[HiddenEvaluation]:
    return Item.ok(
        HiddenEvaluation(
            n=200, n_positive=100, roc_auc=roc_auc, pr_auc=pr_auc, per_model_roc_auc=(roc_auc,) * 5
        )
    )


def hit(kernel: int, name: str, score: float) -> MotifHit:
    return MotifHit(
        kernel_index=kernel, matrix_id=f"MA{kernel:04d}.1", name=name, score=score, strand="+", offset=0
    )


def evidence(
    answer_values: dict[str, Scalar] | None = None,
    *,
    gradients: dict[str, list[float]] | None = None,
    zero_fractions: dict[str, list[float]] | None = None,
    cv: CVReport | None = None,
    sweep: dict[str, float] | None = None,
    figures: tuple[FigureRef, ...] = (),
    hidden_item: Item[HiddenEvaluation] | None = None,
    motifs: tuple[MotifHit, ...] | None = None,
    **items: Any,
) -> Evidence:
    """Evidence with only what is given collected; everything else ``missing: not collected``."""
    fields: dict[str, Any] = {
        "answers": {k: Item.ok(v) for k, v in (answer_values or {}).items()},
        "figures": figures,
    }
    if gradients is not None:
        fields["gradients"] = Item.ok(GradientData(magnitudes=gradients, zero_fractions=zero_fractions or {}))
    if cv is not None:
        fields["cv"] = Item.ok(cv)
    if sweep is not None:
        fields["kernel_sweep"] = Item.ok(sweep)
    fields.update(items)
    extra: dict[str, Any] = {}
    if hidden_item is not None:
        extra["hidden"] = hidden_item
    if motifs is not None:
        extra["motifs"] = Item.ok(motifs)
    return Evidence(collected=CollectedRecord(**fields), **extra)


def week11_correct(**changes: Any) -> Evidence:
    """A submission that earns every point of rubrics/week11.yaml, with ``changes`` applied."""
    values: dict[str, Any] = {
        "answer_values": dict(CORRECT_ANSWERS),
        "gradients": GRADIENTS,
        "cv": CVReport(roc_auc=(0.82, 0.8, 0.84, 0.81, 0.83), pr_auc=(0.8,) * 5),
        "sweep": {"5": 0.8, "9": 0.82, "15": 0.81},
        "hidden_item": hidden(),
        "motifs": (
            hit(3, "HNF4A", 0.98),
            hit(5, "FOXA2", 0.96),
            hit(8, "HNF4G", 0.95),
            hit(11, "CEBPB", 0.94),
            hit(7, "GATA1", 0.9),
        ),
        "figures": (
            FigureRef(cell_index=9, section="Assignment 1 · Vanishing gradients", mime="image/png"),
            FigureRef(cell_index=25, section="Assignment 2 · 2.6", mime="image/png"),
        ),
    }
    values.update(changes)
    return evidence(**values)


def ran(status: ExecStatus = ExecStatus.OK, **fields: Any) -> ExecutionRecord:
    """A run whose collection cells ran in a live kernel."""
    return ExecutionRecord(status=status, epilogue_ran=True, **fields)


def died() -> ExecutionRecord:
    return ExecutionRecord(status=ExecStatus.DEAD_KERNEL, reason="Kernel died", kernel_exit_code=137)


def timed_out() -> ExecutionRecord:
    failure = CellFailure(
        cell_index=7, source_preview="while True: pass", ename="CellTimeoutError", evalue="600 s"
    )
    return ExecutionRecord(status=ExecStatus.TIMEOUT, reason="cell 7 exceeded 600 s", failure=failure)
