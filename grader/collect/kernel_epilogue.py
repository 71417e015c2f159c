"""Source of the grader's epilogue cell: runs INSIDE the student's kernel, after their cells.

This file is never imported by the grader for its behaviour; ``epilogue_source()`` in
``grader.collect.epilogue`` reads it as text and appends a call. It only turns the variables named in
docs/notebook-contract.md into plain JSON (numbers, strings, lists), scores the unlabelled hidden
sequences with the student's models, and writes ``grader_record.json``. It scores nothing: whatever it
writes is validated by the grader outside the sandbox, and nothing is ever unpickled.
"""

from __future__ import annotations

from typing import Any

RECORD_FILE = "grader_record.json"
HIDDEN_FASTA = "hidden/sequences.fa"
MAX_STR = 2000
MAX_LIST = 100_000
MAX_MODELS = 10


def _grader_collect(ns: dict[str, Any]) -> None:
    import json
    import math
    import os

    record: dict[str, Any] = {"schema": 1, "errors": {}, "present": []}

    def plain(value: Any, depth: int = 0) -> Any:
        """Numbers, strings, booleans, None, and nested lists/dicts of them; anything else as text."""
        if value is None or isinstance(value, bool | int | str):
            return value[:MAX_STR] if isinstance(value, str) else value
        if isinstance(value, float):
            return value if math.isfinite(value) else repr(value)
        if hasattr(value, "detach"):
            value = value.detach().cpu().numpy()
        if hasattr(value, "tolist") and hasattr(value, "dtype"):
            return plain(value.tolist(), depth)
        if depth < 4 and isinstance(value, dict):
            return {str(k)[:200]: plain(v, depth + 1) for k, v in list(value.items())[:1000]}
        if depth < 4 and isinstance(value, list | tuple):
            return [plain(v, depth + 1) for v in list(value)[:MAX_LIST]]
        return {"__unsupported__": f"{type(value).__name__}: {repr(value)[:200]}"}

    def grab(key: str, name: str) -> None:
        if name not in ns:
            return
        record["present"].append(name)
        try:
            record[key] = plain(ns[name])
        except Exception as exc:  # the student's object may raise anything; record and go on
            record["errors"][key] = f"{type(exc).__name__}: {str(exc)[:300]}"

    for key, name in (
        ("answers", "ANSWERS"),
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

    tmp = RECORD_FILE + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(record, handle, allow_nan=True)
    os.replace(tmp, RECORD_FILE)
    print(f"grader: collected {', '.join(record['present']) or 'nothing'}")


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
