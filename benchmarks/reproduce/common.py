"""Small helpers the paper modules share (feature checks, binned curves)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np


def has_field(config_class, name: str) -> bool:
    """Whether an env's config dataclass has the field ``name`` (a fidelity option may not have
    landed in the installed version)."""
    return name in {item.name for item in dataclasses.fields(config_class)}


def binned(values: Sequence[float], bins: int = 50) -> list[float]:
    """Means of ``values`` over ``bins`` consecutive equal chunks (NaN ignored; a chunk of only NaN
    gives NaN), as a JSON-able list."""
    values = np.asarray(values, dtype=np.float64)
    chunks = np.array_split(values, min(bins, max(len(values), 1)))
    out = []
    for chunk in chunks:
        finite = chunk[np.isfinite(chunk)]
        out.append(float(finite.mean()) if finite.size else float("nan"))
    return out


def bin_centres(total: int, bins: int) -> np.ndarray:
    """The frame index at the centre of each of ``binned``'s chunks of ``total`` frames."""
    edges = np.cumsum([0] + [len(c) for c in np.array_split(np.arange(total), min(bins, max(total, 1)))])
    return (edges[:-1] + edges[1:]) / 2


def mean_by(rows: dict, keys: Sequence[str], field_name: str) -> float:
    return float(np.mean([rows[key][field_name] for key in keys]))
