"""WPMEC-v0: wireless-powered mobile edge computing with binary offloading (DROO / QAROO).

## Description
One access point (AP) charges N wireless devices by wireless power transfer for a share ``a`` of
each frame; each device then either computes locally with the harvested energy for the whole frame
or offloads its task to the AP during its own share ``tau_j`` of the frame. The agent chooses the
binary offloading decision; the reward oracle allocates (a, tau) optimally (problem P2, solved by
the dual method of Bi & Zhang 2018 to a relative precision far below 1e-9). Frames are independent
(block fading): the task is a contextual bandit over a long stream of frames.

## Observation Space
| shape | dtype   | meaning                                   | bounds    |
|-------|---------|-------------------------------------------|-----------|
| (N,)  | float32 | channel power gains h of the frame x 1e6  | [0, 1e6]  |

## Action Space
MultiBinary(N): 1 = offload to the AP, 0 = compute locally.

## Rewards
The weighted sum computation rate sum_i w_i r_i of the frame, bits/s (about 1e6 at N = 10),
maximised over (a, tau) for the given decision. ``env.unwrapped.evaluate(batch)`` scores any
batch of K decisions the same way without advancing time; ``env.unwrapped.optimum()`` returns
the best decision: enumeration of 2^N for N <= 16 (certified), multi-start coordinate descent
above (best-known), with ``bound`` the Lagrangian bound of ``oracle.dual_bound`` (derived there).

## Starting State and Transitions
Channel gains h_i = hbar_i g_i with the free-space path loss hbar_i at distance d_i and Rayleigh
fading power g_i ~ Exp(1); or rows of ``channel_trace`` replayed in order. ``fading="iid"``
(default, the DROO papers): g drawn afresh each frame. ``fading="gauss-markov"``: the complex
small-scale gain follows g_t = rho g_{t-1} + sqrt(1 - rho^2) e_t, e_t ~ CN(0, 1), rho =
``fading_correlation`` (Jakes: rho = J0(2 pi f_d T) for Doppler f_d, frame length T), so the power
stays Exp(1) with lag-1 autocorrelation rho^2; the state then carries the gain's phase
``fading_phase`` (rad) and the power is h / hbar. Its innovation powers are the draws of the i.i.d.
mode and its phases come from a separate stream (a jumped copy of ``np_random`` taken at reset), so
rho = 0 reproduces the i.i.d. channel stream bit for bit.
``reset(options={"state": {"h": ...}})`` sets the first frame's gains (range [0, 1]); with
gauss-markov fading ``fading_phase`` (range [-pi, pi]) may be set too.

## Episode End
Truncation after ``episode_length`` frames or at the end of ``channel_trace``; never terminates.

## Info
``a`` (WPT time share), ``tau`` (N, offloading time shares, 0 for local devices), ``rates``
(N, bits/s), ``mode`` (N, the decision as int8).

## Arguments
See :class:`mec_gym.envs.wpmec.config.WPMECConfig`.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from mec_gym.core.base import Evaluation, MECEnv
from mec_gym.core.channels import free_space_gain, gauss_markov_fading, rayleigh_power
from mec_gym.envs.wpmec.config import WPMECConfig
from mec_gym.envs.wpmec.oracle import P2Constants, dual_bound, solve_p2

OBSERVATION_SCALE = 1e6  # observation = h * 1e6 (the DROO papers' input scaling)
MAX_GAIN = 1.0  # largest channel power gain accepted in a state or a trace


class WPMECEnv(MECEnv):
    __doc__ = __doc__
    config_class = WPMECConfig
    oracle_rtol = 1e-10  # P2 is solved from below to ~1e-12 relative (oracle.py); margin kept

    def __init__(self, config: WPMECConfig | None = None, render_mode: str | None = None, **overrides):
        super().__init__(config, render_mode, **overrides)
        self._gain_cache: tuple = (None, None)  # (distances array, its average gains)
        self._phase_rng: np.random.Generator | None = None  # gauss-markov phases, drawn at reset
        cfg = self.config
        self.constants = P2Constants.from_physics(
            cfg.ap_power, cfg.harvesting_efficiency, cfg.cycles_per_bit, cfg.energy_coefficient,
            cfg.noise_power, cfg.bandwidth, cfg.comm_overhead,
        )

    def _make_spaces(self):
        n = self.config.num_devices
        observation = spaces.Box(0.0, MAX_GAIN * OBSERVATION_SCALE, shape=(n,), dtype=np.float32)
        return observation, spaces.MultiBinary(n)

    def _state_bounds(self):
        bounds = {"h": (0.0, MAX_GAIN), "distances": (1e-3, np.inf)}
        if self.config.fading == "gauss-markov":
            bounds["fading_phase"] = (-np.pi, np.pi)
        return bounds

    def _draw_distances(self) -> np.ndarray:
        cfg = self.config
        if isinstance(cfg.distances, np.ndarray):
            return cfg.distances.copy()
        if cfg.distances == "random":
            return self.np_random.uniform(*cfg.distance_range, size=cfg.num_devices)
        return np.linspace(*cfg.distance_range, cfg.num_devices)

    def _average_gains(self, distances: np.ndarray) -> np.ndarray:
        cfg = self.config
        if self._gain_cache[0] is not distances:  # the path loss changes only with the distances
            average = free_space_gain(distances, cfg.carrier_frequency, cfg.path_loss_exponent, cfg.antenna_gain)
            self._gain_cache = (distances, average)
        return self._gain_cache[1]

    def _draw_state(self):
        cfg = self.config
        if cfg.fading == "gauss-markov":  # before any draw, so that the main stream is the i.i.d. one
            self._phase_rng = np.random.Generator(self.np_random.bit_generator.jumped())
        distances = self._draw_distances()
        if cfg.channel_trace is not None:
            return {"h": cfg.channel_trace[0].copy(), "distances": distances}
        state = {"h": self._channel(distances, rayleigh_power(self.np_random, cfg.num_devices)),
                 "distances": distances}
        if cfg.fading == "gauss-markov":  # the stationary start: Exp(1) power, uniform phase
            state["fading_phase"] = self._phase_rng.uniform(-np.pi, np.pi, size=cfg.num_devices)
        return state

    def _channel(self, distances: np.ndarray, power: np.ndarray) -> np.ndarray:
        return np.minimum(self._average_gains(distances) * power, MAX_GAIN)

    def _evaluate(self, state, batch):
        result = solve_p2(state["h"], batch, self.config.weights, self.constants)
        info = {"a": result["a"], "tau": result["tau"], "rates": result["rates"], "mode": batch.astype(np.int8)}
        return Evaluation(rewards=result["objective"], info=info)

    def _reward_bound(self, state):
        return dual_bound(state["h"], self.config.weights, self.constants)

    def _transition(self, state, action, info):
        cfg = self.config
        distances = state["distances"]
        if cfg.channel_trace is not None:
            frame = min(self._steps + 1, len(cfg.channel_trace) - 1)
            return {"h": cfg.channel_trace[frame].copy(), "distances": distances}
        if cfg.fading == "iid":
            return {"h": self._channel(distances, rayleigh_power(self.np_random, cfg.num_devices)),
                    "distances": distances}
        power, phase = gauss_markov_fading(self.np_random, self._phase_rng, state["h"] / self._average_gains(distances),
                                           state["fading_phase"], cfg.fading_correlation)
        return {"h": self._channel(distances, power), "distances": distances, "fading_phase": phase}

    def _episode_over(self) -> bool:
        trace = self.config.channel_trace
        return trace is not None and self._steps >= len(trace)

    def _observe(self, state):
        return (state["h"] * OBSERVATION_SCALE).astype(np.float32)
