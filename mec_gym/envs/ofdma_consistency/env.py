"""OFDMA-Consistency-v0: binary offloading with bandwidth, power and CPU to one server (CPDRL).

## Description
N user terminal devices (UTDs) in a square around one edge server (OFDMA uplink, no interference).
Each episode draws one static instance (positions and tasks); for T steps the agent proposes a
complete decision: for every UTD an offloading bit, a bandwidth share, a transmit power and a local
CPU frequency. The reward is the paper's eq. (17). Raw decisions are scored as decoded, without
repair, so an agent that ignores the consistency of eq. (11) (offload => b, p > 0, f = 0; local =>
b = p = 0, f > 0) loses the consistency bonus.

## Observation Space
Box(0, 100, (6N,), float32), per UTD (row-major, UTD by UTD): delay of the last decision (s),
its energy (J) (both from the all-local decision at f_max after reset), task size (Mbit), cycles
per bit / 1000, f_max (GHz), distance / area side. Each feature is clipped to [0, 100].

## Action Space
Box(-1, 1, (4N,)), UTD by UTD: [offload score, bandwidth, power, CPU]. Decoding: offload =
score > 0; with u = (x + 1) / 2 in [0, 1]: p = u P_max, f = u f_max,n and, by
``bandwidth_decoding``, b = u B (``"absolute"``, default, the paper: a share of the whole band, so
sum b can exceed B and eq. (17) penalises the excess) or b_n = B u_n / max(1, sum_m u_m)
(``"shares"``, a documented deviation: every decision is within the band by construction; the sum
runs over every UTD, not only the offloaders as SPEC.md writes it, so that a local UTD's
inconsistent bandwidth request, which the band-excess term counts, cannot push the sum past B; a
consistent decision, whose local UTDs ask for nothing, decodes exactly as SPEC.md's formula).
Exactly -1 decodes to exactly 0 either way.

## Rewards (eq. 17, the form taken)
-sum_n (lambda1 T_n + lambda2 E_n) - max(0, sum_n T_n - tau) - max(0, sum_n b_n / B - 1)
+ (number of consistent UTDs), times ``reward_scale``. The bandwidth excess is taken relative to B
(the paper's sum b - B in Hz would swamp every other term). ``info["reward_terms"]``:
``delay_energy`` (-objective), ``deadline`` (-deadline excess), ``bandwidth`` (-bandwidth excess),
``consistency`` (the count). Delays of raw decisions use resources floored at
``min_resource_share`` of their maximum so that they stay finite.

## Oracle
``evaluate(actions)`` scores raw actions; ``evaluate_offloading(a)`` scores offloading vectors
(K, N) with their optimal resources (closed forms, see ``oracle.py``); ``optimum()`` is TEM:
all 2^N offloading vectors (N <= 16, else multi-start coordinate descent), returned as an encoded
action; ``optimum().bound`` bounds every raw decision's reward (``oracle.reward_bound``).
With ``deadlines="hard"`` the oracle keeps every T_n <= tau (``optimal_resources_hard``) and
``info["feasible"]`` says whether a vector (or a raw decision) meets every constraint; TEM then
picks among feasible vectors (``optimum().info["feasible"]`` is False when none is). The hard
oracle bisects on a bandwidth price (and on a deadline-bound power inside), so TEM takes ~0.1 s at
N = 5 and ~0.5 s at N = 10 against ~0.3 ms soft.

## Episode End
Truncation after ``episode_length`` (default 200) decisions; never terminates.

## Info
``objective``, ``served_objective`` (the objective with the offloaders' bandwidth requests scaled
down in proportion to fit B, as a server would grant them; equal to ``objective`` when they fit),
``latency`` (N, s: T_n), ``energy`` (N, J), ``consistent`` (N), ``consistency_count``,
``deadline_excess`` (s), ``bandwidth_excess`` (share of B), ``deadline_misses``, ``best_objective``
(lowest objective so far in the episode among decisions within the band, sum b <= B, this decision
included; it starts at the all-local decision at f_max that the first observation reports), ``mode`` (N,
the decoded offloading bits as int8).
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from mec_gym import rendering
from mec_gym.core import search
from mec_gym.core.base import Evaluation, MECEnv, Optimum
from mec_gym.core.scenario import REWARD_TERMS, Batch, Feature, Field, InfoKey, ObservationCodec, Scenario, squeeze_single
from mec_gym.core.validation import validate_action, validate_batch
from mec_gym.core.vector import MECVectorEnv
from mec_gym.envs.ofdma_consistency.config import OFDMAConfig
from mec_gym.envs.ofdma_consistency.oracle import Physics, optimal_resources, optimal_resources_hard, reward_bound, score

BITS_PER_KB = 8192
OBSERVATION_HIGH = 100.0
TASK_FIELDS = ("data_bits", "cycles_per_bit", "local_cpu", "distance")
DEVICE_FEATURES = ("last_delay", "last_energy", "data", "cycles", "local_cpu", "distance")  # per-device table


class OFDMAConsistencyScenario(Scenario):
    """OFDMA-Consistency-v0's model as batched functions (see the env's docstring). The oracle takes
    a state with any leading axes: (N,) fields for one env or (B, N) for a batch."""

    info_schema = (
        InfoKey("mode", "1", per="device", doc="the decoded offloading bits (1 = offload)"),
        InfoKey("objective", "1", False, reward_term=True, quantity="objective", doc="sum lambda1 T + lambda2 E"),
        InfoKey("served_objective", "1", False, quantity="objective",
                doc="the objective with over-asking bandwidth requests scaled to fit B"),
        InfoKey("latency", "s", False, quantity="delay", per="device", doc="T_n, the completion time of each task"),
        InfoKey("energy", "J", False, quantity="energy", per="device"),
        InfoKey("consistent", "1", True, per="device", doc="resources consistent with the offloading bit"),
        InfoKey("consistency_count", "1", True, reward_term=True),
        InfoKey("deadline_excess", "s", False, reward_term=True),
        InfoKey("bandwidth_excess", "1", False, reward_term=True, doc="share of B beyond the band"),
        InfoKey("deadline_misses", "1", False, headline=True),
        InfoKey("best_objective", "1", False, quantity="objective",
                doc="lowest objective so far in the episode among decisions within the band"),
        InfoKey("feasible", "1", True, doc="deadlines='hard' only: meets every constraint"),
        REWARD_TERMS,
    )

    def __init__(self, config: OFDMAConfig):
        super().__init__(config)
        cfg = config
        self.physics = Physics(cfg.server_cpu, cfg.bandwidth, cfg.noise_power, cfg.path_loss_exponent,
                               cfg.max_power, cfg.energy_coefficient, cfg.deadline, cfg.delay_weight,
                               cfg.energy_weight)

    def make_codec(self):
        """Per device (an (N, 6) table, row by row): last delay (s), last energy (J), D / Mbit,
        c / 1e3 cycles per bit, f_max / GHz, distance / the area's side; clipped to [0, 100]."""
        n, top = self.config.num_devices, OBSERVATION_HIGH
        return ObservationCodec([
            Feature("last_delay", "last_delay", "s", n, high=top),
            Feature("last_energy", "last_energy", "J", n, high=top),
            Feature("data", "data_bits", "bit", n, divisor=1e6, high=top),
            Feature("cycles", "cycles_per_bit", "cycles/bit", n, divisor=1e3, high=top),
            Feature("local_cpu", "local_cpu", "Hz", n, divisor=1e9, high=top),
            Feature("distance", "distance", "m", n, divisor=self.config.area_size, high=top),
        ], interleave=DEVICE_FEATURES, clip_nan=True)

    def make_action_space(self):
        return spaces.Box(-1.0, 1.0, shape=(4 * self.config.num_devices,), dtype=np.float32)

    def state_fields(self):
        n, cfg = self.config.num_devices, self.config
        return {"data_bits": Field((n,), "bit", 1.0, 1e12), "cycles_per_bit": Field((n,), "cycles/bit", 1e-3, 1e6),
                "local_cpu": Field((n,), "Hz", 1e3, 1e12),
                "distance": Field((n,), "m", cfg.min_distance, 10.0 * cfg.area_size),
                "last_delay": Field((n,), "s", settable=False), "last_energy": Field((n,), "J", settable=False),
                "best_objective": Field((), "1", settable=False)}

    def _draw_state(self, rng):
        cfg, n = self.config, self.config.num_devices
        position = rng.uniform(0.0, cfg.area_size, size=(n, 2))
        distance = np.maximum(np.hypot(*(position - cfg.area_size / 2.0).T), cfg.min_distance)
        return {
            "data_bits": rng.uniform(*cfg.data_size_kb, size=n) * BITS_PER_KB,
            "cycles_per_bit": rng.uniform(*cfg.cycles_per_bit, size=n),
            "local_cpu": rng.uniform(*cfg.local_cpu_ghz, size=n) * 1e9,
            "distance": distance,
            "last_delay": np.zeros(n), "last_energy": np.zeros(n), "best_objective": np.array(np.inf),
        }

    def generate(self, rngs, streams):
        return self.stack([self._draw_state(rng) for rng in rngs])

    def after_reset(self, state):
        """The first observation reports the all-local decision at f_max (of the state as set)."""
        shape = state["local_cpu"].shape[:-1] + (1, self.config.num_devices)
        all_local = score(state, self.physics, np.zeros(shape, bool), np.zeros(shape), np.zeros(shape),
                          state["local_cpu"][..., None, :])
        state["last_delay"], state["last_energy"] = all_local["latency"][..., 0, :], all_local["energy"][..., 0, :]
        state["best_objective"] = all_local["objective"][..., 0]  # a decision within the band
        return state

    def decode(self, actions: np.ndarray, state) -> tuple[np.ndarray, ...]:
        """(..., K, 4N) actions in [-1, 1] -> offload (..., K, N) bool, bandwidth (Hz), power (W), CPU (Hz)."""
        fields = actions.reshape(*actions.shape[:-1], self.config.num_devices, 4)
        share = (fields + 1.0) / 2.0
        bandwidth = share[..., 1] * self.config.bandwidth
        if self.config.bandwidth_decoding == "shares":  # shares of B: sum b <= B whatever the action
            bandwidth = bandwidth / np.maximum(share[..., 1].sum(axis=-1, keepdims=True), 1.0)
        return (fields[..., 0] > 0.0, bandwidth,
                share[..., 2] * self.config.max_power, share[..., 3] * state["local_cpu"][..., None, :])

    def with_best(self, result, state) -> tuple[np.ndarray, dict]:
        """(rewards, info) of scored decisions, with the episode's best objective updated."""
        within_band = result["bandwidth_excess"] == 0.0  # decisions using more than B do not count
        previous = state["best_objective"][..., None]
        best = np.where(within_band, np.minimum(previous, result["objective"]), previous)
        info = {key: result[key] for key in ("objective", "served_objective", "latency", "energy", "consistent",
                                             "consistency_count", "deadline_excess", "bandwidth_excess",
                                             "deadline_misses")}
        info["best_objective"] = best
        info["reward_terms"] = {"delay_energy": -result["objective"], "deadline": -result["deadline_excess"],
                                "bandwidth": -result["bandwidth_excess"],
                                "consistency": result["consistency_count"].astype(np.float64)}
        return result["reward"], info

    @squeeze_single
    def oracle(self, state, decisions):
        offload, bandwidth, power, cpu = self.decode(decisions, state)
        rewards, info = self.with_best(score(state, self.physics, offload, bandwidth, power, cpu,
                                             floor=self.config.min_resource_share), state)
        info["mode"] = offload.astype(np.int8)  # the decoded offloading bits
        if self.config.deadlines == "hard":  # a raw decision is feasible when it meets every C
            info["feasible"] = (info["deadline_misses"] == 0) & (info["bandwidth_excess"] == 0)
        return Batch(rewards=rewards, info=info)

    def transition(self, state, actions, info, rngs, steps, streams):
        new = dict(state)
        new["last_delay"], new["last_energy"] = info["latency"].copy(), info["energy"].copy()  # info is the caller's
        new["best_objective"] = np.array(info["best_objective"])
        return new

    def features(self, state):
        return {"last_delay": state["last_delay"], "last_energy": state["last_energy"], "data": state["data_bits"],
                "cycles": state["cycles_per_bit"], "local_cpu": state["local_cpu"], "distance": state["distance"]}


