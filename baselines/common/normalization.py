"""Running standardisation of network inputs (batched mean and variance, Chan et al.'s merge)."""

from __future__ import annotations

import numpy as np


class RunningStandardiser:
    """Tracks the mean and variance of the rows seen so far; ``__call__`` maps rows to
    (x - mean) / std. Columns in ``keep`` pass through unchanged (features whose scale means
    something, e.g. a queue length in cost units)."""

    def __init__(self, size: int, keep: tuple[int, ...] = ()):
        self.count, self.mean, self.m2 = 0, np.zeros(size), np.zeros(size)
        self.keep = np.asarray(keep, dtype=np.int64)

    def update(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=np.float64).reshape(-1, len(self.mean))
        count = self.count + len(rows)
        delta = rows.mean(0) - self.mean
        self.m2 = self.m2 + ((rows - rows.mean(0)) ** 2).sum(0) + delta ** 2 * self.count * len(rows) / count
        self.mean, self.count = self.mean + delta * len(rows) / count, count

    @property
    def std(self) -> np.ndarray:
        if self.count < 2:
            return np.ones_like(self.mean)
        return np.sqrt(self.m2 / (self.count - 1)) + 1e-8

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        mean, std = self.mean.copy(), self.std
        mean[self.keep], std[self.keep] = 0.0, 1.0
        return ((rows - mean) / std).astype(np.float32)

    def state_dict(self) -> dict:
        return {"count": self.count, "mean": self.mean, "m2": self.m2}

    def load_state_dict(self, state: dict) -> None:
        self.count, self.mean, self.m2 = state["count"], np.asarray(state["mean"]), np.asarray(state["m2"])
