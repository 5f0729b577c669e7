"""Batched search over discrete decisions through an oracle, and the vocabulary of ``Optimum.method``.

An oracle here is any function mapping a (K, N) int array of decisions to (K,) float64 rewards
(higher is better), such as ``env.unwrapped.evaluate(batch).rewards``. Exhaustive search scores
every decision in memory-bounded chunks; coordinate descent improves one coordinate at a time,
scoring all single-coordinate changes of the incumbent in one oracle call per round; multi-start
descent runs it from several seeded starts (all zeros, the best response to all zeros, and random
kicks of the incumbent) and keeps the best.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from gymnasium import spaces

Oracle = Callable[[np.ndarray], np.ndarray]

MAX_ENUMERATION = 2**16  # decisions above which optimum() falls back to multi-start descent
CHUNK_SIZE = 4096  # decisions scored per oracle call during enumeration
MULTISTART_STARTS = 3  # descents of optimum()'s default multi-start search (zeros, best response, 1 kick)
MULTISTART_SEED = 0  # seed of its random kicks: optimum() is deterministic for a given state
KICK_SHARE = 0.1  # share of coordinates a kick redraws at random (at least one)

# What ``Optimum.method`` may say: the one vocabulary of every env's optimum() (a method name may
# carry its count in parentheses, e.g. "cd-multistart(3)", "sca-top(8)").
METHODS = {
    "enumeration": "every decision scored by the exact oracle: the optimum (certified)",
    "closed-form": "devices decouple; each device's best choice in closed form / exactly: the optimum (certified)",
    "tem": "OFDMA: every offloading vector with its optimal resources (the paper's TEM)",
    "cd": "coordinate descent from one start: a local optimum (best-known)",
    "cd-multistart": "coordinate descent from several seeded starts, the best kept (best-known)",
    "greedy-enumeration": "PQC-NOMA: every decision with the paper's greedy NOMA powers (best-known)",
    "sca-enumeration": "PQC-NOMA with power_allocation='sca': every decision with SCA powers (best-known)",
    "tdma-enumeration": "PQC-NOMA with power_allocation='tdma': every decision with orthogonal time shares",
    "sca-top": "PQC-NOMA: greedy-enumeration, then the top decisions' powers refined by multi-start SCA",
}


def method_name(base: str, count: int | None = None) -> str:
    """A vocabulary entry, with its count when it has one: method_name("cd-multistart", 4)."""
    if base not in METHODS:
        raise ValueError(f"unknown optimum method {base!r}; the vocabulary is {sorted(METHODS)}")
    return base if count is None else f"{base}({count})"


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


def best_response(oracle: Oracle, nvec: np.ndarray, base: np.ndarray | None = None) -> np.ndarray:
    """Each coordinate at its best value against ``base`` (default all zeros), all changed at once:
    the simultaneous best response, a start for descent."""
    base = np.zeros(len(nvec), dtype=np.int64) if base is None else np.asarray(base, dtype=np.int64)
    neighbours = single_changes(base, nvec)
    rewards = oracle(neighbours)
    base_reward = float(oracle(base[None])[0])
    response = base.copy()
    offset = 0
    for coordinate, size in enumerate(nvec):
        block = rewards[offset:offset + size - 1]
        best = int(np.argmax(block))
        if block[best] > base_reward:
            response[coordinate] = neighbours[offset + best, coordinate]
        offset += size - 1
    return response


def multistart_descent(
    oracle: Oracle,
    nvec: np.ndarray,
    starts: int = MULTISTART_STARTS,
    seed: int = MULTISTART_SEED,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Coordinate descent from ``starts`` starts, the best result kept: ``start`` (default all
    zeros), the simultaneous best response to all zeros, then random kicks of the incumbent (a
    share ``KICK_SHARE`` of its coordinates redrawn; seeded, so the result is deterministic)."""
    rng = np.random.default_rng(seed)
    best_action, best_reward = coordinate_descent(oracle, nvec, start)
    for index in range(1, starts):
        if index == 1:
            begin = best_response(oracle, nvec)
        else:
            begin = best_action.copy()
            kicked = rng.choice(len(nvec), size=max(1, int(round(KICK_SHARE * len(nvec)))), replace=False)
            begin[kicked] = rng.integers(0, nvec[kicked])
        action, reward = coordinate_descent(oracle, nvec, begin)
        if reward > best_reward:
            best_action, best_reward = action, reward
    return best_action, best_reward
