"""Results on disk: one JSON file per submission, written atomically, read back validated."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from grader.errors import StoreError
from grader.store.record import GradedSubmission

__all__ = ["RESULTS_DIR", "read_results", "result_path", "write_atomic", "write_result"]

RESULTS_DIR = "results"


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def result_path(out_dir: Path, student_id: str) -> Path:
    return out_dir / RESULTS_DIR / f"{student_id}.json"


def write_result(out_dir: Path, graded: GradedSubmission) -> Path:
    """Store ``graded`` as ``OUT/results/<student_id>.json``."""
    path = result_path(out_dir, graded.result.student_id)
    write_atomic(path, graded.model_dump_json(indent=1))
    return path


def read_results(out_dir: Path) -> list[GradedSubmission]:
    """Every stored result under ``out_dir``, sorted by student id; a corrupt file names itself."""
    folder = out_dir / RESULTS_DIR
    if not folder.is_dir():
        raise StoreError(f"{out_dir}: no {RESULTS_DIR}/ folder; grade first (grader grade ... --out {out_dir})")
    graded = []
    for path in sorted(folder.glob("*.json")):
        try:
            graded.append(GradedSubmission.model_validate_json(path.read_text(encoding="utf-8")))
        except (OSError, ValidationError) as exc:
            raise StoreError(f"{path}: not a readable result ({exc})") from exc
    return sorted(graded, key=lambda g: g.result.student_id)
