"""MultiServerIoT-v0: many IoT devices choosing among priced edge servers (seed 003).

## Description
N devices in a 1 km square, M servers at fixed sites, one slot per step. Each device computes
locally or offloads to one server; a server shares its band equally among its devices (OFDMA) and
splits its CPU latency-optimally (f proportional to sqrt(C)); offloaders pay the server's price
per gigacycle. Workloads are temporally correlated (AR(1) in log space around each device's mean),
so a predictor (the digital twin) has something to learn. Each device's mean D is drawn
U[1e4, 1e6] bits and its mean C log-uniform on [1e6, 1e8] cycles (SPEC.md allows log-uniform);
ln D and ln C then follow AR(1) (``workload_correlation``, ``workload_spread``) around those means,
clipped to the ranges. Channels: path loss 128.1 + 37.6 log10(d / km) dB with Rayleigh fading
redrawn every slot.

## Observation Space
Box(0, 10, (N (3 + M) + M,), float32): per device [D (Mbit), C (Gcycles), f_local (GHz), and for
each server -log10(gain) / 20], then the M prices; each clipped to [0, 10].

## Action Space
MultiDiscrete([M + 1] * N): 0 = local, j = server j.

## Rewards
Minus the mean device cost alpha L + beta E + gamma price C / 1e9 (s, J, price units).

## Pricing
``pricing="fixed"``: the config prices. ``pricing="stackelberg"``: the servers lead. After the
devices' assignment of slot t, each server sets its price for slot t+1 to its best response on
``price_grid`` to that assignment on slot t+1's tasks and channels, anticipating that a device
leaves for local computing when offloading becomes dearer than local (the servers move
simultaneously, each against the others' current prices). The devices (the agent) follow.

## Episode End
Truncation after ``episode_length`` slots.

## Optimum
``optimum()`` enumerates all (M + 1)^N assignments when there are at most 2^16 (N <= 8 with M = 3:
certified), otherwise ``"multistart"``: the base's multi-start coordinate descent (the best single
change of one device's choice, until none improves the mean cost; from all-local, from the best
response to all-local, and from seeded random kicks of the incumbent), a best-known assignment.
``method="cd"``: one descent from all-local or from ``start=`` (about a quarter of the cost).
``bound``: ``oracle.congestion_bound`` (each server's congestion priced per device, derived there).

## State (``env.unwrapped.state``; every field can be set through ``reset(options={"state": ...})``)
``positions`` (N, 2) m, ``fading`` (N, M) Rayleigh power, ``data_bits`` (N,) bits, ``cycles`` (N,),
``device_cpu`` (N,) Hz, ``prices`` (M,) per gigacycle, and the workload model of the digital twin,
``mean_log_data`` / ``mean_log_cycles`` (N,), the AR(1) means of ln D and ln C. Copying ``state``
into a second env's reset (and, for the same random draws, its ``np_random``) reproduces the
situation and rolls it forward identically.

## Info
``latency_ms`` (mean), ``energy_j`` (mean), ``fairness`` (Jain's index over device utilities, a
device's utility being its local cost over its actual cost), ``throughput_mbps`` (bits of tasks
finished within the slot per second), ``mean_cost``, ``server_load`` (M), ``server_utility`` (M:
revenue - lambda E - mu total latency), ``prices`` (M); per device: ``cost``, ``latency`` (s),
``energy`` (J), ``uplink_rate`` (bit/s, 0 when local), ``server_cpu`` (Hz of its server's CPU, 0
when local).
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from mec_gym.core.base import Evaluation, MECEnv
from mec_gym.core.channels import log_distance_gain, rayleigh_power
from mec_gym.envs.multiserver_iot.config import MultiServerIoTConfig
from mec_gym.envs.multiserver_iot.oracle import Physics, congestion_bound, best_response_prices, evaluate_assignments

OBSERVATION_HIGH = 10.0


class MultiServerIoTEnv(MECEnv):
    __doc__ = __doc__
    config_class = MultiServerIoTConfig

    def __init__(self, config: MultiServerIoTConfig | None = None, render_mode: str | None = None, **overrides):
        super().__init__(config, render_mode, **overrides)
        cfg = self.config
        self.physics = Physics(cfg.server_cpu, cfg.server_bandwidth, cfg.noise_power, cfg.transmit_power,
                               cfg.energy_coefficient, cfg.server_energy_coefficient, cfg.latency_weight,
                               cfg.energy_weight, cfg.price_weight, cfg.server_energy_cost, cfg.server_delay_cost,
                               cfg.slot_length)

    def _make_spaces(self):
        n, m = self.config.num_devices, self.config.num_servers
        observation = spaces.Box(0.0, OBSERVATION_HIGH, shape=(n * (3 + m) + m,), dtype=np.float32)
        return observation, spaces.MultiDiscrete([m + 1] * n)

    def _state_bounds(self):
        return {"data_bits": (1.0, 1e12), "cycles": (1.0, 1e15), "device_cpu": (1e3, 1e12),
                "positions": (0.0, self.config.area_size), "fading": (0.0, 1e6), "prices": (0.0, 1e6),
                "mean_log_data": (0.0, 30.0), "mean_log_cycles": (0.0, 40.0)}

    def _state_shapes(self):
        n, m = self.config.num_devices, self.config.num_servers
        return {"data_bits": (n,), "cycles": (n,), "device_cpu": (n,), "positions": (n, 2), "fading": (n, m),
                "prices": (m,), "mean_log_data": (n,), "mean_log_cycles": (n,)}

    # ----- dynamics ----------------------------------------------------------------------------
    def _ar1(self, current_log, mean_log, low, high):
        cfg = self.config
        rho, noise = cfg.workload_correlation, self.np_random.standard_normal(len(mean_log))
        new = mean_log + rho * (current_log - mean_log) + cfg.workload_spread * np.sqrt(1 - rho**2) * noise
        return np.clip(new, np.log(low), np.log(high))

    def _draw_state(self):
        cfg, rng, n, m = self.config, self.np_random, self.config.num_devices, self.config.num_servers
        mean_log_data = np.log(rng.uniform(*cfg.data_bits, size=n))
        mean_log_cycles = rng.uniform(np.log(cfg.cycles[0]), np.log(cfg.cycles[1]), size=n)
        return {
            "positions": rng.uniform(0.0, cfg.area_size, size=(n, 2)),
            "mean_log_data": mean_log_data, "mean_log_cycles": mean_log_cycles,
            "data_bits": np.exp(self._ar1(mean_log_data, mean_log_data, *cfg.data_bits)),
            "cycles": np.exp(self._ar1(mean_log_cycles, mean_log_cycles, *cfg.cycles)),
            "device_cpu": rng.uniform(*cfg.device_cpu_ghz, size=n) * 1e9,
            "fading": rayleigh_power(rng, (n, m)),
            "prices": np.array(cfg.prices, dtype=np.float64),
        }

    def task(self, state=None) -> dict[str, np.ndarray]:
        """The oracle's view of a state: tasks, device CPUs and channel gains (N, M)."""
        state = self._state if state is None else state
        distance = np.linalg.norm(state["positions"][:, None, :] - self.config.server_sites[None], axis=-1)
        gain = log_distance_gain(np.maximum(distance, self.config.min_distance)) * state["fading"]
        return {"data_bits": state["data_bits"], "cycles": state["cycles"], "device_cpu": state["device_cpu"],
                "gain": gain}

    def _evaluate(self, state, batch):
        result = evaluate_assignments(self.task(state), self.physics, batch, state["prices"])
        k = len(batch)
        info = {key: result[key] for key in ("latency_ms", "energy_j", "fairness", "throughput_mbps",
                                             "server_load", "server_utility", "uplink_rate", "server_cpu")}
        info["mean_cost"] = -result["reward"]
        info["prices"] = np.broadcast_to(state["prices"], (k, len(state["prices"]))).copy()
        info["cost"], info["latency"], info["energy"] = result["cost"], result["latency"], result["energy"]
        return Evaluation(rewards=result["reward"], info=info)

    def _reward_bound(self, state, incumbent=None):
        return congestion_bound(self.task(state), self.physics, state["prices"], incumbent)

    def _transition(self, state, action, info):
        cfg = self.config
        new = dict(state)
        new["data_bits"] = np.exp(self._ar1(np.log(state["data_bits"]), state["mean_log_data"], *cfg.data_bits))
        new["cycles"] = np.exp(self._ar1(np.log(state["cycles"]), state["mean_log_cycles"], *cfg.cycles))
        new["fading"] = rayleigh_power(self.np_random, state["fading"].shape)
        if cfg.pricing == "stackelberg":
            new["prices"] = best_response_prices(self.task(new), self.physics, np.asarray(action), state["prices"],
                                                 np.asarray(cfg.price_grid))
        return new

    def _observe(self, state):
        task = self.task(state)
        features = np.column_stack([state["data_bits"] / 1e6, state["cycles"] / 1e9, state["device_cpu"] / 1e9,
                                    -np.log10(np.maximum(task["gain"], 1e-300)) / 20.0])
        vector = np.concatenate([features.reshape(-1), state["prices"]])
        return np.clip(vector, 0.0, OBSERVATION_HIGH).astype(np.float32)
