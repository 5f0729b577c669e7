"""Pieces shared by the MultiServerIoT-v0 methods: reading the observation per device, the
per-device network features, the env seen at other prices (Stackelberg followers), and checkpoints.

The observation is read through the scenario's codec (``MultiServerIoTScenario.codec``), never by
position.
"""

from __future__ import annotations


import numpy as np

from mec_gym.core.base import Evaluation
from mec_gym.core.search import coordinate_descent, discrete_sizes
from mec_gym.envs.multiserver_iot.env import MultiServerIoTScenario


def split_observation(observation, config) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The flat observation as SI arrays, through the scenario's observation codec: {"data_bits"
    (N,), "cycles" (N,), "device_cpu" (N,) Hz, "gain" (N, M)} and the prices (M,)."""
    values = _codec(config).decode(np.asarray(observation, dtype=np.float64))
    task = {"data_bits": values["data"], "cycles": values["cycles"], "device_cpu": values["device_cpu"],
            "gain": values["path_loss"].reshape(len(values["data"]), -1)}
    return task, values["prices"]


_CODECS: dict[int, tuple] = {}


def _codec(config):
    """The scenario's codec for ``config`` (built once per config object)."""
    if id(config) not in _CODECS or _CODECS[id(config)][0] is not config:
        _CODECS[id(config)] = (config, MultiServerIoTScenario(config).codec)
    return _CODECS[id(config)][1]


def device_features(observation, config) -> np.ndarray:
    """Per-device inputs of the shared networks, (N, 3 + 2M) float32, each about unit scale:
    ln(D / 1e5 bit), ln(C / 1e7 cycles), f_local - 1.5 (GHz), spectral efficiency
    log2(1 + p g_j / sigma^2) / 5 per server, and each server's price."""
    task, prices = split_observation(observation, config)
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
        self._priced = {**self.base.state, "prices": self.prices.copy()}

    @property
    def state(self) -> dict[str, np.ndarray]:
        return {key: value.copy() for key, value in self._priced.items()}

    def task(self, state=None) -> dict[str, np.ndarray]:
        return self.base.task(state)

    def evaluate(self, batch) -> Evaluation:
        """The env's oracle in its state at these prices (``env.evaluate(batch, state=...)``)."""
        return self.base.evaluate(np.asarray(batch, dtype=np.int64), state=self._priced)

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
