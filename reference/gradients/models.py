"""Deep MLPs for the vanishing-gradient study: a sigmoid baseline and four countermeasures.

Every model is a :class:`DeepMLP`: ``depth`` hidden blocks of ``width`` units, then one output
``nn.Linear``. The blocks differ by method (canonical names as in :mod:`.evidence`):

- ``"baseline"``:   ``h <- sigmoid(W h + b)``
- ``"skip"``:       ``h <- h + sigmoid(W h + b)`` (the first block has no skip when
  ``in_features != width``)
- ``"batch_norm"``: ``h <- sigmoid(BatchNorm1d(W h + b))``
- ``"relu"``:       ``h <- relu(W h + b)``
- ``"elu"``:        ``h <- elu(W h + b)``

Initialisation of every ``nn.Linear`` (hidden and output): ``"default"`` keeps PyTorch's
(Kaiming-uniform with a=sqrt(5)), ``"xavier"`` is Xavier-normal with zero bias, ``"he"`` is
Kaiming-normal (fan_in, ReLU gain) with zero bias. Construction is seeded and leaves the global
RNG untouched.
"""

from __future__ import annotations

import itertools
from typing import Final, Literal, get_args

import torch
from torch import nn

from .evidence import METHODS

__all__ = ["INITS", "Block", "DeepMLP", "Init", "build_mlp"]

Init = Literal["default", "xavier", "he"]
INITS: Final[tuple[str, ...]] = get_args(Init)

_ACTIVATIONS: Final[dict[str, type[nn.Module]]] = {
    "baseline": nn.Sigmoid,
    "skip": nn.Sigmoid,
    "batch_norm": nn.Sigmoid,
    "relu": nn.ReLU,
    "elu": nn.ELU,
}


class Block(nn.Module):
    """One hidden block: ``Linear -> [BatchNorm1d] -> activation [+ input]``.

    Input (B, in_features), output (B, out_features).
    """

    def __init__(self, in_features: int, out_features: int, method: str) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.norm: nn.Module = nn.BatchNorm1d(out_features) if method == "batch_norm" else nn.Identity()
        self.activation = _ACTIVATIONS[method]()
        self.residual = method == "skip" and in_features == out_features

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.activation(self.norm(self.linear(h)))
        return h + out if self.residual else out


class DeepMLP(nn.Module):
    """``depth`` hidden :class:`Block` s and a linear output layer.

    Input (B, in_features) -> output (B, out_features) (logits; no output activation).

    Attributes:
        method: the canonical method name.
        blocks: the hidden blocks, first to last.
        head: the output ``nn.Linear``.
    """

    def __init__(self, method: str, in_features: int, depth: int, width: int, out_features: int) -> None:
        super().__init__()
        self.method = method
        sizes = [in_features] + [width] * depth
        self.blocks = nn.ModuleList(Block(a, b, method) for a, b in itertools.pairwise(sizes))
        self.head = nn.Linear(width, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        out: torch.Tensor = self.head(x)
        return out


def _initialise(model: nn.Module, init: str) -> None:
    for module in model.modules():
        if not isinstance(module, nn.Linear) or init == "default":
            continue
        if init == "xavier":
            nn.init.xavier_normal_(module.weight)
        else:
            nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
        nn.init.zeros_(module.bias)


def _check_args(method: str, init: str, in_features: int, depth: int, width: int, out_features: int) -> None:
    if method not in METHODS:
        raise ValueError(f"build_mlp: unknown method {method!r}; expected one of {list(METHODS)}")
    if init not in INITS:
        raise ValueError(f"build_mlp: unknown init {init!r}; expected one of {list(INITS)}")
    for name, value in (
        ("in_features", in_features),
        ("depth", depth),
        ("width", width),
        ("out_features", out_features),
    ):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"build_mlp: {name} must be a positive integer, got {value!r}")


def build_mlp(
    method: str,
    *,
    in_features: int,
    depth: int = 20,
    width: int = 32,
    out_features: int = 1,
    init: str = "default",
    seed: int = 0,
) -> DeepMLP:
    """Build a deep MLP for ``method`` with seeded weights.

    Args:
        method: one of "baseline", "skip", "batch_norm", "relu", "elu".
        in_features: input dimension.
        depth: number of hidden blocks (hidden ``nn.Linear`` layers). Default 20.
        width: units per hidden block. Default 32.
        out_features: output dimension. Default 1.
        init: "default" (PyTorch), "xavier" or "he". Default "default".
        seed: seed of the weights; the global RNG state is restored afterwards. Default 0.

    Returns:
        A :class:`DeepMLP` in train mode on the CPU.

    Example:
        >>> model = build_mlp("batch_norm", in_features=8, depth=3, width=4)
        >>> model(torch.zeros(2, 8)).shape
        torch.Size([2, 1])
    """
    _check_args(method, init, in_features, depth, width, out_features)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = DeepMLP(method, in_features, depth, width, out_features)
        _initialise(model, init)
    return model
