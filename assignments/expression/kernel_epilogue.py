"""The expression pack's part of the grader's epilogue cell: runs INSIDE the student's kernel.

Never imported for its behaviour: ``assignments.expression.PACK.epilogue`` is this file as text, appended
to the generic collector (``grader/collect/kernel_epilogue.py``), whose ``_grader_collect`` calls
``_pack_collect`` here. It reads the unlabelled hidden rows the grader wrote (``hidden/features.csv``) and
scores them with the student's ``MODEL`` (``predict_proba``'s column of class 1, else
``decision_function``). It scores nothing: the grader pairs the scores with labels it never wrote.
"""

from __future__ import annotations

from typing import Any

_EXPRESSION_HIDDEN_CSV = "hidden/features.csv"


def _pack_collect(record: dict[str, Any], ns: dict[str, Any], plain: Any, grab: Any) -> None:
    model = ns.get("MODEL")
    if model is None:
        return
    record["present"].append("MODEL")
    try:
        ids, rows = _read_hidden(_EXPRESSION_HIDDEN_CSV)
        record["hidden_predictions"] = {"ids": ids, "scores": [plain(_scores(model, rows))]}
    except Exception as exc:  # the student's model may raise anything; record it and go on
        record["errors"]["hidden_predictions"] = f"{type(exc).__name__}: {str(exc)[:300]}"


def _read_hidden(path: str) -> tuple[list[str], Any]:
    """The hidden rows' ids and their expression values, shape (n, genes), in the file's gene order."""
    import numpy as np

    with open(path, encoding="ascii") as handle:
        lines = [line.strip().split(",") for line in handle if line.strip()]
    ids = [cells[0] for cells in lines[1:]]
    return ids, np.array([[float(v) for v in cells[1:]] for cells in lines[1:]], dtype=np.float64)


def _scores(model: Any, rows: Any) -> Any:
    """One score per row, higher meaning class 1."""
    import numpy as np

    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(rows), dtype=np.float64)
        classes = list(getattr(model, "classes_", [0, 1]))
        return proba[:, classes.index(1) if 1 in classes else -1]
    if hasattr(model, "decision_function"):
        return np.asarray(model.decision_function(rows), dtype=np.float64).ravel()
    raise TypeError(f"MODEL ({type(model).__name__}) has neither predict_proba nor decision_function")
