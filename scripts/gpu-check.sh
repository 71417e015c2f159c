#!/usr/bin/env bash
# GPU check of the execute stage and of GPU sharing, in one shot on a GPU machine (fresh checkout is fine):
#   bash scripts/gpu-check.sh
# Steps (GPU_CHECK_STEPS, default "1 2 3 4"):
# 1. runs a sandboxed kernel through run_notebook on a tiny notebook that checks
#    torch.cuda.is_available(), multiplies matrices on the GPU and prints the device name, and reports
#    ExecutionRecord.device; 2. runs `python benchmarks/cv.py --device cuda --full` if that file exists;
# 3. GPU sharing: two sandboxed kernels on GPU 0 (K = 2, share 2048 MiB each); one allocates 6 GiB and must
#    be stopped and recorded as `limit` (reason naming the memory and the share) while its neighbour trains
#    and finishes OK with a peak GPU memory in its record; a real NVML poll is saved as
#    $OUT/nvml-reading.json (the shape of tests/fixtures/gpu/nvml_two_kernels.json);
# 4. benchmarks/class_scale.py in the full profile on the real data for K in CLASS_SCALE_K (default
#    "1 2 4 8"), a window of CLASS_SCALE_WINDOW seconds each (default 60) and CLASS_SCALE_DRAIN (default 30)
#    for the notebooks in flight to finish; figures to $OUT/class_scale.json: paste its table into
#    docs/benchmarks.md ("Class-scale throughput") with the device named.
# Device time: about 1 min for steps 1 and 3, 1-2 min for step 2, and at most window + drain + ~40 s per K
# for step 4 (about 2 min): with a machine's start, steps 1, 3 and 4 fit about 11 min. Each call is capped
# at 10 min, so run two calls on one warm machine, the second right after the first:
#   GPU_CHECK_STEPS="1 3 4" CLASS_SCALE_K="1 2" bash scripts/gpu-check.sh      (timeout_s 420)
#   GPU_CHECK_STEPS="4" CLASS_SCALE_K="4 8" bash scripts/gpu-check.sh          (timeout_s 360)
# The device image has python3 with torch but not the grader's other dependencies, no bubblewrap, and no
# network. Before asking for a GPU, run here (a machine with network and the real data):
#   bash scripts/gpu-check.sh --prepare
# which fills .whl/ (wheels for the device's Python 3.12, minus what its image holds; bubblewrap's .deb in
# .whl/deb/) and out/real-data/ (the real enhancer data), both git-ignored, about 36 MB together; then pass
# carry=[".whl", "out/real-data"]. On the device the script installs them (the wheels into python3's own
# environment: the sandbox binds that one).
# Needs: Debian/Ubuntu, root for the sandbox (else it runs unsandboxed and says so), python3.
# Environment: PYTHON=/path/to/python skips `make setup`; OUT=dir also writes $OUT/gpu-check.log.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--prepare" ]; then
  # Runs HERE (network, real data), not on the device: wheels, bubblewrap's .deb and the real data.
  set -e
  present="numpy scipy matplotlib contourpy cycler fonttools kiwisolver pillow pyparsing python_dateutil six
    packaging pyyaml jinja2 markupsafe rich markdown_it_py mdurl pygments typer click shellingham
    typing_extensions psutil pandas torch lightning pytorch_lightning lightning_utilities torchmetrics
    scikit_learn joblib threadpoolctl nvidia_ml_py sympy mpmath networkx filelock fsspec triton setuptools
    attrs cloudpickle msgpack toolz sortedcontainers pyarrow urllib3 certifi idna requests
    charset_normalizer anyio h11 httpx httpcore aiohttp yarl multidict frozenlist aiosignal propcache
    aiohappyeyeballs lxml tqdm regex protobuf"
  rm -rf .whl && mkdir -p .whl/deb out/real-data  # both ignored by .gitignore
  plats=""
  for n in 2_17 2_24 2_27 2_28 2_31 2_34 2_35; do plats="$plats --platform manylinux_${n}_x86_64"; done
  python3 -m pip download -q --only-binary=:all: --python-version 3.12 --implementation cp $plats \
    --platform manylinux2014_x86_64 -d .whl \
    nbclient nbformat ipykernel jupyter-client pydantic pyjaspar biopython dask distributed \
    dask-jobqueue copydetect starlette uvicorn python-multipart nbconvert nh3
  for w in .whl/*.whl; do
    name=$(basename "$w" | cut -d- -f1 | tr 'A-Z.-' 'a-z__')
    for p in $present; do [ "$name" = "$p" ] && rm -f "$w"; done
  done
  # pyjaspar bundles seven JASPAR releases (55 MB); the grader reads one (reference.motifs.jaspar).
  # logomaker (13 MB, the report's logos) is left out: the device runs grade, not render.
  PYTHONPATH=. "${PREP_PY:-.venv/bin/python}" - <<'PYEOF'
import glob, os, zipfile
from reference.motifs.jaspar import DEFAULT_RELEASE
src = glob.glob(".whl/pyjaspar-*.whl")[0]
drop = lambda name: name.startswith("pyjaspar/data/JASPAR") and DEFAULT_RELEASE not in name
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(src + ".tmp", "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        if drop(item.filename):
            continue
        data = zin.read(item.filename)
        if item.filename.endswith(".dist-info/RECORD"):
            data = b"\n".join(l for l in data.split(b"\n") if not drop(l.decode().split(",")[0]))
        zout.writestr(item, data)
os.replace(src + ".tmp", src)
PYEOF
  (cd .whl/deb && apt-get download bubblewrap >/dev/null 2>&1)
  if [ -d /work/shared/data/enhancers/liver_vs_other ]; then
    cp -r /work/shared/data/enhancers/liver_vs_other/. out/real-data/
  fi
  du -sh .whl out/real-data
  echo "carry: [\".whl\", \"out/real-data\"]"
  exit 0
fi

if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT"
  exec > >(tee -a "$OUT/gpu-check.log") 2>&1
fi
say() { printf '[gpu-check] %s\n' "$*"; }

say "$(date -u +%FT%TZ) on $(uname -n), kernel $(uname -r)"
if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi -L; else say "nvidia-smi not found"; fi

if ls .whl/deb/*.deb >/dev/null 2>&1 && ! command -v bwrap >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  say "installing the carried bubblewrap: $(ls .whl/deb)"
  dpkg -i .whl/deb/*.deb >/dev/null 2>&1 || say "dpkg could not install .whl/deb/*.deb"
fi
if ls .whl/*.whl >/dev/null 2>&1 && [ -z "${PYTHON:-}" ]; then
  say "installing $(ls .whl/*.whl | wc -l) carried wheels into python3's environment"
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir .whl/*.whl || say "pip install failed"
  PYTHON=python3
fi
STEPS=" ${GPU_CHECK_STEPS:-1 2 3 4} "

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
if [ "$SANDBOX" = required ]; then
  why=$(PYTHONPATH="$PWD" "$PY" -c 'from grader.execute import sandbox_available as s; ok, why = s(); print("" if ok else why)' 2>&1)
  if [ -n "$why" ]; then
    SANDBOX=auto
    say "WARNING: the sandbox cannot run here ($why): the kernels run UNSANDBOXED (execution.sandbox=auto)"
  fi
fi

step1=0
case "$STEPS" in *" 1 "*)
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
;; esac

step2=0
if [[ "$STEPS" != *" 2 "* ]]; then
  say "step 2 (benchmarks/cv.py) not asked for"
elif [ -f benchmarks/cv.py ]; then
  say "benchmarks/cv.py --device cuda --full"
  PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" "$PY" benchmarks/cv.py --device cuda --full
  step2=$?
else
  say "benchmarks/cv.py not found: step 2 skipped"
fi
step3=0
case "$STEPS" in *" 3 "*)
say "step 3: two kernels on one GPU, one past its share"
GPU_CHECK_SANDBOX="$SANDBOX" PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" "$PY" - <<'PYEOF'
"""Step 3: K = 2 sandboxed kernels on GPU 0, 2048 MiB each: the hog is stopped as limit, the neighbour finishes."""
import json, os, sys, tempfile, threading, time
from pathlib import Path

import nbformat

from grader.execute import ExecStatus, ExecutionConfig, detect_devices, run_notebook
from grader.execute._gpuwatch import nvml_reader

SHARE_MB = 2048
HOG = ("import torch, time\nhold = torch.empty(6 * 2**30, dtype=torch.uint8, device='cuda')\n"
       "torch.cuda.synchronize()\nprint('allocated 6 GiB', flush=True)\ntime.sleep(40)\nprint('hog was not stopped')")
NEIGHBOUR = ("import torch, time\ntorch.manual_seed(0)\nmodel = torch.nn.Conv1d(4, 64, 9).cuda()\n"
             "opt = torch.optim.Adam(model.parameters())\nfor step in range(300):\n"
             "    x = torch.randn(64, 4, 200, device='cuda')\n    loss = model(x).pow(2).mean()\n"
             "    opt.zero_grad(); loss.backward(); opt.step(); time.sleep(0.05)\n"
             "torch.cuda.synchronize()\nprint('neighbour finished, loss', round(float(loss), 4))")
config = ExecutionConfig(
    sandbox=os.environ["GPU_CHECK_SANDBOX"], use_gpu=True, slots_per_gpu=2, gpu_memory_mb=SHARE_MB,
    memory_mb=16384, max_processes=512, cell_timeout_s=180, notebook_timeout_s=300,
)
print("[gpu-check] devices:", [d.model_dump() for d in detect_devices()])
records = {}

def grade(name, slot, source):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    with tempfile.TemporaryDirectory(prefix=f"gpu-share-{name}-") as tmp:
        records[name] = run_notebook(nb, workdir=Path(tmp), config=config, slot=slot)

def record_a_poll():
    """A real NVML poll while both kernels run, for tests/fixtures/gpu/ (pid -> uid says whose it is)."""
    time.sleep(8)
    read = nvml_reader()
    if read is None or not os.environ.get("OUT"):
        print("[gpu-check] no NVML poll recorded (NVML missing or OUT unset)")
        return
    processes = [dict(pid=p.pid, device_uuid=p.device_uuid, used_bytes=p.used_bytes) for p in read()]
    uids = {}
    for p in processes:
        try:
            uids[p["pid"]] = os.stat(f"/proc/{p['pid']}").st_uid
        except OSError:
            uids[p["pid"]] = None
    device = detect_devices()[0].model_dump()
    poll = {"what": "one real NVML poll during gpu-check step 3 (slot uid = uid_base + slot)", "device": device,
            "share_mb": SHARE_MB, "uids": uids, "processes": processes}
    Path(os.environ["OUT"], "nvml-reading.json").write_text(json.dumps(poll, indent=2))
    print("[gpu-check] NVML poll:", json.dumps(poll))

threads = [threading.Thread(target=grade, args=a) for a in (("hog", 0, HOG), ("neighbour", 1, NEIGHBOUR))]
threads.append(threading.Thread(target=record_a_poll))
started = time.perf_counter()
for t in threads:
    t.start()
for t in threads:
    t.join()
took = time.perf_counter() - started
for name, (executed, record) in records.items():
    text = "".join(str(o.get("text", "")) or f"{o.get('ename', '')}: {o.get('evalue', '')}" for o in executed.cells[0].outputs)
    print(f"[gpu-check] {name}: status {record.status.value}, {record.duration_s:.1f} s, reason {record.reason!r}")
    print(f"[gpu-check] {name}: gpu_memory {record.limits.get('gpu_memory')!r}; output {text.strip()[-300:]!r}")
hog, neighbour = records["hog"][1], records["neighbour"][1]
ok = (
    hog.status is ExecStatus.LIMIT
    and "over its share of 2048 MiB (2 kernels per GPU)" in hog.reason
    and neighbour.status is ExecStatus.OK
    and "peak seen 0 MiB" not in neighbour.limits.get("gpu_memory", "peak seen 0 MiB")
)
print(f"[gpu-check] GPU share check ({took:.1f} s):", "PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PYEOF
step3=$?
;; esac

step4=0
case "$STEPS" in *" 4 "*)
data="${GRADER_REAL_DATA:-$PWD/out/real-data}"
[ -f "$data/train/liver.fa" ] || say "WARNING: no real data at $data (carry out/real-data): synthetic data"
say "step 4: benchmarks/class_scale.py --profile full --slots ${CLASS_SCALE_K:-1 2 4 8} --window ${CLASS_SCALE_WINDOW:-60}"
# shellcheck disable=SC2086
GRADER_REAL_DATA="$data" PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" "$PY" benchmarks/class_scale.py \
  --profile full --slots ${CLASS_SCALE_K:-1 2 4 8} --window "${CLASS_SCALE_WINDOW:-60}" \
  --drain "${CLASS_SCALE_DRAIN:-30}" --sandbox "$SANDBOX" \
  --work /tmp/class_scale ${OUT:+--json "$OUT/class_scale.json"}
step4=$?
;; esac

say "done (steps$STEPS): sandboxed GPU check exit $step1, cv benchmark exit $step2, GPU share exit $step3, class scale exit $step4"
[ "$step1" = 0 ] && [ "$step2" = 0 ] && [ "$step3" = 0 ] && [ "$step4" = 0 ]
