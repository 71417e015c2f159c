"""Sequence logos of PFMs with logomaker, returned as matplotlib Figures (no pyplot state)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["plot_logo", "plot_logos"]


def _frame(pfm: npt.ArrayLike, information: bool) -> pd.DataFrame:
    p = np.asarray(pfm, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] != 4:
        raise ValueError(f"plot_logo: pfm must have shape (4, K) with rows A, C, G, T; got {p.shape}")
    p = p / np.maximum(p.sum(axis=0, keepdims=True), 1e-12)
    if information:
        with np.errstate(divide="ignore", invalid="ignore"):
            ic = 2.0 + np.where(p > 0, p * np.log2(p), 0.0).sum(axis=0)
        p = p * ic
    return pd.DataFrame(p.T, columns=list("ACGT"))


def plot_logo(
    pfm: npt.ArrayLike, *, ax: Axes | None = None, title: str | None = None, information: bool = True
) -> Figure:
    """Draw one sequence logo.

    Args:
        pfm: probabilities or counts, shape (4, K), rows A, C, G, T.
        ax: axes to draw into; default a new 0.35*K x 1.6 inch figure.
        title: axes title. Default none.
        information: letter heights in bits (probability x information content); else probabilities.
    """
    import logomaker

    frame = _frame(pfm, information)
    if ax is None:
        ax = Figure(figsize=(max(2.0, 0.35 * len(frame)), 1.6), layout="constrained").add_subplot()
    logomaker.Logo(frame, ax=ax, color_scheme="classic")
    ax.set_ylim(0, 2 if information else 1)
    ax.set_ylabel("bits" if information else "p")
    if title:
        ax.set_title(title, fontsize=9)
    figure = ax.get_figure()
    if not isinstance(figure, Figure):
        raise ValueError("plot_logo: the axes belong to no figure")
    return figure


def plot_logos(
    pfms: Sequence[npt.ArrayLike],
    *,
    titles: Sequence[str] | None = None,
    ncols: int = 4,
    information: bool = True,
) -> Figure:
    """Draw several logos on a grid of ``ncols`` columns, one per PFM (4, K)."""
    if not pfms:
        raise ValueError("plot_logos: no PFMs given")
    if titles is not None and len(titles) != len(pfms):
        raise ValueError(f"plot_logos: {len(titles)} titles for {len(pfms)} PFMs")
    nrows = (len(pfms) + ncols - 1) // ncols
    figure = Figure(figsize=(3.2 * min(ncols, len(pfms)), 1.8 * nrows), layout="constrained")
    axes = figure.subplots(nrows, min(ncols, len(pfms)), squeeze=False).ravel()
    for i, ax in enumerate(axes):
        if i < len(pfms):
            plot_logo(pfms[i], ax=ax, title=titles[i] if titles else None, information=information)
        else:
            ax.set_axis_off()
    return figure
