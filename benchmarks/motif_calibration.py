"""Calibrate question 2.6's motif check (``min_score``, ``min_kernels``) for one rubric profile.

Usage (from the repository root)::

    PYTHONPATH=. .venv/bin/python benchmarks/motif_calibration.py --profile quick
    PYTHONPATH=. .venv/bin/python benchmarks/motif_calibration.py --profile full --trainings 3
    PYTHONPATH=. .venv/bin/python benchmarks/motif_calibration.py --profile quick --quick   # smoke run
    PYTHONPATH=. .venv/bin/python benchmarks/motif_calibration.py --profile quick --conditions "" --timing

Every run produces first-layer kernels exactly as the grader sees them (the epilogue's own extraction from
a model: every ``Conv1d`` with 4 input channels) and matches **every** kernel with
``assignments.week11.motifs.match_motifs``. A kernel counts when one of its top matches belongs to a family of
the rubric's 2.6 ``motif_match`` criterion; its score is the best such match. Per run the script keeps the
best kernel scores S1 >= S2 >= S3 ..., so the rubric rule "at least ``min_kernels`` kernels score
>= ``min_score``" passes exactly when S[min_kernels] >= min_score.

Conditions (the model is the solution notebook's ``EnhancerCNN``, trained by the notebook's own locked
cells, read from ``assignments/week11/solution.ipynb``; a training is fold 0 of the notebook's k-fold
``cross_validate`` with the profile's parameters, i.e. the model the epilogue reads from ``FOLD_MODELS[0]``):

- ``untrained``: fresh initialisations of the notebook's CNN (widths 5, 9, 15, 21 with 64 filters; width 9
  with 256 filters) and of the reference package's 192-kernel ``EnhancerCNN`` (widths 9 + 15 + 21); seeds
  0..n-1. Nothing is trained, so these rows do not depend on the profile.
- ``shuffled``: trained on the real data (``--data``) with permuted labels.
- ``real``: trained on the real data.
- ``synthetic``: trained on the rubric's synthetic training data (``make_synthetic(1000, seed=0)``, as
  ``grader.prepare`` builds it).

Trained conditions run ``--trainings`` seeds (the grader's ``SEED``: data draw, folds and initialisation)
for each width in ``--kernel-sizes``. The profile (``max_epochs``, ``n_per_class``, ``folds``) is read from
the rubric by name, so any profile the rubric defines can be calibrated. Progress goes to stderr, one JSON
line per run; then a Markdown table and, as the last stdout line, one JSON object with the timings
(``jaspar_load_s``: first ``load_jaspar()`` of the process; ``match_s_per_kernel``: ``match_motifs`` after
that, JASPAR loaded).

Sets ``OMP_WAIT_POLICY=PASSIVE`` (unless set) before torch starts; ``--threads`` (default 1) keeps it
polite on the shared 2-core machine.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared/data/enhancers/liver_vs_other"
SOLUTION = ROOT / "assignments/week11/solution.ipynb"
NOTEBOOK_CELLS = ("setup", "a2-data", "a2-lightning", "a2-cv", "a2-cnn")
UNTRAINED_MODELS = ("w5", "w9", "w15", "w21", "w9x256", "reference192")
RULES = ((2, 0.95), (2, 0.97), (3, 0.94), (4, 0.93), (5, 0.92))
"""(min_kernels, min_score) pairs tabulated besides the rubric's own; (2, 0.95) was the rule before calibration."""
Kernels = tuple[tuple[tuple[float, ...], ...], ...]


