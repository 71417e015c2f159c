"""Notebooks for the render tests: the template, the grader's injected cells and each student's own code.

Student code is distinct per student, except that ``s_mismatch`` copied ``s_full``'s code with renamed
variables.
"""

from __future__ import annotations

from collections.abc import Sequence

TEMPLATE_CELLS = [
    "import numpy as np\nimport torch\nfrom torch import nn\nimport lightning as L",
    "def one_hot(seq):\n    table = {'A': 0, 'C': 1, 'G': 2, 'T': 3}\n    x = np.zeros((4, len(seq)), dtype=np.float32)\n"
    "    for i, base in enumerate(seq):\n        if base in table:\n            x[table[base], i] = 1.0\n    return x",
    "class EnhancerModule(L.LightningModule):\n    def __init__(self, model, lr=1e-3):\n        super().__init__()\n"
    "        self.model = model\n        self.lr = lr\n\n    def training_step(self, batch, batch_idx):\n"
    "        x, y = batch\n        loss = nn.functional.binary_cross_entropy_with_logits(self.model(x).squeeze(-1), y)\n"
    "        self.log('train_loss', loss)\n        return loss",
]

OWN_CODE = {
    "s_full": (
        "class SkipBlock(nn.Module):\n    def __init__(self, width):\n        super().__init__()\n"
        "        self.linear = nn.Linear(width, width)\n\n    def forward(self, h):\n"
        "        return h + torch.sigmoid(self.linear(h))\n\n"
        "def gradient_magnitudes(model, X, y):\n    model.zero_grad()\n    loss = nn.functional.mse_loss(model(X), y)\n"
        "    loss.backward()\n    return [m.weight.grad.abs().mean().item() for m in model.modules() if isinstance(m, nn.Linear)][:-1]\n\n"
        "class EnhancerCNN(nn.Module):\n    def __init__(self, kernel_size=15, filters=32):\n        super().__init__()\n"
        "        self.conv = nn.Conv1d(4, filters, kernel_size)\n        self.pool = nn.AdaptiveMaxPool1d(1)\n"
        "        self.head = nn.Linear(filters, 1)\n\n    def forward(self, x):\n"
        "        h = torch.relu(self.conv(x))\n        return self.head(self.pool(h).squeeze(-1))\n"
    ),
    "s_wrong": (
        "def build(depth, act):\n    layers = []\n    for _ in range(depth):\n        layers += [nn.Linear(32, 32), act()]\n"
        "    return nn.Sequential(*layers, nn.Linear(32, 1))\n\nnets = {name: build(20, a) for name, a in "
        "[('relu', nn.ReLU), ('elu', nn.ELU), ('baseline', nn.Sigmoid)]}\nGRADIENTS = {}\nfor name, net in nets.items():\n"
        "    out = net(torch.randn(64, 32)).pow(2).mean()\n    out.backward()\n"
        "    GRADIENTS[name] = [p.grad.norm().item() for p in net.parameters() if p.ndim == 2]\n"
    ),
    "s_timeout": (
        "scores = []\nfor fold in range(5):\n    trainer = L.Trainer(max_epochs=500)\n"
        "    trainer.fit(EnhancerModule(make_model()), loaders[fold])\n    scores.append(evaluate(fold))\n"
    ),
    "s_cellerr": (
        "model = nn.Sequential(nn.Conv1d(4, 32, 9), nn.ReLU(), nn.Flatten(), nn.Linear(3136, 1))\n"
        "x = torch.randn(8, 4, 200)\nmodel(x)\n"
    ),
    "s_nograd": (
        "import sklearn.model_selection as ms\nkf = ms.StratifiedKFold(n_splits=5, shuffle=True, random_state=0)\n"
        "CV_RESULTS = {'roc_auc': [], 'pr_auc': []}\nfor train_idx, test_idx in kf.split(X, y):\n"
        "    clf = fit_cnn(X[train_idx], y[train_idx])\n    p = clf.predict(X[test_idx])\n"
        "    CV_RESULTS['roc_auc'].append(roc_auc_score(y[test_idx], p))\n"
        "    CV_RESULTS['pr_auc'].append(average_precision_score(y[test_idx], p))\n"
    ),
}
# s_mismatch copied s_full's code and renamed everything it could think of.
OWN_CODE["s_mismatch"] = (
    OWN_CODE["s_full"].replace("SkipBlock", "ResidualUnit").replace("width", "n_units").replace("h", "z")
    .replace("gradient_magnitudes", "grad_sizes").replace("EnhancerCNN", "MyNet").replace("filters", "n_filt")
)


def notebook(cells: Sequence[tuple[str, Sequence[str]]]) -> dict[str, object]:
    """A minimal nbformat 4 notebook with code cells ``(source, tags)``."""
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "cells": [
            {"cell_type": "code", "id": f"c{i}", "metadata": {"tags": list(tags)}, "source": src, "outputs": [],
             "execution_count": None}
            for i, (src, tags) in enumerate(cells)
        ],
    }


def executed_notebook(student_id: str) -> dict[str, object]:
    """Template cells, the grader's injected cells, and the student's own code."""
    cells = [("import random; random.seed(0)", ["grader-seed"]), ("SEED = 0", ["injected-parameters"])]
    cells += [(c, []) for c in TEMPLATE_CELLS]
    cells += [(OWN_CODE.get(student_id, f"print({student_id!r})"), []), ("%matplotlib inline", [])]
    cells += [("import json\njson.dump(RECORD, open('grader_record.json', 'w'))", ["grader-epilogue"])]
    return notebook(cells)
