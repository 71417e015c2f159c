"""Benchmark: 5-fold CV of the reference CNN vs canonical 5-mer counts + logistic regression.

Usage (from the repository root)::

    python benchmarks/cv.py                                  # 2,000 + 2,000 sequences, CPU/auto
    python benchmarks/cv.py --test-dir ../shared/data/enhancers/liver_vs_other/hidden
    python benchmarks/cv.py --device cuda --full             # all 19,602 training sequences

A thin shell over :func:`reference.enhancers.benchmark.run_benchmark`. Progress goes to stderr;
the LAST line on stdout is one JSON object with ``cnn_roc_auc``, ``cnn_pr_auc``, ``kmer_roc_auc``,
``wall_s`` (wall time of the CNN cross-validation alone, the budgeted figure), ``cnn_cpu_s``,
``total_wall_s``, ``peak_rss_mb``, ``device`` and the settings; with ``--test-dir`` also
``test_roc_auc``, ``test_pr_auc``, ``test_kmer_roc_auc``.

Sets ``OMP_WAIT_POLICY=PASSIVE`` (unless already set) before torch starts: on a busy 2-core
machine, spinning OpenMP threads made 2-thread training about 6x slower.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared/data/enhancers/liver_vs_other/train"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="benchmarks/cv.py", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with liver.fa and other.fa")
    parser.add_argument("--test-dir", type=Path, default=None, help="also train on all and score this folder")
    parser.add_argument(
        "--n-per-class", type=int, default=2000, help="sequences drawn per class (default 2000)"
    )
    parser.add_argument("--full", action="store_true", help="use every sequence (ignores --n-per-class)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def _check_folder(folder: Path | None) -> None:
    missing = [n for n in ("liver.fa", "other.fa") if folder is not None and not (folder / n).is_file()]
    if missing:
        raise SystemExit(f"benchmarks/cv.py: {folder} lacks {', '.join(missing)}; pass --data/--test-dir DIR")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, check the folders, run, print the JSON record as the last stdout line."""
    args = _parser().parse_args(argv)
    _check_folder(args.data)
    _check_folder(args.test_dir)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    sys.path.insert(0, str(ROOT))
    from reference.enhancers.benchmark import BenchmarkConfig, run_benchmark
    from reference.enhancers.cv import TrainConfig

    train = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        device=args.device,
        num_threads=args.threads,
    )
    config = BenchmarkConfig(args.data, args.test_dir, args.n_per_class, args.full, args.folds, train)
    record = run_benchmark(config, log=lambda line: print(line, file=sys.stderr, flush=True))
    print(json.dumps(record))


if __name__ == "__main__":
    main()
