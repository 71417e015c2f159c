"""The student distribution: built, inspected, installed in a clean venv, and checking the template there.

Slow (a clean venv with torch: about 4 minutes on 2 cores). Run: ``pytest tests/selfcheck/test_package.py -m slow``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from grader.rubric import ChoiceCriterion, NumberCriterion, load_rubric

ROOT = Path(__file__).parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.kernel]
TORCH = "torch==2.13.0"  # the local CPU build; never another torch


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "NBGRADE_STUDENT": "1"}
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   env=env, check=True, capture_output=True, cwd=ROOT)
    return out


def _members(dist: Path) -> dict[str, bytes]:
    wheel = next(dist.glob("*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    with tarfile.open(next(dist.glob("*.tar.gz"))) as tf:
        for m in tf.getmembers():
            handle = tf.extractfile(m) if m.isfile() else None
            if handle is not None:
                files[f"sdist:{m.name.split('/', 1)[1]}"] = handle.read()
    return files


def _secrets() -> list[str]:
    """Texts of the full rubric that must not reach students: feedback messages and key lines."""
    rubric = load_rubric(ROOT / "rubrics" / "week11.yaml")
    found: list[str] = []
    for q in rubric.questions:
        for c in q.criteria:
            if isinstance(c, ChoiceCriterion):
                found += list(c.feedback.values())
            if isinstance(c, NumberCriterion):
                found += [f.message for f in c.feedback]
    text = (ROOT / "rubrics" / "week11.yaml").read_text(encoding="utf-8")
    found += [line.strip() for line in text.splitlines() if re.match(r"\s*(expected|hidden):", line)]
    return found


def test_the_student_distribution_holds_no_solution_rubric_or_key(dist: Path) -> None:
    files = _members(dist)
    names = [n.removeprefix("sdist:") for n in files]
    assert not [n for n in names if n.startswith("reference/") or n.endswith((".ipynb", ".yaml", ".yml"))]
    assert not [n for n in names if n.startswith(("tests/", "rubrics/", "submissions/"))]
    packs = [n for n in names if n.startswith("assignments/")]  # a pack's code, never its notebooks or rubric
    assert "assignments/week11/__init__.py" in packs
    assert "assignments/week11/templates/week11_gradients.html.j2" in packs  # the report panels' templates
    assert not [n for n in packs if not re.fullmatch(r"assignments/\w+/([\w/]+\.py|templates/[\w.-]+\.j2|py\.typed)", n)]
    assert not [n for n in packs if "/samples/" in n]  # a pack's samples and their generator are test data
    blob = b"\n".join(files.values()).decode("utf-8", errors="replace")
    secrets = _secrets()
    assert len(secrets) >= 8
    assert [s for s in secrets if s in blob] == []
    metadata = next(v for k, v in files.items() if k.endswith(".dist-info/METADATA")).decode()
    required = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert required and not [r for r in required if re.search(r"\b(torch|lightning|dask|pyjaspar|starlette)\b", r)]


def test_the_student_install_checks_the_template_outside_the_repository(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, TORCH], check=True)
    subprocess.run([*pip, str(next(dist.glob("*.whl")))], check=True)
    work = tmp_path / "student"
    (work / "data" / "train").mkdir(parents=True)
    shutil.copy(ROOT / "assignments" / "week11" / "template.ipynb", work / "week11.ipynb")
    for fa in (ROOT / "tests" / "fixtures" / "notebooks" / "week11" / "data" / "train").glob("*.fa"):
        shutil.copy(fa, work / "data" / "train" / fa.name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")} | {"COLUMNS": "200"}
    no_ref = subprocess.run([str(venv / "bin" / "python"), "-c", "import reference"], cwd=work, env=env,
                            capture_output=True, text=True)
    assert no_ref.returncode == 1 and "No module named 'reference'" in no_ref.stderr
    done = subprocess.run([str(venv / "bin" / "grader"), "check", "week11.ipynb"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=600)
    out = re.sub(r"\s+", " ", done.stdout + done.stderr)
    assert done.returncode == 1, out
    assert "Not ready" in out and "Traceback" not in out
    assert "cell 3: ModuleNotFoundError: No module named 'lightning'" in out  # the template's imports, its cell 3
    assert "FOLD_MODELS never set: NotImplementedError in cell 22" in out