@dataclass(frozen=True)
class RunStats:
    """One run: condition, model, seed, number of kernels, the best kernel scores (descending, at most 5)
    and their JASPAR names, the fold-0 validation ROC-AUC (trained runs), matching and training seconds."""

    condition: str
    model: str
    seed: int
    n_kernels: int
    top_scores: tuple[float, ...]
    top_names: tuple[str, ...]
    val_roc_auc: float | None
    match_s: float
    train_s: float

    def score(self, rank: int) -> float:
        """S[rank] (1-based); 0 when fewer kernels have a family match."""
        return self.top_scores[rank - 1] if len(self.top_scores) >= rank else 0.0

    def passes(self, min_score: float, min_kernels: int) -> bool:
        """Whether the rubric rule (``min_kernels`` kernels at ``min_score`` or more) passes."""
        return self.score(min_kernels) >= min_score


@dataclass(frozen=True)
class Plan:
    """What to run: conditions, seeds, widths and files (positive, negative)."""

    conditions: tuple[str, ...]
    untrained_seeds: int
    trainings: int
    kernel_sizes: tuple[int, ...]
    real: tuple[Path, Path]
    synthetic: tuple[Path, Path]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benchmarks/motif_calibration.py", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--profile", required=True, help="a profile of the rubric, e.g. quick or full")
    parser.add_argument("--rubric", type=Path, default=ROOT / "rubrics/week11.yaml")
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder with train/liver.fa, train/other.fa"
    )
    parser.add_argument("--conditions", default="untrained,shuffled,real,synthetic", help="comma-separated")
    parser.add_argument(
        "--untrained-seeds", type=int, default=15, help="seeds per untrained model (default 15)"
    )
    parser.add_argument(
        "--trainings", type=int, default=3, help="seeds per trained condition and width (default 3)"
    )
    parser.add_argument(
        "--kernel-sizes", default="9", help="widths of the trained CNN, comma-separated (default 9)"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 2 untrained seeds, 1 training per width"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write every run to this JSON file")
    parser.add_argument(
        "--timing",
        action="store_true",
        help="also time match_motifs for 64, 192 and 1,024 kernels (3 repeats)",
    )
    return parser


# --- the grader's view of a model ---------------------------------------------------------------------


@functools.cache
def _epilogue() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    source = (ROOT / "assignments/week11/kernel_epilogue.py").read_text(encoding="utf-8")
    exec(compile(source, "kernel_epilogue.py", "exec"), namespace)
    return namespace


def grader_kernels(model: Any) -> Kernels:
    """The kernels exactly as the epilogue records them (``kernel_epilogue._first_conv_weights``)."""
    weights = _epilogue()["_first_conv_weights"](model)
    return tuple(tuple(tuple(float(v) for v in row) for row in kernel) for kernel in weights.tolist())


def liver_criterion(rubric_path: Path) -> Any:
    """The rubric's 2.6 ``motif_match`` criterion (families, min_score, min_kernels)."""
    from assignments.week11.criteria import MotifMatchCriterion
    from grader.rubric import load_rubric

    rubric = load_rubric(rubric_path)
    found = [c for c in rubric.question("2.6").criteria if isinstance(c, MotifMatchCriterion)]
    if len(found) != 1:
        raise SystemExit(f"{rubric_path}: question 2.6 has {len(found)} motif_match criteria; expected 1")
    return found[0]


def kernel_scores(kernels: Kernels, criterion: Any) -> tuple[tuple[float, ...], tuple[str, ...], float]:
    """Every kernel's best family score among its kept matches (descending), the names behind the best
    five, and the seconds ``match_motifs`` took."""
    from assignments.week11.motifs import match_motifs
    from grader.records.collected import Item

    start = time.perf_counter()
    hits = match_motifs(Item.ok(kernels))
    elapsed = time.perf_counter() - start
    best: dict[int, tuple[float, str]] = {}
    for hit in hits.value or ():
        if criterion.family_of(hit.name) and hit.score > best.get(hit.kernel_index, (-2.0, ""))[0]:
            best[hit.kernel_index] = (hit.score, hit.name)
    ranked = sorted(best.values(), reverse=True)
    return tuple(s for s, _ in ranked), tuple(n for _, n in ranked[:5]), elapsed


# --- the notebook's own model and training --------------------------------------------------------------


