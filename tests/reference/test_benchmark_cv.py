"""benchmarks/cv.py: its last stdout line is one JSON record; a missing data folder is a clear error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reference.enhancers.synthetic import write_synthetic_dataset

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks/cv.py"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False)


def test_tiny_run_prints_a_json_record_last(tmp_path: Path) -> None:
    write_synthetic_dataset(tmp_path, n_train=40, n_hidden=10, length=60)
    done = _run(
        "--data", str(tmp_path / "train"), "--test-dir", str(tmp_path / "hidden"),
        "--n-per-class", "30", "--folds", "2", "--epochs", "1", "--device", "cpu",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout.strip().splitlines()[-1])
    expected = {
        "cnn_roc_auc",
        "cnn_pr_auc",
        "kmer_roc_auc",
        "wall_s",
        "peak_rss_mb",
        "device",
        "test_roc_auc",
        "test_kmer_roc_auc",
    }
    assert expected <= set(record)
    assert record["device"] == "cpu" and record["n_sequences"] == 60


def test_missing_data_folder_is_named(tmp_path: Path) -> None:
    done = _run("--data", str(tmp_path / "nowhere"))
    assert done.returncode != 0
    assert "nowhere lacks liver.fa, other.fa; pass --data/--test-dir DIR" in done.stderr
