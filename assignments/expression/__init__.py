"""The expression classifier (a gene-expression-like tabular binary task) as an assignment pack: ``PACK``.

The second pack, built on the generic grader alone (docs/adding-an-assignment.md): the data comes from the
class secret (``data.py``, rubric ``data:`` kind ``expression``), the notebook hands in ``MODEL``, whose
scores of the hidden samples the generic hidden evaluator measures (``hidden_roc_auc``), and the report
ends with one panel (``panels.py``). No criterion kinds, rules or metrics of its own. README.md says how
the rubric, the notebooks and the samples fit together.
"""

from __future__ import annotations

from pathlib import Path

from assignments.expression.contract import VARIABLES
from assignments.expression.data import prepare_data, self_check_data
from assignments.expression.items import HIDDEN_PREDICTIONS, ITEMS
from assignments.expression.panels import PANELS
from grader.evaluate.hidden import hidden_evaluator
from grader.packs import AssignmentPack

__all__ = ["PACK"]

HERE = Path(__file__).resolve().parent
PACK = AssignmentPack(
    name="expression", items=ITEMS, epilogue=(HERE / "kernel_epilogue.py").read_text(encoding="utf-8"),
    prepare_data=prepare_data, self_check_data=self_check_data,
    evaluators=(hidden_evaluator(HIDDEN_PREDICTIONS, "samples"),), panels=PANELS, templates=HERE / "templates",
    variables=VARIABLES,
)
