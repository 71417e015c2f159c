"""The answer key of the Week 11 sheet, computed by code (``python -m reference.answers`` prints JSON).

- 1.2: the countermeasure the evidence rule supports, with the lowest U, on the reference
  gradient study in the notebook's setting (depth 20, width 32, 32 inputs, 2-class cross-entropy on
  512 samples, PyTorch default init, at initialisation, median of 3 seeds, weights, output layer
  excluded; seed 0 is the notebook's own run).
- 3.1: XNOR data perfectly separable by one linear layer + sigmoid? Decided by LP feasibility of
  ``y_i (w . x_i + b) >= 1`` (scipy.optimize.linprog): infeasible -> "Incorrect".
- 3.2: is a convolution's output rotation equivariant? 20 random 3x3 kernels on random 8x8 images:
  relative error of ``conv(rot90(x))`` vs ``rot90(conv(x))``; not ~0 -> "Incorrect".
  Control: translation equivariance with circular padding (error ~0).
- 3.3: one gradient-descent step on f(x) = x^2 + 3 from x0 = 1 with step 0.5, by autograd -> 0.
- 3.4: dL/dw11 for L = (y - relu(relu(XW)V))^2 by autograd -> 42.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType

import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import linprog

from .gradients.evidence import COUNTERMEASURES, evidence_problem, summarize_all, supported
from .gradients.study import StudyConfig, reference_profiles

__all__ = ["AnswerKey", "Evidence", "answer_key", "main"]

_XNOR_X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
_XNOR_Y = np.array([1, 0, 0, 1])


@dataclass(frozen=True)
class Evidence:
    """The numbers behind each answer.

    Attributes:
        gradient_uniformity: method -> U (decades) on the reference study (the notebook's setting).
        gradient_zero_fraction: method -> worst layer's median share of exactly-zero entries.
        gradient_supported: countermeasures the evidence rule supports, flattest first.
        xnor_lp_status: scipy linprog status (2 = infeasible).
        rotation_relative_error: (min, max) over 20 random kernels.
        translation_relative_error: max over the same kernels (circular padding), the control.
        x1: the gradient-descent iterate. dl_dw: the full dL/dW matrix, 2 x 2.
    """

    gradient_uniformity: Mapping[str, float]
    gradient_zero_fraction: Mapping[str, float]
    gradient_supported: tuple[str, ...]
    xnor_lp_status: int
    rotation_relative_error: tuple[float, float]
    translation_relative_error: float
    x1: float
    dl_dw: tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class AnswerKey:
    """Answers by question id ("1.2", "3.1", "3.2", "3.3", "3.4") and their evidence."""

    q1_2: str
    q3_1: str
    q3_2: str
    q3_3: float
    q3_4: float
    evidence: Evidence

    def by_question(self) -> dict[str, str | float]:
        """``{"1.2": "batch_norm", "3.1": "Incorrect", ...}``."""
        return {"1.2": self.q1_2, "3.1": self.q3_1, "3.2": self.q3_2, "3.3": self.q3_3, "3.4": self.q3_4}

    def to_json(self) -> str:
        """One JSON object: the answers by question id plus ``"evidence"``."""
        evidence = {
            f.name: dict(value) if isinstance(value, Mapping) else value
            for f in fields(self.evidence)
            for value in [getattr(self.evidence, f.name)]
        }
        return json.dumps({**self.by_question(), "evidence": evidence}, sort_keys=False)


def xnor_lp_status() -> int:
    """linprog status of the hard-margin separability LP for the XNOR data (0 feasible, 2 infeasible)."""
    sign = np.where(_XNOR_Y == 1, 1.0, -1.0)
    a_ub = -sign[:, None] * np.hstack([_XNOR_X, np.ones((4, 1))])  # -s_i [x_i, 1] . [w, b] <= -1
    result = linprog(np.zeros(3), A_ub=a_ub, b_ub=-np.ones(4), bounds=[(None, None)] * 3, method="highs")
    return int(result.status)


def _relative_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).norm() / b.norm())


def _circular_conv(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    padded: torch.Tensor = F.pad(x, (1, 1, 1, 1), mode="circular")
    return F.conv2d(padded, w)


def rotation_errors(n_kernels: int = 20, seed: int = 0) -> tuple[list[float], list[float]]:
    """Relative errors of rot90 and (circular) translation equivariance for random 3x3 kernels."""
    gen = torch.Generator().manual_seed(seed)
    rotation, translation = [], []
    for _ in range(n_kernels):
        x, w = torch.randn(1, 1, 8, 8, generator=gen), torch.randn(1, 1, 3, 3, generator=gen)
        rotation.append(_relative_error(F.conv2d(x.rot90(1, (2, 3)), w), F.conv2d(x, w).rot90(1, (2, 3))))
        shifted = _circular_conv(x.roll(2, 3), w)
        translation.append(_relative_error(shifted, _circular_conv(x, w).roll(2, 3)))
    return rotation, translation


def gradient_step() -> float:
    """x1 = x0 - 0.5 f'(x0) for f(x) = x^2 + 3, x0 = 1, with f' by autograd."""
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(x**2 + 3, x)
    return float(x.detach() - 0.5 * grad)


def weight_gradient() -> torch.Tensor:
    """dL/dW for L = (y - relu(relu(XW)V))^2, W = [[1,3],[4,5]], V = [[1],[1]], X = [1,2], y = 1."""
    w = torch.tensor([[1.0, 3.0], [4.0, 5.0]], dtype=torch.float64, requires_grad=True)
    v = torch.tensor([[1.0], [1.0]], dtype=torch.float64)
    x = torch.tensor([[1.0, 2.0]], dtype=torch.float64)
    loss = ((1.0 - torch.relu(torch.relu(x @ w) @ v)) ** 2).sum()
    (grad,) = torch.autograd.grad(loss, w)
    return grad


def _gradient_answer() -> tuple[str, dict[str, float], dict[str, float], tuple[str, ...]]:
    study = reference_profiles(StudyConfig())
    problem = evidence_problem(study.profiles, study.zero_fractions)
    if problem is not None:
        raise RuntimeError(f"answer_key: the reference gradient study cannot judge 1.2: {problem}")
    verdict = supported("batch_norm", study.profiles, zero_fractions=study.zero_fractions)
    if not verdict.supported_methods:
        raise RuntimeError("answer_key: the reference gradient study supports no countermeasure")
    summaries = summarize_all(study.profiles, zero_fractions=study.zero_fractions)
    uniformity = {s.method: round(s.uniformity, 3) for s in summaries}
    zeros = {s.method: round(s.max_zero_fraction or 0.0, 4) for s in summaries}
    return verdict.supported_methods[0], uniformity, zeros, verdict.supported_methods


@functools.cache
def answer_key() -> AnswerKey:
    """Compute the answer key (about a second; cached per process)."""
    choice, uniformity, zeros, backed = _gradient_answer()
    status = xnor_lp_status()
    rotation, translation = rotation_errors()
    x1, grad = gradient_step(), weight_gradient()
    evidence = Evidence(
        gradient_uniformity=MappingProxyType(uniformity),
        gradient_zero_fraction=MappingProxyType(zeros),
        gradient_supported=tuple(m for m in backed if m in COUNTERMEASURES),
        xnor_lp_status=status,
        rotation_relative_error=(round(min(rotation), 4), round(max(rotation), 4)),
        translation_relative_error=float(max(translation)),
        x1=x1,
        dl_dw=((float(grad[0, 0]), float(grad[0, 1])), (float(grad[1, 0]), float(grad[1, 1]))),
    )
    return AnswerKey(
        q1_2=choice,
        q3_1="Correct" if status == 0 else "Incorrect",
        q3_2="Correct" if max(rotation) < 1e-6 else "Incorrect",
        q3_3=x1,
        q3_4=float(grad[0, 0]),
        evidence=evidence,
    )


def main() -> None:
    """Print the answer key as one JSON object."""
    print(answer_key().to_json())


if __name__ == "__main__":
    main()
