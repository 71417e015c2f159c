"""plot_profiles draws one log-scaled curve per method and returns a Figure."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from reference.gradients.plot import plot_profiles


def test_one_curve_per_method_on_a_log_axis() -> None:
    figure = plot_profiles({"baseline": [1e-8, 1e-4, 1.0], "batch_norm": [0.5, 0.6, 0.0]}, title="depth 3")
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    assert ax.get_yscale() == "log"
    assert [line.get_label() for line in ax.lines] == ["baseline", "batch_norm"]


def test_empty_mapping_is_rejected() -> None:
    with pytest.raises(ValueError, match="profiles is empty"):
        plot_profiles({})
