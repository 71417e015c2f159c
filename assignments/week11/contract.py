"""Week 11's notebook contract: the variables a notebook leaves behind for the grader (docs/notebook-contract.md
shows this table, written by ``scripts/contract_table.py``)."""

from __future__ import annotations

from grader.packs import NotebookVariable

__all__ = ["VARIABLES"]

VARIABLES = (
    NotebookVariable(
        "ANSWERS",
        "1.2, 3.1-3.4",
        'a dict from question id to your answer: `ANSWERS["3.1"] = "Incorrect"`, `ANSWERS["3.3"] = 0`, '
        '`ANSWERS["1.2"] = "Batch Norm"`',
    ),
    NotebookVariable(
        "GRADIENTS",
        "1.2 (evidence)",
        "dict method -> list of per-hidden-layer mean abs(dL/dW), input side first; all five methods "
        "`baseline`, `skip`, `batch_norm`, `relu`, `elu`, at one depth (spellings the 1.2 answer accepts,"
        ' like "Batch Norm" or "BN", are accepted); with any missing the 1.2 evidence is invalid',
    ),
    NotebookVariable(
        "GRADIENT_ZERO_FRACTIONS",
        "1.2 (optional)",
        "same shape: share of exactly-zero gradient entries per layer; without `relu`'s, whether ReLU "
        "drops to zero cannot be told, so ReLU cannot be backed",
    ),
    NotebookVariable(
        "CV_RESULTS",
        "2.5",
        '`{"roc_auc": [per fold], "pr_auc": [per fold]}` (a single float per metric is accepted as one '
        "value)",
    ),
    NotebookVariable(
        "KERNEL_SWEEP",
        "2.4",
        "dict kernel size -> mean ROC-AUC",
    ),
    NotebookVariable(
        "FOLD_MODELS",
        "2.5, 2.6",
        "list of trained `torch.nn.Module`s, one per fold; each maps a float tensor of shape (N, 4, "
        "SEQ_LEN), one-hot in A, C, G, T order, to one score per sequence, shape (N,) or (N, 1) (logits, "
        "probabilities or any score; only their order counts; higher = liver). For 2.6 the first layer of"
        " `FOLD_MODELS[0]` must be one or more `nn.Conv1d` with 4 input channels",
    ),
    NotebookVariable(
        "FIRST_LAYER_KERNELS",
        "2.6 (for your own plots)",
        "array (filters, 4, width). **Not read by the grader**: 2.6 is judged on the first-layer weights "
        "of `FOLD_MODELS[0]` itself",
    ),
)
