"""The expression pack's samples are up to date: ``samples/make_samples.py`` writes exactly the notebooks and
the manifest that are checked in, and the manifest lists every sample and question. Grading them end to end
is tests/test_samples.py's (it grades every ``assignments/*/samples/manifest.yaml``, ids ``expression-*``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "assignments/expression/samples"


def _manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((SAMPLES / "manifest.yaml").read_text(encoding="utf-8"))
    return data


def test_the_manifest_lists_every_sample_and_question() -> None:
    manifest = _manifest()
    assert manifest["assignment"] == "expression" and sum(manifest["max_points"].values()) == 10
    assert (ROOT / manifest["rubric"]).is_file() and (ROOT / manifest["template"]).is_file()
    on_disk = {p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*.ipynb")}
    assert on_disk == {e["path"] for e in manifest["submissions"]}
    assert all(set(e["expected_points"]) == set(manifest["max_points"]) for e in manifest["submissions"])


def test_make_samples_rewrites_the_checked_in_files(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(SAMPLES / "make_samples.py"), "--out", str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted([*(e["path"] for e in _manifest()["submissions"]), "manifest.yaml"])
    stale = [name for name in written if (tmp_path / name).read_bytes() != (SAMPLES / name).read_bytes()]
    assert not stale, f"run {_manifest()['regenerate']}"
