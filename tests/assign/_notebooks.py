"""Helpers for the Week 11 notebook tests: paths, a grader-like preparation and an nbclient run."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[2]
WEEK11 = ROOT / "assignments" / "week11"
SOURCE = WEEK11 / "source.ipynb"
TEMPLATE = WEEK11 / "template.ipynb"
SOLUTION = WEEK11 / "solution.ipynb"
FIXTURES = ROOT / "tests" / "fixtures" / "notebooks" / "week11"
FIXTURE_TRAIN = FIXTURES / "data" / "train"
SUBMISSIONS_DIR = ROOT / "submissions"
SUMMARY_MARK = "WEEK11-SUMMARY "

SEED_CELL = """\
import random as _random
import numpy as _np
import torch as _torch
_random.seed(0); _np.random.seed(0); _torch.manual_seed(0)
_torch.use_deterministic_algorithms(True)
"""

SUMMARY_CELL = f"""\
import json as _json
import torch as _torch

def _models(models):
    out = []
    for m in models:
        with _torch.no_grad():
            y = m.eval()(_torch.zeros(3, 4, SEQ_LEN))
        out.append({{"module": isinstance(m, _torch.nn.Module), "out_shape": list(y.shape),
                     "device": str(next(m.parameters()).device)}})
    return out

_summary = {{_name: globals()[_name] for _name in ("ANSWERS", "GRADIENTS", "GRADIENT_ZERO_FRACTIONS", "CV_RESULTS")
            if _name in globals()}}
if "KERNEL_SWEEP" in globals():
    _summary["KERNEL_SWEEP"] = {{str(k): v for k, v in KERNEL_SWEEP.items()}}
if "FOLD_MODELS" in globals():
    _summary["FOLD_MODELS"] = _models(FOLD_MODELS)
if "FIRST_LAYER_KERNELS" in globals():
    _summary["FIRST_LAYER_KERNELS"] = list(FIRST_LAYER_KERNELS.shape)
print({SUMMARY_MARK!r} + _json.dumps(_summary))
"""


QUICK: dict[str, Any] = {
    "SEED": 0,
    "DEVICE": "cpu",
    "PROFILE": "quick",
    "MAX_EPOCHS": 3,
    "N_PER_CLASS": 600,
    "FOLDS": 5,
    "SEQ_LEN": 200,
}


def code_cell(source: str, tag: str) -> NotebookNode:
    """A code cell with one tag (nbformat assigns an id)."""
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = [tag]
    return cell


def prepare(nb: NotebookNode, params: dict[str, Any]) -> NotebookNode:
    """What the grader does, roughly: seed cell first, parameters after the ``parameters`` cell, summary last."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    anchor = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    lines = "\n".join(f"{name} = {value!r}" for name, value in params.items())
    nb.cells.insert(anchor + 1, code_cell(lines, "injected-parameters"))
    nb.cells.insert(0, code_cell(SEED_CELL, "grader-seed"))
    nb.cells.append(code_cell(SUMMARY_CELL, "test-summary"))
    return nb


@dataclass
class Run:
    """An executed notebook, its wall time and the summary its last cell printed (None if it did not)."""

    nb: NotebookNode
    seconds: float
    summary: dict[str, Any] | None

    def errors(self) -> list[tuple[int, str]]:
        """``(cell index, ename)`` of every cell that raised."""
        return [
            (i, out.ename)
            for i, cell in enumerate(self.nb.cells)
            for out in cell.get("outputs", [])
            if out.output_type == "error"
        ]

    def stderr(self) -> str:
        return "".join(
            out.text for c in self.nb.cells for out in c.get("outputs", []) if out.get("name") == "stderr"
        )


def _summary(nb: NotebookNode) -> dict[str, Any] | None:
    for out in nb.cells[-1].get("outputs", []):
        text = out.get("text", "")
        if out.get("name") == "stdout" and SUMMARY_MARK in text:
            return dict(json.loads(text.split(SUMMARY_MARK, 1)[1]))
    return None


def stage_data(workdir: Path, train: Path = FIXTURE_TRAIN) -> dict[str, str]:
    """Copy the FASTA pair into ``workdir/data/train``; return the parameters pointing at it."""
    target = workdir / "data" / "train"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(train / "liver.fa", target / "positive.fa")
    shutil.copyfile(train / "other.fa", target / "negative.fa")
    return {"POSITIVE_FASTA": "data/train/positive.fa", "NEGATIVE_FASTA": "data/train/negative.fa"}


def run_quick(nb: NotebookNode, workdir: Path, *, timeout: int = 300, **overrides: Any) -> Run:
    """Stage the fixture FASTA pair in ``workdir``, prepare ``nb`` with the quick profile and run it."""
    params = {**stage_data(workdir), **QUICK, **overrides}
    return execute(prepare(nb, params), workdir, timeout=timeout)


def execute(nb: NotebookNode, workdir: Path, *, timeout: int = 300) -> Run:
    """Run ``nb`` top to bottom in ``workdir`` with errors allowed, like the grader."""
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(workdir)}},
    )
    start = time.perf_counter()
    client.execute()
    return Run(nb, time.perf_counter() - start, _summary(nb))
