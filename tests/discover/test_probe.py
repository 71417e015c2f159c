"""The first look at a notebook file: hash and gradability."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from grader.discover.probe import probe_notebook

FIXTURES = Path(__file__).parents[1] / "fixtures" / "submissions_malformed" / "plain"


def test_valid_notebook_has_hash_and_no_problem() -> None:
    path = FIXTURES / "alice.ipynb"
    probe = probe_notebook(path)
    assert probe.problem is None and probe.note is None
    assert probe.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_nbformat3_is_graded_with_a_note() -> None:
    probe = probe_notebook(FIXTURES / "nbformat3.ipynb")
    assert probe.problem is None
    assert probe.note is not None and "nbformat 3" in probe.note


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.ipynb"
    with path.open("wb") as handle:
        handle.truncate(51 * 2**20)  # sparse: costs no disk
    probe = probe_notebook(path)
    assert probe.problem == "file is 51.0 MiB; the limit is 50 MiB"
    assert probe.size == 51 * 2**20


def test_small_cap_applies(tmp_path: Path) -> None:
    path = tmp_path / "x.ipynb"
    path.write_bytes((FIXTURES / "alice.ipynb").read_bytes())
    assert probe_notebook(path, max_bytes=10).problem is not None
    assert os.path.getsize(path) > 10


def test_deeply_nested_json_is_invalid_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.ipynb"
    path.write_text("[" * 100_000 + "]" * 100_000)
    problem = probe_notebook(path).problem
    assert problem is not None and problem.startswith("not")
