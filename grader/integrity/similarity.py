"""MOSS-style similarity of the code students wrote themselves, for the class summary's flags.

Student code is every code cell of an executed notebook except the cells the grader injected (tags
``grader-*`` and ``injected-parameters``) and cells identical to a template cell; IPython magics
(``%``/``!`` lines) are dropped. Each submission is normalised as copydetect does it (identifiers,
strings and comments replaced or dropped, so renaming variables does not hide a copy;
:mod:`grader.integrity.normalise`) and fingerprinted by winnowing (Schleimer, Wilkerson and Aiken,
SIGMOD 2003) with copydetect's defaults (k = 25 normalised characters). Fingerprints of the template
notebook, and fingerprints shared by more than ``common_share`` of the submissions (once there are
at least ``MIN_FOR_COMMON`` of them), are removed as boilerplate. A pair is flagged when the matched
text covers at least ``threshold`` of either submission's fingerprinted text (copydetect's
similarity) and at least ``min_overlap_tokens`` normalised characters.

Why not ``copydetect.CodeFingerprint`` itself: its API fits, but it hashes and winnows in pure Python
here (its C extension is not built) and imports matplotlib.pyplot, about 7 s for a class of 300
notebooks; this numpy version takes under 2 s and is checked against copydetect in the tests.

Flags inform a human; they never change points.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from grader.integrity.normalise import normalise_python

__all__ = ["SimilarPair", "SimilarityReport", "find_similar_code", "student_code"]

MIN_FOR_COMMON = 8
EXCERPT_LINES = 14
NOTE_IDS = 8
_BASE = np.uint64(1_000_003)
_SKIP_TAG_PREFIXES = ("grader-", "injected-parameters")


@dataclass(frozen=True, slots=True)
class SimilarPair:
    """Two submissions with unusually similar code; similarities are shares of each one's own code."""

    first: str
    second: str
    similarity_first: float
    similarity_second: float
    overlap_tokens: int
    excerpt_first: str
    excerpt_second: str

    @property
    def similarity(self) -> float:
        """The larger of the two shares."""
        return max(self.similarity_first, self.similarity_second)


@dataclass(frozen=True, slots=True)
class SimilarityReport:
    """The flagged pairs and what was compared."""

    pairs: tuple[SimilarPair, ...]
    compared: tuple[str, ...]
    unavailable: tuple[str, ...]
    template_used: bool
    threshold: float

    @property
    def note(self) -> str:
        """One line on how the comparison was made, for the summary page."""
        parts = [f"{len(self.compared)} notebooks compared (winnowed fingerprints as in copydetect/MOSS, "
                 f"threshold {self.threshold:.0%})"]
        parts.append("template code excluded" if self.template_used else "no template notebook given: template code may count as similar")
        if self.unavailable:
            shown = ", ".join(self.unavailable[:NOTE_IDS])
            more = f" and {len(self.unavailable) - NOTE_IDS} more" if len(self.unavailable) > NOTE_IDS else ""
            parts.append(f"{len(self.unavailable)} without an executed notebook: {shown}{more}")
        return "; ".join(parts) + "."


