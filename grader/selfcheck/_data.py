"""Training data for the self-check in a student install (no ``reference`` package, so no readers or
synthetic generator): the FASTA files the notebook's own ``parameters`` cell names, next to the notebook.

The student's install checks with the data the student trains on; a TA's install uses the rubric's data.
The sequences stand in for the hidden set too (the self-check scores no hidden criterion).
"""

from __future__ import annotations

import ast
import importlib.util
import statistics
from pathlib import Path

from nbformat import NotebookNode

from grader.errors import AssignmentError
from grader.prepare.data import AssignmentData, HiddenPool
from grader.prepare.secret import ClassSecret
from grader.rubric import DeferredCriterion, EvidenceCriterion, Rubric, Visibility

__all__ = ["FASTA_PARAMETERS", "has_reference", "notebook_data", "without_reference_rules"]

FASTA_PARAMETERS = ("POSITIVE_FASTA", "NEGATIVE_FASTA")
_NEEDS_REFERENCE = frozenset({"gradient_uniformity"})
"""Evidence rules whose scoring imports ``reference`` (``grader.score._gradient_rule``)."""


def has_reference() -> bool:
    """True in a TA's install (the instructor's ``reference`` package is importable)."""
    return importlib.util.find_spec("reference") is not None


def _parameters(nb: NotebookNode) -> dict[str, str]:
    """String constants assigned in the cell tagged ``parameters``."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            try:
                tree = ast.parse(str(cell.source))
            except SyntaxError:
                return {}
            return {
                t.id: n.value.value
                for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
                and isinstance(n.value.value, str)
                for t in n.targets if isinstance(t, ast.Name)
            }
    return {}


def _read_fasta(path: Path) -> list[str]:
    records: list[list[str]] = []
    for line in path.read_text(encoding="ascii", errors="replace").splitlines():
        line = line.strip()
        if line.startswith(">"):
            records.append([])
        elif line and records:
            records[-1].append(line.upper())
    return ["".join(r) for r in records if r]


def notebook_data(notebook: Path, nb: NotebookNode) -> AssignmentData:
    """The notebook's own training FASTA files (``POSITIVE_FASTA``, ``NEGATIVE_FASTA`` of its parameters
    cell, relative to the notebook's folder) as the self-check's data.

    Raises:
        AssignmentError: a name is not set, a file is missing or holds no sequence.
    """
    params = _parameters(nb)
    paths: list[Path] = []
    for name in FASTA_PARAMETERS:
        if name not in params:
            raise AssignmentError(f"{notebook}: its parameters cell sets no {name}, so there is no training data")
        path = Path(params[name]) if Path(params[name]).is_absolute() else notebook.parent / params[name]
        if not path.is_file():
            raise AssignmentError(
                f"{name} = {params[name]!r}: no file at {path}; put the course's training data there"
            )
        paths.append(path)
    pos, neg = _read_fasta(paths[0]), _read_fasta(paths[1])
    if not pos or not neg:
        raise AssignmentError(f"{paths[0] if not pos else paths[1]}: no FASTA sequence in it")
    return AssignmentData(
        train_positive=paths[0],
        train_negative=paths[1],
        hidden=HiddenPool(tuple(pos[:250]), tuple(neg[:250])),
        seq_len=int(statistics.median(len(s) for s in pos + neg)),
        secret=ClassSecret.generate(),
        description=f"train: {paths[0].name} + {paths[1].name} (the notebook's own data)",
    )


def without_reference_rules(rubric: Rubric) -> Rubric:
    """``rubric`` with the evidence criteria that need ``reference`` deferred to grading time."""
    questions = []
    for q in rubric.questions:
        criteria = tuple(
            DeferredCriterion(
                id=c.id, points=c.points, group=c.group, original="evidence", visibility=Visibility.HIDDEN
            )
            if isinstance(c, EvidenceCriterion) and getattr(c, "rule", "") in _NEEDS_REFERENCE else c
            for c in q.criteria
        )
        questions.append(q.model_copy(update={"criteria": criteria}))
    return rubric.model_copy(update={"questions": tuple(questions)})
