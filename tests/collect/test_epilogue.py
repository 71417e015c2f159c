"""The epilogue cell, executed in-process on real torch models, writes JSON the parser accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from assignments.week11.items import CV, FIRST_LAYER_KERNELS, GRADIENTS, HIDDEN_PREDICTIONS, KERNEL_SWEEP
from grader.collect.parse import parse_record
from grader.packs import load_pack
from grader.records.collected import ItemStatus
from tests.collect._epilogue import run_epilogue

WEEK11 = load_pack("week11")


def _run_epilogue(ns: dict[str, object], workdir: Path) -> dict[str, object]:
    return run_epilogue(WEEK11, ns, workdir)


class _Tiny(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv1d(4, 3, kernel_size=5)
        self.head = torch.nn.Linear(3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.conv(x).amax(dim=2)).squeeze(1)


def _hidden(workdir: Path, n: int = 6) -> None:
    (workdir / "hidden").mkdir()
    seqs = ["ACGTACGTAC", "TTTTACGTAA", "GGGGCCCCAA", "ACGTNNACGT", "acgtacgtac", "AC"]
    text = "".join(f">h{i:06d}\n{seqs[i % len(seqs)]}\n" for i in range(n))
    (workdir / "hidden/sequences.fa").write_text(text)


def test_epilogue_collects_contract_variables(tmp_path: Path) -> None:
    _hidden(tmp_path)
    ns: dict[str, object] = {
        "ANSWERS": {"3.1": "Incorrect", "3.3": torch.tensor(0.0), "3.4": 42, "1.2": None},
        "GRADIENTS": {"baseline": [1e-9, 1e-5, 1e-2], "batch_norm": torch.tensor([0.1, 0.2, 0.15])},
        "CV_RESULTS": {"roc_auc": [0.8, 0.82], "pr_auc": [0.7, 0.75]},
        "KERNEL_SWEEP": {5: 0.8, 11: 0.83},
        "FOLD_MODELS": [_Tiny(), _Tiny()],
        "SEQ_LEN": 10,
        "DEVICE": "cpu",
    }
    data = _run_epilogue(ns, tmp_path)
    record = parse_record(data, WEEK11.items, n_hidden=6)
    assert record.answers["3.1"].value == "Incorrect"
    assert record.answers["3.3"].value == 0.0
    assert "1.2" not in record.answers
    assert GRADIENTS.read(record).value is not None
    assert GRADIENTS.read(record).value.magnitudes["batch_norm"] == pytest.approx((0.1, 0.2, 0.15))
    assert CV.read(record).value is not None and CV.read(record).value.mean_roc_auc == pytest.approx(0.81)
    assert KERNEL_SWEEP.read(record).value == {"5": 0.8, "11": 0.83}
    predictions = HIDDEN_PREDICTIONS.read(record).value
    assert predictions is not None and len(predictions.scores) == 2 and len(predictions.ids) == 6
    kernels = FIRST_LAYER_KERNELS.read(record).value
    assert kernels is not None and len(kernels) == 3 and len(kernels[0]) == 4 and len(kernels[0][0]) == 5
    assert "_grader_collect" not in ns, "the epilogue must clean up its helper names"


def test_epilogue_records_what_is_missing_and_broken(tmp_path: Path) -> None:
    class Broken(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            raise RuntimeError("shape mismatch in my model")

    _hidden(tmp_path)
    data = _run_epilogue({"FOLD_MODELS": [Broken()], "CV_RESULTS": {"auc": 0.9}}, tmp_path)
    record = parse_record(data, WEEK11.items, n_hidden=6)
    assert GRADIENTS.read(record).status is ItemStatus.MISSING
    assert "GRADIENTS was not set" in GRADIENTS.read(record).reason
    assert HIDDEN_PREDICTIONS.read(record).status is ItemStatus.INVALID
    assert "shape mismatch in my model" in HIDDEN_PREDICTIONS.read(record).reason
    assert CV.read(record).status is ItemStatus.INVALID and "no 'roc_auc'" in CV.read(record).reason


def test_epilogue_without_hidden_file_says_so(tmp_path: Path) -> None:
    data = _run_epilogue({"FOLD_MODELS": [_Tiny()]}, tmp_path)
    record = parse_record(data, WEEK11.items, n_hidden=4)
    assert HIDDEN_PREDICTIONS.read(record).status is ItemStatus.INVALID
    assert "no hidden sequences" in HIDDEN_PREDICTIONS.read(record).reason
    assert json.dumps(data)  # plain JSON only


class _TwoWidths(torch.nn.Module):
    """Two first-layer convolutions of widths 5 and 9 in parallel (like the reference CNN's 9 + 15 + 21)."""

    def __init__(self) -> None:
        super().__init__()
        self.narrow = torch.nn.Conv1d(4, 3, kernel_size=5)
        self.wide = torch.nn.Conv1d(4, 2, kernel_size=9)
        self.mix = torch.nn.Conv1d(5, 4, kernel_size=1)  # a later layer is never read as a first layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = self.narrow(x).amax(dim=2), self.wide(x).amax(dim=2)
        return torch.cat([a, b], dim=1).sum(dim=1)


def test_kernels_come_from_the_scored_model_never_from_first_layer_kernels(tmp_path: Path) -> None:
    """Pasting JASPAR-like matrices into FIRST_LAYER_KERNELS changes nothing: the grader matches the
    first-layer weights of FOLD_MODELS[0], the model whose hidden predictions it scores."""
    _hidden(tmp_path)
    model = _Tiny()
    pasted = [[[2.0, -1.0, -1.0, -1.0, 2.0]] * 4] * 7  # 7 "motifs" of width 5
    data = _run_epilogue({"FOLD_MODELS": [model, _Tiny()], "FIRST_LAYER_KERNELS": pasted}, tmp_path)
    kernels = FIRST_LAYER_KERNELS.read(parse_record(data, WEEK11.items, n_hidden=6)).value
    assert kernels is not None and len(kernels) == 3
    assert torch.allclose(torch.tensor(kernels), model.conv.weight.detach())
    present = data["present"]
    assert isinstance(present, list) and "FIRST_LAYER_KERNELS" not in present


def test_every_first_layer_conv_is_collected_and_zero_padded(tmp_path: Path) -> None:
    model = _TwoWidths()
    kernels = FIRST_LAYER_KERNELS.read(parse_record(_run_epilogue({"FOLD_MODELS": [model]}, tmp_path), WEEK11.items)).value
    assert kernels is not None
    got = torch.tensor(kernels)
    assert got.shape == (5, 4, 9)
    assert torch.equal(got[:3, :, 2:7], model.narrow.weight.detach())
    assert not got[:3, :, :2].any() and not got[:3, :, 7:].any()
    assert torch.equal(got[3:], model.wide.weight.detach())


def test_a_model_without_a_dna_convolution_says_so(tmp_path: Path) -> None:
    class Dense(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = torch.nn.Linear(40, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.linear(x.flatten(1)).squeeze(1)

    record = parse_record(
        _run_epilogue({"FOLD_MODELS": [Dense()], "FIRST_LAYER_KERNELS": [[[1.0]] * 4]}, tmp_path), WEEK11.items
    )
    assert FIRST_LAYER_KERNELS.read(record).status is ItemStatus.INVALID
    assert "FOLD_MODELS[0] has no torch.nn.Conv1d with 4 input channels" in FIRST_LAYER_KERNELS.read(record).reason


def test_the_epilogue_uses_the_contracts_file_names() -> None:
    """The kernel_epilogue.py files run in the student's kernel and cannot import the grader: they repeat the names."""
    from assignments.week11 import data
    from assignments.week11 import kernel_epilogue as week11_epilogue
    from grader.collect import kernel_epilogue
    from grader.records import contract

    assert (kernel_epilogue.RECORD_FILE, week11_epilogue.HIDDEN_FASTA) == (contract.RECORD_FILE, data.HIDDEN_FASTA)
