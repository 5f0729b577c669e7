"""Pieces shared by the MultiServerIoT-v0 methods: reading the observation per device, the
per-device network features, the env seen at other prices (Stackelberg followers), and checkpoints.

Observation layout (see ``mec_gym.envs.multiserver_iot.env``): per device [D (Mbit), C (Gcycles),
f_local (GHz), -log10(gain_j) / 20 for each server j], then the M prices.
"""

from __future__ import annotations


import numpy as np

from mec_gym.core.base import Evaluation
from mec_gym.core.search import coordinate_descent, discrete_sizes
from mec_gym.envs.multiserver_iot.oracle import evaluate_assignments


def split_observation(observation, num_servers: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The flat observation as SI arrays: {"data_bits" (N,), "cycles" (N,), "device_cpu" (N,) Hz,
    "gain" (N, M)} and the prices (M,)."""
    obs = np.asarray(observation, dtype=np.float64)
    m = num_servers
    per_device = obs[:-m].reshape(-1, 3 + m)
    task = {"data_bits": per_device[:, 0] * 1e6, "cycles": per_device[:, 1] * 1e9,
            "device_cpu": per_device[:, 2] * 1e9, "gain": 10.0 ** (-20.0 * per_device[:, 3:])}
    return task, obs[-m:]


def device_features(observation, config) -> np.ndarray:
    """Per-device inputs of the shared networks, (N, 3 + 2M) float32, each about unit scale:
    ln(D / 1e5 bit), ln(C / 1e7 cycles), f_local - 1.5 (GHz), spectral efficiency
    log2(1 + p g_j / sigma^2) / 5 per server, and each server's price."""
    task, prices = split_observation(observation, config.num_servers)
    efficiency = np.log2(1.0 + config.transmit_power * task["gain"] / config.noise_power) / 5.0
    n = len(task["cycles"])
    columns = [np.log(task["data_bits"] / 1e5), np.log(task["cycles"] / 1e7), task["device_cpu"] / 1e9 - 1.5]
    return np.column_stack([*columns, efficiency, np.broadcast_to(prices, (n, len(prices)))]).astype(np.float32)


def feature_size(num_servers: int) -> int:
    return 3 + 2 * num_servers


class PricedView:
    """The env's current slot seen at other ``prices`` (the leaders' move, before the followers
    answer): ``evaluate``, ``optimum`` (coordinate descent), ``state`` and ``task`` as the env's,
    through the env's public oracle. Fixed policies ``policy(view, rng)`` run on it unchanged."""

    def __init__(self, env, prices):
        self.base = env.unwrapped
        self.unwrapped = self
        self.config, self.action_space, self.physics = self.base.config, self.base.action_space, self.base.physics
        self.prices = np.asarray(prices, dtype=np.float64)

    @property
    def state(self) -> dict[str, np.ndarray]:
        return {**self.base.state, "prices": self.prices.copy()}

    def task(self, state=None) -> dict[str, np.ndarray]:
        return self.base.task(state)

    def evaluate(self, batch) -> Evaluation:
        result = evaluate_assignments(self.base.task(), self.physics, np.asarray(batch, dtype=np.int64), self.prices)
        info = {**result, "mean_cost": -result["reward"]}
        return Evaluation(rewards=result["reward"], info=info)

    def optimum_action(self, start=None) -> np.ndarray:
        """The oracle's local search (coordinate descent) at these prices, from ``start`` or all-local."""
        nvec = discrete_sizes(self.action_space)
        action, _ = coordinate_descent(lambda batch: self.evaluate(batch).rewards, nvec,
                                       None if start is None else np.asarray(start, dtype=np.int64))
        return action.astype(np.int64)


def record_frame(history: dict[str, list[float]], values: dict, callback=None) -> None:
    """Append one frame's ``values`` to ``history`` and pass the latest values to ``callback``."""
    for key, value in values.items():
        history[key].append(float(value))
    if callback is not None:
        callback({key: series[-1] for key, series in history.items() if series})


def advance(env, observation, terminated: bool, truncated: bool):
    """The observation to act on next: ``observation``, or a fresh episode's when this one ended."""
    return env.reset()[0] if terminated or truncated else observation
