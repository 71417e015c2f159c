"""The reference gradient study, in the notebook's setting: median per-layer profiles of the five methods.

Setting (``assignments/week11/source.ipynb``, Assignment 1): ``X ~ N(0, 1)`` of shape
(n_samples, in_features) and class labels ``y = argmax(X T)`` of a random linear teacher
``T ~ N(0, 1)`` of shape (in_features, n_classes), both drawn from a ``torch.Generator`` seeded with
the seed; loss: cross-entropy of the model's ``n_classes`` logits. The models of
:func:`~.models.build_mlp` (``in_features == width`` by default, so every skip block, the first one
too, has its residual) are built under ``torch.manual_seed(seed)``, as the notebook builds each
method's ``make_mlp`` after ``torch.manual_seed(SEED)``: seed 0 reproduces the notebook's own run.
Each model is optionally trained for ``steps`` full-batch Adam steps (lr 1e-3), then profiled with
:func:`~.profile.gradient_profile` (train mode). The result is the per-layer median over seeds.
Results are cached per configuration.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import torch
from torch.nn import functional as F

from .evidence import METHODS
from .models import INITS, build_mlp
from .profile import GradientProfile, gradient_profile

__all__ = ["StudyConfig", "StudyResult", "reference_profiles", "run_once", "teacher_data"]


@dataclass(frozen=True)
class StudyConfig:
    """Settings of one reference study. Defaults are the notebook's (Assignment 1 of Week 11).

    Attributes:
        depth: hidden layers. Default 20 (the notebook's ``DEPTH``).
        width: units per hidden layer. Default 32 (``WIDTH``).
        init: "default", "xavier" or "he". Default "default" (PyTorch's, as in the notebook).
        in_features: input dimension of the teacher data. Default 32 (the notebook's inputs have
            ``WIDTH`` features, so a skip connection needs no projection).
        n_classes: classes of the teacher, logits of the output layer. Default 2 (``N_CLASSES``).
        n_samples: batch size used for the gradient. Default 512 (``teacher_data()``'s ``n``).
        seeds: model and data seeds; the profile is the median over them. Default (0, 1, 2).
        steps: Adam steps before measuring (0 = at initialisation, as in the notebook). Default 0.
        include_output: also profile the output layer. Default False.
    """

    depth: int = 20
    width: int = 32
    init: str = "default"
    in_features: int = 32
    n_classes: int = 2
    n_samples: int = 512
    seeds: tuple[int, ...] = (0, 1, 2)
    steps: int = 0
    include_output: bool = False

    def __post_init__(self) -> None:
        if self.init not in INITS:
            raise ValueError(f"StudyConfig.init: unknown {self.init!r}; expected one of {list(INITS)}")
        if not self.seeds:
            raise ValueError("StudyConfig.seeds: need at least one seed, got ()")
        if self.steps < 0:
            raise ValueError(f"StudyConfig.steps: expected >= 0, got {self.steps!r}")
        if self.n_classes < 2:
            raise ValueError(f"StudyConfig.n_classes: expected >= 2, got {self.n_classes!r}")


@dataclass(frozen=True)
class StudyResult:
    """Median profiles of a study.

    Attributes:
        config: the settings.
        profiles: method -> median mean |dL/dW| per layer, each of shape (n_layers,).
        zero_fractions: method -> median share of exactly-zero entries per layer.
        activation_profiles: method -> median mean |dL/dh| per block, shape (depth,).
    """

    config: StudyConfig
    profiles: Mapping[str, tuple[float, ...]]
    zero_fractions: Mapping[str, tuple[float, ...]]
    activation_profiles: Mapping[str, tuple[float, ...]]


def teacher_data(
    n_samples: int, in_features: int, seed: int, n_classes: int = 2
) -> tuple[torch.Tensor, torch.Tensor]:
    """The notebook's teacher data: X (n_samples, in_features) float32, labels y (n_samples,) int64.

    ``teacher_data(512, 32, 0)`` equals the notebook's ``X_GRAD, Y_GRAD`` (``SEED = 0``).
    """
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n_samples, in_features, generator=gen)
    teacher = torch.randn(in_features, n_classes, generator=gen)
    return x, (x @ teacher).argmax(dim=1)


def _train(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int) -> None:
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(steps):
        optimiser.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()


def run_once(method: str, config: StudyConfig, seed: int) -> GradientProfile:
    """One method's profile for one seed (the notebook's ``layer_gradients(make_mlp(method), ...)``)."""
    x, y = teacher_data(config.n_samples, config.in_features, seed, config.n_classes)
    model = build_mlp(
        method,
        in_features=config.in_features,
        depth=config.depth,
        width=config.width,
        out_features=config.n_classes,
        init=config.init,
        seed=seed,
    )
    _train(model, x, y, config.steps)
    return gradient_profile(
        model, x, y, loss_fn=F.cross_entropy, include_output=config.include_output, activations=True
    )


def _median(rows: list[tuple[float, ...]]) -> tuple[float, ...]:
    return tuple(float(v) for v in np.median(np.asarray(rows, dtype=np.float64), axis=0))


def reference_profiles(config: StudyConfig | None = None) -> StudyResult:
    """Run (or fetch from the per-process cache) the reference study for ``config``.

    Takes about a second of CPU at the defaults (5 methods x 3 seeds, depth 20, width 32).

    Args:
        config: study settings; default :class:`StudyConfig()`.

    Returns:
        A :class:`StudyResult` whose ``profiles`` can be passed to
        :func:`~.evidence.supported` and :func:`~.plot.plot_profiles`.
    """
    return _run_study(config or StudyConfig())


@functools.lru_cache(maxsize=32)
def _run_study(config: StudyConfig) -> StudyResult:
    weights: dict[str, tuple[float, ...]] = {}
    zeros: dict[str, tuple[float, ...]] = {}
    acts: dict[str, tuple[float, ...]] = {}
    for method in METHODS:
        runs = [run_once(method, config, seed) for seed in config.seeds]
        weights[method] = _median([r.weight_grad for r in runs])
        zeros[method] = _median([r.zero_fraction for r in runs])
        acts[method] = _median([r.activation_grad or () for r in runs])
    return StudyResult(config, MappingProxyType(weights), MappingProxyType(zeros), MappingProxyType(acts))