def _source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (nbformat stores a string or a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _is_injected(cell: Mapping[str, Any]) -> bool:
    """Whether the grader injected ``cell`` (by its tags)."""
    tags = cell.get("metadata", {}).get("tags", [])
    return any(str(t).startswith(_SKIP_TAG_PREFIXES) for t in tags)


def _code_cells(notebook: Path) -> list[str]:
    """Sources of the code cells of ``notebook`` that the grader did not inject, magics removed."""
    data = json.loads(notebook.read_text(encoding="utf-8"))
    out = []
    for cell in data.get("cells", []):
        if cell.get("cell_type") != "code" or _is_injected(cell):
            continue
        lines = [ln for ln in _source(cell).splitlines() if not ln.lstrip().startswith(("%", "!"))]
        out.append("\n".join(lines).strip())
    return [c for c in out if c]


def student_code(notebook: Path, template_cells: Sequence[str] = ()) -> str:
    """The code the student wrote in ``notebook``: code cells minus injected and template cells."""
    template = set(template_cells)
    return "\n\n".join(c for c in _code_cells(notebook) if c not in template)


@dataclass(frozen=True, slots=True)
class _Print:
    """Winnowed fingerprints of one normalised text: k-gram start ``positions`` and their ``hashes``."""

    raw: str
    offsets: npt.NDArray[np.int64]
    positions: npt.NDArray[np.int64]
    hashes: npt.NDArray[np.uint64]

    def without(self, excluded: npt.NDArray[np.uint64]) -> _Print:
        """This print minus the fingerprints whose hash is in ``excluded``."""
        keep = ~np.isin(self.hashes, excluded)
        return _Print(self.raw, self.offsets, self.positions[keep], self.hashes[keep])


def _kgram_hashes(text: str, k: int) -> npt.NDArray[np.uint64]:
    """A polynomial hash (mod 2**64) of every ``k``-character window of ``text``; same in every process."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < k:
        return np.empty(0, dtype=np.uint64)
    powers = _BASE ** np.arange(k - 1, -1, -1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        hashes: npt.NDArray[np.uint64] = (sliding_window_view(codes, k) * powers).sum(axis=1, dtype=np.uint64)
    return hashes


def _winnow(hashes: npt.NDArray[np.uint64], window: int) -> npt.NDArray[np.int64]:
    """Robust winnowing: the rightmost minimal hash of every ``window`` consecutive hashes (positions)."""
    n = len(hashes)
    if window <= 1 or n == 0:
        return np.arange(n, dtype=np.int64)
    if n <= window:
        return np.array([n - 1 - int(np.argmin(hashes[::-1]))], dtype=np.int64)
    windows = sliding_window_view(hashes, window)
    rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1)
    return np.unique(rightmost + np.arange(len(windows)))


def _fingerprint(code: str, k: int, window: int) -> _Print:
    """Normalise ``code`` and keep its winnowed k-gram fingerprints."""
    filtered, offsets = normalise_python(code)
    hashes = _kgram_hashes(filtered, k)
    positions = _winnow(hashes, window)
    return _Print(code, np.asarray(offsets, dtype=np.int64).reshape(-1, 2), positions, hashes[positions])


def _spans(positions: npt.NDArray[np.int64], k: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The union of ``[p, p + k)`` over ``positions`` as merged ``(starts, ends)`` (copydetect's slices)."""
    if len(positions) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    p = np.sort(positions)
    breaks = np.flatnonzero(np.diff(p) > k - 1)
    return np.r_[p[0], p[breaks + 1]], np.r_[p[breaks] + k, p[-1] + k]


def _covered(positions: npt.NDArray[np.int64], k: int) -> int:
    """How many normalised characters the fingerprints at ``positions`` cover."""
    starts, ends = _spans(positions, k)
    return int((ends - starts).sum())


def _excerpt(fp: _Print, starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]) -> str:
    """The longest matched passage in the student's own text, from the start of its first line, at most
    ``EXCERPT_LINES`` lines (the mapping from normalised to raw positions is approximate)."""
    if len(starts) == 0:
        return ""
    i = int((ends - starts).argmax())
    bounds = np.array([starts[i], ends[i]])
    if len(fp.offsets):
        index = np.clip(np.searchsorted(fp.offsets[:, 0], bounds), 0, len(fp.offsets) - 1)
        bounds = bounds + fp.offsets[index, 1]
    start = fp.raw.rfind("\n", 0, int(bounds[0])) + 1  # from the start of the line the match begins in
    lines = fp.raw[start : int(bounds[1])].splitlines()
    return "\n".join(lines[:EXCERPT_LINES]) + ("\n…" if len(lines) > EXCERPT_LINES else "")


def _share(fp: _Print, shared: npt.NDArray[np.uint64], k: int) -> tuple[float, int, str]:
    """Share of ``fp``'s covered text that ``shared`` fingerprints cover, the overlap, and an excerpt."""
    starts, ends = _spans(fp.positions[np.isin(fp.hashes, shared)], k)
    overlap = int((ends - starts).sum())
    total = _covered(fp.positions, k)
    return (overlap / total if total else 0.0), overlap, _excerpt(fp, starts, ends)


