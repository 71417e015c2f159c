"""Sequence logos come back as matplotlib Figures."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from reference.motifs.logos import plot_logo, plot_logos

PFM = np.array([[0.7, 0.1, 0.25], [0.1, 0.1, 0.25], [0.1, 0.1, 0.25], [0.1, 0.7, 0.25]])


def test_single_logo() -> None:
    figure = plot_logo(PFM, title="kernel 0")
    assert isinstance(figure, Figure) and figure.axes[0].get_ylabel() == "bits"


def test_grid_of_logos() -> None:
    figure = plot_logos([PFM, PFM, PFM], titles=["a", "b", "c"], ncols=2)
    assert len(figure.axes) == 4 and not figure.axes[3].axison


def test_shape_is_checked() -> None:
    with pytest.raises(ValueError, match=r"shape \(4, K\)"):
        plot_logo(np.zeros((5, 3)))
