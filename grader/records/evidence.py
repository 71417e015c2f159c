"""What the evaluate stage adds: measurements the grader made itself, outside the sandbox."""

from __future__ import annotations

from grader._model import Frozen
from grader.records.collected import CollectedRecord, Item

__all__ = ["Evidence", "HiddenEvaluation", "MotifHit"]


class HiddenEvaluation(Frozen):
    """The student's fold models scored by the grader on hidden held-out data.

    ``roc_auc`` and ``pr_auc`` are for the mean score over models; curves are down-sampled
    ``(x, y)`` points (ROC: FPR, TPR; PR: recall, precision) for the report.
    """

    n: int
    n_positive: int
    roc_auc: float
    pr_auc: float
    per_model_roc_auc: tuple[float, ...] = ()
    roc_curve: tuple[tuple[float, float], ...] = ()
    pr_curve: tuple[tuple[float, float], ...] = ()


class MotifHit(Frozen):
    """A first-layer kernel's best JASPAR match."""

    kernel_index: int
    matrix_id: str
    name: str
    score: float
    strand: str
    offset: int


class Evidence(Frozen):
    """What scoring sees: the collected record plus the grader's own measurements.

    This is what is cached per submission, so a changed rubric re-scores without re-execution.
    """

    collected: CollectedRecord = CollectedRecord()
    hidden: Item[HiddenEvaluation] = Item.missing("not evaluated")
    motifs: Item[tuple[MotifHit, ...]] = Item.missing("not evaluated")
