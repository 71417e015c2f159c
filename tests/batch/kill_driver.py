"""Run a fake batch in its own process, for test_kill: ``python kill_driver.py SUBS OUT JOBS``."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]

from batch import fakes  # noqa: E402


def main() -> None:
    subs, out, jobs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    fakes.batch(subs, out, jobs=jobs)


if __name__ == "__main__":
    main()
