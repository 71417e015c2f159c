"""Compare PFMs with JASPAR matrices: column Pearson correlation over both strands and all offsets.

Similarity of a query PFM q (4, Kq) and a target t (4, Kt) at offset o on one strand is the
**average Pearson correlation coefficient (PCC) of the overlapping columns**, where query column
``i`` faces target column ``i + o``; overlaps shorter than ``min(min_overlap, Kq, Kt)`` columns are
not scored. Columns with no variation (uniform) correlate 0. The target is tried as given
(strand "+") and reverse-complemented (strand "-"), at every offset; the best score wins (ties: strand
"+" first, then the smallest offset).
Scores lie in [-1, 1]; 1 means every overlapping column is proportional up to a shift.

Before matching, the query's low-information flanks are trimmed (``trim_ic`` bits, see
:func:`~.pfm.trim_pfm`), keeping at least ``min_overlap`` columns (widened around the informative
core), so that a short core cannot match on a handful of columns; reported offsets refer to the
untrimmed query.

Speed: :func:`match_jaspar_many` scores every query against every matrix, strand and offset at once: the
column correlations of all offsets are one matrix product of the queries (F, 4 Kq) with the targets'
sliding windows (T x offsets, 4 Kq), done in blocks of targets that bound memory. The standardised
target stack is built once per matrix collection and cached. 64 kernels against the 1,019 vertebrate
CORE matrices take well under a second on one core (docs/benchmarks.md); :func:`match_jaspar` is the
same computation for one query.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from .jaspar import JasparMatrix, load_jaspar
from .pfm import trim_pfm

__all__ = ["MotifMatch", "match_jaspar", "match_jaspar_many", "pfm_similarity"]

FloatArray = npt.NDArray[np.float64]
Strand = Literal["+", "-"]
_STRANDS: Final[tuple[Strand, Strand]] = ("+", "-")
_BLOCK_ELEMENTS: Final = 4_000_000
"""Float64 elements per block of the score computation (about 32 MB)."""


@dataclass(frozen=True)
class MotifMatch:
    """One query-vs-JASPAR comparison.

    Attributes:
        matrix_id: JASPAR id, e.g. "MA0114.5". name: factor name, e.g. "HNF4A".
        score: average column PCC in [-1, 1] (higher is more similar).
        offset: query column ``i`` faces target column ``i + offset`` (on the stated strand).
        strand: "+" target as given, "-" target reverse-complemented.
        overlap: number of overlapping columns.
    """

    matrix_id: str
    name: str
    score: float
    offset: int
    strand: Strand
    overlap: int


@dataclass(frozen=True, eq=False)
class _Targets:
    """Standardised target columns of both strands, zero-padded: cols (2, T, Kmax, 4), mask (2, T, Kmax)."""

    cols: FloatArray
    mask: FloatArray
    lengths: npt.NDArray[np.int64]
    ids: tuple[str, ...]
    names: tuple[str, ...]
    id_rank: npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class _Queries:
    """Standardised query columns, left-aligned and zero-padded: cols (F, W, 4), mask (F, W), widths (F,)."""

    cols: FloatArray
    mask: FloatArray
    widths: npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class _Best:
    """Per query and target, the best (strand, offset): score, strand index, offset, overlap; all (F, T)."""

    score: FloatArray
    strand: npt.NDArray[np.int64]
    offset: npt.NDArray[np.int64]
    overlap: npt.NDArray[np.int64]


def _standardise(columns: FloatArray) -> FloatArray:
    """Centre and scale each column (last axis = 4 bases) to unit norm; flat columns become 0."""
    centred = columns - columns.mean(axis=-1, keepdims=True)
    norm = np.linalg.norm(centred, axis=-1, keepdims=True)
    return np.asarray(
        np.divide(centred, norm, out=np.zeros_like(centred), where=norm > 1e-12), dtype=np.float64
    )


def _stack(matrices: Sequence[JasparMatrix]) -> _Targets:
    width = max(m.length for m in matrices)
    cols = np.zeros((2, len(matrices), width, 4))
    mask = np.zeros((2, len(matrices), width))
    for t, matrix in enumerate(matrices):
        for s, p in enumerate((matrix.probabilities, matrix.probabilities[::-1, ::-1])):
            cols[s, t, : matrix.length] = _standardise(np.asarray(p, dtype=np.float64).T)
            mask[s, t, : matrix.length] = 1.0
    ids = tuple(m.matrix_id for m in matrices)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(len(ids))
    lengths = np.array([m.length for m in matrices], dtype=np.int64)
    return _Targets(cols, mask, lengths, ids, tuple(m.name for m in matrices), rank)


@functools.lru_cache(maxsize=8)
def _targets(matrices: tuple[JasparMatrix, ...]) -> _Targets:
    """The standardised stack of ``matrices``, built once per collection (keyed by the matrices' identity)."""
    return _stack(matrices)


def _queries(pfms: Sequence[FloatArray]) -> _Queries:
    width = max(p.shape[1] for p in pfms)
    cols = np.zeros((len(pfms), width, 4))
    mask = np.zeros((len(pfms), width))
    for f, p in enumerate(pfms):
        cols[f, : p.shape[1]] = _standardise(p.T)
        mask[f, : p.shape[1]] = 1.0
    return _Queries(cols, mask, np.array([p.shape[1] for p in pfms], dtype=np.int64))


def _windows(values: FloatArray, width: int) -> FloatArray:
    """(T, K, C) -> (T * n_offsets, width * C): the target's ``width``-column windows, offsets -(width-1) .. K-1."""
    padded = np.pad(values, ((0, 0), (width - 1, width - 1), (0, 0)))
    view = np.lib.stride_tricks.sliding_window_view(padded, width, axis=1)  # (T, n_off, C, width)
    return np.ascontiguousarray(view.transpose(0, 1, 3, 2)).reshape(-1, width * values.shape[2])


def _block_best(
    queries: _Queries, cols: FloatArray, mask: FloatArray, lengths: npt.NDArray[np.int64], min_overlap: int
) -> tuple[FloatArray, npt.NDArray[np.int64], FloatArray]:
    """For one strand and a block of Tb targets, each (target, query)'s best score, the offset index at
    which it occurs (the first, i.e. smallest offset, on ties) and the overlap there; all (Tb, F)."""
    width = queries.cols.shape[1]
    n_targets, n_off = cols.shape[0], cols.shape[1] + width - 1
    flat_q = queries.cols.reshape(len(queries.widths), -1)
    score = (_windows(cols, width) @ flat_q.T).reshape(n_targets, n_off, -1)  # sums of column PCCs
    overlap = (_windows(mask[:, :, None], width) @ queries.mask.T).reshape(n_targets, n_off, -1)
    needed = np.minimum(np.minimum(min_overlap, queries.widths)[None, :], lengths[:, None])  # (Tb, F)
    np.divide(score, np.maximum(overlap, 1.0), out=score)
    score[overlap < needed[:, None, :]] = -np.inf
    j = score.argmax(axis=1)
    pick = j[:, None, :]
    return np.take_along_axis(score, pick, axis=1)[:, 0], j, np.take_along_axis(overlap, pick, axis=1)[:, 0]


def _best_per_target(queries: _Queries, targets: _Targets, min_overlap: int) -> _Best:
    """The best strand and offset of every (query, target) pair, computed in blocks of targets; on ties
    strand "+" wins, then the smallest offset."""
    n_q, n_t = len(queries.widths), len(targets.ids)
    width = queries.cols.shape[1]
    n_off = targets.cols.shape[2] + width - 1
    block = max(1, _BLOCK_ELEMENTS // (n_off * max(n_q, 4 * width)))
    best = _Best(np.full((n_q, n_t), -np.inf), *(np.zeros((n_q, n_t), dtype=np.int64) for _ in range(3)))
    for start in range(0, n_t, block):
        part = slice(start, min(n_t, start + block))
        args = (targets.lengths[part], min_overlap)
        plus = _block_best(queries, targets.cols[0, part], targets.mask[0, part], *args)
        minus = _block_best(queries, targets.cols[1, part], targets.mask[1, part], *args)
        use_minus = minus[0] > plus[0]  # (Tb, F)
        best.score[:, part] = np.where(use_minus, minus[0], plus[0]).T
        best.strand[:, part] = use_minus.T
        best.offset[:, part] = np.where(use_minus, minus[1], plus[1]).T - (width - 1)
        best.overlap[:, part] = np.where(use_minus, minus[2], plus[2]).T
    return best


def _top(best: _Best, targets: _Targets, f: int, top: int, shift: int) -> tuple[MotifMatch, ...]:
    """Query ``f``'s ``top`` best targets (score descending, ties by matrix id); offsets moved by ``shift``."""
    order = np.lexsort((targets.id_rank, -best.score[f]))[:top]
    return tuple(
        MotifMatch(
            targets.ids[t],
            targets.names[t],
            float(best.score[f, t]),
            int(best.offset[f, t]) - shift,
            _STRANDS[int(best.strand[f, t])],
            int(best.overlap[f, t]),
        )
        for t in order
        if np.isfinite(best.score[f, t])
    )


def _trim_window(query: FloatArray, trim_ic: float, min_width: int) -> tuple[int, int]:
    """Column range [left, right) of the informative core, widened to ``min_width`` where possible."""
    width = query.shape[1]
    if trim_ic <= 0:
        return 0, width
    core, left = trim_pfm(query, trim_ic)
    target = min(max(min_width, core.shape[1]), width)
    left = min(max(0, left - (target - core.shape[1]) // 2), width - target)
    return left, left + target


def _as_pfm(pfm: npt.ArrayLike, index: int) -> FloatArray:
    """One query (4, K) with columns normalised to sum 1 (all-zero columns become uniform)."""
    query = np.asarray(pfm, dtype=np.float64)
    if query.ndim != 2 or query.shape[0] != 4 or query.shape[1] < 1:
        where = "" if index < 0 else f"pfms[{index}] "
        raise ValueError(
            f"match_jaspar: {where}pfm must have shape (4, K) with rows A, C, G, T; got {query.shape}"
        )
    if not np.isfinite(query).all():
        raise ValueError(f"match_jaspar: pfms[{index}] holds NaN or infinite values")
    totals = query.sum(axis=0, keepdims=True)
    return np.asarray(
        np.divide(query, totals, out=np.full_like(query, 0.25), where=totals > 0), dtype=np.float64
    )


def _collection(matrices: Sequence[JasparMatrix] | None) -> tuple[JasparMatrix, ...]:
    return load_jaspar() if matrices is None else tuple(matrices)


def match_jaspar_many(
    pfms: Sequence[npt.ArrayLike] | npt.NDArray[np.float64],
    *,
    top: int = 5,
    min_overlap: int = 6,
    trim_ic: float = 0.3,
    matrices: Sequence[JasparMatrix] | None = None,
) -> tuple[tuple[MotifMatch, ...], ...]:
    """Best JASPAR matches of each of several PFMs, all scored at once (see the module docstring).

    Args:
        pfms: F probability (or count) matrices of shape (4, K) each, rows A, C, G, T; widths may differ.
        top: matches returned per PFM, best first. Default 5.
        min_overlap: minimum overlapping columns (capped by both lengths). Default 6.
        trim_ic: trim query flanks below this many bits first; 0 disables. Default 0.3.
        matrices: candidates; default :func:`~.jaspar.load_jaspar` (vertebrate CORE, cached).

    Returns:
        One tuple of up to ``top`` :class:`MotifMatch` records per PFM, in the order of ``pfms``.
    """
    queries = [_as_pfm(p, i) for i, p in enumerate(pfms)]
    collection = _collection(matrices)
    if not queries or not collection:
        return tuple(() for _ in queries)
    windows = [_trim_window(q, trim_ic, min_overlap) for q in queries]
    targets = _targets(collection)
    trimmed = _queries([q[:, a:b] for q, (a, b) in zip(queries, windows, strict=True)])
    best = _best_per_target(trimmed, targets, min_overlap)
    return tuple(_top(best, targets, f, top, left) for f, (left, _) in enumerate(windows))


def match_jaspar(
    pfm: npt.ArrayLike,
    *,
    top: int = 5,
    min_overlap: int = 6,
    trim_ic: float = 0.3,
    matrices: Sequence[JasparMatrix] | None = None,
) -> tuple[MotifMatch, ...]:
    """Best JASPAR matches of one PFM (:func:`match_jaspar_many` for one query).

    Args:
        pfm: probabilities (or counts; columns are normalised) of shape (4, K), rows A, C, G, T.
        top: number of matches returned, best first. Default 5.
        min_overlap: minimum overlapping columns (capped by both lengths). Default 6.
        trim_ic: trim query flanks below this many bits first; 0 disables. Default 0.3.
        matrices: candidates; default :func:`~.jaspar.load_jaspar` (vertebrate CORE, cached).

    Returns:
        Up to ``top`` :class:`MotifMatch` records, highest score first (ties by matrix id).
    """
    _as_pfm(pfm, -1)
    return match_jaspar_many([pfm], top=top, min_overlap=min_overlap, trim_ic=trim_ic, matrices=matrices)[0]


def pfm_similarity(
    query: npt.ArrayLike, target: npt.ArrayLike, min_overlap: int = 6
) -> tuple[float, int, str, int]:
    """Best (score, offset, strand, overlap) of ``query`` (4, Kq) against ``target`` (4, Kt).

    No trimming is applied. See the module docstring for the score.
    """
    matrix = JasparMatrix("query-target", "target", np.asarray(target, dtype=np.float64))
    best = match_jaspar_many([query], top=1, min_overlap=min_overlap, trim_ic=0.0, matrices=[matrix])[0][0]
    return best.score, best.offset, best.strand, best.overlap
