"""Time ``grader --help`` (the CLI's start-up): median of N fresh processes; last line is JSON.

    python benchmarks/cli_start.py --runs 10
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    command = [sys.executable, "-m", "grader", "--help"]
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=Path(__file__).parents[1])
        times.append(time.perf_counter() - start)
    print(json.dumps({"runs": args.runs, "median_s": round(statistics.median(times), 3),
                      "min_s": round(min(times), 3), "load_avg_1min": round(os.getloadavg()[0], 2),
                      "target_s": 0.3}))


if __name__ == "__main__":
    main()
