# Quick start: `make bench` (the main job) and `make test` (the test suite). Both create .venv when
# it is missing and install the package into it, so they work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
# Everything the tests import (ray is left out: only the leaderboard's ray backend needs it).
TEST_EXTRAS := dev,solvers,baselines,multiagent,bench

.PHONY: bench test lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)

bench: $(PY)
	$(PIP) -e ".[all]"
	$(PY) -m benchmarks.wpmec_policies --frames 1000 --devices 10

test: $(PY)
	$(PIP) -e ".[$(TEST_EXTRAS)]"
	$(PY) -m pytest

lint: $(PY)
	$(PIP) -e ".[dev]"
	$(PY) -m ruff check mec_gym baselines benchmarks tests

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis
