"""QIO: quantum-inspired evolutionary search over binary or discrete decisions (seed 003).

Each individual is a vector of qubit angles theta in [0, pi/2], one per bit; measuring it gives
bit 1 with probability sin^2(theta). Coordinates of a MultiDiscrete decision are binary codes of
ceil(log2(n)) bits, read modulo n. Every iteration measures the whole population and scores it with
one call of the environment's batched oracle; a rotation gate then turns each angle by ``delta``
toward the best decision found so far (where the individual's bit differs from it), with the
angles kept inside [margin, pi/2 - margin] so that no bit freezes. Defaults: population 30, 100
iterations (the paper's).

Refinement (``start``): a proposal (another policy's decision, e.g. all-local) joins the first
iteration's population, so the search returns nothing worse than it and rotates toward it until
it finds better; with no proposal the angles start at pi/4 (bits uniform) as in the paper.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mec_gym.core.search import discrete_sizes


@dataclass(frozen=True)
class QIOConfig:
    population: int = 30
    iterations: int = 100
    delta: float = 0.05 * np.pi  # rotation per iteration, rad
    margin: float = 0.02 * np.pi  # angles stay in [margin, pi/2 - margin]


def qio_search(oracle: Callable[[np.ndarray], np.ndarray], nvec: np.ndarray, rng: np.random.Generator,
               config: QIOConfig = QIOConfig(), start: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Best decision found and its reward; ``oracle`` maps (K, N) decisions to (K,) rewards and is
    called once per iteration with the whole population (plus ``start``, a proposal of N values in
    [0, nvec), in the first call)."""
    nvec = np.asarray(nvec, dtype=np.int64)
    bits = np.maximum(1, np.ceil(np.log2(nvec)).astype(np.int64))
    places = [1 << np.arange(b)[::-1] for b in bits]
    owner = np.repeat(np.arange(len(nvec)), bits)  # coordinate of each bit
    shifts = np.concatenate([np.arange(b)[::-1] for b in bits])
    if start is not None:
        start = np.asarray(start, dtype=np.int64).reshape(-1)
        if start.shape != nvec.shape or (start < 0).any() or (start >= nvec).any():
            raise ValueError(f"start must hold {len(nvec)} integers in [0, nvec); got {start.tolist()}")
    theta = np.full((config.population, int(bits.sum())), np.pi / 4)
    best_bits, best_reward, best_decision = None, -np.inf, None
    for iteration in range(config.iterations):
        measured = (rng.random(theta.shape) < np.sin(theta) ** 2).astype(np.int64)
        codes = np.zeros((config.population, len(nvec)), dtype=np.int64)
        np.add.at(codes.T, owner, (measured * np.concatenate(places)).T)
        decisions = codes % nvec
        if iteration == 0 and start is not None:
            measured = np.vstack([measured, (start[owner] >> shifts) & 1])
            decisions = np.vstack([decisions, start])
        rewards = oracle(decisions)
        index = int(np.argmax(rewards))
        if rewards[index] > best_reward:
            best_reward, best_bits, best_decision = float(rewards[index]), measured[index].copy(), decisions[index].copy()
        population = measured[:config.population]  # the proposal has no angles of its own
        direction = np.where(best_bits[None, :] == 1, 1.0, -1.0) * (population != best_bits[None, :])
        theta = np.clip(theta + config.delta * direction, config.margin, np.pi / 2 - config.margin)
    return best_decision, best_reward


class QIOPolicy:
    """QIO per frame as a fixed policy ``policy(env, rng)`` over the env's discrete action space;
    ``proposal`` (a policy ``(env, rng) -> action``) gives the decision it refines."""

    def __init__(self, config: QIOConfig = QIOConfig(), proposal: Callable | None = None):
        self.config, self.proposal = config, proposal

    def __call__(self, env, rng: np.random.Generator):
        unwrapped = env.unwrapped
        nvec = discrete_sizes(unwrapped.action_space)
        start = None if self.proposal is None else self.proposal(env, rng)
        decision, _ = qio_search(lambda batch: unwrapped.evaluate(batch).rewards, nvec, rng, self.config, start)
        return decision.astype(unwrapped.action_space.dtype)
