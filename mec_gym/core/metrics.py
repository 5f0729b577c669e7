"""Metrics shared by scenarios and benchmarks."""

from __future__ import annotations

import numpy as np


def normalized_rate(reward, optimum) -> np.ndarray:
    """Reward divided by the optimal reward of the same state (1 = optimal). Zero optimum -> 1."""
    reward, optimum = np.asarray(reward, dtype=np.float64), np.asarray(optimum, dtype=np.float64)
    safe = np.where(optimum == 0.0, 1.0, optimum)
    return np.where(optimum == 0.0, 1.0, reward / safe)


def jain_index(values, axis: int = -1) -> np.ndarray:
    """Jain's fairness index (sum x)^2 / (n sum x^2): 1 for equal shares, 1/n for one-takes-all."""
    values = np.asarray(values, dtype=np.float64)
    n = values.shape[axis]
    squares = (values * values).sum(axis=axis)
    total = values.sum(axis=axis)
    return np.where(squares == 0.0, 1.0, total * total / (n * np.where(squares == 0.0, 1.0, squares)))
