"""Class-scale throughput: ``grader grade`` on a class of varied sample submissions, for a fixed time window
per K, and what that means for a class of 300.

    .venv/bin/python benchmarks/class_scale.py --profile full --slots 1 2 4 8 --window 120   # a GPU machine
    .venv/bin/python benchmarks/class_scale.py --profile quick --slots 1 2 --window 180      # the 2-core CPU box

For each K the real command runs on a fresh output folder: ``grader grade CLASS --jobs K`` (plus
``--slots-per-gpu K`` where there is a GPU, so all K kernels share GPU 0) in the chosen profile. The class
is ``--class-size`` copies of the samples in submissions/ (manifest order, round robin; the endless-loop
sample is left out unless ``--include-timeouts``: one in 18 would be far more than a real class has, and
it only waits out its timeout). Data: the real enhancer sequences (``--data``, default
/work/shared/data/enhancers/liver_vs_other or ./shared/data/..., else the rubric's synthetic data, said
so). The window opens when the grader prints "Grading N submissions" (data loaded, workers warm; that
start-up is timed separately) and closes ``--window`` seconds later. The notebooks still running then may
finish for up to ``--drain`` seconds; then the grader is stopped (SIGINT, as a TA's Ctrl-C; a batch resumes
from there). Notebooks counted: results written inside the window, plus for each notebook in flight when it
closed the part of it that ran inside the window (its time in the window / the mean notebook's duration,
at most 1): with notebooks of minutes, a window of a few minutes would otherwise count in whole notebooks.

Measured per K: notebooks per hour (``3600 * notebooks counted / window``), the ratio to K = 1, GPU utilisation (NVML,
sampled every 0.5 s: mean and max), peak GPU memory per kernel (the grader's own NVML watch, recorded in
each result's ``limits["gpu_memory"]``), peak host memory per kernel (RSS of each sandbox's process tree,
sampled every second), and the extrapolation ``T(300) = start-up + 300 * window / done``.
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "submissions"
RUBRIC = ROOT / "rubrics" / "week11.yaml"
DATA_CANDIDATES = (
    Path(os.environ.get("GRADER_REAL_DATA", "/nonexistent")),
    Path("/work/shared/data/enhancers/liver_vs_other"),
    ROOT / "shared" / "data" / "enhancers" / "liver_vs_other",
)
CLASS = 300
MIB = 2**20


@dataclass
class Run:
    """What one K gave."""

    k: int
    slots: int
    startup_s: float = 0.0
    window_s: float = 0.0
    done: int = 0
    in_flight_at_end: int = 0
    partial: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    mean_notebook_s: float = 0.0
    per_hour: float = 0.0
    ratio: float = 0.0
    gpu_util_mean: float | None = None
    gpu_util_max: float | None = None
    gpu_peak_mib_per_kernel: int | None = None
    host_peak_mib_per_kernel: int = 0
    host_used_peak_mib: int = 0
    class_300_min: float = 0.0
    plan: list[str] = field(default_factory=list)


# --- the class and the rubric ---------------------------------------------------------------------


def samples(include_timeouts: bool) -> list[Path]:
    """The sample notebooks in manifest order (the endless loop left out unless asked for)."""
    manifest = yaml.safe_load((SAMPLES / "manifest.yaml").read_text(encoding="utf-8"))
    chosen = [s for s in manifest["submissions"] if include_timeouts or s["expected_status"] != "timeout"]
    return [SAMPLES / s["path"] for s in chosen]


def make_class(folder: Path, size: int, notebooks: list[Path]) -> Path:
    """``size`` students ``s000 ..``, each a copy of the next sample, round robin."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(size):
        shutil.copyfile(notebooks[i % len(notebooks)], folder / f"s{i:03d}.ipynb")
    return folder


def real_data(given: Path | None) -> Path | None:
    """The real data folder (with train/ and hidden/), or None."""
    for folder in (given,) if given else DATA_CANDIDATES:
        if folder is not None and (folder / "train" / "liver.fa").is_file():
            return folder
    return None


def rubric_for(data: Path | None, folder: Path) -> Path:
    """rubrics/week11.yaml, on the real data when there is some (absolute FASTA paths)."""
    rubric = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
    if data is not None:
        split = {s: {"kind": "fasta", "positive": str(data / s / "liver.fa"), "negative": str(data / s / "other.fa")}
                 for s in ("train", "hidden")}
        rubric["data"] = split
    path = folder / "rubric.yaml"
    path.write_text(yaml.safe_dump(rubric, sort_keys=False), encoding="utf-8")
    return path


# --- sampling: GPU utilisation (NVML) and host memory per sandbox (RSS of each bwrap tree) ----------


