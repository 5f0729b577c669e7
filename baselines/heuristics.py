"""Fixed policies that need no training: the reference points of every leaderboard table.

A policy is a callable ``policy(env, rng) -> action`` that may look at the current state through
``env.unwrapped`` (its observation, ``state``, ``evaluate`` and ``optimum``) but never advances it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from gymnasium import spaces

Policy = Callable[[Any, np.random.Generator], Any]


def random_action(space: spaces.Space, rng: np.random.Generator):
    """A uniformly random element of ``space`` drawn from ``rng`` (reproducible, unlike space.sample)."""
    if isinstance(space, spaces.MultiBinary):
        return rng.integers(0, 2, size=space.shape).astype(space.dtype)
    if isinstance(space, spaces.MultiDiscrete):
        return rng.integers(0, space.nvec).astype(space.dtype)
    if isinstance(space, spaces.Box):
        return rng.uniform(space.low, space.high).astype(space.dtype)
    if isinstance(space, spaces.Dict):
        return {key: random_action(sub, rng) for key, sub in space.spaces.items()}
    raise ValueError(f"random_action does not handle {space}")


def random_policy(env, rng: np.random.Generator):
    """A uniformly random decision."""
    return random_action(env.unwrapped.action_space, rng)


def all_local_policy(env, rng: np.random.Generator):
    """Every device computes locally (decision 0 everywhere)."""
    space = env.unwrapped.action_space
    return np.zeros(space.shape, dtype=space.dtype)


def all_offload_policy(env, rng: np.random.Generator):
    """Every device offloads (decision 1 everywhere: to the first server where there are several)."""
    space = env.unwrapped.action_space
    return np.ones(space.shape, dtype=space.dtype)


def coordinate_descent_policy(env, rng: np.random.Generator):
    """The CD method of the DROO paper: best single flips from all-local until none improves."""
    return env.unwrapped.optimum(method="cd").action


def optimum_policy(env, rng: np.random.Generator):
    """``optimum()``'s decision: the certified optimum where it is proven, else the best-known one
    (``Optimum.method`` and ``certified`` say which)."""
    return env.unwrapped.optimum().action


DISCRETE_POLICIES: dict[str, Policy] = {
    "random": random_policy,
    "all-local": all_local_policy,
    "all-offload": all_offload_policy,
    "coordinate-descent": coordinate_descent_policy,
    "optimum": optimum_policy,
}


# ----- OFDMA-Consistency-v0 (the CPDRL paper's fixed baselines) --------------------------------
def _ofdma_action(env, rng, offload: np.ndarray) -> np.ndarray:
    """A consistent raw action: random resources in (0, 1] of their range where they are used,
    exactly zero (-1 encoded) where eq. (11) says they must be."""
    n = env.unwrapped.config.num_devices
    shares = rng.uniform(1e-3, 1.0, size=(n, 3))
    fields = np.column_stack([np.where(offload, 1.0, -1.0),
                              np.where(offload, 2 * shares[:, 0] - 1, -1.0),
                              np.where(offload, 2 * shares[:, 1] - 1, -1.0),
                              np.where(offload, -1.0, 2 * shares[:, 2] - 1)])
    return fields.reshape(-1).astype(np.float32)


def rom_policy(env, rng: np.random.Generator):
    """ROM: random offloading decisions with random resources (bandwidth shares as drawn)."""
    return _ofdma_action(env, rng, rng.integers(0, 2, env.unwrapped.config.num_devices).astype(bool))


def fom_policy(env, rng: np.random.Generator):
    """FOM: every UTD offloads, with random bandwidth and power."""
    return _ofdma_action(env, rng, np.ones(env.unwrapped.config.num_devices, dtype=bool))


def lem_policy(env, rng: np.random.Generator):
    """LEM: every UTD computes locally at a random CPU frequency."""
    return _ofdma_action(env, rng, np.zeros(env.unwrapped.config.num_devices, dtype=bool))


OFDMA_POLICIES: dict[str, Policy] = {"rom": rom_policy, "fom": fom_policy, "lem": lem_policy}


# ----- MultiServerIoT-v0 ---------------------------------------------------------------------
def nearest_server_policy(env, rng: np.random.Generator):
    """Every device offloads to the server with the strongest channel."""
    return np.argmax(env.unwrapped.task()["gain"], axis=1) + 1


def least_loaded_policy(env, rng: np.random.Generator):
    """Every device offloads; the heaviest tasks first, each to the server with the fewest tasks so far."""
    unwrapped = env.unwrapped
    load = np.zeros(unwrapped.config.num_servers, dtype=int)
    assignment = np.zeros(unwrapped.config.num_devices, dtype=np.int64)
    for device in np.argsort(-unwrapped.state["cycles"], kind="stable"):
        server = int(np.argmin(load))
        assignment[device], load[server] = server + 1, load[server] + 1
    return assignment


def best_response_policy(env, rng: np.random.Generator, max_rounds: int = 20):
    """Greedy best response: from all-local, devices in turn switch to the choice (local or a server)
    that lowers their own cost given the others, until nobody switches (or ``max_rounds``)."""
    unwrapped = env.unwrapped
    n, choices = unwrapped.config.num_devices, unwrapped.config.num_servers + 1
    assignment = np.zeros(n, dtype=np.int64)
    for _ in range(max_rounds):
        switched = False
        for device in range(n):
            options = np.repeat(assignment[None], choices, axis=0)
            options[:, device] = np.arange(choices)
            own_cost = unwrapped.evaluate(options).info["cost"][:, device]
            best = int(np.argmin(own_cost))
            if own_cost[best] < own_cost[assignment[device]] * (1 - 1e-12):
                assignment[device], switched = best, True
        if not switched:
            break
    return assignment


IOT_POLICIES: dict[str, Policy] = {
    "nearest-server": nearest_server_policy, "least-loaded": least_loaded_policy, "best-response": best_response_policy,
}


# ----- MEQC-GaussMarkov-v0 (the paper's fixed baselines) ---------------------------------------
def _meqc_discrete(env, qpu: bool):
    """Per device, whole task local or whole task offloaded to the target, whichever has the lower
    reward term."""
    unwrapped = env.unwrapped
    n = unwrapped.config.num_devices
    target = np.full((2, n), int(qpu), dtype=np.int8)
    fractions = np.stack([np.zeros(n), np.ones(n)])
    terms = unwrapped.evaluate({"fraction": fractions, "target": target}).info["device_objective"]
    return {"fraction": np.argmin(terms, axis=0).astype(np.float32), "target": target[0]}


def _meqc_continuous(env, qpu: bool):
    """The environment's optimal fraction with every device on one target."""
    target = np.full(env.unwrapped.config.num_devices, int(qpu), dtype=np.int8)
    return {"fraction": env.unwrapped.optimal_fraction(target).astype(np.float32), "target": target}


MEQC_POLICIES: dict[str, Policy] = {
    "cpu-discrete": lambda env, rng: _meqc_discrete(env, qpu=False),
    "cpu-continuous": lambda env, rng: _meqc_continuous(env, qpu=False),
    "qpu-discrete": lambda env, rng: _meqc_discrete(env, qpu=True),
    "qpu-continuous": lambda env, rng: _meqc_continuous(env, qpu=True),
}
