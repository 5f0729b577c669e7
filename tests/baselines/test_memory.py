"""The one replay memory: ring overwrite in slot order, batched extends across the wrap, sampling
only from filled rows, and every field required."""

from __future__ import annotations

import numpy as np
import pytest

from baselines.common.memory import ReplayMemory


def _memory(capacity=3):
    return ReplayMemory(capacity, state=((2,), np.float32), action=((), np.int64))


def test_oldest_rows_are_overwritten_in_slot_order():
    memory = _memory()
    for step in range(5):
        memory.add(state=[step, -step], action=step)
    assert len(memory) == 3 and memory.count == 5
    # rows 0..4 went to slots 0, 1, 2, 0, 1: slots hold 3, 4, 2
    assert memory["action"].tolist() == [3, 4, 2]
    assert memory["state"][:, 1].tolist() == [-3, -4, -2]


def test_extend_wraps_like_single_adds():
    single, batched = _memory(), _memory()
    rows = np.arange(7)
    for row in rows:
        single.add(state=[row, row], action=row)
    batched.extend(state=np.stack([rows[:2], rows[:2]], 1), action=rows[:2])
    batched.extend(state=np.stack([rows[2:], rows[2:]], 1), action=rows[2:])
    assert np.array_equal(single["action"], batched["action"]) and np.array_equal(single["state"], batched["state"])


def test_sample_draws_filled_rows_only():
    memory = ReplayMemory(100, action=((), np.int64))
    memory.extend(action=np.arange(1, 6))  # slots 0..4 hold 1..5, the rest are empty zeros
    batch = memory.sample(500, np.random.default_rng(0))["action"]
    assert set(batch.tolist()) == {1, 2, 3, 4, 5}


def test_missing_fields_and_bad_capacity_raise():
    memory = _memory()
    with pytest.raises(ValueError, match=r"fields \['action', 'state'\]"):
        memory.add(state=[0, 0])
    assert memory.count == 0
    with pytest.raises(ValueError, match=r"capacity must be in \[1, inf\]"):
        ReplayMemory(0, state=((1,), np.float32))
    with pytest.raises(ValueError, match="at least one field"):
        ReplayMemory(3)


def test_extend_with_unequal_rows_writes_nothing():
    memory = _memory()
    memory.extend(state=np.ones((2, 2)), action=np.array([1, 2]))
    with pytest.raises(ValueError, match="same number of rows"):
        memory.extend(state=np.full((3, 2), 9.0), action=np.array([7, 8]))
    with pytest.raises(ValueError, match="same number of rows"):
        memory.extend(state=np.full((2, 2), 9.0), action=5)  # a scalar is not a row per transition
    assert memory.count == 2 and memory["action"].tolist() == [1, 2, 0] and memory["state"].max() == 1.0
