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
``reward="rate"`` (default): the weighted sum computation rate sum_i w_i r_i of the frame, bits/s
(about 2e6 at N = 10), maximised over (a, tau) for the given decision. ``reward="normalized"``:
that rate over the best decision's for the frame (exact, by enumeration of 2^N; N <= 16), so 1 is
the best any policy can do in every frame: the scale an RL learner wants, which only an exact
oracle can offer. Both times ``reward_scale`` (default 1). ``info["reward_terms"]`` holds the one
term (``weighted_rate`` or ``normalized_rate``), ``info["device_rewards"]`` (N,) each device's
w_i r_i (normalised alike). ``env.unwrapped.evaluate(batch)`` scores any batch of K decisions the
same way without advancing time; ``env.unwrapped.optimum()`` returns the best decision:
enumeration of 2^N for N <= 16 (certified), multi-start coordinate descent above (best-known),
with ``bound`` the Lagrangian bound of ``oracle.dual_bound`` (derived there; over the best rate
with ``reward="normalized"``).

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
The i.i.d. powers are drawn 64 frames at a time from ``np_random`` (``core.channels.RayleighFrames``:
the same numbers as frame by frame); the generator runs ahead of the frames until a reset rewinds it,
so draws taken from ``np_random`` mid-episode, or a copy of it, do not replay the frames (and a reset
undoes such draws): use a generator of your own.
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

from mec_gym import rendering
from mec_gym.core import search
from mec_gym.core.base import MECEnv
from mec_gym.core.channels import RayleighFrames, free_space_gain, gauss_markov_fading, rayleigh_powers
from mec_gym.core.scenario import DEVICE_REWARDS, REWARD_TERMS, Batch, Feature, Field, InfoKey, ObservationCodec, Scenario
from mec_gym.core.vector import MECVectorEnv
from mec_gym.envs.wpmec.config import WPMECConfig
from mec_gym.envs.wpmec.oracle import P2Constants, dual_bound, solve_p2_batch

OBSERVATION_SCALE = 1e6  # observation = h * 1e6 (the DROO papers' input scaling)
MAX_GAIN = 1.0  # largest channel power gain accepted in a state or a trace
BEST_RATE_CACHE = 1024  # frames whose best rate reward="normalized" keeps (a vector env holds B at once)


