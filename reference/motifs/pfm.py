"""First-layer kernels -> position frequency matrices (PFMs), with or without data.

Arrays: kernels are (F, 4, K) (filters, bases A C G T, width); one-hot data is (N, 4, L);
a PFM is (4, K) and a stack of PFMs (F, 4, K).

Two routes:

- :func:`activation_pfms` (needs data): for each kernel, every window whose response
  ``w * x + b`` reaches ``threshold`` x (the kernel's maximum response on the data) is collected
  on the strand where it scored, and the windows' one-hot columns are summed (Kelley et al. 2016,
  Basset). Counts plus a pseudocount of 0.1 per base, normalised.
- :func:`kernels_to_pfms` (data-free, for kernels received as JSON numbers): column-wise softmax
  ``p[b, j] = exp(w[b, j] / T) / sum_b' exp(w[b', j] / T)``. If the kernel holds log-odds against a
  uniform background (a PWM), ``T = 1`` returns the original frequencies exactly. Learned kernels
  are on an arbitrary scale, so by default ``T`` is chosen per kernel so that its most
  discriminative column (largest ``max - min``) gets a ``max - min`` log-ratio of ``ln(27)``:
  a column with one high and three equal low weights then becomes (0.9, 0.033, 0.033, 0.033).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = [
    "ActivationPFMs",
    "activation_pfms",
    "as_kernels",
    "information_content",
    "kernels_to_pfms",
    "trim_pfm",
]

FloatArray = npt.NDArray[np.float64]
_AUTO_LOG_RATIO: Final = math.log(27.0)
_PSEUDOCOUNT: Final = 0.1


@dataclass(frozen=True, eq=False)
class ActivationPFMs:
    """Result of :func:`activation_pfms`.

    Attributes:
        counts: summed one-hot windows, shape (F, 4, K).
        n_sites: windows collected per kernel, shape (F,).
        max_activation: each kernel's maximum response on the data, shape (F,).
    """

    counts: FloatArray
    n_sites: npt.NDArray[np.int64]
    max_activation: FloatArray

    @property
    def probabilities(self) -> FloatArray:
        """Counts + 0.1 pseudocount per base, normalised per column, shape (F, 4, K)."""
        padded = self.counts + _PSEUDOCOUNT
        return np.asarray(padded / padded.sum(axis=1, keepdims=True), dtype=np.float64)


def as_kernels(weights: npt.ArrayLike, name: str = "weights") -> FloatArray:
    """Validate kernel weights: nested lists or arrays of shape (F, 4, K) or (4, K) -> float64 (F, 4, K).

    Raises:
        ValueError: wrong shape or non-finite values (the message gives the shape received).
    """
    try:
        array = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"as_kernels: {name} is not a numeric array ({exc})") from exc
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[1] != 4 or array.shape[2] < 1 or array.shape[0] < 1:
        raise ValueError(
            f"as_kernels: {name} must have shape (F, 4, K) with bases A, C, G, T; got {array.shape}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"as_kernels: {name} holds NaN or infinite values")
    return array


def kernels_to_pfms(weights: npt.ArrayLike, temperature: float | None = None) -> FloatArray:
    """Data-free kernel -> PFM conversion by a column-wise softmax (see the module docstring).

    Args:
        weights: kernels, shape (F, 4, K) (or one kernel (4, K)), e.g. parsed from JSON.
        temperature: softmax temperature T > 0; default ``None`` = per-kernel automatic T.

    Returns:
        Probabilities of shape (F, 4, K), columns summing to 1.

    Example:
        >>> pwm = np.log([[0.7, 0.1], [0.1, 0.1], [0.1, 0.1], [0.1, 0.7]] / np.float64(0.25))
        >>> kernels_to_pfms(pwm, temperature=1.0)[0].round(2).tolist()
        [[0.7, 0.1], [0.1, 0.1], [0.1, 0.1], [0.1, 0.7]]
    """
    w = as_kernels(weights)
    if temperature is not None and not temperature > 0:
        raise ValueError(f"kernels_to_pfms: temperature must be > 0, got {temperature!r}")
    if temperature is None:
        spread = (w.max(axis=1) - w.min(axis=1)).max(axis=1)  # (F,)
        scale = np.where(spread > 0, spread / _AUTO_LOG_RATIO, 1.0)[:, None, None]
    else:
        scale = np.full((w.shape[0], 1, 1), temperature)
    z = w / scale
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(z / z.sum(axis=1, keepdims=True), dtype=np.float64)


def information_content(pfm: npt.ArrayLike) -> FloatArray:
    """Information content in bits per column of a PFM (4, K): ``2 + sum p log2 p``; shape (K,)."""
    p = np.asarray(pfm, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(p > 0, p * np.log2(p), 0.0).sum(axis=0)
    return np.asarray(2.0 - entropy, dtype=np.float64)


def trim_pfm(pfm: npt.ArrayLike, min_ic: float = 0.3) -> tuple[FloatArray, int]:
    """Drop flanking columns with information content below ``min_ic`` bits.

    Returns:
        The trimmed PFM (4, K') and the number of columns removed on the left. If no column
        reaches ``min_ic`` the PFM is returned unchanged (and 0).
    """
    p = np.asarray(pfm, dtype=np.float64)
    keep = np.flatnonzero(information_content(p) >= min_ic)
    if keep.size == 0:
        return p, 0
    return p[:, keep[0] : keep[-1] + 1], int(keep[0])


def _responses(x: FloatArray, w: FloatArray, b: FloatArray) -> FloatArray:
    """Responses of every kernel at every window, (N, 4, L) x (F, 4, K) -> (N, F, P)."""
    width = w.shape[2]
    windows = np.lib.stride_tricks.sliding_window_view(x, width, axis=2)  # (N, 4, P, K)
    return np.asarray(
        np.einsum("ncpk,fck->nfp", windows, w, optimize=True) + b[None, :, None], dtype=np.float64
    )


def activation_pfms(
    weights: npt.ArrayLike,
    x: npt.ArrayLike,
    bias: Sequence[float] | npt.NDArray[np.floating] | None = None,
    *,
    threshold: float = 0.5,
    both_strands: bool = True,
    chunk_size: int = 512,
) -> ActivationPFMs:
    """PFMs from the windows of ``x`` that activate each kernel most (see the module docstring).

    Args:
        weights: kernels, shape (F, 4, K). x: one-hot data, shape (N, 4, L) with L >= K.
        bias: per-kernel bias, shape (F,); default zeros.
        threshold: collect windows with response >= threshold x max response (if the max is
            positive; otherwise only the arg-max windows). Default 0.5.
        both_strands: also scan the reverse complement of ``x``. Default True.
        chunk_size: sequences per chunk (bounds memory). Default 512.

    Returns:
        :class:`ActivationPFMs` with counts of shape (F, 4, K).
    """
    w = as_kernels(weights)
    data = np.asarray(x, dtype=np.float64)
    if data.ndim != 3 or data.shape[1] != 4 or data.shape[2] < w.shape[2]:
        raise ValueError(
            f"activation_pfms: x must have shape (N, 4, L) with L >= {w.shape[2]}, got {data.shape}"
        )
    b = np.zeros(w.shape[0]) if bias is None else np.asarray(bias, dtype=np.float64).reshape(w.shape[0])
    if both_strands:
        data = np.concatenate([data, data[:, ::-1, ::-1]], axis=0)
    chunks = [data[i : i + chunk_size] for i in range(0, data.shape[0], chunk_size)]
    top = np.max([_responses(c, w, b).max(axis=(0, 2)) for c in chunks], axis=0)
    cutoff = np.where(top > 0, threshold * top, top)
    counts = np.zeros_like(w)
    n_sites = np.zeros(w.shape[0], dtype=np.int64)
    for chunk in chunks:
        mask = (_responses(chunk, w, b) >= cutoff[None, :, None]).astype(np.float64)  # (n, F, P)
        windows = np.lib.stride_tricks.sliding_window_view(chunk, w.shape[2], axis=2)  # (n, 4, P, K)
        counts += np.einsum("nfp,ncpk->fck", mask, windows, optimize=True)
        n_sites += mask.sum(axis=(0, 2)).astype(np.int64)
    return ActivationPFMs(counts, n_sites, top)
