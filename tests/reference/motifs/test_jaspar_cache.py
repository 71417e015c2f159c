"""The JASPAR disk cache: a later process reads the same matrices; a damaged file is rebuilt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from reference.motifs import jaspar


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache directory and no per-process cache, as in a new process."""
    monkeypatch.setenv("NBGRADE_CACHE_DIR", str(tmp_path / "cache"))
    jaspar.load_jaspar.cache_clear()
    yield tmp_path / "cache"
    jaspar.load_jaspar.cache_clear()


def _same(a: tuple[jaspar.JasparMatrix, ...], b: tuple[jaspar.JasparMatrix, ...]) -> None:
    assert [m.matrix_id for m in a] == [m.matrix_id for m in b]
    assert [m.name for m in a] == [m.name for m in b]
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x.probabilities, y.probabilities)


def _no_pyjaspar(*args: object) -> None:
    raise AssertionError("pyjaspar was read although the disk cache holds the collection")


def test_a_new_process_reads_what_the_first_wrote(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = jaspar.load_jaspar()
    (written,) = fresh.glob("jaspar-JASPAR2026-CORE-vertebrates-pyjaspar*.npz")
    jaspar.load_jaspar.cache_clear()
    monkeypatch.setattr(jaspar, "_fetch_collection", _no_pyjaspar)
    again = jaspar.load_jaspar()
    assert again is not first  # read back from the file, not the per-process cache
    _same(again, first)  # first: read from pyjaspar (the cache directory was empty)
    assert written.stat().st_size > 0 and not list(fresh.glob(".jaspar-*"))  # no temporary file left


def test_a_damaged_file_is_ignored_and_rewritten(fresh: Path) -> None:
    path = jaspar._cache_file("CORE", "vertebrates", jaspar.DEFAULT_RELEASE)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an npz")
    matrices = jaspar.load_jaspar()
    assert len(matrices) > 500
    restored = jaspar._read_cache(path)
    assert restored is not None
    _same(restored, matrices)


def test_an_unwritable_cache_only_costs_the_speed_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory would go")
    monkeypatch.setenv("NBGRADE_CACHE_DIR", str(blocker / "cache"))
    jaspar.load_jaspar.cache_clear()
    try:
        assert len(jaspar.load_jaspar()) > 500
    finally:
        jaspar.load_jaspar.cache_clear()


def _valid(path: Path) -> None:
    jaspar._write_cache(path, jaspar.load_jaspar())
    assert jaspar._read_cache(path) is not None


@pytest.mark.parametrize("damage", ["truncated zip", "widths off by one", "column not a distribution", "object array"])
def test_a_damaged_or_inconsistent_file_is_not_read(fresh: Path, damage: str) -> None:
    path = fresh / "x.npz"
    fresh.mkdir(parents=True, exist_ok=True)
    _valid(path)
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    if damage == "truncated zip":
        path.write_bytes(path.read_bytes()[:-200])
    else:
        if damage == "widths off by one":
            arrays["widths"] = arrays["widths"].copy()
            arrays["widths"][0] += 1
        elif damage == "column not a distribution":
            arrays["probabilities"] = arrays["probabilities"].copy()
            arrays["probabilities"][0, 0] = 5.0
        else:
            arrays["names"] = np.array([object()] * len(arrays["names"]), dtype=object)
        with path.open("wb") as out:
            np.savez(out, **arrays, allow_pickle=True)
        path.chmod(0o600)
    assert jaspar._read_cache(path) is None


def test_a_file_others_may_write_is_not_read(fresh: Path) -> None:
    path = fresh / "x.npz"
    fresh.mkdir(parents=True, exist_ok=True)
    _valid(path)
    path.chmod(0o666)
    assert jaspar._read_cache(path) is None