class WPMECScenario(Scenario):
    """WPMEC-v0's model as batched functions (see the env's docstring)."""

    info_schema = (
        InfoKey("a", "1", doc="wireless power transfer share of the frame"),
        InfoKey("tau", "1", per="device", doc="offloading time shares (0 for local devices)"),
        InfoKey("rates", "bit/s", True, reward_term=True, quantity="rate", per="device",
                doc="computation rates; the reward is their weighted sum"),
        InfoKey("mode", "1", per="device", doc="the decision (1 = offload)"),
        REWARD_TERMS, DEVICE_REWARDS,
    )

    def __init__(self, config: WPMECConfig):
        super().__init__(config)
        cfg = config
        self.constants = P2Constants.from_physics(
            cfg.ap_power, cfg.harvesting_efficiency, cfg.cycles_per_bit, cfg.energy_coefficient,
            cfg.noise_power, cfg.bandwidth, cfg.comm_overhead,
        )
        # the average gains of the config's distances (unless drawn per episode), computed once
        self._fixed_distances = None if isinstance(cfg.distances, str) and cfg.distances == "random" \
            else self._config_distances()
        self._fixed_gain = None
        self._best_rates: dict[bytes, float] = {}  # reward="normalized": gains as bytes -> best weighted rate
        if self._fixed_distances is not None:
            self._fixed_gain = self.average_gain(self._fixed_distances)

    def make_codec(self):
        n = self.config.num_devices
        return ObservationCodec([Feature("h", "h", "1 (power gain)", n, scale=OBSERVATION_SCALE,
                                         high=MAX_GAIN * OBSERVATION_SCALE)])

    def make_action_space(self):
        return spaces.MultiBinary(self.config.num_devices)

    def state_fields(self):
        n = self.config.num_devices
        fields = {"h": Field((n,), "1", 0.0, MAX_GAIN, doc="channel power gains of the frame"),
                  "distances": Field((n,), "m", 1e-3, np.inf, doc="AP-to-device distances")}
        if self.config.fading == "gauss-markov":
            fields["fading_phase"] = Field((n,), "rad", -np.pi, np.pi, doc="phase of the small-scale gain")
        return fields

    def fork_streams(self, rng, previous=()):
        """i.i.d. fading draws its frames in blocks (``RayleighFrames``; the previous episode's
        block is rewound first, so the reset draws where frame-by-frame draws would). Gauss-Markov
        fading draws its phases from a jumped copy of the env's generator, taken at reset before any
        draw (so that the main stream is the i.i.d. one)."""
        for stream in previous:
            if isinstance(stream, RayleighFrames):
                stream.rewind()
        if self.config.channel_trace is not None:
            return ()
        if self.config.fading == "gauss-markov":
            return (np.random.Generator(rng.bit_generator.jumped()),)
        return (RayleighFrames(self.config.num_devices),)

    def _config_distances(self) -> np.ndarray:
        cfg = self.config
        if isinstance(cfg.distances, np.ndarray):
            return cfg.distances.copy()
        return np.linspace(*cfg.distance_range, cfg.num_devices)

    def average_gain(self, distances):
        """Free-space average gains at the distances (m), (B, N) or (N,)."""
        if self._fixed_gain is not None and (distances == self._fixed_distances).all():
            return self._fixed_gain  # the path loss changes only with the distances
        cfg = self.config
        return free_space_gain(distances, cfg.carrier_frequency, cfg.path_loss_exponent, cfg.antenna_gain)

    def _channel(self, distances, power):
        return np.minimum(self.average_gain(distances) * power, MAX_GAIN)

    def generate(self, rngs, streams):
        cfg = self.config
        n = cfg.num_devices
        if self._fixed_distances is None:
            distances = np.array([rng.uniform(*cfg.distance_range, size=n) for rng in rngs])
        else:
            distances = np.broadcast_to(self._fixed_distances, (len(rngs), n)).copy()
        if cfg.channel_trace is not None:
            return {"h": np.broadcast_to(cfg.channel_trace[0], (len(rngs), n)).copy(), "distances": distances}
        state = {"h": self._channel(distances, rayleigh_powers(rngs, (self.config.num_devices,))), "distances": distances}
        if cfg.fading == "gauss-markov":  # the stationary start: Exp(1) power, uniform phase
            state["fading_phase"] = np.array([extra[0].uniform(-np.pi, np.pi, size=n) for extra in streams])
        return state

    def oracle(self, state, decisions):
        result = solve_p2_batch(state["h"], decisions, self.config.weights, self.constants)
        rewards, device, name = result["objective"], result["rates"] * self.config.weights, "weighted_rate"
        if self.config.reward == "normalized":
            best, name = np.array([self.best_rate(h) for h in state["h"]])[:, None], "normalized_rate"
            # all gains 0: no decision computes anything, so every decision is the best (1)
            rewards = np.where(best > 0, rewards / np.where(best > 0, best, 1.0), 1.0)
            device = np.where(best[..., None] > 0, device / np.where(best > 0, best, 1.0)[..., None],
                              1.0 / device.shape[-1])
        info = {"a": result["a"], "tau": result["tau"], "rates": result["rates"], "mode": decisions.astype(np.int8),
                "reward_terms": {name: rewards.copy()}, "device_rewards": device}
        return Batch(rewards=rewards, info=info)

    def best_rate(self, h: np.ndarray) -> float:
        """The best decision's weighted rate for one frame's gains ``h`` (N,), over all 2^N decisions,
        scored alone as step() scores it (so the optimum's normalised reward is exactly 1); cached."""
        key = h.tobytes()
        if key not in self._best_rates:
            def rates(batch):
                return solve_p2_batch(h[None], batch[None], self.config.weights, self.constants)["objective"][0]

            action, _ = search.exhaustive_search(rates, np.full(self.config.num_devices, 2))
            if len(self._best_rates) >= BEST_RATE_CACHE:
                self._best_rates.clear()
            self._best_rates[key] = float(rates(action[None])[0])
        return self._best_rates[key]

    def transition(self, state, actions, info, rngs, steps, streams):
        cfg = self.config
        distances = state["distances"]
        if cfg.channel_trace is not None:
            frames = np.minimum(steps + 1, len(cfg.channel_trace) - 1)
            return {"h": cfg.channel_trace[frames].copy(), "distances": distances}
        if cfg.fading == "iid":
            power = RayleighFrames.next_frames([stream[0] for stream in streams], rngs)
            return {"h": self._channel(distances, power), "distances": distances}
        power = state["h"] / self.average_gain(distances)
        steps_out = [gauss_markov_fading(rng, extra[0], power[i], state["fading_phase"][i], cfg.fading_correlation)
                     for i, (rng, extra) in enumerate(zip(rngs, streams))]
        power, phase = (np.array([out[j] for out in steps_out]) for j in (0, 1))
        return {"h": self._channel(distances, power), "distances": distances, "fading_phase": phase}

    def ends_episodes(self):
        return self.config.channel_trace is not None  # a trace ends with its last frame

    def episode_over(self, state, steps):
        trace = self.config.channel_trace
        return np.asarray(steps) >= len(trace) if trace is not None else np.zeros(len(steps), dtype=bool)

    def features(self, state):
        return {"h": state["h"]}


class WPMECEnv(MECEnv):
    __doc__ = __doc__
    config_class = WPMECConfig
    scenario_class = WPMECScenario
    oracle_rtol = 1e-10  # P2 is solved from below to ~1e-12 relative (oracle.py); margin kept

    @property
    def constants(self) -> P2Constants:
        return self.scenario.constants

    def _reward_bound(self, state, incumbent=None):
        bound = dual_bound(state["h"], self.config.weights, self.constants)
        if self.config.reward == "normalized":
            best = self.scenario.best_rate(state["h"])
            return bound / best if best > 0 else 1.0
        return bound


    def _scene(self, state, info):
        """Devices on a fan at their distances from the AP; the gains, then the WPT / offloading time
        shares and the rates of the last decision."""
        quantities = {"channel gain h x 1e6": state["h"] * OBSERVATION_SCALE}
        if info:
            quantities["time share (offloaders: tau_j; a = %.3f for WPT)" % info["a"]] = info["tau"]
            quantities["computation rate (Mbit/s)"] = info["rates"] / 1e6
        return rendering.Scene(rendering.fan(state["distances"]), [rendering.Site("AP", 0.0, 0.0)],
                               ("local", "offload to AP"), info.get("mode"), {1: 0}, quantities)

class WPMECVectorEnv(MECVectorEnv):
    """B WPMEC-v0 envs stepped together (``gym.make_vec("WPMEC-v0", num_envs=B)``)."""

    env_class = WPMECEnv
