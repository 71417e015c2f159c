# Two commands matter: `make demo` (grade the sample submissions) and `make test` (the whole suite).
# Both create or reuse .venv in the repo; a second run installs nothing new.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
OUT ?= out/demo
JOBS ?= 2
PYTEST_ARGS ?=

.PHONY: demo test setup system-deps lint typecheck bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# torch first: the CPU build lies on local disk; the project's range admits it, so nothing else is pulled.
$(STAMP): pyproject.toml setup.py | $(PY)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,ta]'
	touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

setup: system-deps $(STAMP)

# Every assignment's samples (Week 11's into $(OUT), each other pack's into $(OUT)-<name>) under its
# manifest's profile (Week 11: demo, 2 x 200 sequences, 2 epochs, 30 s per cell; docs/benchmarks.md, "make demo").
demo: setup
	@$(PY) scripts/demo.py --out $(OUT) --jobs $(JOBS)

test: setup
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest --durations=30 $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: setup
	$(PY) benchmarks/cv.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