def _boilerplate(template_notebook: Path | None, k: int) -> tuple[npt.NDArray[np.uint64], list[str]]:
    """Every k-gram hash of the template's code (not only the winnowed ones) and its code cells."""
    if template_notebook is None:
        return np.empty(0, dtype=np.uint64), []
    cells = _code_cells(template_notebook)
    return np.unique(_fingerprint("\n\n".join(cells), k, 1).hashes), cells


def _common(prints: Mapping[str, _Print], share: float) -> npt.NDArray[np.uint64]:
    """Hashes present in more than ``share`` of the submissions (none below ``MIN_FOR_COMMON``)."""
    if len(prints) < MIN_FOR_COMMON:
        return np.empty(0, dtype=np.uint64)
    distinct = np.concatenate([np.unique(fp.hashes) for fp in prints.values()])
    values, counts = np.unique(distinct, return_counts=True)
    return values[counts > share * len(prints)]


def _candidates(prints: Sequence[_Print], threshold: float) -> list[tuple[int, int]]:
    """Index pairs sharing enough distinct fingerprints to possibly reach ``threshold``.

    One sparse product (submissions x fingerprints) counts the shared fingerprints of every pair; a
    pair is kept when they are at least half of ``threshold`` times the smaller submission's count.
    """
    from scipy import sparse

    uniques = [np.unique(fp.hashes) for fp in prints]
    if not any(len(u) for u in uniques):
        return []
    _, columns = np.unique(np.concatenate(uniques), return_inverse=True)
    rows = np.repeat(np.arange(len(uniques)), [len(u) for u in uniques])
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, columns)))
    shared = (matrix @ matrix.T).tocoo()
    sizes = np.array([len(u) for u in uniques])
    upper = shared.row < shared.col
    i, j, n = shared.row[upper], shared.col[upper], shared.data[upper]
    keep = n >= 0.5 * threshold * np.minimum(sizes[i], sizes[j])
    return sorted(zip(i[keep].tolist(), j[keep].tolist(), strict=True))


def _compare(a: str, b: str, fa: _Print, fb: _Print, k: int, threshold: float, min_tokens: int) -> SimilarPair | None:
    """The pair ``(a, b)`` when it reaches ``threshold`` and ``min_tokens``, else ``None``."""
    shared = np.intersect1d(fa.hashes, fb.hashes)
    share_a, overlap, excerpt_a = _share(fa, shared, k)
    share_b, _, excerpt_b = _share(fb, shared, k)
    if max(share_a, share_b) < threshold or overlap < min_tokens:
        return None
    return SimilarPair(a, b, round(share_a, 3), round(share_b, 3), overlap, excerpt_a, excerpt_b)


def find_similar_code(
    notebooks: Mapping[str, Path],
    *,
    template_notebook: Path | None = None,
    threshold: float = 0.5,
    min_overlap_tokens: int = 60,
    k: int = 25,
    window: int = 4,
    common_share: float = 0.5,
) -> SimilarityReport:
    """Pairs of ``notebooks`` (student id -> executed notebook) whose own code is unusually similar.

    ``k`` is the k-gram length in normalised characters (copydetect's noise threshold, 25) and
    ``window`` the winnowing window (any match of at least ``k + window - 1`` characters is found);
    similarities are copydetect's: the share of a submission's fingerprinted text that matched.
    Notebooks that do not exist are listed in ``unavailable``.
    """
    boilerplate, template_cells = _boilerplate(template_notebook, k)
    prints: dict[str, _Print] = {}
    unavailable = []
    for sid in sorted(notebooks):
        path = notebooks[sid]
        if path.is_file():
            prints[sid] = _fingerprint(student_code(path, template_cells), k, window)
        else:
            unavailable.append(sid)
    excluded = np.union1d(boilerplate, _common(prints, common_share))
    prints = {sid: fp.without(excluded) for sid, fp in prints.items()}
    ids = list(prints)
    pairs = [
        pair
        for i, j in _candidates([prints[sid] for sid in ids], threshold)
        if (pair := _compare(ids[i], ids[j], prints[ids[i]], prints[ids[j]], k, threshold, min_overlap_tokens))
    ]
    pairs.sort(key=lambda p: (-p.similarity, p.first, p.second))
    return SimilarityReport(tuple(pairs), tuple(ids), tuple(unavailable), template_notebook is not None, threshold)
