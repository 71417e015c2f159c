"""Time rescoring 1,000 cached submissions against rubrics/week11.yaml (no kernels, no re-execution).

Each cached submission is a ``GradedSubmission`` JSON file (result + evidence) as the store writes it.
The timed part reads every file, validates it, scores its evidence with ``score_submission`` and diffs
the new results against the cached ones, i.e. what ``grader rescore`` does. The last line of output is
one JSON object with the figures.

    PYTHONPATH=. .venv/bin/python benchmarks/rescore.py [--n 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IMPORT_PROBE = (
    "import time; t = time.perf_counter(); import grader.rubric, grader.score; "
    "from grader.rubric import load_rubric; from grader.score import score_submission, diff_results; "
    "print(time.perf_counter() - t)"
)


def _evidence(rng: random.Random) -> Any:
    from assignments.week11.records import CVReport, GradientData, MotifHit
    from grader.records.collected import CollectedRecord, FigureRef, Item
    from grader.records.evidence import Evidence, HiddenEvaluation

    depth = 20
    profile = {
        "baseline": [10 ** (-0.8 * (depth - i)) for i in range(depth)],
        "skip": [rng.uniform(0.05, 1.0) for _ in range(depth)],
        "batch_norm": [rng.uniform(0.5, 1.0) for _ in range(depth)],
        "relu": [0.0 if rng.random() < 0.2 else rng.uniform(0.01, 1.0) for _ in range(depth)],
        "elu": [10 ** (-0.1 * (depth - i)) for i in range(depth)],
    }
    answers = {
        "1.2": rng.choice(["Batch Norm", "BN", "ELU", "ReLU", "skip connections", "[x] Batch Norm"]),
        "3.1": rng.choice(["Incorrect", "incorrect ", False, "Correct", "[x] Incorrect", "maybe"]),
        "3.2": rng.choice(["Incorrect", True, "falsch"]),
        "3.3": rng.choice(["x_1 = 0", 0, "0.0", "2", "forty-two"]),
        "3.4": rng.choice([42, "42.", "dL/dw11 = 84", "-42"]),
    }
    auc = [rng.uniform(0.6, 0.95) for _ in range(5)]
    collected = CollectedRecord(
        answers={k: Item.ok(v) for k, v in answers.items() if rng.random() > 0.05},
        gradients=Item.ok(GradientData(magnitudes=profile))
        if rng.random() > 0.1
        else Item.missing("not collected"),
        cv=Item.ok(CVReport(roc_auc=tuple(auc), pr_auc=tuple(a - 0.05 for a in auc))),
        kernel_sweep=Item.ok({"5": 0.8, "9": 0.82, "15": 0.81}),
        figures=(FigureRef(cell_index=9, section="Assignment 1", mime="image/png"),),
    )
    measured = sum(auc) / 5 - rng.uniform(-0.05, 0.15)
    hidden = HiddenEvaluation(n=2055, n_positive=1177, roc_auc=measured, pr_auc=measured - 0.05)
    motifs = tuple(
        MotifHit(
            kernel_index=k,
            matrix_id=f"MA{k:04d}.1",
            name=rng.choice(["HNF4A", "GATA1", "FOXA2", "CTCF"]),
            score=rng.uniform(0.4, 0.95),
            strand="+",
            offset=0,
        )
        for k in range(8)
    )
    return Evidence(collected=collected, hidden=Item.ok(hidden), motifs=Item.ok(motifs))


def _execution(rng: random.Random) -> Any:
    from grader.records.execution import ExecStatus, ExecutionRecord

    roll = rng.random()
    if roll < 0.03:
        return ExecutionRecord(status=ExecStatus.TIMEOUT, reason="cell 20 exceeded 1200 s")
    if roll < 0.05:
        return ExecutionRecord(status=ExecStatus.DEAD_KERNEL, reason="Kernel died", kernel_exit_code=137)
    status = ExecStatus.CELL_ERROR if roll < 0.2 else ExecStatus.OK
    return ExecutionRecord(
        status=status, epilogue_ran=True, cell_errors=(12,) if status is ExecStatus.CELL_ERROR else ()
    )


def write_cache(folder: Path, n: int, seed: int = 0) -> None:
    """``n`` GradedSubmission files scored with the week11 rubric, as the store keeps them."""
    from grader.records.graded import GradedSubmission
    from grader.rubric import load_rubric
    from grader.score import score_submission

    rubric = load_rubric(ROOT / "rubrics" / "week11.yaml")
    rng = random.Random(seed)
    for i in range(n):
        sid = f"student{i:04d}"
        evidence, execution = _evidence(rng), _execution(rng)
        result = score_submission(rubric, evidence, execution, student_id=sid, source=f"{sid}.ipynb")
        record = GradedSubmission(result=result, execution=execution, evidence=evidence)
        (folder / f"{sid}.json").write_text(record.model_dump_json(), encoding="utf-8")


def rescore(folder: Path, rubric_path: Path) -> dict[str, float]:
    """Read, validate, rescore and diff every cached submission; wall time per phase and CPU time in total."""
    from grader.records.graded import GradedSubmission
    from grader.rubric import load_rubric
    from grader.score import diff_results, score_submission

    c0, t0 = time.process_time(), time.perf_counter()
    rubric = load_rubric(rubric_path)
    t1 = time.perf_counter()
    cached = [GradedSubmission.model_validate_json(p.read_bytes()) for p in sorted(folder.glob("*.json"))]
    t2 = time.perf_counter()
    new = [
        score_submission(
            rubric, c.evidence, c.execution, student_id=c.result.student_id, source=c.result.source
        )
        for c in cached
    ]
    t3 = time.perf_counter()
    changes = diff_results([c.result for c in cached], new)
    t4 = time.perf_counter()
    if changes:
        raise SystemExit(f"rescoring with the same rubric changed {len(changes)} results: {changes[0]}")
    return {
        "load_rubric_s": t1 - t0,
        "read_s": t2 - t1,
        "score_s": t3 - t2,
        "diff_s": t4 - t3,
        "total_s": t4 - t0,
        "total_cpu_s": time.process_time() - c0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    imports = [
        float(
            subprocess.run(
                [sys.executable, "-c", IMPORT_PROBE],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
                env={"PYTHONPATH": str(ROOT)},
            ).stdout
        )
        for _ in range(3)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_cache(folder, args.n)
        runs = [rescore(folder, ROOT / "rubrics" / "week11.yaml") for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r["total_s"])
    figures = {"n": args.n, "repeat": args.repeat, **{k: round(v, 4) for k, v in best.items()}}
    figures["per_submission_ms"] = round(1000 * best["total_s"] / args.n, 3)
    figures["import_s"] = round(min(imports), 4)
    figures["load_average"] = round(os.getloadavg()[0], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
