"""Deep MLP builders: structure, seeding, initialisation and argument checks."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from reference.gradients.models import build_mlp


@pytest.mark.parametrize("method", ["baseline", "skip", "batch_norm", "relu", "elu"])
def test_shapes_and_depth(method: str) -> None:
    model = build_mlp(method, in_features=8, depth=5, width=16)
    assert model(torch.randn(4, 8)).shape == (4, 1)
    assert len(model.blocks) == 5
    assert sum(isinstance(m, nn.Linear) for m in model.modules()) == 6
    assert any(isinstance(m, nn.BatchNorm1d) for m in model.modules()) == (method == "batch_norm")


def test_skip_adds_the_input_when_widths_match() -> None:
    model = build_mlp("skip", in_features=16, depth=3, width=16)
    assert all(block.residual for block in model.blocks)
    assert not build_mlp("skip", in_features=8, depth=3, width=16).blocks[0].residual


def test_same_seed_same_weights_and_global_rng_untouched() -> None:
    state = torch.random.get_rng_state()
    a = build_mlp("relu", in_features=4, depth=3, seed=7)
    b = build_mlp("relu", in_features=4, depth=3, seed=7)
    c = build_mlp("relu", in_features=4, depth=3, seed=8)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.head.weight, c.head.weight)


def test_init_variants_set_zero_bias_and_scale() -> None:
    he = build_mlp("relu", in_features=64, depth=2, width=256, init="he").blocks[1].linear
    xavier = build_mlp("relu", in_features=64, depth=2, width=256, init="xavier").blocks[1].linear
    assert float(he.bias.detach().abs().sum()) == 0.0
    assert float(he.weight.detach().std()) == pytest.approx((2 / 256) ** 0.5, rel=0.05)
    assert float(xavier.weight.detach().std()) == pytest.approx((2 / 512) ** 0.5, rel=0.05)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "tanh"}, "unknown method 'tanh'"),
        ({"init": "lecun"}, "unknown init 'lecun'"),
        ({"depth": 0}, "depth must be"),
    ],
)
def test_bad_arguments_name_the_value(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"method": "relu", "in_features": 4} | kwargs
    with pytest.raises(ValueError, match=message):
        build_mlp(**args)  # type: ignore[arg-type]
