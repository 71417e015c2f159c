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
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

setup: system-deps $(STAMP)

demo: setup
	$(VENV)/bin/grader grade submissions/ --rubric rubrics/week11.yaml --out $(OUT) --jobs $(JOBS) \
		--profile quick --template assignments/week11/template.ipynb

test: setup
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: setup
	$(PY) benchmarks/cv.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
