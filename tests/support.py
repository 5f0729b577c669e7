"""Helpers shared by the tests."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def info_arrays(info: dict) -> Iterator[np.ndarray]:
    """Every array of an info dict, nested dicts (``reward_terms``) included."""
    for value in info.values():
        if isinstance(value, dict):
            yield from info_arrays(value)
        else:
            yield np.asarray(value)
