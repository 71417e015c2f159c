"""Per-layer gradient magnitudes of any MLP, computed without side effects on the model.

The hidden layers of a model are its ``nn.Linear`` modules in registration order
(``model.modules()``), the last one being the output layer. For a :class:`~.models.DeepMLP`
that is ``blocks[0].linear, ..., blocks[-1].linear, head``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

__all__ = ["GradientProfile", "gradient_profile", "hidden_linears", "preserved_state"]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
ArrayLike = torch.Tensor | npt.NDArray[np.floating] | Sequence[Sequence[float]] | Sequence[float]


@dataclass(frozen=True)
class GradientProfile:
    """Gradient magnitudes of one model on one batch, first hidden layer first.

    Attributes:
        layer_names: qualified names of the profiled ``nn.Linear`` modules, shape (n_layers,).
        weight_grad: mean |dL/dW| of each layer's weight matrix (bias excluded), shape (n_layers,).
        zero_fraction: share of exactly-zero entries of each dL/dW, shape (n_layers,).
        activation_grad: mean |dL/dh| of each block's output h, shape (n_blocks,), or ``None``
            when not requested.
        loss: the loss value at which the gradients were taken.
    """

    layer_names: tuple[str, ...]
    weight_grad: tuple[float, ...]
    zero_fraction: tuple[float, ...]
    activation_grad: tuple[float, ...] | None
    loss: float


@contextmanager
def preserved_state(model: nn.Module) -> Iterator[nn.Module]:
    """Give ``model`` back as it came: devices, train/eval flags, buffers, ``requires_grad``.

    Everything inside the block may move the model, switch modes, update batch-norm running
    statistics or toggle ``requires_grad``; on exit each parameter and buffer is back on its own
    device with its own values and flags, and each submodule has its own ``training`` flag.

    Example:
        >>> net = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).eval()
        >>> with preserved_state(net):
        ...     _ = net.train()(torch.randn(4, 2))
        >>> net.training, float(net[1].running_mean.abs().sum())
        (False, 0.0)
    """
    modes = {name: module.training for name, module in model.named_modules()}
    params = {name: (p.device, p.requires_grad) for name, p in model.named_parameters()}
    buffers = {name: b.detach().clone() for name, b in model.named_buffers()}
    try:
        yield model
    finally:
        _restore(model, modes, params, buffers)


def _restore(
    model: nn.Module,
    modes: dict[str, bool],
    params: dict[str, tuple[torch.device, bool]],
    buffers: dict[str, torch.Tensor],
) -> None:
    with torch.no_grad():
        for name, p in model.named_parameters():
            device, flag = params[name]
            if p.device != device:
                p.data = p.data.to(device)
            p.requires_grad_(flag)
        for name, b in model.named_buffers():
            saved = buffers[name]
            if b.device != saved.device:
                b.data = b.data.to(saved.device)
            b.copy_(saved)
    for name, module in model.named_modules():
        module.training = modes[name]


def hidden_linears(model: nn.Module, *, include_output: bool = False) -> list[tuple[str, nn.Linear]]:
    """The ``(name, module)`` pairs of ``model``'s ``nn.Linear`` layers, first to last.

    Args:
        model: any module.
        include_output: keep the last ``nn.Linear`` (the output layer). Default False.

    Raises:
        ValueError: the model has no ``nn.Linear`` besides the output layer.
    """
    layers = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Linear)]
    chosen = layers if include_output else layers[:-1]
    if not chosen:
        raise ValueError(
            f"hidden_linears: {type(model).__name__} has {len(layers)} nn.Linear layer(s); "
            "need at least one hidden layer besides the output layer"
        )
    return chosen


def _blocks(model: nn.Module, layers: list[tuple[str, nn.Linear]]) -> list[nn.Module]:
    blocks = getattr(model, "blocks", None)
    if isinstance(blocks, nn.ModuleList):
        return list(blocks)
    return [module for _, module in layers]


def _as_tensor(values: ArrayLike, name: str, like: torch.Tensor, *, labels: bool = False) -> torch.Tensor:
    """``values`` on ``like``'s device in its float dtype; integer ``labels`` (class indices) stay integers."""
    tensor = torch.as_tensor(values, device=like.device)
    if not (labels and not tensor.is_floating_point() and tensor.dtype != torch.bool):
        tensor = tensor.to(like.dtype)
    if tensor.ndim == 0 or tensor.shape[0] == 0:
        raise ValueError(
            f"gradient_profile: {name} must have a non-empty batch dimension, got shape {tuple(tensor.shape)}"
        )
    return tensor