def notebook_namespace(name: str, profile: Any, threads: int) -> dict[str, Any]:
    """Run the solution notebook's setup, data, Lightning, CV and CNN cells with profile ``name``'s
    parameters, as the grader injects them (the data cell's functions only: each run loads its own)."""
    import nbformat

    nb = nbformat.read(SOLUTION, as_version=4)  # type: ignore[no-untyped-call]
    cells = {c.get("id"): c for c in nb.cells}
    missing = [c for c in NOTEBOOK_CELLS if c not in cells]
    if missing:
        raise SystemExit(f"{SOLUTION}: cells {missing} not found (expected ids {list(NOTEBOOK_CELLS)})")
    ns: dict[str, Any] = {
        "SEED": 0,
        "DEVICE": "cpu",
        "PROFILE": name,
        "MAX_EPOCHS": profile.max_epochs,
        "N_PER_CLASS": profile.n_per_class,
        "FOLDS": profile.folds,
        "SEQ_LEN": profile.seq_len or 200,
    }
    before = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = str(threads)  # the setup cell sets torch's threads from it
    try:
        for cell_id in NOTEBOOK_CELLS:
            source = str(cells[cell_id].source)
            if cell_id == "a2-data":
                source = source.split("\nX_SEQ, Y_SEQ = ")[0]
            exec(compile(source, f"solution.ipynb:{cell_id}", "exec"), ns)
    finally:
        if before is None:
            del os.environ["OMP_NUM_THREADS"]
        else:
            os.environ["OMP_NUM_THREADS"] = before
    return ns


def train_fold0(ns: dict[str, Any], x: Any, y: Any, seed: int, kernel_size: int) -> tuple[Any, float]:
    """Fold 0 of the notebook's ``cross_validate`` (same split, seeding and Trainer): the trained net and its
    held-out ROC-AUC."""
    import numpy as np
    import torch
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    splits = StratifiedKFold(n_splits=ns["FOLDS"], shuffle=True, random_state=seed)
    train_idx, val_idx = next(iter(splits.split(np.zeros(len(y)), y.numpy())))
    torch.manual_seed(seed)
    module = ns["EnhancerClassifier"](ns["EnhancerCNN"](kernel_size=kernel_size))
    data = ns["FoldDataModule"](x, y, train_idx, val_idx, ns["BATCH_SIZE"])
    ns["make_trainer"]().fit(module, datamodule=data)
    scores = ns["predict"](module.net, x[val_idx])
    return module.net.cpu().eval(), float(roc_auc_score(y[val_idx].numpy(), scores))


def untrained_model(ns: dict[str, Any], name: str, seed: int) -> Any:
    """A fresh model ``name`` (one of ``UNTRAINED_MODELS``) initialised under ``torch.manual_seed(seed)``."""
    import torch

    torch.manual_seed(seed)
    if name == "reference192":
        from reference.enhancers.model import EnhancerCNN

        return EnhancerCNN()
    if name == "w9x256":
        return ns["EnhancerCNN"](kernel_size=9, n_filters=256)
    return ns["EnhancerCNN"](kernel_size=int(name[1:]))


# --- the runs -----------------------------------------------------------------------------------------


def _stats(
    condition: str, model_name: str, seed: int, model: Any, criterion: Any, auc: float | None, train_s: float
) -> RunStats:
    kernels = grader_kernels(model)
    scores, names, match_s = kernel_scores(kernels, criterion)
    stats = RunStats(
        condition,
        model_name,
        seed,
        len(kernels),
        tuple(round(s, 4) for s in scores[:5]),
        names,
        auc,
        round(match_s, 3),
        round(train_s, 1),
    )
    print(json.dumps(asdict(stats)), file=sys.stderr, flush=True)
    return stats


