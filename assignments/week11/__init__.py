"""Week 11 (enhancer classifier, gradients, first-layer motifs) as an assignment pack: ``PACK``.

The grader finds it by the rubric's ``assignment: week11`` (``grader.packs.load_pack``). What is still
Week 11 specific inside ``grader/`` (report panels) moves here step by step (docs/architecture.md, "Assignment packs").
"""

from __future__ import annotations

from importlib import resources

import assignments.week11.checks  # noqa: F401  (registers the kinds, rules, metrics and their checks)
from assignments.week11.criteria import GradientUniformity, KernelSweepRun, MotifMatchCriterion
from assignments.week11.data import prepare_data, self_check_data
from assignments.week11.items import HIDDEN_PREDICTIONS, ITEMS, MOTIFS
from assignments.week11.motifs import measure_motifs
from grader.evaluate.hidden import hidden_evaluator
from grader.packs import AssignmentPack, Evaluator
from grader.score._checks import verify_complete

__all__ = ["PACK"]

PACK = AssignmentPack(
    name="week11",
    items=ITEMS,
    epilogue=resources.files(__name__).joinpath("kernel_epilogue.py").read_text(encoding="utf-8"),
    prepare_data=prepare_data,
    self_check_data=self_check_data,
    evaluators=(
        hidden_evaluator(HIDDEN_PREDICTIONS),
        Evaluator(MOTIFS.name, measure_motifs, grading_only=True, deferred_reason="matched at grading time"),
    ),
    needs_reference=frozenset({"gradient_uniformity"}),
)
verify_complete((GradientUniformity, KernelSweepRun, MotifMatchCriterion))  # each kind of the pack has its check
