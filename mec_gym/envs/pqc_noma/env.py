"""PQC-NOMA-v0: quantum-secure NOMA uplink with data and energy queues (LyDROO framework).

## Description
N devices with random task arrivals either compute locally (CPU frequency control) or offload over
a shared band with NOMA and successive interference cancellation, paying the constant circuit power
of a post-quantum-cryptography (PQC) module and its encapsulation overhead. A long-term average
energy budget per device is tracked by virtual energy queues. For the agent's binary offloading
decision the chosen oracle (``power_allocation``: greedy / sca / tdma) sets powers and CPU
frequencies by Lyapunov's per-slot drift-plus-penalty (DPP) problem; the default reward is the
realised one-slot DPP (see Rewards).

## Observation Space
Box, float32, shape (3N,): [h x 1e10 (clipped to [0, 100]), Q in Mbit (clipped to [0, 1000]),
Y (clipped to [0, 1e4])]. The state keeps SI values (h, Q in bits, Y).

## Action Space
MultiBinary(N): 1 = offload (NOMA uplink), 0 = compute locally.

## Rewards
The oracle allocates powers and CPU frequencies for the agent's binary decision by maximising the
per-slot drift-plus-penalty *surrogate* (LyDROO's subproblem)
S = sum_i (Q_i + V w_i) r_i - sum_i y_i e_i (Q, r in Mbit; e in J; y = ``energy_queue_weight`` Y).
The reward then scores what results, by ``reward``:

- ``"drift_plus_penalty"`` (default): the realised one-slot drift-plus-penalty
  L(t-1) - L(t) + V sum_i w_i r_i(t), with the quadratic Lyapunov function
  L(t) = 1/2 sum_i [Qhat_i(t)^2 + beta Y_i(t+1)^2] of the queues after slot t: Qhat = Q - r is the
  backlog the slot's service leaves (Mbit; the slot's arrivals, drawn at its end, join it), Y(t+1)
  the energy queue after its update, beta = ``energy_queue_weight`` / ``energy_queue_scale`` (so
  that the drift's term linear in e is the surrogate's -y e: beta c Y = y). L(-1) = 0 (empty queues
  before the first slot; the state keeps Qhat(t-1) as ``backlog``). It telescopes: an episode's
  return is V times its total weighted rate (Mbit) minus L at its end, so a policy that lets the
  queues grow pays for all of it. In r the reward is Qhat r-ish: d/dr = (Q - r) + V w, the
  surrogate's Q + V w less the bits just served; it is exact, where Lyapunov analysis maximises a
  bound. ``reward_terms``: ``utility`` (V sum w r), ``data_queue_drift``, ``energy_queue_drift``.
- ``"surrogate"``: S itself (``reward_terms``: ``queue_weighted_rate`` sum (Q + V w) r and
  ``energy`` -sum y e): the right objective for a per-slot optimiser and a wrong RL return, since
  it pays more when queues are longer (SPEC.md: always-local collects 4,414 per slot with 5,775
  Mbit queued after 600 slots, the per-slot optimum 1,032 with 195 Mbit).
- ``"rate"``: sum_i w_i r_i in Mbit (``reward_terms``: ``weighted_rate``).

``info["surrogate"]`` is S in every mode; ``optimum()`` maximises S in every mode (the per-slot
Lyapunov policy) and reports its decision's reward in the configured mode. ``info["device_rewards"]``
(N,) splits the reward by device (every mode's terms are sums over devices). All times
``reward_scale`` (default 1).

## Starting State and Transitions
h_i: Rician fading (line-of-sight share 0.3) around the free-space gain at d_i. Q starts with one
arrival (chosen); Y and ``backlog`` (bits: Qhat of the previous slot) start at 0.
Q(t+1) = Q(t) - r(t) + A(t), A ~ Exp(arrival_mean); Y(t+1) = max(Y(t) + c (e(t) - e_bar), 0).
``reset(options={"state": {...}})`` sets h, Q (bits), Y, backlog (bits).

## Episode End
Truncation after ``episode_length`` frames.

## Info
``served_bits`` (bits served in the frame), ``energy`` (J), ``power`` (W), ``cpu_freq`` (Hz), ``surrogate`` (S),
``reward_terms``, ``device_rewards``,
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
from mec_gym.core.draws import draw_per_env
from mec_gym.core.queues import queue_left, virtual_queue_update
from mec_gym.core.scenario import DEVICE_REWARDS, REWARD_TERMS, Batch, Feature, Field, InfoKey, ObservationCodec, Scenario
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
        InfoKey("surrogate", "1", True, quantity="objective",
                doc="the per-slot drift-plus-penalty surrogate S (the reward with reward='surrogate')"),
        REWARD_TERMS, DEVICE_REWARDS,
        InfoKey("served_bits", "bit", True, per="device", doc="bits served in the frame (computed locally or offloaded)"),
        InfoKey("energy", "J", False, quantity="energy", per="device", headline=True, doc="energy of the frame"),
        InfoKey("power", "W", per="device", doc="transmit powers (0 for local devices)"),
        InfoKey("cpu_freq", "Hz", per="device", doc="local CPU frequencies (0 for offloaders)"),
        InfoKey("weighted_rate_mbps", "Mbit/s", True, headline=True,
                doc="sum_i w_i r_i / T (the reward with reward='rate' is sum_i w_i r_i, Mbit per frame)"),
        InfoKey("data_queue", "bit", False, per="device", headline=True, doc="data queues Q the decision faced"),
        InfoKey("energy_queue", "1", False, per="device", doc="virtual energy queues Y the decision faced"),
        InfoKey("offload_ratio", "1", doc="share of devices offloading"),
    )

    headline_key = "weighted_rate_mbps"

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
                "Y": Field((n,), "1", 0.0, 1e12, doc="virtual energy queues"),
                "backlog": Field((n,), "bit", 0.0, 1e12, doc="bits the previous slot's service left (Qhat)")}

    def _gains_and_arrivals(self, rngs):
        """Per env: the Rician gains of the frame, then its arrivals (bits), from its own generator."""
        cfg, n = self.config, self.config.num_devices
        # rician_power's two normal draws, then the arrivals (NumPy's exponential(mean) is mean x a
        # standard exponential draw: the same bits)
        normals, arrivals = draw_per_env(rngs, (("standard_normal", 2 * n), ("standard_exponential", n)))
        normals = normals.reshape(len(rngs), 2, n)
        return self.average_gain * rician_from_normals(normals[:, 0], normals[:, 1], cfg.los_share), cfg.arrival_mean * arrivals

    def generate(self, rngs, streams):
        h, arrivals = self._gains_and_arrivals(rngs)
        empty = np.zeros((len(rngs), self.config.num_devices))
        return {"h": h, "Q": arrivals, "Y": empty, "backlog": empty.copy()}

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
        # per-state vectors (B, 1, N) against (B, K, N)
        queue_mbit, coef, y, backlog, energy_queue, data_queue = (
            x[:, None, :] for x in (queue_mbit, coef, y, state["backlog"], state["Y"], state["Q"]))
        result = assemble(h[:, None, :], coef, y, queue_mbit, offload, power, offload_mbit, link, tau)
        surrogate = result.pop("objective")
        device_rate = cfg.weights * result["served_bits"] / MBIT  # (B, K, N) weighted Mbit
        weighted_mbit = device_rate.sum(axis=-1)
        if cfg.reward == "rate":
            device_terms = {"weighted_rate": device_rate}
        elif cfg.reward == "surrogate":
            device_terms = {"queue_weighted_rate": coef * (result["served_bits"] / MBIT), "energy": -y * result["energy"]}
        else:
            device_terms = self.drift_plus_penalty_terms(queue_mbit, backlog, energy_queue, result, device_rate)
        terms = {name: value.sum(axis=-1) for name, value in device_terms.items()}
        k, n = offload.shape[1:]
        info = {
            **result,
            "surrogate": surrogate,
            "weighted_rate_mbps": weighted_mbit / cfg.frame_length,
            "data_queue": data_queue.repeat(k, axis=1),
            "energy_queue": energy_queue.repeat(k, axis=1),
            "offload_ratio": offload.sum(axis=-1, dtype=np.float64) / n,  # the mean, as NumPy computes it
            "mode": offload.astype(np.int8),
            "reward_terms": terms,
            "device_rewards": sum(device_terms.values()),
        }
        # the surrogate and the rate exactly as their info fields (their terms sum to them to rounding)
        rewards = {"surrogate": surrogate, "rate": weighted_mbit}.get(cfg.reward)
        return Batch(rewards=sum(terms.values()) if rewards is None else rewards, info=info)

    def drift_plus_penalty_terms(self, queue_mbit, backlog, energy_before, result, device_rate):
        """Per-device terms (B, K, N) of the realised drift-plus-penalty (see the env's Rewards),
        from the per-state queue (Mbit), backlog (bits) and energy queue Y, (B, 1, N) each."""
        cfg = self.config
        after = np.maximum(queue_mbit - result["served_bits"] / MBIT, 0.0)  # the backlog this slot leaves, Mbit
        energy_after = virtual_queue_update(energy_before, cfg.energy_queue_scale * (result["energy"] - cfg.energy_threshold))
        beta = cfg.energy_queue_weight / cfg.energy_queue_scale
        return {"utility": cfg.V * device_rate,
                "data_queue_drift": 0.5 * ((backlog / MBIT) ** 2 - after**2),
                "energy_queue_drift": 0.5 * beta * (energy_before**2 - energy_after**2)}

    def sca_solver(self):
        if self._sca is None:
            from mec_gym.envs.pqc_noma.sca import SCASolver  # needs the [solvers] extra (cvxpy)

            self._sca = SCASolver(self.link, self.config.sca_tolerance, self.config.sca_max_iterations)
        return self._sca

    def transition(self, state, actions, info, rngs, steps, streams):
        cfg = self.config
        h, arrivals = self._gains_and_arrivals(rngs)
        backlog = queue_left(state["Q"], info["served_bits"])
        return {
            "h": h,
            "backlog": backlog,
            "Q": backlog + arrivals,  # data_queue_update, from the backlog computed once
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
        """The mode's bound: the rate's, S's (``sum_rate_bound``), or the realised DPP's.

        The realised DPP is a sum over devices of phi_i(r_i) + psi_i(e_i) with phi(r) = 1/2 (backlog^2 -
        (Q - r)^2) + V w r (r <= Q) and psi(e) = beta / 2 (Y^2 - max(Y + c (e - e_bar), 0)^2), both concave.
        Each lies below its tangent at any (r0, e0): phi(r) + psi(e) <= phi(r0) + psi(e0) + a (r - r0) - b (e - e0),
        a = Q - r0 + V w, b = beta c max(Y + c (e0 - e_bar), 0) >= 0 (the Lyapunov linearisation), and
        sum_i a_i r_i - b_i e_i over every decision and power allocation is bounded by ``sum_rate_bound``
        with coefficients a and energy prices b. The tangent is taken at the ``incumbent`` decision's own
        (r, e), where phi + psi are its ``device_rewards``; the less of that and the per-term bound (V x the
        rate's plus the largest drifts; alone without an incumbent) is returned."""
        cfg = self.config
        queue_mbit = state["Q"] / MBIT
        rate = rate_bound(state["h"], cfg.weights, queue_mbit, self.link)
        if cfg.reward == "rate":
            return rate
        if cfg.reward == "drift_plus_penalty":
            beta, scale = cfg.energy_queue_weight / cfg.energy_queue_scale, cfg.energy_queue_scale
            lowest_y = np.maximum(state["Y"] - scale * cfg.energy_threshold, 0.0)
            per_term = float(cfg.V * rate + 0.5 * ((state["backlog"] / MBIT) ** 2).sum()
                             + 0.5 * beta * (state["Y"] ** 2 - lowest_y**2).sum())
            if incumbent is None:
                return per_term
            info = self._evaluate(state, np.asarray(incumbent)[None]).info
            served, energy = np.minimum(info["served_bits"][0] / MBIT, queue_mbit), info["energy"][0]
            energy_after = virtual_queue_update(state["Y"], scale * (energy - cfg.energy_threshold))
            slope, price = queue_mbit - served + cfg.V * cfg.weights, beta * scale * energy_after
            offset = float((info["device_rewards"][0] - slope * served + price * energy).sum())
            return min(per_term, offset + sum_rate_bound(state["h"], slope, price, queue_mbit, self.link))
        coef = queue_mbit + cfg.V * cfg.weights
        return sum_rate_bound(state["h"], coef, cfg.energy_queue_weight * state["Y"], queue_mbit, self.link)

    def _search_values(self, batch):
        """optimum() maximises the per-slot surrogate S in every reward mode (the Lyapunov policy)."""
        return self._evaluate(self._state, batch).info["surrogate"]

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
        return Optimum(action=found.action, reward=found.reward, method=name,
                       bound=self._scaled_bound(self._state, found.action))

    def _sca_top(self, top: int) -> Optimum:
        self._require_reset()
        cfg, state = self.config, self._state
        if cfg.reward != "surrogate":
            raise ValueError(f"method='sca-top' refines the DPP surrogate: needs reward='surrogate'; got {cfg.reward!r}")
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
        return Optimum(action=action.astype(self.action_space.dtype), reward=cfg.reward_scale * reward,
                       method=search.method_name("sca-top", top), bound=self._scaled_bound(state),
                       info={"power": best_power})


    def _scene(self, state, info):
        """Devices on a fan at their distances from the AP; gain, data queue and energy queue."""
        quantities = {"channel gain h x 1e10": state["h"] * GAIN_SCALE, "data queue Q (Mbit)": state["Q"] / MBIT,
                      "energy queue Y": state["Y"]}
        if info:
            quantities["served this frame (Mbit)"] = info["served_bits"] / MBIT
        return rendering.Scene(rendering.fan(self.distances), [rendering.Site("AP (NOMA, SIC)", 0.0, 0.0)],
                               ("local", "offload (NOMA)"), info.get("mode"), {1: 0}, quantities)

class PQCNOMAVectorEnv(MECVectorEnv):
    """B PQC-NOMA-v0 envs stepped together (``gym.make_vec("PQC-NOMA-v0", num_envs=B)``)."""

    env_class = PQCNOMAEnv
