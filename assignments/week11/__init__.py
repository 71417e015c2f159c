"""Week 11 (enhancer classifier, gradients, first-layer motifs) as an assignment pack: ``PACK``.

The grader finds it by the rubric's ``assignment: week11`` (``grader.packs.load_pack``); its items, data,
evaluators, criteria and report panels are all here (docs/architecture.md, "Assignment packs").
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import assignments.week11.checks  # noqa: F401  (registers the kinds, rules, metrics and their checks)
from assignments.week11.contract import VARIABLES
from assignments.week11.criteria import GradientUniformity, KernelSweepRun, MotifMatchCriterion
from assignments.week11.data import prepare_data, self_check_data
from assignments.week11.items import HIDDEN_PREDICTIONS, ITEMS, MOTIFS
from assignments.week11.motifs import measure_motifs, motif_summary
from assignments.week11.panels import PANELS
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
        hidden_evaluator(HIDDEN_PREDICTIONS, "sequences"),
        Evaluator(MOTIFS.name, measure_motifs, grading_only=True, deferred_reason="matched at grading time",
                  title="motif matches", summary=motif_summary),
    ),
    needs_reference=frozenset({"gradient_uniformity"}),
    panels=PANELS,
    templates=Path(str(resources.files(__name__).joinpath("templates"))),
    variables=VARIABLES,
)
verify_complete((GradientUniformity, KernelSweepRun, MotifMatchCriterion))  # each kind of the pack has its check
