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
decision faced, ``offload_ratio`` (share of devices offloading), ``mode`` (N, the decision as int8).

## Arguments
See :class:`mec_gym.envs.pqc_noma.config.PQCNOMAConfig`.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from mec_gym import rendering
from mec_gym.core import search
from mec_gym.core.base import MECEnv, Optimum
from mec_gym.core.channels import free_space_gain, rician_from_normals
from mec_gym.core.queues import data_queue_update, virtual_queue_update
from mec_gym.core.scenario import Batch, Feature, Field, InfoKey, ObservationCodec, Scenario
from mec_gym.core.vector import MECVectorEnv
from mec_gym.envs.pqc_noma.config import PQCNOMAConfig
from mec_gym.envs.pqc_noma.oracle import (MBIT, Link, assemble, greedy_powers, noma_rates, rate_bound, sum_rate_bound,
                                         tdma_allocation)

GAIN_SCALE = 1e10  # observation of h
SCA_TOP = 8  # decisions whose powers optimum(method="sca-top") refines
OBSERVATION_HIGH = (100.0, 1000.0, 1e4)  # clip bounds of h x 1e10, Q (Mbit), Y


class PQCNOMAScenario(Scenario):
    """PQC-NOMA-v0's model as batched functions (see the env's docstring)."""

    info_schema = (
        InfoKey("mode", "1", per="device", doc="the decision (1 = offload)"),
        InfoKey("objective", "1", True, reward_term=True, quantity="objective",
                doc="drift-plus-penalty objective (the reward with reward='dpp')"),
        InfoKey("rates", "bit/frame", True, quantity=None, per="device", doc="bits served in the frame"),
        InfoKey("energy", "J", False, reward_term=True, quantity="energy", per="device", doc="energy of the frame"),
        InfoKey("power", "W", per="device", doc="transmit powers (0 for local devices)"),
        InfoKey("cpu_freq", "Hz", per="device", doc="local CPU frequencies (0 for offloaders)"),
        InfoKey("weighted_rate_mbps", "Mbit/s", True, reward_term=True, headline=True,
                doc="sum_i w_i r_i / T (the reward with reward='rate', in Mbit per frame)"),
        InfoKey("data_queue", "bit", False, per="device", doc="data queues Q the decision faced"),
        InfoKey("energy_queue", "1", False, per="device", doc="virtual energy queues Y the decision faced"),
        InfoKey("offload_ratio", "1", doc="share of devices offloading"),
    )

    def __init__(self, config: PQCNOMAConfig):
        super().__init__(config)
        cfg = config
        self.link = Link.from_config(cfg)
        self.distances = np.linspace(*cfg.distance_range, cfg.num_devices)
        self.average_gain = free_space_gain(self.distances, cfg.carrier_frequency, cfg.path_loss_exponent, cfg.antenna_gain)
        self._sca = None

    def make_codec(self):
        n, high = self.config.num_devices, OBSERVATION_HIGH
        return ObservationCodec([
            Feature("h", "h", "1 (power gain)", n, scale=GAIN_SCALE, high=high[0]),
            Feature("Q", "Q", "bit", n, divisor=MBIT, high=high[1]),
            Feature("Y", "Y", "1", n, scale=1.0, high=high[2]),
        ])

    def make_action_space(self):
        return spaces.MultiBinary(self.config.num_devices)

    def state_fields(self):
        n = self.config.num_devices
        return {"h": Field((n,), "1", 0.0, 1.0, doc="channel power gains"),
                "Q": Field((n,), "bit", 0.0, 1e12, doc="data queues"),
                "Y": Field((n,), "1", 0.0, 1e12, doc="virtual energy queues")}

    def _gains_and_arrivals(self, rngs):
        """Per env: the Rician gains of the frame, then its arrivals (bits), from its own generator."""
        cfg, n = self.config, self.config.num_devices
        normals, arrivals = np.empty((len(rngs), 2, n)), np.empty((len(rngs), n))
        for i, rng in enumerate(rngs):  # rician_power's two normal draws (one call), then the arrivals
            rng.standard_normal(out=normals[i])
            arrivals[i] = rng.exponential(cfg.arrival_mean, size=n)
        return self.average_gain * rician_from_normals(normals[:, 0], normals[:, 1], cfg.los_share), arrivals

    def generate(self, rngs, streams):
        h, arrivals = self._gains_and_arrivals(rngs)
        return {"h": h, "Q": arrivals, "Y": np.zeros((len(rngs), self.config.num_devices))}

    def coefficients(self, state):
        """The oracle's per-device coefficients (B, N): queue (Mbit), Q + V w, and y = 10 Y."""
        cfg = self.config
        queue_mbit = state["Q"] / MBIT
        return queue_mbit, queue_mbit + cfg.V * cfg.weights, cfg.energy_queue_weight * state["Y"]

    def oracle(self, state, decisions):
        cfg, link = self.config, self.link
        offload = decisions.astype(bool)  # (B, K, N)
        h = state["h"]
        queue_mbit, coef, y = self.coefficients(state)
        tau = None
        if cfg.power_allocation == "greedy":
            power = greedy_powers(h, coef, y, queue_mbit, offload, link)
            offload_mbit = noma_rates(h, power, offload, link)
        else:  # per state: the TDMA dual search and SCA solve one state at a time
            if cfg.power_allocation == "tdma":
                parts = [tdma_allocation(h[b], coef[b], y[b], queue_mbit[b], offload[b], link) for b in range(len(h))]
                tau, power, offload_mbit = (np.array([part[j] for part in parts]) for j in range(3))
            else:
                power = np.array([self.sca_solver().powers(h[b], coef[b], y[b], queue_mbit[b], offload[b])
                                  for b in range(len(h))])
                offload_mbit = noma_rates(h, power, offload, link)
        expand = lambda x: x[:, None, :]  # noqa: E731  per-state vectors against (B, K, N)
        result = assemble(expand(h), expand(coef), expand(y), expand(queue_mbit), offload, power, offload_mbit, link, tau)
        weighted_mbit = (cfg.weights * result["rates"] / MBIT).sum(axis=-1)
        info = {
            **result,
            "weighted_rate_mbps": weighted_mbit / cfg.frame_length,
            "data_queue": np.broadcast_to(expand(state["Q"]), offload.shape).copy(),
            "energy_queue": np.broadcast_to(expand(state["Y"]), offload.shape).copy(),
            "offload_ratio": offload.mean(axis=-1),
            "mode": offload.astype(np.int8),
        }
        rewards = result["objective"] if cfg.reward == "dpp" else weighted_mbit
        return Batch(rewards=rewards, info=info)

    def sca_solver(self):
        if self._sca is None:
            from mec_gym.envs.pqc_noma.sca import SCASolver  # needs the [solvers] extra (cvxpy)

            self._sca = SCASolver(self.link, self.config.sca_tolerance, self.config.sca_max_iterations)
        return self._sca

    def transition(self, state, actions, info, rngs, steps, streams):
        cfg = self.config
        h, arrivals = self._gains_and_arrivals(rngs)
        return {
            "h": h,
            "Q": data_queue_update(state["Q"], info["rates"], arrivals),
            "Y": virtual_queue_update(state["Y"], cfg.energy_queue_scale * (info["energy"] - cfg.energy_threshold)),
        }

    def features(self, state):
        return {"h": state["h"], "Q": state["Q"], "Y": state["Y"]}