def run_untrained(ns: dict[str, Any], plan: Plan, criterion: Any) -> list[RunStats]:
    """Fresh initialisations of every untrained model, ``plan.untrained_seeds`` seeds each."""
    return [
        _stats("untrained", name, seed, untrained_model(ns, name, seed), criterion, None, 0.0)
        for name in UNTRAINED_MODELS
        for seed in range(plan.untrained_seeds)
    ]


def run_trained(
    ns: dict[str, Any], plan: Plan, criterion: Any, condition: str, files: tuple[Path, Path], shuffle: bool
) -> list[RunStats]:
    """``plan.trainings`` seeds x ``plan.kernel_sizes`` fold-0 trainings on ``files``; ``shuffle``
    permutes the labels first."""
    import numpy as np
    import torch

    runs = []
    for seed in range(plan.trainings):
        x, y = ns["load_dataset"](str(files[0]), str(files[1]), ns["N_PER_CLASS"], seed)
        if shuffle:
            y = y[torch.from_numpy(np.random.default_rng(1000 + seed).permutation(len(y)))]
        for width in plan.kernel_sizes:
            start = time.perf_counter()
            model, auc = train_fold0(ns, x, y, seed, width)
            elapsed = time.perf_counter() - start
            runs.append(_stats(condition, f"w{width}", seed, model, criterion, round(auc, 4), elapsed))
    return runs


def run_all(ns: dict[str, Any], plan: Plan, criterion: Any) -> list[RunStats]:
    """Every condition of ``plan``, in order."""
    jobs: dict[str, Callable[[], list[RunStats]]] = {
        "untrained": lambda: run_untrained(ns, plan, criterion),
        "shuffled": lambda: run_trained(ns, plan, criterion, "shuffled", plan.real, shuffle=True),
        "real": lambda: run_trained(ns, plan, criterion, "real", plan.real, shuffle=False),
        "synthetic": lambda: run_trained(ns, plan, criterion, "synthetic", plan.synthetic, shuffle=False),
    }
    unknown = sorted(set(plan.conditions) - set(jobs))
    if unknown:
        raise SystemExit(
            f"benchmarks/motif_calibration.py: unknown conditions {unknown}; expected {sorted(jobs)}"
        )
    return [run for condition in plan.conditions for run in jobs[condition]()]


# --- the table ----------------------------------------------------------------------------------------


def _span(runs: Sequence[RunStats], rank: int) -> str:
    values = [r.score(rank) for r in runs]
    return f"{min(values):.3f}-{max(values):.3f}" if len(values) > 1 else f"{values[0]:.3f}"


def table(runs: Sequence[RunStats], criterion: Any) -> str:
    """Markdown: per condition and model, the runs, fold-0 ROC-AUC, S1, S2 and S[min_kernels] (lowest-highest)
    and the pass counts of ``RULES`` and of the rubric's rule (marked)."""
    groups: dict[str, list[RunStats]] = {}
    for run in runs:
        groups.setdefault(f"{run.condition} {run.model}", []).append(run)
    own = (criterion.min_kernels, criterion.min_score)
    rules = sorted({*RULES, own})
    ranks = sorted({1, 2, own[0]})
    names = [f"{k} @ {s:.2f}" + (" (rubric)" if (k, s) == own else "") for k, s in rules]
    head = (
        f"| condition | runs | fold-0 ROC-AUC | {' | '.join(f'S{k}' for k in ranks)} | {' | '.join(names)} |"
    )
    lines = [head, "|" + "---|" * (3 + len(ranks) + len(rules))]
    for name, group in groups.items():
        aucs = [r.val_roc_auc for r in group if r.val_roc_auc is not None]
        auc = f"{min(aucs):.2f}-{max(aucs):.2f}" if aucs else "-"
        spans = " | ".join(_span(group, rank) for rank in ranks)
        passed = " | ".join(f"{sum(r.passes(s, k) for r in group)}/{len(group)}" for k, s in rules)
        lines.append(f"| {name} | {len(group)} | {auc} | {spans} | {passed} |")
    return "\n".join(lines)


