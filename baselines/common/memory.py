"""One fixed-size replay memory for every trainer: named fields, oldest rows overwritten, uniform
sampling with replacement (DROO's (input, best decision) pairs, CPDRL's and the DQNs' transitions)."""

from __future__ import annotations

import numpy as np


class ReplayMemory:
    """``ReplayMemory(capacity, inputs=((n,), np.float32), ...)``: one (capacity, *shape) array per field.

    ``add(**row)`` stores one row, ``extend(**rows)`` several (a leading axis); every field must be given
    so no row mixes old and new values. ``sample`` returns a dict of (batch_size, *shape) arrays.
    """

    def __init__(self, capacity: int, **fields: tuple[tuple[int, ...], type]):
        if capacity < 1:
            raise ValueError(f"capacity must be in [1, inf]; got {capacity}")
        if not fields:
            raise ValueError("a replay memory needs at least one field")
        self.capacity, self.count = capacity, 0
        self.fields = {name: np.zeros((capacity, *shape), dtype=dtype) for name, (shape, dtype) in fields.items()}

    def __len__(self) -> int:
        return min(self.count, self.capacity)

    def __getitem__(self, name: str) -> np.ndarray:
        """A field's whole array, in slot order (row ``count % capacity`` is written next)."""
        return self.fields[name]

    def add(self, **row) -> None:
        self.extend(**{name: np.asarray(value)[None] for name, value in row.items()})

    def extend(self, **rows) -> None:
        """Store len(rows[name]) rows; nothing is written unless every field has that many."""
        if rows.keys() != self.fields.keys():
            raise ValueError(f"rows must give exactly the fields {sorted(self.fields)}; got {sorted(rows)}")
        lengths = {name: np.shape(value)[0] if np.ndim(value) else None for name, value in rows.items()}
        if None in lengths.values() or len(set(lengths.values())) != 1:
            raise ValueError(f"every field needs the same number of rows along its first axis; got {lengths}")
        length = next(iter(lengths.values()))
        slots = (self.count + np.arange(length)) % self.capacity
        for name, value in rows.items():
            self.fields[name][slots] = value
        self.count += length

    def sample(self, batch_size: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        index = rng.integers(0, len(self), size=batch_size)
        return {name: array[index] for name, array in self.fields.items()}
