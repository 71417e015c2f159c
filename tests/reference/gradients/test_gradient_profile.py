"""gradient_profile on toy models with known gradient behaviour, and preserved model state."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from reference.gradients.evidence import uniformity
from reference.gradients.models import build_mlp
from reference.gradients.profile import gradient_profile, hidden_linears, preserved_state
from reference.gradients.study import teacher_data

X, LABELS = teacher_data(128, 16, seed=0)
Y = LABELS.float().unsqueeze(1)  # targets of shape (B, 1) for the default mean squared error


def _profile(method: str, **kwargs: object) -> list[float]:
    model = build_mlp(method, in_features=16, depth=10, width=32, seed=0)
    return list(gradient_profile(model, X, Y, **kwargs).weight_grad)  # type: ignore[arg-type]


def test_deep_sigmoid_baseline_vanishes_towards_the_input() -> None:
    g = _profile("baseline")
    assert len(g) == 10
    assert g[0] < 1e-4 * g[-1]


def test_batch_norm_is_flattest() -> None:
    spans = {m: uniformity(_profile(m)) for m in ("baseline", "skip", "batch_norm", "relu", "elu")}
    assert min(spans, key=spans.__getitem__) == "batch_norm"
    assert spans["batch_norm"] < 1.0


def test_relu_has_exact_zero_gradient_entries() -> None:
    model = build_mlp("relu", in_features=16, depth=10, width=32, seed=0)
    profile = gradient_profile(model, X, Y)
    assert max(profile.zero_fraction) > 0.01
    sigmoid = gradient_profile(build_mlp("batch_norm", in_features=16, depth=10, width=32), X, Y)
    assert max(sigmoid.zero_fraction) == 0.0


def test_profile_matches_manual_backward() -> None:
    model = build_mlp("elu", in_features=16, depth=3, width=8, seed=1)
    profile = gradient_profile(model, X, Y, include_output=True)
    nn.functional.mse_loss(model(X), Y).backward()
    manual = [float(m.weight.grad.abs().mean()) for _, m in hidden_linears(model, include_output=True)]  # type: ignore[union-attr]
    np.testing.assert_allclose(profile.weight_grad, manual, rtol=1e-5)
    assert profile.layer_names[-1] == "head"


def test_cross_entropy_keeps_integer_labels() -> None:
    model = build_mlp("relu", in_features=16, depth=3, width=8, out_features=2, seed=1)
    profile = gradient_profile(model, X, LABELS.numpy(), loss_fn=nn.functional.cross_entropy)
    nn.functional.cross_entropy(model(X), LABELS).backward()
    manual = [float(m.weight.grad.abs().mean()) for _, m in hidden_linears(model)]  # type: ignore[union-attr]
    np.testing.assert_allclose(profile.weight_grad, manual, rtol=1e-5)


def test_activation_gradients_per_block() -> None:
    profile = gradient_profile(build_mlp("skip", in_features=16, depth=6, width=16), X, Y, activations=True)
    assert profile.activation_grad is not None and len(profile.activation_grad) == 6
    assert uniformity(profile.activation_grad) < uniformity(profile.weight_grad) + 1.0


def test_works_on_a_plain_sequential_model() -> None:
    model = nn.Sequential(nn.Linear(16, 8), nn.Sigmoid(), nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 1))
    profile = gradient_profile(model, X.numpy(), Y.numpy().ravel(), activations=True)
    assert profile.layer_names == ("0", "2")
    assert profile.activation_grad is not None and len(profile.activation_grad) == 2


def test_borrowed_model_is_returned_as_it_came() -> None:
    model = build_mlp("batch_norm", in_features=16, depth=3, width=8).eval()
    model.blocks[0].linear.weight.requires_grad_(False)
    model.head.weight.grad = torch.ones_like(model.head.weight)
    stats = {n: b.clone() for n, b in model.named_buffers()}
    gradient_profile(model, X, Y, mode="train")
    assert not model.training and not any(m.training for m in model.modules())
    assert not model.blocks[0].linear.weight.requires_grad
    assert torch.equal(model.head.weight.grad, torch.ones_like(model.head.weight))
    assert all(torch.equal(b, stats[n]) for n, b in model.named_buffers())


def test_preserved_state_restores_mixed_modes() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5)).train()
    model[1].eval()
    with preserved_state(model):
        model.train()
    assert model.training and not model[1].training


def test_needs_a_hidden_layer() -> None:
    with pytest.raises(ValueError, match="need at least one hidden layer"):
        gradient_profile(nn.Linear(16, 1), X, Y)
