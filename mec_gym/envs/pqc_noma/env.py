"""PQC-NOMA-v0: quantum-secure NOMA uplink with data and energy queues (LyDROO framework).

## Description
N devices with random task arrivals either compute locally (CPU frequency control) or offload over
a shared band with NOMA and successive interference cancellation, paying the constant circuit power
of a post-quantum-cryptography (PQC) module and its encapsulation overhead. A long-term average
energy budget per device is tracked by virtual energy queues; the per-frame reward is the Lyapunov
drift-plus-penalty (DPP) objective, maximised over powers and CPU frequencies for the agent's
binary offloading decision by the chosen oracle (``power_allocation``: greedy / sca / tdma).

## Observation Space
Box, float32, shape (3N,): [h x 1e10 (clipped to [0, 100]), Q in Mbit (clipped to [0, 1000]),
Y (clipped to [0, 1e4])]. The state keeps SI values (h, Q in bits, Y).

## Action Space
MultiBinary(N): 1 = offload (NOMA uplink), 0 = compute locally.

## Rewards
``reward="dpp"``: sum_i (Q_i + V w_i) r_i - sum_i y_i e_i (Q, r in Mbit; e in J; y = 10 Y), the
objective the oracle maximises. ``reward="rate"``: sum_i w_i r_i in Mbit.

## Starting State and Transitions
h_i: Rician fading (line-of-sight share 0.3) around the free-space gain at d_i. Q starts with one
arrival (chosen); Y starts at 0. Q(t+1) = Q(t) - r(t) + A(t), A ~ Exp(arrival_mean);
Y(t+1) = max(Y(t) + c (e(t) - e_bar), 0). ``reset(options={"state": {...}})`` sets h, Q (bits), Y.

## Episode End
Truncation after ``episode_length`` frames.

## Info
``rates`` (bits per frame), ``energy`` (J), ``power`` (W), ``cpu_freq`` (Hz), ``objective`` (DPP),
``weighted_rate_mbps`` (sum w r / T / 1e6), ``data_queue`` (bits) and ``energy_queue`` (Y) the
decision faced, ``offload_ratio`` (share of devices offloading).

## Arguments
See :class:`mec_gym.envs.pqc_noma.config.PQCNOMAConfig`.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from mec_gym.core import search
from mec_gym.core.base import Evaluation, MECEnv, Optimum
from mec_gym.core.channels import free_space_gain, rician_power
from mec_gym.core.queues import data_queue_update, virtual_queue_update
from mec_gym.envs.pqc_noma.config import PQCNOMAConfig
from mec_gym.envs.pqc_noma.oracle import (MBIT, Link, assemble, greedy_powers, noma_rates, rate_bound, separated_bound,
                                         tdma_allocation)

GAIN_SCALE = 1e10  # observation of h
OBSERVATION_HIGH = (100.0, 1000.0, 1e4)  # clip bounds of h x 1e10, Q (Mbit), Y


class PQCNOMAEnv(MECEnv):
    __doc__ = __doc__
    config_class = PQCNOMAConfig

    def __init__(self, config: PQCNOMAConfig | None = None, render_mode: str | None = None, **overrides):
        super().__init__(config, render_mode, **overrides)
        cfg = self.config
        self.link = Link.from_config(cfg)
        self.distances = np.linspace(*cfg.distance_range, cfg.num_devices)
        self.average_gain = free_space_gain(self.distances, cfg.carrier_frequency, cfg.path_loss_exponent, cfg.antenna_gain)
        self._sca = None

    def _make_spaces(self):
        n = self.config.num_devices
        high = np.repeat(np.array(OBSERVATION_HIGH, dtype=np.float32), n)
        return spaces.Box(np.zeros(3 * n, np.float32), high, dtype=np.float32), spaces.MultiBinary(n)

    def _state_bounds(self):
        return {"h": (0.0, 1.0), "Q": (0.0, 1e12), "Y": (0.0, 1e12)}

    def _draw_gains(self) -> np.ndarray:
        return self.average_gain * rician_power(self.np_random, self.config.num_devices, self.config.los_share)

    def _arrivals(self) -> np.ndarray:
        return self.np_random.exponential(self.config.arrival_mean, size=self.config.num_devices)

    def _draw_state(self):
        return {"h": self._draw_gains(), "Q": self._arrivals(), "Y": np.zeros(self.config.num_devices)}

    def _evaluate(self, state, batch):
        cfg, link = self.config, self.link
        offload = batch.astype(bool)
        queue_mbit = state["Q"] / MBIT
        coef = queue_mbit + cfg.V * cfg.weights
        y = cfg.energy_queue_weight * state["Y"]
        tau = None
        if cfg.power_allocation == "tdma":
            tau, power, offload_mbit = tdma_allocation(state["h"], coef, y, queue_mbit, offload, link)
        else:
            if cfg.power_allocation == "greedy":
                power = greedy_powers(state["h"], coef, y, queue_mbit, offload, link)
            else:
                power = self._sca_solver().powers(state["h"], coef, y, queue_mbit, offload)
            offload_mbit = noma_rates(state["h"], power, offload, link)
        result = assemble(state["h"], coef, y, queue_mbit, offload, power, offload_mbit, link, tau)
        weighted_mbit = (cfg.weights * result["rates"] / MBIT).sum(axis=1)
        k = len(batch)
        info = {
            **result,
            "weighted_rate_mbps": weighted_mbit / cfg.frame_length,
            "data_queue": np.broadcast_to(state["Q"], (k, cfg.num_devices)).copy(),
            "energy_queue": np.broadcast_to(state["Y"], (k, cfg.num_devices)).copy(),
            "offload_ratio": offload.mean(axis=1),
        }
        rewards = result["objective"] if cfg.reward == "dpp" else weighted_mbit
        return Evaluation(rewards=rewards, info=info)

    def _reward_bound(self, state):
        cfg = self.config
        queue_mbit = state["Q"] / MBIT
        if cfg.reward == "rate":
            return rate_bound(state["h"], cfg.weights, queue_mbit, self.link)
        coef = queue_mbit + cfg.V * cfg.weights
        return separated_bound(state["h"], coef, cfg.energy_queue_weight * state["Y"], queue_mbit, self.link)

    def optimum(self, method: str = "auto", start=None) -> Optimum:
        """Best decision with its proven bound (``oracle.separated_bound``, over every decision and
        every power allocation). ``"auto"`` / ``"enumeration"`` (N <= 16): every decision scored with
        the configured powers; the result is certified only where it reaches the bound (the env's
        powers are then optimal too), otherwise it is ``"greedy-enumeration"`` (best-known) for the
        default greedy powers. Above 2^16 decisions: the base's multi-start descent."""
        found = super().optimum(method, start)
        if found.method != "enumeration":
            return found
        bound = max(self._reward_bound(self._state), found.reward)
        name = "enumeration" if self.config.power_allocation != "greedy" else "greedy-enumeration"
        return Optimum(action=found.action, reward=found.reward, method=search.method_name(name), bound=bound)

    def _sca_solver(self):
        if self._sca is None:
            from mec_gym.envs.pqc_noma.sca import SCASolver  # needs the [solvers] extra (cvxpy)

            self._sca = SCASolver(self.link, self.config.sca_tolerance, self.config.sca_max_iterations)
        return self._sca

    def _transition(self, state, action, info):
        cfg = self.config
        return {
            "h": self._draw_gains(),
            "Q": data_queue_update(state["Q"], info["rates"], self._arrivals()),
            "Y": virtual_queue_update(state["Y"], cfg.energy_queue_scale * (info["energy"] - cfg.energy_threshold)),
        }

    def _observe(self, state):
        high = OBSERVATION_HIGH
        return np.concatenate([
            np.clip(state["h"] * GAIN_SCALE, 0.0, high[0]),
            np.clip(state["Q"] / MBIT, 0.0, high[1]),
            np.clip(state["Y"], 0.0, high[2]),
        ]).astype(np.float32)
