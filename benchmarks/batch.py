"""Batch benchmarks: throughput with 1 vs 2 slots, and overhead against a plain nbclient loop.

    python benchmarks/batch.py throughput --n 40     # grade_batch --jobs 1 vs --jobs 2
    python benchmarks/batch.py overhead --n 20       # plain nbclient loop vs grade_batch --jobs 1
    add --seed-cell lazy to run the same with torch/numpy seeded on first import (see README-batch.md)

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

LAZY_SEED = '''\
# Seeds set by the grader, lazily: random now, numpy and torch when the notebook first imports them.
import importlib.abc as _grader_abc, importlib.util as _grader_util, random as _grader_random, sys as _grader_sys
_grader_random.seed({seed})

def _grader_seeded(name, module):
    if name == "numpy":
        module.random.seed({seed})
    else:
        module.manual_seed({seed})
        module.use_deterministic_algorithms(True, warn_only=True)

class _GraderSeedOnImport(_grader_abc.MetaPathFinder):
    pending = {{"numpy", "torch"}}

    def find_spec(self, name, path=None, target=None):
        if name not in self.pending:
            return None
        self.pending.discard(name)
        spec = _grader_util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module
        def exec_module(module, run=run, name=name):
            run(module)
            _grader_seeded(name, module)
        spec.loader.exec_module = exec_module
        return spec

_grader_sys.meta_path.insert(0, _GraderSeedOnImport())
'''


def lazy_seed_source(seed: int) -> str:
    """A seed cell that imports neither numpy nor torch itself (a proposal measured here)."""
    return LAZY_SEED.format(seed=seed)


def _use_lazy_seed() -> None:
    import grader.pipeline

    grader.pipeline.seed_cell_source = lazy_seed_source  # type: ignore[attr-defined]


def lazy_grade(*args: object) -> object:
    """``pipeline_grade`` with the lazy seed cell (runs in spawned workers, so it patches there)."""
    from grader.batch.worker import pipeline_grade

    _use_lazy_seed()
    return pipeline_grade(*args)  # type: ignore[arg-type]


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
    from grader.pipeline import GradeOptions, grade_notebook
    from grader.prepare.assignment import load_assignment_data
    from grader.rubric import load_rubric

    rubric = load_rubric(RUBRIC)
    data = load_assignment_data(rubric, cache_dir=work / "cache")
    for path in sorted(subs.glob("*.ipynb")):
        grade_notebook(path, rubric, data, student_id=path.stem, options=GradeOptions(), executed_dir=work / "ex")


def batch(subs: Path, out: Path, jobs: int, lazy: bool, isolate: bool = False) -> None:
    """What ``grade_batch`` does (workers, if any, start first; then the data loads), with the chosen
    seed cell. One slot grades in this process unless ``isolate``."""
    import contextlib

    from grader.batch.local import LocalPool
    from grader.batch.run import BatchSettings, run_batch
    from grader.batch.worker import Steps, WorkerContext, pipeline_fail, pipeline_grade
    from grader.pipeline import GradeOptions
    from grader.prepare.assignment import load_assignment_data
    from grader.rubric import load_rubric
    from grader.store.gradebook import RunInfo

    rubric = load_rubric(RUBRIC)
    with LocalPool(jobs) if jobs > 1 or isolate else contextlib.nullcontext() as pool:
        data = load_assignment_data(rubric, cache_dir=out / ".cache")
        steps = Steps(grade=lazy_grade if lazy else pipeline_grade, fail=pipeline_fail)  # type: ignore[arg-type]
        context = WorkerContext(rubric, data, GradeOptions(), steps)
        info = RunInfo(rubric_sha256="bench", grader_version="bench")
        run_batch(subs, out, context=context, context_hash=f"bench-{out.name}", info=info,
                  settings=BatchSettings(jobs=jobs, isolate=isolate), pool=pool)


VARIANTS: dict[str, Callable[[Path, Path, bool], object]] = {
    "plain_nbclient": lambda subs, out, lazy: plain_loop(subs),
    "pipeline_loop": lambda subs, out, lazy: pipeline_loop(subs, out),
    "batch_jobs1": lambda subs, out, lazy: batch(subs, out, 1, lazy),
    "batch_jobs1_isolated": lambda subs, out, lazy: batch(subs, out, 1, lazy, isolate=True),
    "batch_jobs2": lambda subs, out, lazy: batch(subs, out, 2, lazy),
}
MODES = {
    "throughput": ("batch_jobs1", "batch_jobs2"),
    "overhead": ("plain_nbclient", "pipeline_loop", "batch_jobs1", "batch_jobs1_isolated"),
}


def run_variant(name: str, subs: Path, out: Path, lazy: bool) -> None:
    """One variant in this (fresh) process: what one command line would do."""
    if lazy and name != "plain_nbclient":
        _use_lazy_seed()
    VARIANTS[name](subs, out, lazy)


def timed_command(name: str, subs: Path, out: Path, lazy: bool) -> float:
    """Wall time of a fresh interpreter running one variant, imports and start-up included."""
    argv = [sys.executable, __file__, "_one", name, str(subs), str(out), "lazy" if lazy else "grader"]
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(names: tuple[str, ...], subs: Path, work: Path, repeat: int, lazy: bool) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeat):
        for name in names:
            seconds = timed_command(name, subs, work / f"{name}-{round_}", lazy)
            times[name].append(seconds)
            print(json.dumps({"variant": name, "round": round_, "seconds": round(seconds, 2)}), flush=True)
    return times


def summarize(times: dict[str, list[float]], n: int, mode: str, seed_cell: str) -> dict[str, object]:
    """Medians and minima (the least disturbed run on a shared machine), relative to the first variant."""
    first = next(iter(times))
    out: dict[str, object] = {"mode": mode, "n": n, "seed_cell": seed_cell}
    for stat, pick in (("median", statistics.median), ("min", min)):
        values = {name: pick(v) for name, v in times.items()}
        out[stat] = {
            name: {"seconds": round(s, 2), "notebooks_per_s": round(n / s, 3), "time_vs_first": round(s / values[first], 3)}
            for name, s in values.items()
        }
    return out


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_one":
        run_variant(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[5] == "lazy")
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=sorted(MODES))
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed-cell", choices=["grader", "lazy"], default="grader")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        subs = write_notebooks(Path(tmp) / "subs", args.n)
        times = measure(MODES[args.mode], subs, Path(tmp), args.repeat, args.seed_cell == "lazy")
    print(json.dumps(summarize(times, args.n, args.mode, args.seed_cell), indent=1))


if __name__ == "__main__":
    main()