class PQCNOMAEnv(MECEnv):
    __doc__ = __doc__
    config_class = PQCNOMAConfig
    scenario_class = PQCNOMAScenario

    @property
    def link(self) -> Link:
        return self.scenario.link

    @property
    def distances(self) -> np.ndarray:
        return self.scenario.distances

    @property
    def average_gain(self) -> np.ndarray:
        return self.scenario.average_gain

    def _reward_bound(self, state, incumbent=None):
        cfg = self.config
        queue_mbit = state["Q"] / MBIT
        if cfg.reward == "rate":
            return rate_bound(state["h"], cfg.weights, queue_mbit, self.link)
        coef = queue_mbit + cfg.V * cfg.weights
        return sum_rate_bound(state["h"], coef, cfg.energy_queue_weight * state["Y"], queue_mbit, self.link)

    def optimum(self, method: str = "auto", start=None, top: int = SCA_TOP) -> Optimum:
        """Best decision with its proven bound (``oracle.sum_rate_bound``, over every decision and
        every power allocation). Certified where the reward reaches the bound (then no decision with
        any powers does better). Methods:

        - ``"auto"`` / ``"enumeration"`` (N <= 16): every decision scored with the configured powers
          (``"greedy-enumeration"`` by default; one batched oracle call per 4,096 decisions);
        - ``"sca-top"`` (opt-in, needs cvxpy): greedy-enumeration, then the ``top`` best decisions'
          powers refined by the multi-start SCA of ``sca.py`` (about ``top`` x 3 SCA runs, 10^2-10^4
          times the enumeration's time); ``reward`` is the DPP objective with those powers, which
          are in ``info["power"]`` (``step`` scores the action with the configured powers instead);
        - above 2^16 decisions: the base's multi-start descent (``"multistart"`` / ``"cd"``).
        """
        if method == "sca-top":
            return self._sca_top(top)
        found = super().optimum(method, start)
        if found.method != "enumeration":
            return found
        name = search.method_name(f"{self.config.power_allocation}-enumeration")
        return Optimum(action=found.action, reward=found.reward, method=name, bound=self._reward_bound(self._state))

    def _sca_top(self, top: int) -> Optimum:
        self._require_reset()
        cfg, state = self.config, self._state
        if cfg.reward != "dpp":
            raise ValueError(f"method='sca-top' refines the DPP objective; reward is {cfg.reward!r}")
        nvec = search.discrete_sizes(self.action_space)
        decisions = np.concatenate(list(search.iter_decisions(nvec)))
        if len(decisions) > search.MAX_ENUMERATION:
            raise ValueError(f"method='sca-top' enumerates the decisions: at most {search.MAX_ENUMERATION}")
        queue_mbit = state["Q"] / MBIT
        coef = queue_mbit + cfg.V * cfg.weights
        y = cfg.energy_queue_weight * state["Y"]
        offload = decisions.astype(bool)
        greedy = greedy_powers(state["h"], coef, y, queue_mbit, offload, self.link)
        values = assemble(state["h"], coef, y, queue_mbit, offload, greedy, noma_rates(state["h"], greedy, offload, self.link),
                          self.link)["objective"]
        chosen = offload[np.argsort(-values, kind="stable")[:top]]
        refined = self._sca_solver().powers(state["h"], coef, y, queue_mbit, chosen)
        refined_values = assemble(state["h"], coef, y, queue_mbit, chosen, refined,
                                  noma_rates(state["h"], refined, chosen, self.link), self.link)["objective"]
        best = int(np.argmax(refined_values))
        if refined_values[best] < values.max():  # SCA keeps the best of its starts, greedy included
            best_power, reward, action = greedy[int(np.argmax(values))], float(values.max()), offload[int(np.argmax(values))]
        else:
            best_power, reward, action = refined[best], float(refined_values[best]), chosen[best]
        return Optimum(action=action.astype(self.action_space.dtype), reward=reward,
                       method=search.method_name("sca-top", top), bound=self._reward_bound(state),
                       info={"power": best_power})


    def _scene(self, state, info):
        """Devices on a fan at their distances from the AP; gain, data queue and energy queue."""
        quantities = {"channel gain h x 1e10": state["h"] * GAIN_SCALE, "data queue Q (Mbit)": state["Q"] / MBIT,
                      "energy queue Y": state["Y"]}
        if info:
            quantities["rate this frame (Mbit)"] = info["rates"] / MBIT
        return rendering.Scene(rendering.fan(self.distances), [rendering.Site("AP (NOMA, SIC)", 0.0, 0.0)],
                               ("local", "offload (NOMA)"), info.get("mode"), {1: 0}, quantities)

class PQCNOMAVectorEnv(MECVectorEnv):
    """B PQC-NOMA-v0 envs stepped together (``gym.make_vec("PQC-NOMA-v0", num_envs=B)``)."""

    env_class = PQCNOMAEnv
