"""The expression notebook's contract: what it leaves behind for the grader (the pack's README.md shows
this table, written by ``scripts/contract_table.py``; the notebook's first cell says the same to students)."""

from __future__ import annotations

from grader.packs import NotebookVariable

__all__ = ["VARIABLES"]

_ANSWERS = 'a dict from question id to your answer: `ANSWERS["2.1"] = "l2"`, `ANSWERS["2.2"] = 42`; `None`: not answered'
_MODEL = ("a fitted classifier with `predict_proba` (or `decision_function`) taking an array (samples, genes) in "
          "the column order of `TRAIN_CSV`; higher scores mean class 1 (tumour). The grader scores the hidden "
          "samples with it")
VARIABLES = (NotebookVariable("ANSWERS", "2.1, 2.2", _ANSWERS), NotebookVariable("MODEL", "1.2", _MODEL))
