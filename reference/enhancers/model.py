"""The reference CNN for liver-vs-other enhancer classification, as a ``LightningModule``.

Architecture (input one-hot ``x`` of shape (B, 4, L), output logits of shape (B,)):

1. First layer: one ``nn.Conv1d(4, filters, k)`` per kernel size ``k`` in ``kernel_sizes``, run in
   parallel ("valid" convolution, so L must be >= max(kernel_sizes)). These are the kernels that
   :mod:`reference.motifs` turns into motifs.
2. Global pooling over positions, and with ``both_strands`` (default) over both strands, which
   makes the model invariant to reverse complementing its input:
   ``"max"`` = max of the linear response (equal to max of its ReLU, since ReLU is monotone);
   ``"avg"`` = mean of the ReLU response; ``"max_avg"`` = both, concatenated.
3. ``BatchNorm1d`` on the pooled features (if ``batch_norm``), ReLU, ``Dropout(dropout)``,
   optionally a hidden ``Linear(hidden)`` + ReLU + Dropout, then ``Linear(1)``.

Training: AdamW with a one-cycle learning-rate schedule, binary cross-entropy on logits.

Speed: for ``"max"`` pooling in training the response map is computed without autograd (in
bfloat16 on CPUs with oneDNN bfloat16 support); only the window at each (sequence, filter) arg-max
is re-evaluated, in float32 and with autograd. Inference uses an exact float32 maximum. The gradient is the same as autograd through ``amax`` (up to ties
and near-ties) at a fraction of the cost on a CPU.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from typing import Any, Literal

import lightning as L
import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F
from torch import nn
from torchmetrics.classification import BinaryAUROC, BinaryAveragePrecision

__all__ = ["CNNConfig", "EnhancerCNN", "strand_max_pool"]

Pool = Literal["max", "avg", "max_avg"]


@dataclass(frozen=True)
class CNNConfig:
    """Hyper-parameters of :class:`EnhancerCNN`.

    Attributes:
        kernel_sizes: first-layer kernel widths, run in parallel. Default (9, 15, 21).
        filters: kernels per kernel size. Default 64.
        pool: "max", "avg" or "max_avg" global pooling. Default "max".
        both_strands: pool over the sequence and its reverse complement. Default True.
        batch_norm: batch-normalise the pooled features. Default True.
        dropout: dropout probability after pooling (and after the hidden layer). Default 0.3.
        hidden: units of an optional hidden dense layer; 0 = none. Default 0.
        lr: peak learning rate of the one-cycle schedule. Default 3e-3.
        weight_decay: AdamW weight decay. Default 1e-2.
    """

    kernel_sizes: tuple[int, ...] = (9, 15, 21)
    filters: int = 64
    pool: Pool = "max"
    both_strands: bool = True
    batch_norm: bool = True
    dropout: float = 0.3
    hidden: int = 0
    lr: float = 3e-3
    weight_decay: float = 1e-2

    def __post_init__(self) -> None:
        if not self.kernel_sizes or any(not isinstance(k, int) or k < 1 for k in self.kernel_sizes):
            raise ValueError(f"CNNConfig.kernel_sizes: expected positive ints, got {self.kernel_sizes!r}")
        if self.pool not in ("max", "avg", "max_avg"):
            raise ValueError(f"CNNConfig.pool: expected 'max', 'avg' or 'max_avg', got {self.pool!r}")
        if self.filters < 1 or self.hidden < 0 or not 0.0 <= self.dropout < 1.0:
            raise ValueError(
                f"CNNConfig: need filters >= 1, hidden >= 0, 0 <= dropout < 1; got {self.filters}, {self.hidden}, {self.dropout}"
            )


def _strands(x: torch.Tensor, both: bool) -> torch.Tensor:
    """(B, 4, L) -> (S*B, 4, L) with S = 2 (forward, reverse complement) or 1."""
    return torch.cat([x, x.flip((1, 2))], 0) if both else x


@functools.cache
def _search_dtype(device_type: str) -> torch.dtype:
    """bfloat16 on CPUs whose oneDNN supports it (several times faster than float32 there), else float32."""
    if device_type != "cpu":
        return torch.float32
    try:
        return torch.bfloat16 if bool(torch.ops.mkldnn._is_mkldnn_bf16_supported()) else torch.float32
    except (AttributeError, RuntimeError):
        return torch.float32


def strand_max_pool(x: torch.Tensor, conv: nn.Conv1d, both_strands: bool = True) -> torch.Tensor:
    """Max of ``conv``'s linear response over positions (and strands): (B, 4, L) -> (B, F).

    Without autograd (inference) this is an exact float32 ``amax``. With autograd the arg-max
    window is searched without autograd (in bfloat16 on CPUs that support it, which
    can pick a near-tie instead of the exact maximum), then the response of that window is
    recomputed exactly in float32, differentiable with respect to ``conv.weight`` and ``conv.bias``
    (not ``x``). The gradient equals autograd through ``amax`` except at ties.
    """
    batch, _, length = x.shape
    width = conv.weight.shape[-1]
    stacked = _strands(x, both_strands)
    if not torch.is_grad_enabled():
        response = F.conv1d(stacked, conv.weight, conv.bias)
        return response.view(-1, batch, conv.out_channels, length - width + 1).amax(dim=(0, 3))
    dtype = _search_dtype(x.device.type)
    with torch.no_grad():
        response = F.conv1d(stacked.to(dtype), conv.weight.to(dtype))
        best, pos = response.view(-1, batch, conv.out_channels, length - width + 1).max(dim=3)
        strand = best.argmax(dim=0, keepdim=True)  # (1, B, F)
        start = strand[0] * length + pos.gather(0, strand)[0]
        index = (start[:, :, None, None] + torch.arange(width, device=x.device)).expand(-1, -1, 4, -1)
    source = stacked.view(-1, batch, 4, length).permute(1, 2, 0, 3).reshape(batch, 1, 4, -1)
    windows = source.expand(-1, conv.out_channels, -1, -1).gather(3, index)  # (B, F, 4, K)
    pooled = torch.einsum("bfck,fck->bf", windows, conv.weight)
    return pooled if conv.bias is None else pooled + conv.bias


def _strand_avg_pool(x: torch.Tensor, conv: nn.Conv1d, both_strands: bool) -> torch.Tensor:
    batch = x.shape[0]
    response = F.relu(conv(_strands(x, both_strands)))
    return response.view(-1, batch, conv.out_channels, response.shape[-1]).mean(dim=(0, 3))


class EnhancerCNN(L.LightningModule):
    """Sequence CNN; ``forward`` maps one-hot (B, 4, L) to logits (B,). See the module docstring.

    Logged metrics (on epoch): ``train_loss``; ``val_loss``, ``val_auroc``, ``val_pr_auc``.
    """

    def __init__(self, config: CNNConfig | None = None) -> None:
        super().__init__()
        self.config = config or CNNConfig()
        self.save_hyperparameters({"config": asdict(self.config)})
        cfg = self.config
        self.convs = nn.ModuleList(nn.Conv1d(4, cfg.filters, k) for k in cfg.kernel_sizes)
        n_features = cfg.filters * len(cfg.kernel_sizes) * (2 if cfg.pool == "max_avg" else 1)
        self.norm: nn.Module = nn.BatchNorm1d(n_features) if cfg.batch_norm else nn.Identity()
        self.head = self._head(n_features, cfg)
        self.val_auroc = BinaryAUROC()
        self.val_pr_auc = BinaryAveragePrecision()

    @staticmethod
    def _head(n_features: int, cfg: CNNConfig) -> nn.Sequential:
        layers: list[nn.Module] = [nn.ReLU(), nn.Dropout(cfg.dropout)]
        if cfg.hidden:
            layers += [nn.Linear(n_features, cfg.hidden), nn.ReLU(), nn.Dropout(cfg.dropout)]
            n_features = cfg.hidden
        return nn.Sequential(*layers, nn.Linear(n_features, 1))

    def pooled(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled first-layer features, (B, 4, L) -> (B, n_features), before batch norm."""
        if x.ndim != 3 or x.shape[1] != 4 or x.shape[2] < max(self.config.kernel_sizes):
            raise ValueError(
                f"EnhancerCNN: expected input (B, 4, L) with L >= {max(self.config.kernel_sizes)}, got {tuple(x.shape)}"
            )
        parts = []
        for conv in (self._conv(i) for i in range(len(self.convs))):
            if self.config.pool in ("max", "max_avg"):
                parts.append(strand_max_pool(x, conv, self.config.both_strands))
            if self.config.pool in ("avg", "max_avg"):
                parts.append(_strand_avg_pool(x, conv, self.config.both_strands))
        return torch.cat(parts, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.head(self.norm(self.pooled(x))).squeeze(-1)
        return logits

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        x, y = batch
        loss = F.binary_cross_entropy_with_logits(self(x), y.float())
        self.log("train_loss", loss, on_step=False, on_epoch=True, batch_size=y.shape[0])
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.binary_cross_entropy_with_logits(logits, y.float()), batch_size=y.shape[0])
        self.val_auroc.update(logits, y.long())
        self.val_pr_auc.update(logits, y.long())
        self.log("val_auroc", self.val_auroc, on_step=False, on_epoch=True)
        self.log("val_pr_auc", self.val_pr_auc, on_step=False, on_epoch=True)

    def configure_optimizers(self) -> Any:
        optimiser = torch.optim.AdamW(
            self.parameters(), lr=self.config.lr, weight_decay=self.config.weight_decay
        )
        total = int(self.trainer.estimated_stepping_batches)
        schedule = torch.optim.lr_scheduler.OneCycleLR(
            optimiser, max_lr=self.config.lr, total_steps=max(total, 1)
        )
        return {"optimizer": optimiser, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}

    def predict_proba(
        self, x: torch.Tensor | npt.NDArray[np.float32], batch_size: int = 2048
    ) -> npt.NDArray[np.float64]:
        """P(liver) for one-hot ``x`` (N, 4, L), in eval mode without gradients; returns shape (N,).

        The model's own train/eval mode is restored afterwards.
        """
        was_training = self.training
        self.eval()
        try:
            data = torch.as_tensor(x, dtype=torch.float32)
            with torch.no_grad():
                chunks = [
                    torch.sigmoid(self(data[i : i + batch_size].to(self.device))).cpu()
                    for i in range(0, data.shape[0], batch_size)
                ]
        finally:
            self.train(was_training)
        return torch.cat(chunks).double().numpy()

    def first_layer_kernels(self) -> list[npt.NDArray[np.float32]]:
        """First-layer weights, one float32 array of shape (filters, 4, k) per kernel size."""
        return [self._conv(i).weight.detach().cpu().numpy().copy() for i in range(len(self.convs))]

    def _conv(self, index: int) -> nn.Conv1d:
        conv = self.convs[index]
        if not isinstance(conv, nn.Conv1d):
            raise TypeError(f"EnhancerCNN: convs[{index}] is {type(conv).__name__}, expected Conv1d")
        return conv
