"""Batch benchmarks: throughput with 1 vs 2 slots, and overhead against a plain nbclient loop.

    python benchmarks/batch.py throughput --n 40     # grade_batch --jobs 1 vs --jobs 2
    python benchmarks/batch.py overhead --n 20       # plain nbclient loop vs grade_batch --jobs 1

Trivial notebooks (two cells, answers only) and the minimal rubric tests/fixtures/batch/minimal.yaml.
Each figure is the wall time of a fresh interpreter running one variant, as a command line would
(start-up and imports included); variants alternate, medians and minima over --repeat rounds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat

# grader modules are imported inside the variants, so that the plain nbclient variant pays only for
# what a plain nbclient script imports.

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "tests" / "fixtures" / "batch" / "minimal.yaml"

def write_notebooks(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        cells = [nbformat.v4.new_code_cell(f"ANSWERS = {{'3.3': {i % 3}, '3.1': 'no'}}"),
                 nbformat.v4.new_code_cell("x = sum(range(1000))")]
        nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / f"student{i:03d}.ipynb")
    return folder


def plain_loop(subs: Path) -> None:
    """What the harness is measured against: nbclient over each notebook, one after another."""
    from nbclient import NotebookClient

    for path in sorted(subs.glob("*.ipynb")):
        NotebookClient(nbformat.read(path, as_version=4), timeout=60, kernel_name="python3").execute()


def pipeline_loop(subs: Path, work: Path) -> None:
    """The grading pipeline in this process, one notebook after another (no batch machinery)."""
    from assignments.week11.data import prepare_data
    from grader.pipeline import GradeOptions, grade_notebook
    from grader.prepare.secret import ClassSecret
    from grader.rubric import load_rubric

    rubric = load_rubric(RUBRIC)
    data = prepare_data(rubric, cache_dir=work / "cache", secret=ClassSecret.generate())
    for path in sorted(subs.glob("*.ipynb")):
        grade_notebook(path, rubric, data, student_id=path.stem, options=GradeOptions(), executed_dir=work / "ex")


def batch(subs: Path, out: Path, jobs: int, isolate: bool = False) -> None:
    """What ``grade_batch`` does (workers, if any, start first; then the data loads). One slot grades
    in this process unless ``isolate``."""
    import contextlib

    from assignments.week11.data import prepare_data
    from grader.batch.local import LocalPool
    from grader.batch.run import BatchSettings, run_batch
    from grader.batch.worker import Steps, WorkerContext, pipeline_fail, pipeline_grade
    from grader.pipeline import GradeOptions
    from grader.prepare.secret import ClassSecret
    from grader.rubric import load_rubric
    from grader.store.gradebook import RunInfo

    rubric = load_rubric(RUBRIC)
    with LocalPool(jobs) if jobs > 1 or isolate else contextlib.nullcontext() as pool:
        data = prepare_data(rubric, cache_dir=out / ".cache", secret=ClassSecret.generate())
        steps = Steps(grade=pipeline_grade, fail=pipeline_fail)
        context = WorkerContext(rubric, data, GradeOptions(), steps)
        info = RunInfo(rubric_sha256="bench", grader_version="bench")
        run_batch(subs, out, context=context, context_hash=f"bench-{out.name}", info=info,
                  settings=BatchSettings(jobs=jobs, isolate=isolate), pool=pool)


VARIANTS: dict[str, Callable[[Path, Path], object]] = {
    "plain_nbclient": lambda subs, out: plain_loop(subs),
    "pipeline_loop": lambda subs, out: pipeline_loop(subs, out),
    "batch_jobs1": lambda subs, out: batch(subs, out, 1),
    "batch_jobs1_isolated": lambda subs, out: batch(subs, out, 1, isolate=True),
    "batch_jobs2": lambda subs, out: batch(subs, out, 2),
}
MODES = {
    "throughput": ("batch_jobs1", "batch_jobs2"),
    "overhead": ("plain_nbclient", "pipeline_loop", "batch_jobs1", "batch_jobs1_isolated"),
}


def run_variant(name: str, subs: Path, out: Path) -> None:
    """One variant in this (fresh) process: what one command line would do."""
    VARIANTS[name](subs, out)


def timed_command(name: str, subs: Path, out: Path) -> float:
    """Wall time of a fresh interpreter running one variant, imports and start-up included."""
    argv = [sys.executable, __file__, "_one", name, str(subs), str(out)]
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(names: tuple[str, ...], subs: Path, work: Path, repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeat):
        for name in names:
            seconds = timed_command(name, subs, work / f"{name}-{round_}")
            times[name].append(seconds)
            print(json.dumps({"variant": name, "round": round_, "seconds": round(seconds, 2)}), flush=True)
    return times


def summarize(times: dict[str, list[float]], n: int, mode: str) -> dict[str, object]:
    """Medians and minima (the least disturbed run on a shared machine), relative to the first variant."""
    first = next(iter(times))
    out: dict[str, object] = {"mode": mode, "n": n}
    for stat, pick in (("median", statistics.median), ("min", min)):
        values = {name: pick(v) for name, v in times.items()}
        out[stat] = {
            name: {"seconds": round(s, 2), "notebooks_per_s": round(n / s, 3), "time_vs_first": round(s / values[first], 3)}
            for name, s in values.items()
        }
    return out


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_one":
        run_variant(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=sorted(MODES))
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        subs = write_notebooks(Path(tmp) / "subs", args.n)
        times = measure(MODES[args.mode], subs, Path(tmp), args.repeat)
    print(json.dumps(summarize(times, args.n, args.mode), indent=1))


if __name__ == "__main__":
    main()