class OFDMAConsistencyEnv(MECEnv):
    __doc__ = __doc__
    config_class = OFDMAConfig
    scenario_class = OFDMAConsistencyScenario

    @property
    def physics(self) -> Physics:
        return self.scenario.physics

    def decode(self, actions: np.ndarray) -> tuple[np.ndarray, ...]:
        """(K, 4N) actions in [-1, 1] -> offload (K, N) bool, bandwidth (Hz), power (W), CPU (Hz)."""
        return self.scenario.decode(actions, self._state)

    def encode(self, offload, bandwidth, power, cpu) -> np.ndarray:
        """The inverse of :meth:`decode` for one decision (N,) each: a float32 action (4N,). Exact for
        both bandwidth decodings when sum b <= B (then the shares' sum is at most 1 and nothing is
        rescaled, up to the float32 rounding of the action)."""
        fields = np.stack([np.where(offload, 1.0, -1.0), bandwidth / self.config.bandwidth,
                           power / self.config.max_power, cpu / self._state["local_cpu"]], axis=-1)
        fields[..., 1:] = 2.0 * fields[..., 1:] - 1.0
        return np.clip(fields, -1.0, 1.0).reshape(-1).astype(np.float32)

    def _with_best(self, result):
        rewards, info = self.scenario.with_best(result, self._state)
        return Evaluation(rewards=rewards, info=info)

    def _resources(self, offloading: np.ndarray) -> dict[str, np.ndarray]:
        """The oracle of the configured deadline mode."""
        if self.config.deadlines == "hard":
            return optimal_resources_hard(self._state, self.physics, offloading)
        return optimal_resources(self._state, self.physics, offloading)

    def evaluate_offloading(self, offloading) -> Evaluation:
        """Score K offloading vectors (K, N) in {0, 1} with their optimal resources."""
        self._require_reset()
        batch = validate_batch(spaces.MultiBinary(self.config.num_devices), offloading, "offloading")
        result = self._resources(batch)
        evaluation = self._with_best(result)
        evaluation.info.update({key: result[key] for key in ("bandwidth", "power", "cpu", "feasible") if key in result})
        return self._scaled(evaluation)

    def optimum(self, method: str = "auto", start=None) -> Optimum:
        """TEM: the offloading vector of least objective over all 2^N (``"enumeration"``, auto for
        N <= 16), else by the multi-start descent of ``search`` (``"multistart"``, auto above) or one
        coordinate descent from ``start`` (``"cd"``), with its optimal resources, as an action.
        TEM is exact for the soft-deadline objective over offloading vectors; ``bound`` bounds the
        reward of every raw decision (``oracle.reward_bound``), the float32 action and the deadline
        and band penalties included."""
        self._require_reset()
        nvec = np.full(self.config.num_devices, 2)
        if method == "auto":
            method = "enumeration" if self.config.num_devices <= 16 else "multistart"

        def rank(batch):
            """Higher is better. Soft: -objective. Hard: 1 + 1 / (1 + objective) for feasible vectors,
            1 / (1 + objective) for the rest, so any feasible vector ranks first and, when none is,
            the least objective wins (one pass over the vectors either way)."""
            result = self._resources(batch)
            if "feasible" not in result:
                return -result["objective"]
            return result["feasible"] + 1.0 / (1.0 + result["objective"])

        if start is not None:
            start = validate_action(spaces.MultiBinary(self.config.num_devices), start, "start")[0]
        if method == "enumeration":
            offloading, _ = search.exhaustive_search(rank, nvec)
            name = search.method_name("tem")
        elif method == "multistart":
            offloading, _ = search.multistart_descent(rank, nvec, start=start)
            name = search.method_name("cd-multistart", search.MULTISTART_STARTS)
        elif method == "cd":
            offloading, _ = search.coordinate_descent(rank, nvec, start)
            name = search.method_name("cd")
        else:
            raise ValueError(f"method must be one of ['auto', 'enumeration', 'multistart', 'cd']; got {method!r}")
        best = self._resources(offloading[None])
        action = self.encode(offloading.astype(bool), best["bandwidth"][0], best["power"][0], best["cpu"][0])
        reward = float(self._score(self._state, action[None].astype(np.float64)).rewards[0])
        info = {"offloading": offloading, "objective": float(best["objective"][0])}
        if "feasible" in best:  # hard deadlines: False when no offloading vector meets them all
            info["feasible"] = bool(best["feasible"][0])
        bound = self.config.reward_scale * reward_bound(self._state, self.physics, self.config.min_resource_share)
        return Optimum(action=action, reward=reward, method=name, bound=bound, info=info)


    def _scene(self, state, info):
        """UTDs on a fan at their distances from the server; task sizes, then the last decision's
        delays against the deadline, energies and consistency (eq. 11)."""
        quantities = {"task (Mbit)": state["data_bits"] / 1e6}
        if info:
            quantities[f"delay T_n (s); sum must stay <= tau = {self.config.deadline:g} s"] = info["latency"]
            quantities["energy E_n (J)"] = info["energy"]
            quantities["consistent (1) or not (0)"] = info["consistent"].astype(float)
        return rendering.Scene(rendering.fan(state["distance"]), [rendering.Site("edge server", 0.0, 0.0, "s")],
                               ("local", "offload"), info.get("mode"), {1: 0}, quantities)


class OFDMAConsistencyVectorEnv(MECVectorEnv):
    """B OFDMA-Consistency-v0 envs stepped together (``gym.make_vec("OFDMA-Consistency-v0", num_envs=B)``)."""

    env_class = OFDMAConsistencyEnv