def _loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: LossFn) -> torch.Tensor:
    out = model(x)
    if y.shape != out.shape and y.numel() == out.numel():
        y = y.reshape(out.shape)
    return loss_fn(out, y)


def _model_device(model: nn.Module) -> torch.device:
    first = next(iter(model.parameters()), None)
    return first.device if first is not None else torch.device("cpu")


def gradient_profile(
    model: nn.Module,
    X: ArrayLike,
    y: ArrayLike,
    *,
    loss_fn: LossFn | None = None,
    include_output: bool = False,
    activations: bool = False,
    mode: Literal["train", "eval"] = "train",
    device: str | torch.device | None = None,
) -> GradientProfile:
    """Mean |dL/dW| per hidden layer of ``model`` on one batch ``(X, y)``.

    The model is borrowed: devices, modes, batch-norm statistics, ``requires_grad`` flags and any
    existing ``.grad`` are as before when this returns (gradients come from ``torch.autograd.grad``).

    Args:
        model: any module whose ``nn.Linear`` layers are the layers to profile (see :func:`hidden_linears`).
        X: inputs, shape (B, in_features).
        y: targets, shape (B,) or the model's output shape (B, out_features); integer targets
            (class indices, e.g. for ``torch.nn.functional.cross_entropy``) keep their dtype, float
            ones take the model's.
        loss_fn: ``loss_fn(output, target) -> scalar``. Default ``torch.nn.functional.mse_loss``
            (the study passes ``cross_entropy``, as the notebook uses).
        include_output: also profile the output layer. Default False.
        activations: also return mean |dL/dh| per block output (``model.blocks`` if it is an
            ``nn.ModuleList``, else each hidden ``nn.Linear``'s output). Default False.
        mode: run the forward pass in "train" mode (batch norm uses batch statistics) or "eval".
            Default "train".
        device: run on this device; default the model's own.

    Returns:
        A :class:`GradientProfile` with ``n_layers = depth`` (``depth + 1`` with the output layer).
    """
    target = torch.device(device) if device is not None else _model_device(model)
    loss_fn = loss_fn or nn.functional.mse_loss
    with preserved_state(model):
        model.to(target).train(mode == "train")
        layers = hidden_linears(model, include_output=include_output)
        weights = [module.weight.requires_grad_(True) for _, module in layers]
        outputs: list[torch.Tensor] = []
        hooks = [
            block.register_forward_hook(lambda _m, _i, out: outputs.append(out))
            for block in (_blocks(model, layers) if activations else [])
        ]
        try:
            x_in, y_in = _as_tensor(X, "X", weights[0]), _as_tensor(y, "y", weights[0], labels=True)
            loss = _loss(model, x_in, y_in, loss_fn)
        finally:
            for hook in hooks:
                hook.remove()
        grads = torch.autograd.grad(loss, [*weights, *outputs])
    return _summarise(layers, grads[: len(weights)], grads[len(weights) :] if activations else None, loss)


def _summarise(
    layers: list[tuple[str, nn.Linear]],
    weight_grads: Sequence[torch.Tensor],
    activation_grads: Sequence[torch.Tensor] | None,
    loss: torch.Tensor,
) -> GradientProfile:
    return GradientProfile(
        layer_names=tuple(name for name, _ in layers),
        weight_grad=tuple(float(g.abs().double().mean()) for g in weight_grads),
        zero_fraction=tuple(float((g == 0).double().mean()) for g in weight_grads),
        activation_grad=None
        if activation_grads is None
        else tuple(float(g.abs().double().mean()) for g in activation_grads),
        loss=float(loss.detach()),
    )
