# Quick start: `make bench` (the leaderboard's quick preset, the main job) and `make test` (the tests). Both create .venv when
# it is missing and install the package into it, so they work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: bench test lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)

bench: $(PY)
	$(PIP) -e ".[all]"
	$(VENV)/bin/mec-gym bench --preset quick --out results

test: $(PY)
	$(PIP) -e ".[all]"
	$(PY) -m pytest

lint: $(PY)
	$(PIP) -e ".[dev]"
	$(PY) -m ruff check mec_gym baselines benchmarks tests

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis
