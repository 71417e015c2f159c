"""The CNN: shapes, strand invariance, exact max-pool gradients, configuration checks."""

from __future__ import annotations

import pytest
import torch

from reference.enhancers import model as model_module
from reference.enhancers.encoding import one_hot, reverse_complement
from reference.enhancers.model import CNNConfig, EnhancerCNN, strand_max_pool
from reference.enhancers.synthetic import make_synthetic

X = torch.from_numpy(one_hot(list(make_synthetic(8, seed=0).data.sequences)))


@pytest.mark.parametrize("pool", ["max", "avg", "max_avg"])
def test_forward_shape_and_strand_invariance(pool: str) -> None:
    torch.manual_seed(0)
    net = EnhancerCNN(CNNConfig(kernel_sizes=(5, 9), filters=4, pool=pool, hidden=3)).eval()  # type: ignore[arg-type]
    with torch.no_grad():
        out, flipped = net(X), net(torch.from_numpy(reverse_complement(X.numpy())))
    assert out.shape == (16,)
    torch.testing.assert_close(out, flipped, rtol=1e-5, atol=1e-5)


def test_max_pool_gradient_equals_autograd_through_amax(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_module, "_search_dtype", lambda _device: torch.float32)
    conv = torch.nn.Conv1d(4, 6, 7)
    weights = torch.randn(16, 6)
    fast = (strand_max_pool(X, conv) * weights).sum()
    fast_grads = torch.autograd.grad(fast, [conv.weight, conv.bias])
    both = torch.cat([X, X.flip((1, 2))], 0)
    slow = (conv(both).view(2, 16, 6, -1).amax(dim=(0, 3)) * weights).sum()
    slow_grads = torch.autograd.grad(slow, [conv.weight, conv.bias])
    torch.testing.assert_close(fast.detach(), slow.detach())
    for a, b in zip(fast_grads, slow_grads, strict=True):
        torch.testing.assert_close(a, b)


def test_first_layer_kernels_have_shape_f_4_k() -> None:
    net = EnhancerCNN(CNNConfig(kernel_sizes=(7, 11), filters=3))
    assert [k.shape for k in net.first_layer_kernels()] == [(3, 4, 7), (3, 4, 11)]


def test_predict_proba_restores_mode() -> None:
    net = EnhancerCNN(CNNConfig(kernel_sizes=(5,), filters=2)).train()
    p = net.predict_proba(X.numpy())
    assert net.training and p.shape == (16,) and ((p > 0) & (p < 1)).all()


def test_input_and_config_checks() -> None:
    with pytest.raises(ValueError, match=r"L >= 21, got \(2, 4, 10\)"):
        EnhancerCNN()(torch.zeros(2, 4, 10))
    with pytest.raises(ValueError, match=r"CNNConfig\.pool"):
        CNNConfig(pool="median")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"CNNConfig\.kernel_sizes"):
        CNNConfig(kernel_sizes=())
