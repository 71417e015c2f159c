"""Week 11's own record types: what its items and its motif evaluator hold.

The generic records (``grader.records``) keep a pack's items and measurements as plain JSON; these models
re-type them on each read (``assignments.week11.items``: ``GRADIENTS``, ``CV``, ``MOTIFS``). Their field
names are the stored JSON's keys, so results stored before they moved here still load.
"""

from __future__ import annotations

from pydantic import Field

from grader._model import Frozen

__all__ = ["CVReport", "GradientData", "MotifHit"]


class GradientData(Frozen):
    """Per-layer gradient magnitudes the student recorded, by method name as the student wrote it.

    ``magnitudes[method]`` has one non-negative float per hidden layer, input side first.
    ``zero_fractions[method]``, when present, is the share of exactly-zero entries per layer.
    """

    magnitudes: dict[str, tuple[float, ...]]
    zero_fractions: dict[str, tuple[float, ...]] = Field(default_factory=dict)


class CVReport(Frozen):
    """The cross-validation metrics the notebook reported, one value per fold."""

    roc_auc: tuple[float, ...]
    pr_auc: tuple[float, ...] = ()

    @property
    def mean_roc_auc(self) -> float:
        return sum(self.roc_auc) / len(self.roc_auc)

    @property
    def mean_pr_auc(self) -> float | None:
        return sum(self.pr_auc) / len(self.pr_auc) if self.pr_auc else None


class MotifHit(Frozen):
    """A first-layer kernel's best JASPAR match (``assignments.week11.motifs.match_motifs``)."""

    kernel_index: int
    matrix_id: str
    name: str
    score: float
    strand: str
    offset: int
