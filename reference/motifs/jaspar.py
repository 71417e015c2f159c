"""JASPAR matrices from pyjaspar's bundled (offline) database, loaded once per process.

Matrices are returned as probability matrices of shape (4, K), rows A, C, G, T, computed from the
JASPAR counts with a pseudocount of 0.8 spread over the four bases (0.2 each), then normalised.
"""

from __future__ import annotations

import functools
import importlib.metadata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = ["DEFAULT_RELEASE", "FIRST_PYJASPAR", "JasparMatrix", "fetch_matrix", "load_jaspar"]

DEFAULT_RELEASE: Final = "JASPAR2026"
FIRST_PYJASPAR: Final[Mapping[str, str]] = MappingProxyType({"JASPAR2024": "3.0.0", "JASPAR2026": "4.0.0"})
"""The first pyjaspar release that bundles a JASPAR release (read from the PyPI sdists' ``pyjaspar/data``);
pyproject.toml's floor is the one of :data:`DEFAULT_RELEASE`."""
_PSEUDOCOUNT: Final = 0.8


@dataclass(frozen=True, eq=False)
class JasparMatrix:
    """One JASPAR matrix.

    Attributes:
        matrix_id: e.g. "MA0114.5". name: e.g. "HNF4A" (dimers read "GATA1::TAL1").
        probabilities: float64, shape (4, K), rows A, C, G, T, columns summing to 1.
    """

    matrix_id: str
    name: str
    probabilities: npt.NDArray[np.float64]

    @property
    def length(self) -> int:
        """Motif width K."""
        return int(self.probabilities.shape[1])


def _to_matrix(motif: Any) -> JasparMatrix:
    counts = np.array([motif.counts[b] for b in "ACGT"], dtype=np.float64) + _PSEUDOCOUNT / 4
    return JasparMatrix(str(motif.matrix_id), str(motif.name), counts / counts.sum(axis=0, keepdims=True))


def _needs(release: str) -> str:
    """What to install for ``release``: the first pyjaspar that bundles it, or a newer one."""
    first = FIRST_PYJASPAR.get(release)
    if first is None:
        return "a pyjaspar release that bundles it"
    return f"pyjaspar>={first} (`pip install -U 'pyjaspar>={first}'`, or `make setup`)"


@functools.cache
def _database(release: str) -> Any:
    """pyjaspar's offline database for ``release``.

    Raises:
        RuntimeError: the installed pyjaspar does not bundle ``release`` (pyjaspar itself only prints a
            line and returns an object without a connection), naming the installed and the needed release.
    """
    import pyjaspar

    bundled = sorted(getattr(pyjaspar, "jaspar_releases", {}))
    if release not in bundled:
        installed = importlib.metadata.version("pyjaspar")
        raise RuntimeError(
            f"load_jaspar: pyjaspar {installed} does not bundle {release} (it has {bundled}); "
            f"install {_needs(release)}"
        )
    return pyjaspar.jaspardb(release=release)


@functools.cache
def load_jaspar(
    collection: str = "CORE", tax_group: str = "vertebrates", release: str = DEFAULT_RELEASE
) -> tuple[JasparMatrix, ...]:
    """All matrices of a JASPAR collection and taxonomic group (latest version of each), cached.

    The first call per process reads pyjaspar's bundled sqlite database (about 3 s for the 1,019
    vertebrate CORE matrices of JASPAR2026); later calls return the same tuple.

    Args:
        collection: JASPAR collection. Default "CORE".
        tax_group: taxonomic group. Default "vertebrates".
        release: pyjaspar release name. Default "JASPAR2026".

    Raises:
        RuntimeError: the installed pyjaspar does not bundle ``release`` (the message names the pyjaspar
            to install, :data:`FIRST_PYJASPAR`).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        motifs = _database(release).fetch_motifs(
            collection=collection, tax_group=[tax_group], all_versions=False
        )
    if not motifs:
        raise ValueError(
            f"load_jaspar: no matrices for collection={collection!r}, tax_group={tax_group!r} in {release}"
        )
    return tuple(_to_matrix(m) for m in motifs)


@functools.cache
def fetch_matrix(matrix_id: str, release: str = DEFAULT_RELEASE) -> JasparMatrix:
    """One matrix by versioned id (e.g. "MA0114.5"), cached.

    Raises:
        KeyError: the id is not in the release.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        motif = _database(release).fetch_motif_by_id(matrix_id)
    if motif is None:
        raise KeyError(f"fetch_matrix: {matrix_id!r} is not in {release}")
    return _to_matrix(motif)
