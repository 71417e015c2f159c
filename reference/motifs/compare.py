"""Compare PFMs with JASPAR matrices: column Pearson correlation over both strands and all offsets.

Similarity of a query PFM q (4, Kq) and a target t (4, Kt) at offset o on one strand is the
**average Pearson correlation coefficient (PCC) of the overlapping columns**, where query column
``i`` faces target column ``i + o``; overlaps shorter than ``min(min_overlap, Kq, Kt)`` columns are
not scored. Columns with no variation (uniform) correlate 0. The target is tried as given
(strand "+") and reverse-complemented (strand "-"), at every offset; the best score wins.
Scores lie in [-1, 1]; 1 means every overlapping column is proportional up to a shift.

Before matching, the query's low-information flanks are trimmed (``trim_ic`` bits, see
:func:`~.pfm.trim_pfm`), keeping at least ``min_overlap`` columns (widened around the informative
core), so that a short core cannot match on a handful of columns; reported offsets refer to the
untrimmed query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from .jaspar import JasparMatrix, load_jaspar
from .pfm import trim_pfm

__all__ = ["MotifMatch", "match_jaspar", "pfm_similarity"]

FloatArray = npt.NDArray[np.float64]


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
    strand: Literal["+", "-"]
    overlap: int


def _standardise(columns: FloatArray) -> FloatArray:
    """Centre and scale each column (last axis = 4 bases) to unit norm; flat columns become 0."""
    centred = columns - columns.mean(axis=-1, keepdims=True)
    norm = np.linalg.norm(centred, axis=-1, keepdims=True)
    return np.asarray(
        np.divide(centred, norm, out=np.zeros_like(centred), where=norm > 1e-12), dtype=np.float64
    )


def _stack(targets: Sequence[FloatArray]) -> tuple[FloatArray, FloatArray]:
    """Targets (4, Kt) -> standardised columns (T, Kmax, 4) and a validity mask (T, Kmax)."""
    width = max(t.shape[1] for t in targets)
    cols = np.zeros((len(targets), width, 4))
    mask = np.zeros((len(targets), width))
    for i, t in enumerate(targets):
        cols[i, : t.shape[1]] = _standardise(t.T)
        mask[i, : t.shape[1]] = 1.0
    return cols, mask


def _diagonal_sums(matrix: FloatArray, n_query: int) -> FloatArray:
    """(T, Kq, Kmax) -> (T, n_offsets): sums of matrix[:, i, i + o] for o in -(Kq-1) .. Kmax-1."""
    width = matrix.shape[2]
    padded = np.pad(matrix, ((0, 0), (0, 0), (n_query, n_query)))
    offsets = np.arange(-(n_query - 1), width)
    index = np.arange(n_query)[:, None] + offsets[None, :] + n_query  # (Kq, n_offsets)
    return np.asarray(padded[:, np.arange(n_query)[:, None], index].sum(axis=1), dtype=np.float64)


def _scores(
    query: FloatArray, cols: FloatArray, mask: FloatArray, lengths: npt.NDArray[np.int64], min_overlap: int
) -> tuple[FloatArray, FloatArray]:
    """Average-PCC score and overlap for every target and offset: both (T, n_offsets)."""
    q = _standardise(query.T)  # (Kq, 4)
    sums = _diagonal_sums(np.einsum("qb,tkb->tqk", q, cols), q.shape[0])
    overlap = _diagonal_sums(
        np.broadcast_to(mask[:, None, :], (mask.shape[0], q.shape[0], mask.shape[1])), q.shape[0]
    )
    needed = np.minimum(min(min_overlap, q.shape[0]), lengths)[:, None]
    score = np.where(overlap >= needed, sums / np.maximum(overlap, 1.0), -np.inf)
    return score, overlap


def pfm_similarity(
    query: npt.ArrayLike, target: npt.ArrayLike, min_overlap: int = 6
) -> tuple[float, int, str, int]:
    """Best (score, offset, strand, overlap) of ``query`` (4, Kq) against ``target`` (4, Kt).

    No trimming is applied. See the module docstring for the score.
    """
    matrix = JasparMatrix("query-target", "target", np.asarray(target, dtype=np.float64))
    best = _best(np.asarray(query, dtype=np.float64), [matrix], min_overlap, top=1)[0]
    return best.score, best.offset, best.strand, best.overlap


def _best(
    query: FloatArray, matrices: Sequence[JasparMatrix], min_overlap: int, top: int
) -> list[MotifMatch]:
    lengths = np.array([m.length for m in matrices], dtype=np.int64)
    strands: tuple[Literal["+", "-"], ...] = ("+", "-")
    per_strand = [
        _scores(
            query,
            *_stack([m.probabilities if s == "+" else m.probabilities[::-1, ::-1] for m in matrices]),
            lengths,
            min_overlap,
        )
        for s in strands
    ]
    score = np.stack([p[0] for p in per_strand])  # (2, T, n_offsets)
    overlap = np.stack([p[1] for p in per_strand])
    flat = score.transpose(1, 0, 2).reshape(len(matrices), -1).argmax(axis=1)  # per target
    n_offsets = score.shape[2]
    matches = []
    for t, matrix in enumerate(matrices):
        s, j = divmod(int(flat[t]), n_offsets)
        matches.append(
            MotifMatch(
                matrix.matrix_id,
                matrix.name,
                float(score[s, t, j]),
                j - (query.shape[1] - 1),
                strands[s],
                int(overlap[s, t, j]),
            )
        )
    matches.sort(key=lambda m: (-m.score, m.matrix_id))
    return matches[:top]


def _trim_window(query: FloatArray, trim_ic: float, min_width: int) -> tuple[int, int]:
    """Column range [left, right) of the informative core, widened to ``min_width`` where possible."""
    width = query.shape[1]
    if trim_ic <= 0:
        return 0, width
    core, left = trim_pfm(query, trim_ic)
    target = min(max(min_width, core.shape[1]), width)
    left = min(max(0, left - (target - core.shape[1]) // 2), width - target)
    return left, left + target


def match_jaspar(
    pfm: npt.ArrayLike,
    *,
    top: int = 5,
    min_overlap: int = 6,
    trim_ic: float = 0.3,
    matrices: Sequence[JasparMatrix] | None = None,
) -> tuple[MotifMatch, ...]:
    """Best JASPAR matches of one PFM.

    Args:
        pfm: probabilities (or counts; columns are normalised) of shape (4, K), rows A, C, G, T.
        top: number of matches returned, best first. Default 5.
        min_overlap: minimum overlapping columns (capped by both lengths). Default 6.
        trim_ic: trim query flanks below this many bits first; 0 disables. Default 0.3.
        matrices: candidates; default :func:`~.jaspar.load_jaspar` (vertebrate CORE, cached).

    Returns:
        Up to ``top`` :class:`MotifMatch` records, highest score first (ties by matrix id).
    """
    query = np.asarray(pfm, dtype=np.float64)
    if query.ndim != 2 or query.shape[0] != 4 or query.shape[1] < 1:
        raise ValueError(f"match_jaspar: pfm must have shape (4, K) with rows A, C, G, T; got {query.shape}")
    totals = query.sum(axis=0, keepdims=True)
    query = np.divide(query, totals, out=np.full_like(query, 0.25), where=totals > 0)
    left, right = _trim_window(query, trim_ic, min_overlap)
    trimmed = query[:, left:right]
    found = _best(trimmed, list(matrices) if matrices is not None else list(load_jaspar()), min_overlap, top)
    return tuple(
        MotifMatch(m.matrix_id, m.name, m.score, m.offset - left, m.strand, m.overlap) for m in found
    )