def synthetic_files(folder: Path) -> tuple[Path, Path]:
    """The rubric's synthetic training data (1,000 + 1,000, seed 0) as two FASTA files in ``folder``."""
    from reference.enhancers.synthetic import make_synthetic

    made = make_synthetic(1000, seed=0).data
    paths = (folder / "synthetic_liver.fa", folder / "synthetic_other.fa")
    for path, label in zip(paths, (1, 0), strict=True):
        chosen = [s for s, y in zip(made.sequences, made.labels, strict=True) if y == label]
        path.write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(chosen)), encoding="ascii")
    return paths


def _jaspar_load_s() -> float:
    """Seconds of the process's first ``load_jaspar()`` plus one match (builds the cached target stack)."""
    from assignments.week11.motifs import match_motifs
    from grader.records.collected import Item

    start = time.perf_counter()
    match_motifs(Item.ok(((((0.0,) * 6),) * 4,)))
    return time.perf_counter() - start


def time_matching(ns: dict[str, Any], repeats: int = 3) -> dict[str, float]:
    """Median seconds of ``match_motifs`` (JASPAR already loaded) for untrained models of 64 kernels of
    width 9, the 192-kernel reference CNN (9 + 15 + 21, padded to 21) and 1,024 kernels of width 9."""
    import statistics

    from assignments.week11.motifs import match_motifs
    from grader.records.collected import Item

    models = {
        "64 x w9": untrained_model(ns, "w9", 0),
        "192 x w9+15+21": untrained_model(ns, "reference192", 0),
        "1024 x w9": ns["EnhancerCNN"](kernel_size=9, n_filters=1024),
    }
    timings = {}
    for name, model in models.items():
        kernels = Item.ok(grader_kernels(model))
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            match_motifs(kernels)
            runs.append(time.perf_counter() - start)
        timings[name] = round(statistics.median(runs), 3)
    return timings


def _plan(args: argparse.Namespace, tmp: Path) -> Plan:
    real = (args.data / "train/liver.fa", args.data / "train/other.fa")
    conditions = tuple(c.strip() for c in args.conditions.split(",") if c.strip())
    if {"shuffled", "real"} & set(conditions) and not real[0].is_file():
        raise SystemExit(
            f"benchmarks/motif_calibration.py: {real[0]} is absent; pass --data or drop real/shuffled"
        )
    return Plan(
        conditions,
        2 if args.quick else args.untrained_seeds,
        1 if args.quick else args.trainings,
        tuple(int(k) for k in args.kernel_sizes.split(",")),
        real,
        synthetic_files(tmp),
    )


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the plan, print the table and the JSON summary."""
    args = _parser().parse_args(argv)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    sys.path.insert(0, str(ROOT))
    from grader.errors import RubricError
    from grader.rubric import load_rubric

    rubric = load_rubric(args.rubric)
    try:
        profile = rubric.profile(args.profile)
    except RubricError as exc:
        raise SystemExit(str(exc)) from None
    load_s = _jaspar_load_s()
    with tempfile.TemporaryDirectory(prefix="motif-calibration-") as tmp:
        plan = _plan(args, Path(tmp))
        ns = notebook_namespace(args.profile, profile, threads=args.threads)
        start = time.perf_counter()
        criterion = liver_criterion(args.rubric)
        runs = run_all(ns, plan, criterion)
        wall = time.perf_counter() - start
        timings = time_matching(ns) if args.timing else {}
    print(table(runs, criterion))
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=1), encoding="utf-8")
    summary = {
        "profile": args.profile,
        "settings": profile.model_dump(),
        "runs": len(runs),
        "torch_threads": ns["torch"].get_num_threads(),
        "wall_s": round(wall, 1),
        "jaspar_load_s": round(load_s, 2),
        "match_s_per_kernel": round(sum(r.match_s for r in runs) / max(1, sum(r.n_kernels for r in runs)), 5),
        "match_s_median": timings,
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
