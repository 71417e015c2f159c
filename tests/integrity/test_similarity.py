"""Code similarity: copies are flagged despite renaming; template and injected code are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.integrity import find_similar_code
from grader.integrity.similarity import student_code
from tests.render._notebooks import OWN_CODE, TEMPLATE_CELLS, executed_notebook, notebook


def _write(folder: Path, student_ids: list[str]) -> dict[str, Path]:
    paths = {}
    for sid in student_ids:
        path = folder / f"{sid}.ipynb"
        path.write_text(json.dumps(executed_notebook(sid)), encoding="utf-8")
        paths[sid] = path
    return paths


def test_renamed_copy_is_flagged_and_others_are_not(tmp_path: Path, template_notebook: Path) -> None:
    report = find_similar_code(_write(tmp_path, sorted(OWN_CODE)), template_notebook=template_notebook)
    assert [(p.first, p.second) for p in report.pairs] == [("s_full", "s_mismatch")]
    pair = report.pairs[0]
    assert pair.similarity > 0.8 and pair.overlap_tokens >= 60
    assert "SkipBlock" in pair.excerpt_first or "EnhancerCNN" in pair.excerpt_first
    assert "template code excluded" in report.note


def test_template_and_injected_cells_are_not_student_code(tmp_path: Path, template_notebook: Path) -> None:
    path = _write(tmp_path, ["s_wrong"])["s_wrong"]
    code = student_code(path, TEMPLATE_CELLS)
    assert "def one_hot" not in code and "grader_record.json" not in code and "random.seed" not in code
    assert "%matplotlib" not in code and "def build(depth, act)" in code


def test_students_sharing_only_the_template_are_not_flagged(tmp_path: Path, template_notebook: Path) -> None:
    a, b = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    a.write_text(json.dumps(notebook([(c, []) for c in TEMPLATE_CELLS] + [("x = 1", [])])), encoding="utf-8")
    b.write_text(json.dumps(notebook([(c, []) for c in TEMPLATE_CELLS] + [("y = 2", [])])), encoding="utf-8")
    assert find_similar_code({"a": a, "b": b}, template_notebook=template_notebook).pairs == ()


def test_without_the_template_shared_template_code_is_similar(tmp_path: Path) -> None:
    a, b = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    for path in (a, b):
        path.write_text(json.dumps(notebook([(c, []) for c in TEMPLATE_CELLS])), encoding="utf-8")
    report = find_similar_code({"a": a, "b": b})
    assert len(report.pairs) == 1 and "no template notebook given" in report.note


def test_missing_notebooks_are_listed(tmp_path: Path) -> None:
    report = find_similar_code({"gone": tmp_path / "gone.ipynb"})
    assert report.unavailable == ("gone",) and report.pairs == () and "without an executed notebook" in report.note


def _copydetect_share(code_a: str, code_b: str) -> tuple[float, float]:
    """copydetect's own similarities of two codes, fingerprinting the same normalised text."""
    import io

    from copydetect import CodeFingerprint, compare_files

    from grader.integrity.normalise import normalise_python

    prints = [CodeFingerprint("x.py", 25, 1, filter=False, fp=io.StringIO(normalise_python(c)[0]))
              for c in (code_a, code_b)]
    _, (share_a, share_b), _ = compare_files(*prints)
    return float(share_a), float(share_b)


def test_similarity_agrees_with_copydetect() -> None:
    # With window 1 (every k-gram) both measure the same thing; only the hash functions differ.
    import numpy as np

    from grader.integrity.similarity import _fingerprint, _share

    for a, b in [("s_full", "s_mismatch"), ("s_full", "s_wrong"), ("s_wrong", "s_nograd")]:
        fa, fb = _fingerprint(OWN_CODE[a], 25, 1), _fingerprint(OWN_CODE[b], 25, 1)
        shared = np.intersect1d(fa.hashes, fb.hashes)
        ours = (_share(fa, shared, 25)[0], _share(fb, shared, 25)[0])
        theirs = _copydetect_share(OWN_CODE[a], OWN_CODE[b])
        assert ours == pytest.approx(theirs, abs=0.01), (a, b)


def test_normalised_text_matches_copydetects_filter_on_plain_code() -> None:
    from copydetect.utils import filter_code

    from grader.integrity.normalise import normalise_python

    code = "def f(x, y=2):\n    # add\n    return np.sum([x, y]) * 3.5 + len(x)\n"
    ours, theirs = normalise_python(code)[0], filter_code(code, "x.py", "python")[0]
    assert ours == theirs == "defF(V,V=2):returnV.V([V,V])*3.5+len(V)"
