"""A fixed-size replay memory of (input, best decision) pairs, as in DROO (oldest overwritten)."""

from __future__ import annotations

import numpy as np


class ReplayMemory:
    def __init__(self, capacity: int, input_size: int, output_size: int):
        self.inputs = np.zeros((capacity, input_size), dtype=np.float32)
        self.targets = np.zeros((capacity, output_size), dtype=np.float32)
        self.capacity, self.count = capacity, 0

    def __len__(self) -> int:
        return min(self.count, self.capacity)

    def add(self, x: np.ndarray, target: np.ndarray) -> None:
        slot = self.count % self.capacity
        self.inputs[slot], self.targets[slot] = x, target
        self.count += 1

    def sample(self, batch_size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        index = rng.integers(0, len(self), size=batch_size)
        return self.inputs[index], self.targets[index]
