"""Plot per-layer gradient profiles on a log scale, one curve per method."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["plot_profiles"]


def _positive(values: Sequence[float]) -> np.ndarray:
    """Zeros cannot be drawn on a log axis: they become NaN (a gap in the curve)."""
    g = np.asarray(values, dtype=np.float64)
    return np.where(g > 0, g, np.nan)


def plot_profiles(
    profiles: Mapping[str, Sequence[float]],
    *,
    title: str | None = None,
    ylabel: str = "mean |dL/dW|",
    ax: Axes | None = None,
) -> Figure:
    """Draw each method's per-layer magnitudes against layer index (1 = first hidden layer).

    Args:
        profiles: method -> per-layer magnitudes, each of shape (n_layers,). Zero values leave gaps.
        title: axes title. Default none.
        ylabel: y-axis label. Default "mean |dL/dW|".
        ax: draw into these axes; default a new 6.4 x 4 inch figure (no pyplot state is touched).

    Returns:
        The figure holding the axes, y axis logarithmic, with a legend.

    Raises:
        ValueError: ``profiles`` is empty.
    """
    if not profiles:
        raise ValueError("plot_profiles: profiles is empty; expected a mapping method -> per-layer values")
    if ax is None:
        ax = Figure(figsize=(6.4, 4.0), layout="constrained").add_subplot()
    for method, values in profiles.items():
        g = _positive(values)
        ax.plot(np.arange(1, g.size + 1), g, marker="o", markersize=3, label=str(method))
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = first hidden layer)")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False)
    figure = ax.get_figure()
    if not isinstance(figure, Figure):
        raise ValueError("plot_profiles: the axes belong to no figure")
    return figure
