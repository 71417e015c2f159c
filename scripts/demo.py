"""``make demo``: grade every assignment's sample submissions as a TA would, then say where to look.

For each manifest (``submissions/manifests.py``: Week 11's first, then each pack's) this runs
``grader grade <samples> --rubric R --template T --profile P --out OUT --jobs J`` as a separate command, so
what the TA sees is what ``make demo`` prints. Week 11 is graded into ``OUT``, every other assignment into
``OUT-<assignment>``. Afterwards each folder's results are compared with its manifest (status and points).

Usage: python scripts/demo.py [--out out/demo] [--jobs 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.store.files import read_results  # noqa: E402
from submissions.manifests import SampleManifest, mismatches, sample_manifests  # noqa: E402


def _out_dir(out: Path, manifest: SampleManifest, first: bool) -> Path:
    return out if first else out.with_name(f"{out.name}-{manifest.assignment}")


def _grade(manifest: SampleManifest, out: Path, jobs: int) -> int:
    grader = Path(sys.executable).with_name("grader")
    command = [str(grader), "grade", str(manifest.folder.relative_to(ROOT)), "--rubric",
               str(manifest.rubric.relative_to(ROOT)), "--out", str(out), "--jobs", str(jobs),
               "--profile", manifest.profile, "--template", str(manifest.template.relative_to(ROOT))]
    print(f"\n== {manifest.assignment}: {len(manifest.entries)} samples ==\n$ {' '.join(command)}", flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/demo"))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    start, done = time.monotonic(), []
    for index, manifest in enumerate(sample_manifests()):
        out = _out_dir(args.out, manifest, index == 0)
        code = _grade(manifest, out, args.jobs)
        if code != 0:
            return code
        done.append((manifest, out))
    print(f"\nmake demo: graded in {time.monotonic() - start:.0f} s (setup excluded)")
    for manifest, out in done:
        problems = mismatches(manifest, read_results(out))
        verdict = f"all {len(manifest.entries)} samples as the manifest says" if not problems else (
            f"{len(problems)} difference(s) from {manifest.path.relative_to(ROOT)}: " + "; ".join(problems))
        print(f"  {manifest.assignment}: {verdict}")
        print(f"    open this: {out}/reports/class_summary.html")
        print(f"    then review: .venv/bin/grader review {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
