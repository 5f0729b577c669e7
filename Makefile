# Quick start: `make bench` (the leaderboard's quick preset, the main job), `make test` (the tests) and `make docs` (the
# documentation site into site/, --strict). Each creates .venv when it is missing and installs the package into it, so
# they work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: bench test docs lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)

bench: $(PY)
	$(PIP) -e ".[all]"
	$(VENV)/bin/mec-gym bench --preset quick --out results

test: $(PY)
	$(PIP) -e ".[all]"
	$(PY) -m pytest

docs: $(PY)
	$(PIP) -e ".[docs]"
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir site

lint: $(PY)
	$(PIP) -e ".[dev]"
	$(PY) -m ruff check mec_gym baselines benchmarks tests

clean:
	rm -rf $(VENV) results site .pytest_cache .hypothesis
