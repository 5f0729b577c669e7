"""Batched search over discrete decisions through an oracle.

An oracle here is any function mapping a (K, N) int array of decisions to (K,) float64 rewards
(higher is better), such as ``env.unwrapped.evaluate(batch).rewards``. Exhaustive search scores
every decision in memory-bounded chunks; coordinate descent improves one coordinate at a time,
scoring all single-coordinate changes of the incumbent in one oracle call per round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from gymnasium import spaces

Oracle = Callable[[np.ndarray], np.ndarray]

MAX_ENUMERATION = 2**16  # decisions above which optimum() falls back to coordinate descent
CHUNK_SIZE = 4096  # decisions scored per oracle call during enumeration


def discrete_sizes(space: spaces.Space) -> np.ndarray:
    """Number of choices per coordinate of a MultiBinary or MultiDiscrete space."""
    if isinstance(space, spaces.MultiBinary):
        return np.full(int(np.prod(space.shape)), 2, dtype=np.int64)
    if isinstance(space, spaces.MultiDiscrete) and space.nvec.ndim == 1:
        return space.nvec.astype(np.int64)
    raise ValueError(f"search needs a MultiBinary or 1-D MultiDiscrete action space; got {space}")


def count_decisions(nvec: np.ndarray) -> float:
    """Number of decisions in the product space (as a float, it may be astronomically large)."""
    return float(np.prod(nvec.astype(np.float64)))


def decisions_from_indices(indices: np.ndarray, nvec: np.ndarray) -> np.ndarray:
    """Mixed-radix digits of ``indices`` (coordinate 0 most significant): (K,) -> (K, N)."""
    place = np.cumprod(np.concatenate([[1], nvec[::-1][:-1]]))[::-1]  # prod of the sizes after each coordinate
    return (indices[:, None] // place[None, :]) % nvec[None, :]


def iter_decisions(nvec: np.ndarray, chunk_size: int = CHUNK_SIZE) -> Iterator[np.ndarray]:
    """Every decision of the product space, in chunks of at most ``chunk_size`` rows."""
    total = int(count_decisions(nvec))
    for start in range(0, total, chunk_size):
        yield decisions_from_indices(np.arange(start, min(start + chunk_size, total)), nvec)


def exhaustive_search(oracle: Oracle, nvec: np.ndarray, chunk_size: int = CHUNK_SIZE) -> tuple[np.ndarray, float]:
    """The best decision of the whole space and its reward (first one on ties)."""
    if count_decisions(nvec) > MAX_ENUMERATION:
        raise ValueError(f"enumeration is limited to {MAX_ENUMERATION} decisions; got {count_decisions(nvec):.3g}")
    best_action, best_reward = None, -np.inf
    for chunk in iter_decisions(nvec, chunk_size):
        rewards = oracle(chunk)
        index = int(np.argmax(rewards))
        if rewards[index] > best_reward:
            best_action, best_reward = chunk[index].copy(), float(rewards[index])
    return best_action, best_reward


def single_changes(decision: np.ndarray, nvec: np.ndarray) -> np.ndarray:
    """All decisions that differ from ``decision`` in exactly one coordinate: (sum(nvec-1), N)."""
    rows = []
    for coordinate, size in enumerate(nvec):
        values = np.delete(np.arange(size), decision[coordinate])
        block = np.repeat(decision[None, :], len(values), axis=0)
        block[:, coordinate] = values
        rows.append(block)
    return np.concatenate(rows)


def coordinate_descent(
    oracle: Oracle,
    nvec: np.ndarray,
    start: np.ndarray | None = None,
    rtol: float = 1e-12,
    max_rounds: int = 10_000,
) -> tuple[np.ndarray, float]:
    """Greedy coordinate descent: take the single change that most improves the reward, until
    none improves it by more than ``rtol`` (relative). Starts from ``start`` or all zeros."""
    current = np.zeros(len(nvec), dtype=np.int64) if start is None else np.asarray(start, dtype=np.int64).copy()
    reward = float(oracle(current[None])[0])
    for _ in range(max_rounds):
        neighbours = single_changes(current, nvec)
        rewards = oracle(neighbours)
        index = int(np.argmax(rewards))
        if rewards[index] <= reward + rtol * abs(reward):
            break
        current, reward = neighbours[index], float(rewards[index])
    return current, reward
