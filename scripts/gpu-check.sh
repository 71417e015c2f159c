#!/usr/bin/env bash
# GPU check of the execute stage, in one shot on a GPU machine (fresh checkout is fine):
#   bash scripts/gpu-check.sh
# 1. runs a sandboxed kernel through run_notebook on a tiny notebook that checks
#    torch.cuda.is_available(), multiplies matrices on the GPU and prints the device name, and reports
#    ExecutionRecord.device; 2. runs `python benchmarks/cv.py --device cuda --full` if that file exists.
# Needs: Debian/Ubuntu, root for the sandbox (else it runs unsandboxed and says so), python3.
# Environment: PYTHON=/path/to/python skips `make setup`; OUT=dir also writes $OUT/gpu-check.log.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT"
  exec > >(tee -a "$OUT/gpu-check.log") 2>&1
fi
say() { printf '[gpu-check] %s\n' "$*"; }

say "$(date -u +%FT%TZ) on $(uname -n), kernel $(uname -r)"
if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi -L; else say "nvidia-smi not found"; fi

if ! command -v bwrap >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "bubblewrap missing: trying apt-get install bubblewrap"
  timeout 180 apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null 2>&1 \
    || { timeout 120 apt-get update -qq >/dev/null 2>&1 && timeout 180 apt-get install -y -qq bubblewrap >/dev/null 2>&1; } \
    || say "apt-get could not install bubblewrap"
fi
if command -v bwrap >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  SANDBOX=required
else
  SANDBOX=auto
  say "WARNING: no bubblewrap or not root: the kernel runs UNSANDBOXED (execution.sandbox=auto)"
fi

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  if [ ! -x .venv/bin/python ]; then
    say ".venv missing: make setup"
    GRADER_SKIP_CHROMIUM=1 make setup || say "make setup failed"
  fi
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
say "python: $PY ($("$PY" -c 'import sys; print(sys.version.split()[0], sys.prefix)'))"

GPU_CHECK_SANDBOX="$SANDBOX" PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" "$PY" - <<'PYEOF'
"""Step 1: a sandboxed kernel on the GPU, through the public API."""
import json, os, sys, tempfile, time
from pathlib import Path

import nbformat

from grader.execute import ExecStatus, ExecutionConfig, detect_devices, run_notebook, sandbox_available

print("[gpu-check] devices:", [d.model_dump() for d in detect_devices()])
print("[gpu-check] sandbox available:", sandbox_available())
cells = [
    "import os, torch\nprint('torch', torch.__version__, 'cuda available:', torch.cuda.is_available(),"
    " 'devices:', torch.cuda.device_count(), 'uid:', os.getuid(), 'CUDA_VISIBLE_DEVICES:', os.environ.get('CUDA_VISIBLE_DEVICES'))",
    "assert torch.cuda.is_available(), 'no CUDA inside the sandbox'\n"
    "x = torch.randn(4096, 4096, device='cuda')\ny = x @ x\ntorch.cuda.synchronize()\n"
    "print('device:', torch.cuda.get_device_name(0), '| matmul mean |y|:', round(float(y.abs().mean()), 2))",
]
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
config = ExecutionConfig(sandbox=os.environ["GPU_CHECK_SANDBOX"], cell_timeout_s=300, notebook_timeout_s=600)
with tempfile.TemporaryDirectory(prefix="gpu-check-") as tmp:
    started = time.perf_counter()
    executed, record = run_notebook(nb, workdir=Path(tmp), config=config)
    took = time.perf_counter() - started
for index, cell in enumerate(executed.cells):
    for out in cell.outputs:
        text = out.get("text") or f"{out.get('ename', '')}: {out.get('evalue', '')}"
        print(f"[gpu-check] cell {index}: {text.rstrip()}")
print("[gpu-check] record:", record.model_dump_json())
print(f"[gpu-check] ExecutionRecord.device = {record.device!r}, sandboxed = {record.sandboxed}, "
      f"status = {record.status.value}, {took:.1f} s")
ok = record.status is ExecStatus.OK and record.device.startswith("cuda:0")
print("[gpu-check] sandboxed GPU check:", "PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PYEOF
step1=$?

step2=0
if [ -f benchmarks/cv.py ]; then
  say "benchmarks/cv.py --device cuda --full"
  PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" "$PY" benchmarks/cv.py --device cuda --full
  step2=$?
else
  say "benchmarks/cv.py not found: step 2 skipped"
fi
say "done: sandboxed GPU check exit $step1, cv benchmark exit $step2"
[ "$step1" = 0 ] && [ "$step2" = 0 ]
