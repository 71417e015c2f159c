"""Week 11's part of the grader's epilogue cell: runs INSIDE the student's kernel, after the generic part.

Never imported for its behaviour: ``assignments.week11.PACK.epilogue`` is this file as text, and
``grader.collect.epilogue`` appends it to the generic collector (``grader/collect/kernel_epilogue.py``),
whose ``_grader_collect`` calls ``_pack_collect`` here. It grabs GRADIENTS, GRADIENT_ZERO_FRACTIONS,
CV_RESULTS and KERNEL_SWEEP, reads the first-layer kernels of ``FOLD_MODELS[0]`` and scores the unlabelled
hidden sequences with the student's models (docs/notebook-contract.md). It scores nothing.
"""

from __future__ import annotations

from typing import Any

HIDDEN_FASTA = "hidden/sequences.fa"
MAX_MODELS = 10


def _pack_collect(record: dict[str, Any], ns: dict[str, Any], plain: Any, grab: Any) -> None:
    for key, name in (
        ("gradients", "GRADIENTS"),
        ("gradient_zero_fractions", "GRADIENT_ZERO_FRACTIONS"),
        ("cv", "CV_RESULTS"),
        ("kernel_sweep", "KERNEL_SWEEP"),
    ):
        grab(key, name)

    models = ns.get("FOLD_MODELS")
    if models is not None:
        record["present"].append("FOLD_MODELS")
        try:
            _models_section(record, list(models)[:MAX_MODELS], ns, plain)
        except Exception as exc:
            record["errors"]["hidden_predictions"] = f"{type(exc).__name__}: {str(exc)[:300]}"


def _read_fasta(path: str) -> tuple[list[str], list[str]]:
    ids: list[str] = []
    seqs: list[list[str]] = []
    with open(path, encoding="ascii") as handle:
        for line in handle:
            line = line.strip()
            if line.startswith(">"):
                ids.append(line[1:].split()[0])
                seqs.append([])
            elif line and seqs:
                seqs[-1].append(line.upper())
    return ids, ["".join(parts) for parts in seqs]


def _one_hot(seqs: list[str], length: int) -> Any:
    import numpy as np

    table = np.full(256, -1, dtype=np.int64)
    for index, base in enumerate("ACGT"):
        table[ord(base)] = index
    out = np.zeros((len(seqs), 4, length), dtype=np.float32)
    for row, seq in enumerate(seqs):
        start = max(0, (len(seq) - length) // 2)
        core = seq[start : start + length]
        pad = (length - len(core)) // 2
        codes = table[np.frombuffer(core.encode("ascii"), dtype=np.uint8)]
        cols = np.arange(len(core)) + pad
        keep = codes >= 0
        out[row, codes[keep], cols[keep]] = 1.0
    return out


def _predict(model: Any, x: Any, device: str) -> list[float]:
    import torch

    model.eval()
    target = torch.device(device if device == "cpu" or torch.cuda.is_available() else "cpu")
    model.to(target)
    scores: list[float] = []
    with torch.no_grad():
        for start in range(0, x.shape[0], 512):
            out = model(torch.as_tensor(x[start : start + 512], device=target))
            if isinstance(out, tuple | list):
                out = out[0]
            out = out.float()
            if out.ndim == 2 and out.shape[1] == 2:
                out = torch.softmax(out, dim=1)[:, 1]
            scores.extend(out.reshape(out.shape[0], -1)[:, 0].cpu().tolist())
    return scores


def _first_conv_weights(model: Any) -> Any:
    """Every ``Conv1d`` with 4 input channels in ``model``, as one (filters, 4, width) array; narrower
    kernels are zero-padded on both sides to the widest (zero columns carry no motif information)."""
    import numpy as np
    import torch

    weights = [
        m.weight.detach().float().cpu().numpy()
        for m in model.modules()
        if isinstance(m, torch.nn.Conv1d) and m.in_channels == 4 and m.groups == 1
    ]
    if not weights:
        raise ValueError("FOLD_MODELS[0] has no torch.nn.Conv1d with 4 input channels (A, C, G, T)")
    width = max(w.shape[2] for w in weights)
    padded = []
    for w in weights:
        left = (width - w.shape[2]) // 2
        padded.append(np.pad(w, ((0, 0), (0, 0), (left, width - w.shape[2] - left))))
    return np.concatenate(padded)


def _models_section(record: dict[str, Any], models: list[Any], ns: dict[str, Any], plain: Any) -> None:
    import os

    record["n_models"] = len(models)
    if models:  # 2.6: the kernels of the first scored model, never a FIRST_LAYER_KERNELS variable
        try:
            record["first_layer_kernels"] = plain(_first_conv_weights(models[0]))
        except Exception as exc:  # the student's model may raise anything; record and go on
            record["errors"]["first_layer_kernels"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    if not os.path.exists(HIDDEN_FASTA):
        record["errors"]["hidden_predictions"] = "no hidden sequences were provided"
        return
    ids, seqs = _read_fasta(HIDDEN_FASTA)
    length = int(ns.get("SEQ_LEN") or max(len(s) for s in seqs))
    x = _one_hot(seqs, length)
    device = str(ns.get("DEVICE", "cpu"))
    record["hidden_predictions"] = {"ids": ids, "scores": [_predict(m, x, device) for m in models]}
