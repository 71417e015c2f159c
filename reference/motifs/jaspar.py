"""JASPAR matrices from pyjaspar's bundled (offline) database, loaded once per process.

Matrices are returned as probability matrices of shape (4, K), rows A, C, G, T, computed from the
JASPAR counts with a pseudocount of 0.8 spread over the four bases (0.2 each), then normalised.

Reading a collection from pyjaspar takes about 5.6 s on the 2-core development machine (Biopython
parses every matrix); every grading worker and the report step need it. So the matrices of a
collection are also kept on disk, as a plain ``.npz`` (no pickle) named after the pyjaspar version,
release, collection and group, in ``$NBGRADE_CACHE_DIR`` or ``$XDG_CACHE_HOME/nbgrade-ml`` (default
``~/.cache/nbgrade-ml``): a later process reads it in milliseconds. Only a file owned by this user and
writable by no one else is read; an unreadable, damaged or inconsistent one (ids, names, widths and
4-row probability columns that sum to 1) is ignored and rewritten; the name also carries the pseudocount
and a format number, so a change to either makes a new file. A cache directory that cannot be written
only costs the speed-up.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = ["DEFAULT_RELEASE", "FIRST_PYJASPAR", "JasparMatrix", "cache_dir", "fetch_matrix", "load_jaspar"]

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

    The first call per process reads the disk cache (see the module's text) or else pyjaspar's bundled
    sqlite database (about 5.6 s for the 1,019 vertebrate CORE matrices of JASPAR2026) and writes the
    cache; later calls return the same tuple.

    Args:
        collection: JASPAR collection. Default "CORE".
        tax_group: taxonomic group. Default "vertebrates".
        release: pyjaspar release name. Default "JASPAR2026".

    Raises:
        RuntimeError: the installed pyjaspar does not bundle ``release`` (the message names the pyjaspar
            to install, :data:`FIRST_PYJASPAR`).
    """
    path = _cache_file(collection, tax_group, release)
    cached = _read_cache(path)
    if cached is not None:
        return cached
    matrices = _fetch_collection(collection, tax_group, release)
    _write_cache(path, matrices)
    return matrices


def _fetch_collection(collection: str, tax_group: str, release: str) -> tuple[JasparMatrix, ...]:
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


def cache_dir() -> Path:
    """Where :func:`load_jaspar` keeps collections: ``$NBGRADE_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/nbgrade-ml``, else ``~/.cache/nbgrade-ml``."""
    if explicit := os.environ.get("NBGRADE_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nbgrade-ml"


_CACHE_FORMAT = 1
"""Bumped whenever what a cached file holds changes (layout, or how ``_to_matrix`` computes)."""


def _cache_file(collection: str, tax_group: str, release: str) -> Path:
    version = importlib.metadata.version("pyjaspar")
    name = (
        f"jaspar-{release}-{collection}-{tax_group}-pyjaspar{version}"
        f"-pseudocount{_PSEUDOCOUNT}-v{_CACHE_FORMAT}.npz"
    )
    return cache_dir() / "".join(c if c.isalnum() or c in ".-_" else "_" for c in name)


def _trusted(path: Path) -> bool:
    """Only a file of this user that no one else may write is read (another user's file could bias
    every later motif match)."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o022 and path.is_file()


def _read_cache(path: Path) -> tuple[JasparMatrix, ...] | None:
    """The matrices in ``path``, or None when it is missing, untrusted, unreadable or inconsistent."""
    if not _trusted(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            ids, names = data["ids"], data["names"]
            widths, probabilities = data["widths"], np.asarray(data["probabilities"], dtype=np.float64)
    except Exception:  # a damaged zip raises zipfile.BadZipFile, an object array ValueError: rebuild
        return None
    if not _consistent(ids, names, widths, probabilities):
        return None
    columns = np.split(probabilities, np.cumsum(widths)[:-1], axis=1)
    return tuple(
        JasparMatrix(str(i), str(n), np.ascontiguousarray(c))
        for i, n, c in zip(ids, names, columns, strict=True)
    )


def _consistent(ids: Any, names: Any, widths: Any, probabilities: npt.NDArray[np.float64]) -> bool:
    """One id, name and positive width per matrix; 4 rows of finite probabilities, each column summing to 1."""
    n = len(ids)
    if not (n == len(names) == len(widths) > 0) or widths.dtype.kind not in "iu" or (widths <= 0).any():
        return False
    if probabilities.ndim != 2 or probabilities.shape != (4, int(widths.sum())):
        return False
    finite = bool(np.isfinite(probabilities).all() and (probabilities >= 0).all())
    return finite and bool(np.allclose(probabilities.sum(axis=0), 1.0))


def _write_cache(path: Path, matrices: tuple[JasparMatrix, ...]) -> None:
    """Write ``matrices`` to ``path`` atomically; a directory that cannot be written is passed over."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".jaspar-", suffix=".npz")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(
                out,
                ids=np.array([m.matrix_id for m in matrices]),
                names=np.array([m.name for m in matrices]),
                widths=np.array([m.length for m in matrices]),
                probabilities=np.concatenate([m.probabilities for m in matrices], axis=1),
            )
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


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
