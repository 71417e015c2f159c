"""Per-notebook overhead of the execute stage's sandbox over plain nbclient.

    .venv/bin/python benchmarks/sandbox_overhead.py [--runs 15] [--json-only]

Each round runs, in turn: plain nbclient (the installed ``python3`` kernelspec, cwd = a temp dir),
``run_notebook`` with ``sandbox="off"`` (the harness without the sandbox), and ``run_notebook`` sandboxed
(bwrap, setpriv, prlimit, tmpfs work dir, copy back). Each does it twice: on a trivial 3-cell notebook
and on an empty one (kernel start, kernel_info, shutdown: the kernel start measured on its own).
Rounds are interleaved so that drift hits every variant alike; medians are reported. The last line
printed is one JSON object. Target: median sandbox overhead at most 0.1 s per notebook.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.execute import ExecStatus, ExecutionConfig, run_notebook, sandbox_available

TARGET_S = 0.1
CELLS = ("x = 21", "y = x * 2", "print(y)")


_new_notebook = cast(Callable[..., NotebookNode], nbformat.v4.new_notebook)
_new_code_cell = cast(Callable[..., NotebookNode], nbformat.v4.new_code_cell)


def notebook(sources: tuple[str, ...]) -> NotebookNode:
    nb = _new_notebook()
    nb.cells = [_new_code_cell(src) for src in sources]
    return nb


def plain(nb: NotebookNode, workdir: Path) -> None:
    """What the sandbox is compared with: nbclient as it comes, continuing after errors."""
    NotebookClient(
        nb, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(workdir)}}
    ).execute()


def harness(sandbox: str) -> Callable[[NotebookNode, Path], None]:
    config = ExecutionConfig.model_validate({"sandbox": sandbox, "use_gpu": False})

    def run(nb: NotebookNode, workdir: Path) -> None:
        _, record = run_notebook(nb, workdir=workdir, config=config)
        if record.status is not ExecStatus.OK:
            raise SystemExit(f"benchmark notebook failed under sandbox={sandbox}: {record.reason}")

    return run


def timed(run: Callable[[NotebookNode, Path], None], nb: NotebookNode) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        started = time.perf_counter()
        run(nb, Path(tmp))
        return time.perf_counter() - started


def measure(runs: int) -> dict[str, list[float]]:
    variants = {"plain": plain, "harness_off": harness("off"), "sandboxed": harness("required")}
    trivial, empty = notebook(CELLS), notebook(())
    times: dict[str, list[float]] = {f"{name}_{kind}": [] for name in variants for kind in ("nb", "start")}
    for run in variants.values():  # warm-up: imports, page cache, first kernelspec lookup
        timed(run, trivial)
    for _ in range(runs):
        for name, run in variants.items():
            times[f"{name}_nb"].append(timed(run, trivial))
            times[f"{name}_start"].append(timed(run, empty))
    return times


def summary(times: dict[str, list[float]], runs: int) -> dict[str, object]:
    med = {name: round(statistics.median(values), 4) for name, values in times.items()}
    overhead = [s - p for s, p in zip(times["sandboxed_nb"], times["plain_nb"], strict=True)]
    result: dict[str, object] = {"runs": runs, **{f"{name}_median_s": value for name, value in med.items()}}
    result["sandbox_overhead_median_s"] = round(statistics.median(overhead), 4)
    result["sandbox_overhead_vs_harness_off_median_s"] = round(med["sandboxed_nb"] - med["harness_off_nb"], 4)
    result["target_s"] = TARGET_S
    result["met"] = statistics.median(overhead) <= TARGET_S
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="interleaved rounds (default 15)")
    parser.add_argument("--json-only", action="store_true", help="print only the final JSON line")
    args = parser.parse_args()
    available, why = sandbox_available()
    if not available:
        raise SystemExit(f"sandbox unavailable here: {why}")
    result = summary(measure(args.runs), args.runs)
    if not args.json_only:
        for key, value in result.items():
            print(f"{key:45} {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
