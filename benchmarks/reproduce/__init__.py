"""``mec-gym reproduce``: each paper's claims re-run at a stated budget, judged and reported.

One module per paper declares its claims and experiments (``PAPER``); ``core`` runs, journals and
reports them. ``PAPERS`` maps the command's names to those declarations (imported on demand, so
that ``--list`` does not load torch).
"""

from __future__ import annotations

import importlib

MODULES = {"qaroo": "qaroo", "meqc": "meqc", "pqc-noma": "pqc_noma", "iot": "iot", "cpdrl": "cpdrl"}


def paper(name: str):
    """The ``Paper`` declaration of ``name`` (one of ``MODULES``)."""
    if name not in MODULES:
        raise ValueError(f"unknown paper {name!r}; known: {', '.join(MODULES)}, all")
    return importlib.import_module(f"benchmarks.reproduce.{MODULES[name]}").PAPER
