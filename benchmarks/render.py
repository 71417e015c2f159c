"""Benchmark: render a class of synthetic graded submissions (budget: 300 student reports in <= 10 s).

Builds a temporary OUT folder with ``--n`` results from :func:`tests.render.samples.class_of`
(and, with ``--notebooks``, an executed notebook per student for the code-similarity pass), then times

- ``reports``: :func:`grader.render.render_student_report` for every student (reference preloaded);
- ``render_all``: the whole of :func:`grader.publish.publish` (read results, write reports, similarity,
  class summary, exports).

The gradient reference is read from a cache file written beforehand (computing the reference study is
a one-off cost per OUT folder, cached by the first render). Exits 1 when ``reports`` exceeds the budget.

    python benchmarks/render.py --n 300 --repeat 3 --notebooks
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from grader.publish import publish as render_all
from grader.render import load_reference, render_student_report

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: the test fixtures
from grader.render._reference import CACHE_NAME
from grader.store.files import executed_path, write_result
from grader.store.gradebook import (
    GRADEBOOK_FILE,
    RunInfo,
    open_gradebook,
    set_override,
    start_run,
    upsert_result,
)
from tests.render import samples

BUDGET_S = 10.0
BUDGET_N = 300


def _own_code(rng: random.Random) -> str:
    """About 40 lines of distinct student code (random shapes and constants)."""
    lines = []
    for i in range(40):
        a, b, c = rng.randint(2, 512), rng.randint(2, 512), round(rng.uniform(0, 5), 3)
        kind = rng.randrange(4)
        if kind == 0:
            lines.append(f"w{i} = torch.randn({a}, {b}) * {c}")
        elif kind == 1:
            lines.append(f"layer{i} = nn.Conv1d(4, {a}, kernel_size={b % 25 + 1}, padding={b % 7})")
        elif kind == 2:
            lines.append(f"for k in range({a}):\n    acc{i} = acc{i} + k * {c}")
        else:
            lines.append(f"scores{i} = [roc_auc_score(y[f], p[f]) for f in range({a % 9 + 2})]")
    return "\n".join(lines)


def _notebook(code: str) -> str:
    """An executed-notebook JSON with one template cell and the student's code."""
    cells = [("import numpy as np\nimport torch\nfrom torch import nn", []), (code, []),
             ("RECORD = {}", ["grader-epilogue"])]
    return json.dumps({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {"tags": t}, "source": s, "outputs": [],
                   "execution_count": None} for i, (s, t) in enumerate(cells)],
    })


def build_out(out: Path, n: int, notebooks: bool) -> None:
    """Write ``n`` results into the gradebook and as files (and notebooks), a TA's override for every tenth
    student, plus a cached gradient reference, under ``out``: publish reads it as after ``grader grade``."""
    rng = random.Random(0)
    with open_gradebook(out / GRADEBOOK_FILE) as db:
        run = start_run(db, RunInfo(rubric_id="bench", rubric_sha256="bench", grader_version="bench"))
        for i, graded in enumerate(samples.class_of(n)):
            upsert_result(db, run, graded)
            question = graded.result.questions[0]
            if i % 10 == 0:
                set_override(db, graded.result.student_id, question.id, question.max_points, grader="bench",
                             reason="benchmark override")
    for graded in samples.class_of(n):
        write_result(out, graded)
        if notebooks:
            path = executed_path(out, graded.result.student_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_notebook(_own_code(rng)), encoding="utf-8")
    reference = samples.reference_data().gradients
    assert reference is not None
    cache = out / "reports" / ".cache" / CACHE_NAME
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(reference.to_json(), encoding="utf-8")


def _time(fn: Callable[[], object], repeat: int) -> tuple[float, float, list[float]]:
    """Median wall time, median CPU time of this process, and all wall times of ``repeat`` calls of ``fn``.

    CPU time is reported too because the machine is shared: wall time grows with other people's load.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), walls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=BUDGET_N, help="submissions (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions, median reported (default 3)")
    parser.add_argument("--notebooks", action="store_true", help="also write executed notebooks (similarity pass)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="render-bench-") as tmp:
        out = Path(tmp)
        build_out(out, args.n, args.notebooks)
        graded = samples.class_of(args.n)
        reference = load_reference(cache_dir=out / "reports" / ".cache")
        reports, reports_cpu, report_times = _time(
            lambda: [render_student_report(g, reference=reference) for g in graded], args.repeat
        )
        everything, everything_cpu, all_times = _time(lambda: render_all(out), args.repeat)
        summary = render_all(out)
    per_report_ms = 1000 * reports / args.n
    print(f"submissions            {args.n} (notebooks: {'yes' if args.notebooks else 'no'})")
    print(f"reports (in process)   {reports:.2f} s wall (CPU {reports_cpu:.2f} s), median of "
          f"{[round(t, 2) for t in report_times]} = {per_report_ms:.1f} ms/report")
    print(f"render_all (whole)     {everything:.2f} s wall (CPU {everything_cpu:.2f} s), median of "
          f"{[round(t, 2) for t in all_times]} ({len(summary.exports)} export files, "
          f"{len(summary.similarity.pairs)} similar pairs)")
    budget = BUDGET_S * args.n / BUDGET_N
    print(f"budget                 {budget:.1f} s for {args.n} reports: {'OK' if reports <= budget else 'OVER'}")
    return 0 if reports <= budget else 1


if __name__ == "__main__":
    sys.exit(main())