class Sampler:
    """A thread that samples GPU utilisation every 0.5 s and host memory per sandbox every second."""

    def __init__(self, grader_pid: int) -> None:
        self.grader_pid = grader_pid
        self.util: list[float] = []
        self.host_peak = 0
        self.used_peak = 0
        self._stop = threading.Event()
        self._nvml = _nvml_handle()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        tick = 0
        while not self._stop.wait(0.5):
            if self._nvml is not None:
                nvml, handle = self._nvml
                self.util.append(float(nvml.nvmlDeviceGetUtilizationRates(handle).gpu))
            tick += 1
            if tick % 2 == 0:
                self._host()

    def _host(self) -> None:
        import psutil  # type: ignore[import-untyped]

        self.used_peak = max(self.used_peak, psutil.virtual_memory().used // MIB)
        for tree in _sandbox_trees(self.grader_pid):
            rss = 0
            for proc in tree:
                try:
                    rss += proc.memory_info().rss
                except psutil.Error:
                    continue
            self.host_peak = max(self.host_peak, rss // MIB)


def _nvml_handle() -> tuple[Any, Any] | None:
    try:
        import pynvml  # type: ignore[import-untyped]

        pynvml.nvmlInit()
        return pynvml, pynvml.nvmlDeviceGetHandleByIndex(0)
    except Exception:  # no NVML: a CPU machine
        return None


def _sandbox_trees(grader_pid: int) -> list[list[Any]]:
    """Each of the grader's sandboxes (the machine may run others'): its outermost ``bwrap`` and all below."""
    import psutil

    try:
        below = psutil.Process(grader_pid).children(recursive=True)
    except psutil.Error:
        return []
    trees = []
    for proc in below:
        try:
            if proc.name() != "bwrap" or proc.parent().name() == "bwrap":
                continue
            trees.append([proc, *proc.children(recursive=True)])
        except psutil.Error:
            continue
    return trees


def _started(tree: list[Any]) -> float:
    """When the sandbox started (seconds since the epoch)."""
    return float(tree[0].create_time())


# --- one K ----------------------------------------------------------------------------------------


def grade_argv(subs: Path, rubric: Path, out: Path, args: argparse.Namespace, k: int, gpu: bool) -> list[str]:
    argv = [sys.executable, "-m", "grader", "grade", str(subs), "--rubric", str(rubric), "--out", str(out),
            "--profile", args.profile, "--jobs", str(k)]
    argv += ["--sandbox", args.sandbox] if args.sandbox else []
    return argv + (["--slots-per-gpu", str(k)] if gpu else [])


def run_k(k: int, subs: Path, rubric: Path, work: Path, args: argparse.Namespace, gpu: bool) -> Run:
    out = work / f"out-k{k}"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200", "PYTHONPATH": str(ROOT)}
    argv = grade_argv(subs, rubric, out, args, k, gpu)
    print("$", " ".join(argv), flush=True)
    run = Run(k=k, slots=k)
    began = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)
    assert proc.stdout is not None
    opened = _wait_for_start(proc, run, args.startup_limit)
    run.startup_s = opened - began
    opened_wall = time.time()
    with Sampler(proc.pid) as sampler:
        threading.Thread(target=_echo, args=(proc,), daemon=True).start()
        while time.time() < opened_wall + args.window and proc.poll() is None:
            time.sleep(0.2)
        closed_wall = time.time()
        flying = [_started(tree) for tree in _sandbox_trees(proc.pid)]
        _let_finish(out, proc, closed_wall, len(flying), args.drain)
        _stop(proc)
    run.window_s = closed_wall - opened_wall
    run.in_flight_at_end = len(flying)
    _count(run, out, opened_wall=opened_wall, closed_wall=closed_wall, flying=flying)
    _finish(run, sampler)
    return run


def _results_before(out: Path, wall: float) -> int:
    return sum(1 for p in (out / "results").glob("*.json") if p.stat().st_mtime <= wall)


def _let_finish(out: Path, proc: subprocess.Popen[str], closed_wall: float, flying: int, drain: float) -> None:
    """Wait (at most ``drain`` s) for the notebooks in flight at the window's end to write their results."""
    wanted = _results_before(out, closed_wall) + flying
    deadline = time.time() + drain
    while time.time() < deadline and proc.poll() is None and _results_before(out, time.time()) < wanted:
        time.sleep(0.5)


def _wait_for_start(proc: subprocess.Popen[str], run: Run, limit: float) -> float:
    """Read the grader's output until "Grading N submissions" (the window opens); keep the slot plan."""
    assert proc.stdout is not None
    deadline = time.monotonic() + limit
    for line in proc.stdout:
        print("  |", line.rstrip(), flush=True)
        if line.startswith(("Slot plan", "  GPU ")):
            run.plan.append(line.rstrip())
        if line.startswith("Grading "):
            return time.monotonic()
        if time.monotonic() > deadline:
            break
    _stop(proc)
    raise SystemExit(f"the grader did not start grading within {limit:.0f} s (exit {proc.poll()})")


def _echo(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip():
            print("  |", line.rstrip()[:160], flush=True)


def _stop(proc: subprocess.Popen[str]) -> None:
    """Ctrl-C the grader's session, then SIGKILL what is left after 30 s."""
    for sig, wait in ((signal.SIGINT, 30.0), (signal.SIGKILL, 10.0)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue


_PEAK = re.compile(r"peak seen (\d+) MiB")


def _count(run: Run, out: Path, *, opened_wall: float, closed_wall: float, flying: list[float]) -> None:
    """Results written inside the window (statuses too), plus the in-window part of those in flight at its
    end; the mean duration and GPU peaks over every result (the drained ones too)."""
    durations, peaks = [], []
    for path in sorted((out / "results").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        execution = data.get("execution") or data["result"].get("execution") or {}  # before: inside the result
        durations.append(float(execution.get("duration_s") or 0.0))
        if found := _PEAK.search((execution.get("limits") or {}).get("gpu_memory", "")):
            peaks.append(int(found.group(1)))
        if path.stat().st_mtime <= closed_wall:
            status = data["result"]["status"]
            run.statuses[status] = run.statuses.get(status, 0) + 1
            run.done += 1
    mean = statistics.fmean(durations) if durations else 0.0
    run.mean_notebook_s = round(mean, 1)
    inside = [closed_wall - max(opened_wall, started) for started in flying]
    run.partial = round(sum(min(1.0, t / mean) for t in inside), 2) if mean else 0.0
    run.gpu_peak_mib_per_kernel = max(peaks) if peaks else None


def _finish(run: Run, sampler: Sampler) -> None:
    counted = run.done + run.partial
    run.per_hour = round(3600 * counted / run.window_s, 1) if run.window_s else 0.0
    if sampler.util:
        run.gpu_util_mean = round(statistics.fmean(sampler.util), 1)
        run.gpu_util_max = max(sampler.util)
    run.host_peak_mib_per_kernel = sampler.host_peak
    run.host_used_peak_mib = sampler.used_peak
    if counted:
        run.class_300_min = round((run.startup_s + CLASS * run.window_s / counted) / 60, 1)


# --- report ---------------------------------------------------------------------------------------


def table(runs: list[Run]) -> str:
    head = ("| K | notebooks counted in window | notebooks/hour | ratio to K = 1 | GPU util mean / max | peak GPU MiB per "
            "kernel | peak host MiB per kernel | mean notebook s | start-up s | class of 300 |")
    rows = [head, "|" + "---|" * 10]
    for r in runs:
        util = "n/a" if r.gpu_util_mean is None else f"{r.gpu_util_mean:.0f} % / {r.gpu_util_max:.0f} %"
        gpu = "n/a" if r.gpu_peak_mib_per_kernel is None else str(r.gpu_peak_mib_per_kernel)
        t300 = f"{r.class_300_min:.0f} min" if r.class_300_min else "n/a"
        counted = f"{r.done} + {r.partial:.2f} of {r.in_flight_at_end} in flight"
        rows.append(f"| {r.k} | {counted} in {r.window_s:.0f} s | {r.per_hour:.0f} | "
                    f"{r.ratio:.2f} | {util} | {gpu} | {r.host_peak_mib_per_kernel} | {r.mean_notebook_s} | "
                    f"{r.startup_s:.0f} | {t300} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="full", help="the rubric's profile (quick, full)")
    parser.add_argument("--slots", type=int, nargs="+", default=[1, 2, 4, 8], help="the K values to run")
    parser.add_argument("--window", type=float, default=120.0, help="seconds of grading per K")
    parser.add_argument("--drain", type=float, default=60.0, help="seconds the notebooks in flight may finish")
    parser.add_argument("--class-size", type=int, default=CLASS, help="students in the class folder")
    parser.add_argument("--data", type=Path, default=None, help="real data folder (train/, hidden/)")
    parser.add_argument("--include-timeouts", action="store_true", help="keep the endless-loop sample")
    parser.add_argument("--work", type=Path, default=ROOT / "out" / "class_scale", help="scratch folder")
    parser.add_argument("--startup-limit", type=float, default=300.0, help="seconds until grading must start")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--sandbox", default=None, help="override the rubric's sandbox mode (auto: no bwrap here)")
    args = parser.parse_args()

    from grader.execute.devices import detect_devices

    gpu = bool(detect_devices())
    data = real_data(args.data)
    notebooks = samples(args.include_timeouts)
    args.work.mkdir(parents=True, exist_ok=True)
    subs = make_class(args.work / "class", args.class_size, notebooks)
    rubric = rubric_for(data, args.work)
    print(f"class: {args.class_size} students from {len(notebooks)} samples; profile {args.profile}; data: "
          f"{data or 'synthetic (no real data found)'}; {'GPU' if gpu else 'CPU'}; {os.cpu_count()} cores; "
          f"window {args.window:.0f} s per K", flush=True)
    runs = [run_k(k, subs, rubric, args.work, args, gpu) for k in args.slots]
    base = next((r.per_hour for r in runs if r.k == 1 and r.per_hour), 0.0)
    for r in runs:
        r.ratio = round(r.per_hour / base, 2) if base else 0.0
    print(table(runs))
    print(f"class of {CLASS}: T(300) = start-up + 300 * window / notebooks counted in the window (steady state; "
          f"the mix of samples decides the mean notebook)")
    figures = {"profile": args.profile, "data": str(data) if data else "synthetic", "gpu": gpu,
               "cpus": os.cpu_count(), "window_s": args.window, "runs": [asdict(r) for r in runs]}
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
