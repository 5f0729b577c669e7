"""MEQC-GaussMarkov-v0: hybrid mobile edge-quantum computing with mobility (seed 001).

## Description
N mobile devices (Gauss-Markov mobility in a square around one access point) each get a task per
slot and choose a fraction to offload and a target for it: the cloud's classical CPU or its QPU
(the task's quantum form: a protein-folding circuit with error correction by concatenation). Local
and remote parts run in parallel. A long-term constraint asks every device to offload on average at
least ``alpha_bar`` of its tasks; virtual queues Z track it, and the default reward is Lyapunov's
drift-plus-penalty.

## Observation Space
Box(0, 10, (11 N + 1,), float32), per device: x / side, y / side, D / 5 Mbit, c / 1500,
T_max / 2 s, n_a / 10, -log10(gain) / 20, f_local / GHz, F / 10 GHz, qubit lease / 500, Z / 10;
then the slot's physical error rate x 1e3 / 2. Each clipped to [0, 10].

## Action Space
Dict(fraction=Box(0, 1, (N,)), target=MultiBinary(N)); target 1 = QPU. alpha = 0 is local,
alpha = 1 with CPU cloud-classical, alpha = 1 with QPU cloud-QPU. ``mec_gym.wrappers`` flattens it
to Box(-1, 1, (2N,)) (``FlattenHybridAction``) or MultiDiscrete (``DiscretizeHybridAction``).

## Rewards
With cost_i = w_T T_i + w_E E_i (+ penalties, see ``oracle.py``) and the virtual queues
Z_i(t+1) = max(Z_i + alpha_bar - alpha_i, 0), by ``reward``:

- ``"drift_plus_penalty"`` (default): the realised one-slot drift-plus-penalty
  L(t) - L(t+1) - V sum_i cost_i, L(t) = 1/2 sum_i Z_i(t)^2 (Z(t+1) is known once the decision
  is: the reward is exact). It telescopes: an episode's return is -V times its total cost minus
  L at its end (Z(0) = 0), so a policy that lets the queues grow (never offloading) pays for it.
  ``reward_terms``: ``latency``, ``energy``, ``deadline`` (the deadline penalty) and ``infeasible``
  (rejected QPU requests), each times -V, and ``queue_drift`` (L(t) - L(t+1)).
- ``"surrogate"``: the per-slot DPP surrogate -(V sum_i cost_i + sum_i Z_i (alpha_bar - alpha_i))
  that ``optimal_fraction`` and ``optimum()`` minimise in both DPP modes (Lyapunov's linear bound
  on the drift); ``reward_terms``: ``latency``, ``energy``, ``deadline``, ``infeasible`` (times -V) and ``queue``
  (-sum Z (alpha_bar - alpha)).
- ``"cost"``: -sum_i cost_i; ``reward_terms``: ``latency``, ``energy``, ``deadline``, ``infeasible``.

``info["surrogate"]`` is the surrogate in every mode, ``info["device_rewards"]`` (N,) each device's
share of the reward (devices do not interact: each term is a sum over devices). All times
``reward_scale``.

Deadlines (``deadline_mode``): ``"hard"`` (default, the paper's constraint 12b): a miss that some
fraction and target could have avoided costs P_i = (worst objective of a deadline-meeting decision
- best objective of any decision) / V' + ``deadline_penalty`` (V' = V in the DPP modes, 1 for cost), so it
always scores below every deadline-meeting decision; a miss no decision could avoid costs nothing
extra and is reported. ``"penalty"``: ``deadline_penalty`` per miss (the first release). QPU partial
offloading (``qpu_partial``): ``"whole"`` (default: any fraction > 0 runs the whole circuit) or
``"scaled"`` (the circuit's time and energy scale with the fraction). A QPU request
that cannot run is rejected: the task runs locally and costs ``infeasible_penalty`` on top, and
alpha_i counts as 0 in the reward and the queue update (no queue credit for a rejected request).

## Episode End
Truncation after ``episode_length`` slots.

## Info
``latency`` (N, s), ``device_energy``, ``server_energy`` (N, J), ``cost`` (N), ``total_cost``,
``mode_counts`` ([local, CPU, QPU] as run: a rejected QPU request counts as local),
``deadline_misses``, ``avoidable_misses`` (misses some decision of the device could have
avoided), ``deadline_penalty`` (N, the penalty in ``cost``), ``infeasible_qpu`` (rejected QPU requests), ``virtual_queue`` (N, the Z the
decision faced), ``fraction`` (N, requested), ``offloaded`` (N, the fraction that ran: 0 for a
rejected QPU request), ``device_objective`` (N, each device's term of what ``optimum()`` minimises:
the surrogate's V cost_i + Z_i (alpha_bar - alpha_i), or cost_i with ``reward="cost"``),
``surrogate``, ``reward_terms``, ``device_rewards``, ``mode`` (N, as run:
0 local, 1 cloud CPU, 2 cloud QPU), ``deadline_slack`` (N, s, T_max - latency; negative: missed).

## Oracle extras
``optimal_fraction(targets, return_objective=False)``: per device, the fraction minimising its term
of ``device_objective`` for the given targets (exact: the cost is piecewise linear in the fraction; rounded
to float32 toward the deadline-meeting side; in hard mode a meeting fraction whenever the target
has one). ``optimum()``: per device the better of both targets with their optimal fractions
(devices do not interact; in hard mode a deadline is missed only where no decision meets it).
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from mec_gym import rendering
from mec_gym.core import search
from mec_gym.core.base import MECEnv, Optimum
from mec_gym.core.channels import dbm_to_watt, log_distance_gain
from mec_gym.core.draws import draw_per_env
from mec_gym.core.mobility import GaussMarkov
from mec_gym.core.queues import virtual_queue_update
from mec_gym.core.scenario import (DEVICE_REWARDS, REWARD_TERMS, Batch, Feature, Field, InfoKey, ObservationCodec, Scenario,
                                   env_slice, scale_rewards, squeeze_single)
from mec_gym.core.validation import validate_action
from mec_gym.core.vector import MECVectorEnv
from mec_gym.envs.meqc import oracle, quantum
from mec_gym.envs.meqc.config import AMINO_ACIDS, MEQCConfig

COUNT_FIELDS = ("amino_acids", "leased_qubits")  # state fields holding counts: integer-valued floats

OBSERVATION_HIGH = 10.0
DEVICE_FEATURES = ("x", "y", "data", "cycles", "deadline", "amino_acids", "path_loss", "local_cpu", "leased_cpu",
                   "leased_qubits", "Z")  # the per-device observation table, in column order


class MEQCScenario(Scenario):
    """MEQC-GaussMarkov-v0's model as batched functions (see the env's docstring). Every function
    takes a state with any leading axes: (N,) fields for one env or (B, N) for a batch."""

    info_schema = (
        InfoKey("latency", "s", False, quantity="delay", per="device", doc="completion time of each task"),
        InfoKey("device_energy", "J", False, quantity="energy", per="device"),
        InfoKey("server_energy", "J", False, quantity="energy", per="device"),
        InfoKey("cost", "1", False, reward_term=True, quantity="cost", per="device",
                doc="w_T T + w_E E + penalties"),
        InfoKey("total_cost", "1", False, reward_term=True, quantity="cost", headline=True),
        InfoKey("mode_counts", "1", per="mode", doc="[local, CPU, QPU] as run"),
        InfoKey("deadline_misses", "1", False, headline=True),
        InfoKey("avoidable_misses", "1", False, headline=True, doc="misses some decision could have avoided"),
        InfoKey("deadline_penalty", "1", False, reward_term=True, per="device", doc="the penalty in cost"),
        InfoKey("infeasible_qpu", "1", False, doc="rejected QPU requests"),
        InfoKey("device_objective", "1", False, quantity="objective", per="device",
                doc="each device's term of what optimum() minimises (the surrogate's, or the cost)"),
        InfoKey("surrogate", "1", True, doc="the per-slot DPP surrogate (the reward with reward='surrogate')"),
        REWARD_TERMS, DEVICE_REWARDS,
        InfoKey("virtual_queue", "1", per="device", doc="the Z the decision faced"),
        InfoKey("fraction", "1", per="device", doc="requested offloading fractions"),
        InfoKey("deadline_slack", "s", True, per="device", doc="T_max - latency (negative: missed)"),
        InfoKey("offloaded", "1", per="device", headline=True, doc="fractions that ran (0 for a rejected QPU request)"),
        InfoKey("mode", "1", per="device", doc="the decision as run: 0 local, 1 cloud CPU, 2 cloud QPU"),
    )

    headline_key = "total_cost"

    def __init__(self, config: MEQCConfig):
        super().__init__(config)
        cfg = config
        self.mobility = GaussMarkov(cfg.area_size, cfg.mobility_alpha, cfg.mean_speed, cfg.speed_std,
                                    cfg.direction_std, cfg.edge_fraction, cfg.slot_length)
        self.qpu = quantum.QPUModel(cfg.threshold_error, cfg.shots, cfg.two_qubit_time, cfg.measurement_time,
                                    cfg.gate_energy, cfg.cooling_power, cfg.code_size, cfg.max_concatenation,
                                    cfg.success_threshold)
        self.weights = oracle.Weights(cfg.latency_weight, cfg.energy_weight, cfg.deadline_penalty, cfg.infeasible_penalty)
        self.noise = dbm_to_watt(cfg.noise_density_dbm) * cfg.subband  # W per subband
        # n_q of every instance size a state may hold (index: n_a), looked up instead of summed per slot
        # (``evaluate(state=...)`` does not range-check: a size beyond the table is computed)
        self.qubits = quantum.logical_qubits(np.arange(AMINO_ACIDS[1] + 1))

    def make_codec(self):
        """Per device (an (N, 11) table, row by row): x and y / side, D / the largest D, c / the largest c,
        T_max / the largest deadline, n_a / the most amino acids, -log10(gain) / 20, f_local / GHz,
        F / 10 GHz, qubit lease / the largest lease, Z / 10; then the slot's physical error rate / the
        largest (x 1e3 / (1e3 x largest)). Scales from the config's ranges; each entry clipped to [0, 10]."""
        cfg, n, top = self.config, self.config.num_devices, OBSERVATION_HIGH
        features = [
            Feature("x", "positions[..., 0]", "m", n, divisor=cfg.area_size, high=top),
            Feature("y", "positions[..., 1]", "m", n, divisor=cfg.area_size, high=top),
            Feature("data", "data_bits", "bit", n, divisor=cfg.data_mbit[1] * 1e6, high=top),
            Feature("cycles", "cycles_per_bit", "cycles/bit", n, divisor=float(cfg.cycles_per_bit[1]), high=top),
            Feature("deadline", "deadline", "s", n, divisor=float(cfg.deadline[1]), high=top),
            Feature("amino_acids", "amino_acids", "1", n, divisor=float(cfg.amino_acids[1]), high=top),
            Feature("path_loss", "gain", "1 (power gain)", n, divisor=20.0, high=top, transform="neglog10"),
            Feature("local_cpu", "local_cpu", "Hz", n, divisor=1e9, high=top),
            Feature("leased_cpu", "leased_cpu", "Hz", n, divisor=1e10, high=top),
            Feature("leased_qubits", "leased_qubits", "1", n, divisor=float(cfg.leased_qubits[1]), high=top),
            Feature("Z", "Z", "1", n, divisor=10.0, high=top),
            Feature("physical_error", "physical_error", "1", 1, scale=1e3, divisor=cfg.physical_error[1] * 1e3, high=top),
        ]
        return ObservationCodec(features, interleave=DEVICE_FEATURES, clip_nan=True)

    def make_action_space(self):
        n = self.config.num_devices
        return spaces.Dict({"fraction": spaces.Box(0.0, 1.0, shape=(n,), dtype=np.float32),
                            "target": spaces.MultiBinary(n)})

    def state_fields(self):
        """Every state field is settable through ``reset(options={"state": ...})``."""
        n, big = self.config.num_devices, 1e12
        low_high = {"positions": (0.0, self.config.area_size), "speed": (-big, big), "direction": (-big, big),
                    "mean_direction": (-big, big), "transmit_power": (1e-9, big), "local_cpu": (1.0, big),
                    "leased_cpu": (1.0, big), "leased_qubits": (0, 10**9), "data_bits": (1.0, big),
                    "cycles_per_bit": (1e-3, 1e6), "deadline": (1e-6, 1e6), "amino_acids": AMINO_ACIDS,
                    "physical_error": (0.0, 1.0), "fading": (0.0, 1e6), "Z": (0.0, 1e9)}
        units = {"positions": "m", "speed": "m/s", "direction": "rad", "mean_direction": "rad", "transmit_power": "W",
                 "local_cpu": "Hz", "leased_cpu": "Hz", "leased_qubits": "1", "data_bits": "bit",
                 "cycles_per_bit": "cycles/bit", "deadline": "s", "amino_acids": "1", "physical_error": "1",
                 "fading": "1", "Z": "1"}
        shapes = {"positions": (n, 2), "physical_error": (1,)}
        return {name: Field(shapes.get(name, (n,)), units[name], *bounds) for name, bounds in low_high.items()}

    # ----- dynamics ----------------------------------------------------------------------------
    def _draw_tasks(self, rngs, mobility_noise: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """New tasks (B, ...) for the envs of ``rngs``, env i's drawn from ``rngs[i]`` in this order:
        (``mobility_noise`` (B, 2, N), if given, filled first with the mobility's two normal draws),
        then D, c and T_max (three uniform draws of N, taken as one call of 3 N: numpy's uniform is
        low + (high - low) x the same doubles), the amino acids, the slot's error rate, the fading."""
        cfg, n, batch = self.config, self.config.num_devices, len(rngs)
        mobility = () if mobility_noise is None else (("standard_normal", 2 * n),)
        drawn = draw_per_env(rngs, mobility + (("random", 3 * n), ("integers", n, cfg.amino_acids[0], cfg.amino_acids[1] + 1),
                                               ("random", 1), ("standard_exponential", n)))  # rayleigh_power's draws
        if mobility_noise is not None:
            mobility_noise[:] = drawn.pop(0).reshape(batch, 2, n)
        unit, amino_acids, error, fading = drawn
        unit = unit.reshape(batch, 3, n)
        amino_acids, error, fading = (np.ascontiguousarray(values) for values in (amino_acids, error, fading))

        def uniform(bounds, unit_draws):
            low, high = float(bounds[0]), float(bounds[1])
            return low + (high - low) * unit_draws

        return {"data_bits": uniform(cfg.data_mbit, unit[:, 0]) * 1e6, "cycles_per_bit": uniform(cfg.cycles_per_bit, unit[:, 1]),
                "deadline": uniform(cfg.deadline, unit[:, 2]), "amino_acids": amino_acids,
                "physical_error": uniform(cfg.physical_error, error), "fading": fading}

    def _draw_state(self, rng):
        cfg, n = self.config, self.config.num_devices
        return {
            "positions": rng.uniform(0.0, cfg.area_size, size=(n, 2)),
            "speed": np.full(n, cfg.mean_speed), "direction": rng.uniform(0, 2 * np.pi, n),
            "mean_direction": rng.uniform(0, 2 * np.pi, n),
            "transmit_power": rng.uniform(*cfg.transmit_power, size=n),
            "local_cpu": rng.choice(np.asarray(cfg.local_cpu_levels), size=n),
            "leased_cpu": rng.uniform(*cfg.leased_cpu, size=n),
            "leased_qubits": rng.integers(cfg.leased_qubits[0], cfg.leased_qubits[1] + 1, size=n).astype(np.float64),
            "Z": np.zeros(n),
            **env_slice(self._draw_tasks([rng]), 0),
        }

    def generate(self, rngs, streams):
        return self.stack([self._draw_state(rng) for rng in rngs])

    def gain(self, state) -> np.ndarray:
        """Channel power gains (..., N): path loss to the access point times the fading."""
        cfg = self.config
        offset = state["positions"] - cfg.area_size / 2.0
        # the Euclidean norm as np.linalg.norm computes it (same bits, without its dispatch)
        distance = np.maximum(np.sqrt(np.add.reduce(offset * offset, axis=-1)), cfg.min_distance)
        return log_distance_gain(distance, cfg.pathloss_intercept_db, cfg.pathloss_slope_db) * state["fading"]

    def task(self, state) -> dict[str, np.ndarray]:
        """The oracle's view of a state (SI units), including the QPU's time, energy and feasibility."""
        cfg = self.config
        gain = self.gain(state)
        n_a = state["amino_acids"].astype(np.int64)
        qubits = self.qubits[n_a] if 0 <= n_a.min() and n_a.max() < len(self.qubits) else quantum.logical_qubits(n_a)
        depth = quantum.circuit_depth(qubits)
        level = quantum.concatenation_level(qubits, depth, state["physical_error"][..., 0:1], self.qpu)
        qpu_time, qpu_energy = quantum.execution(qubits, depth, level, self.qpu)
        return {
            "data_bits": state["data_bits"], "cycles_per_bit": state["cycles_per_bit"], "deadline": state["deadline"],
            "local_cpu": state["local_cpu"], "leased_cpu": state["leased_cpu"], "transmit_power": state["transmit_power"],
            "uplink_rate": cfg.subband * np.log2(1.0 + state["transmit_power"] * gain / self.noise),
            "downlink_rate": cfg.downlink_rate, "result_share": cfg.result_share,
            "energy_coefficient": cfg.energy_coefficient, "server_energy_coefficient": cfg.server_energy_coefficient,
            "qpu_time": qpu_time, "qpu_energy": qpu_energy, "qpu_ok": quantum.feasible(qubits, level, state["leased_qubits"], self.qpu),
            "gain": gain,
        }

    def terms(self, state, reference: bool = True):
        """(terms, per-device objective, deadline reference) of a state; ``reference=False`` leaves
        the reference (None) to be computed by ``score`` for the devices a decision misses."""
        cfg = self.config
        terms = oracle.device_terms(self.task(state), qpu_scaled=cfg.qpu_partial == "scaled")
        return terms, self.device_objective(state), self.deadline_reference(state, terms) if reference else None

    def deadline_reference(self, state, terms, devices: np.ndarray | None = None) -> oracle.DeadlineReference:
        """``oracle.deadline_reference`` of every device, or of those where the bool mask ``devices``
        (shaped like the state's Z) is True, the others left not meetable and without a penalty
        (each device's reference depends on its own terms and Z alone: the same numbers)."""
        cfg = self.config
        scale = cfg.V if cfg.reward != "cost" else 1.0
        if devices is None or devices.all():
            return oracle.deadline_reference(terms, self.weights, self.device_objective(state), cfg.deadline_mode, scale)
        meetable, miss_penalty = np.zeros(devices.shape, dtype=bool), np.zeros(devices.shape)
        if not devices.any():
            return oracle.DeadlineReference(meetable, miss_penalty)
        chosen = np.nonzero(devices)
        some = oracle.deadline_reference({key: value[chosen] for key, value in terms.items()}, self.weights,
                                         self.device_objective({"Z": state["Z"][chosen]}), cfg.deadline_mode, scale)
        meetable[chosen], miss_penalty[chosen] = some.meetable, some.miss_penalty
        return oracle.DeadlineReference(meetable, miss_penalty)

    def device_objective(self, state):
        """Maps ``oracle.costs(...)`` of candidates (..., K, N) to each device's term of what
        ``optimum()`` minimises: the surrogate's (both DPP modes), or the cost."""
        queue = state["Z"][..., None, :]

        def objective(result):
            return result["cost"] if self.config.reward == "cost" else self.surrogate_terms(queue, result)

        return objective

    def surrogate_terms(self, queue, result):
        """Each device's term of minus the per-slot DPP surrogate, V cost + Z (alpha_bar - offloaded),
        (..., K, N); ``queue`` the Z the decision faces, broadcastable against them."""
        return self.config.V * result["cost"] + queue * (self.config.alpha_bar - result["offloaded"])

    @squeeze_single
    def oracle(self, state, decisions):
        # a batch of many devices computes the deadline reference only where a decision misses
        return self.score(state, decisions, self.terms(state, reference=state["Z"].size <= oracle.LARGE_BATCH_DEVICES))

    def score(self, state, decisions, prepared) -> Batch:
        """``oracle`` given ``prepared = terms(state)`` (computed once by a caller scoring again)."""
        fraction, target = decisions["fraction"], decisions["target"].astype(bool)
        terms, objective, reference = prepared
        def miss_penalty(missed):  # a reference left to score: for the devices some decision misses
            nonlocal reference
            reference = self.deadline_reference(state, terms, missed.any(axis=-2))
            return reference.miss_penalty

        result = oracle.costs(terms, fraction, target, self.weights,
                              miss_penalty if reference is None else reference.miss_penalty)
        device_objective = objective(result)
        remote = result["offloaded"] > 0  # what ran: a rejected QPU request counts as local
        mode = np.where(remote, 1 + target, 0).astype(np.int8)  # 0 local, 1 cloud CPU, 2 cloud QPU
        modes = (mode[..., None] == np.arange(3)).sum(axis=-2)  # devices per mode
        queue = state["Z"][..., None, :]
        info = {key: result[key] for key in ("latency", "device_energy", "server_energy", "cost")}
        info.update(total_cost=result["cost"].sum(axis=-1), mode_counts=modes,
                    deadline_misses=result["missed"].sum(axis=-1),
                    avoidable_misses=(result["missed"] & reference.meetable[..., None, :]).sum(axis=-1),
                    deadline_penalty=result["deadline_penalty"],
                    infeasible_qpu=result["infeasible"].sum(axis=-1), device_objective=device_objective,
                    virtual_queue=queue.repeat(fraction.shape[-2], axis=-2),
                    fraction=fraction, offloaded=result["offloaded"], mode=mode,
                    deadline_slack=state["deadline"][..., None, :] - result["latency"])
        device_terms = self.reward_terms(queue, result)
        terms = {name: value.sum(axis=-1) for name, value in device_terms.items()}
        surrogate = self.surrogate_terms(queue, result) if self.config.reward == "cost" else device_objective
        info.update(surrogate=-surrogate.sum(axis=-1), reward_terms=terms, device_rewards=sum(device_terms.values()))
        if self.config.reward == "drift_plus_penalty":
            rewards = sum(terms.values())
        else:  # minus what optimum() minimises, exactly (the terms sum to it to rounding)
            rewards = -device_objective.sum(axis=-1)
        return Batch(rewards=rewards, info=info)

    def reward_terms(self, queue, result) -> dict[str, np.ndarray]:
        """Per-device terms (..., K, N) of the configured reward (see the env's Rewards); ``queue``
        the Z the decision faces, broadcastable against them."""
        cfg = self.config
        latency = cfg.latency_weight * result["latency"]
        energy = cfg.energy_weight * (result["device_energy"] + result["server_energy"])
        deadline = result["deadline_penalty"]  # its own term (issue 17); "infeasible": rejected QPU requests
        terms = {"latency": -latency, "energy": -energy, "deadline": -deadline,
                 "infeasible": -self.weights.infeasible_penalty * result["infeasible"]}
        if cfg.reward == "cost":
            return terms
        terms = {name: cfg.V * value for name, value in terms.items()}
        if cfg.reward == "surrogate":
            terms["queue"] = -queue * (cfg.alpha_bar - result["offloaded"])
        else:
            after = virtual_queue_update(queue, cfg.alpha_bar - result["offloaded"])
            terms["queue_drift"] = 0.5 * (queue**2 - after**2)
        return terms

    def transition(self, state, actions, info, rngs, steps, streams):
        cfg, n = self.config, self.config.num_devices
        noise = np.empty((len(rngs), 2, n))
        tasks = self._draw_tasks(rngs, mobility_noise=noise)  # per env: the mobility's normal draws, then the tasks
        noise = noise.transpose(1, 0, 2)
        positions, speed, direction, mean_direction = self.mobility.advance(
            state["positions"], state["speed"], state["direction"], state["mean_direction"], noise[0], noise[1])
        new = dict(state, positions=positions, speed=speed, direction=direction, mean_direction=mean_direction)
        new["Z"] = virtual_queue_update(state["Z"], cfg.alpha_bar - info["offloaded"])
        new.update(tasks)
        return new

    def features(self, state):
        return {"x": state["positions"][..., 0], "y": state["positions"][..., 1], "data": state["data_bits"],
                "cycles": state["cycles_per_bit"], "deadline": state["deadline"], "amino_acids": state["amino_acids"],
                "path_loss": self.gain(state), "local_cpu": state["local_cpu"], "leased_cpu": state["leased_cpu"],
                "leased_qubits": state["leased_qubits"], "Z": state["Z"], "physical_error": state["physical_error"]}


class MEQCEnv(MECEnv):
    __doc__ = __doc__
    config_class = MEQCConfig
    scenario_class = MEQCScenario

    @property
    def mobility(self) -> GaussMarkov:
        return self.scenario.mobility

    @property
    def qpu(self) -> quantum.QPUModel:
        return self.scenario.qpu

    @property
    def weights(self) -> oracle.Weights:
        return self.scenario.weights

    def _check_state_overrides(self, overrides):
        """As the base, and the counts of ``COUNT_FIELDS`` must be integers (7.0 passes, 7.6 does
        not), so a given state is never truncated; raises before reset changes anything."""
        checked = super()._check_state_overrides(overrides)
        for name in COUNT_FIELDS:
            fractional = checked[name][checked[name] != np.round(checked[name])] if name in checked else []
            if len(fractional):
                low, high = self._state_bounds()[name]
                raise ValueError(f"state[{name!r}] must hold integers in [{low}, {high}]; got {float(fractional[0])}")
        return checked

    def task(self, state=None) -> dict[str, np.ndarray]:
        """The oracle's view of a state (SI units), including the QPU's time, energy and feasibility."""
        return self.scenario.task(self._state if state is None else state)

    def _oracle(self, state):
        return self.scenario.terms(state)

    def _device_objective(self, state):
        return self.scenario.device_objective(state)

    def optimal_fraction(self, targets, return_objective: bool = False):
        """Per device, the fraction minimising its ``device_objective`` for the given targets (N,) in {0, 1}:
        V cost_i - Z_i alpha_i (+ const) in the DPP modes, cost_i with ``reward="cost"``.

        Exact (the term is piecewise linear in the fraction) and float32-representable, so the
        fraction survives the action space's dtype. Returns the (N,) fractions, or with
        ``return_objective`` the pair (fractions, per-device terms ``info["device_objective"]``)."""
        self._require_reset()
        target = validate_action(spaces.MultiBinary(self.config.num_devices), targets, "targets")[0]
        terms, objective, reference = self._oracle(self._state)
        fraction, objective = oracle.optimal_fraction(terms, target.astype(bool), self.weights, objective,
                                                      reference.miss_penalty)
        return (fraction, objective) if return_objective else fraction

    def optimum(self, method: str = "auto", start=None) -> Optimum:
        """Exact per-slot optimum ("closed-form"): per device, the better of CPU and QPU with their
        optimal float32 fractions (devices do not interact; exact over float32 fractions, see
        ``oracle.optimal_fraction``). ``evaluate`` and ``step`` score fractions as float64, so a
        real fraction at an exact breakpoint can do better (~1e-8 relative): ``bound`` is the optimum
        over real fractions (``float32=False``), and the optimum is certified where the float32 one
        reaches it to 1e-9. The optimum minimises ``device_objective`` (in
        both DPP modes the surrogate: the Lyapunov policy); ``reward`` is its reward in the configured
        mode. With ``reward="drift_plus_penalty"`` the bound is the sum of per-term bounds
        -V min cost + (Z^2 - max(Z + alpha_bar - 1, 0)^2) / 2 (valid, seldom reached)."""
        self._require_reset()
        cfg, state = self.config, self._state
        drift = cfg.reward == "drift_plus_penalty"
        prepared = self._oracle(state)
        terms, objective, reference = prepared
        minimised = (lambda result: result["cost"]) if drift else None  # noqa: E731
        fractions, objectives, least = oracle.best_per_target(terms, self.weights, objective, reference.miss_penalty,
                                                              minimised)
        use_qpu = objectives[1] < objectives[0]
        action = {"fraction": np.where(use_qpu, fractions[1], fractions[0]).astype(np.float32),
                  "target": use_qpu.astype(np.int8)}
        decision = {"fraction": action["fraction"][None].astype(np.float64), "target": action["target"][None]}
        rewards, _ = scale_rewards(self.scenario.score(state, decision, prepared).rewards, {}, cfg.reward_scale)
        reward = float(rewards[0])  # what step() reports, from the terms computed once
        bound = -float(least.sum())  # every real fraction
        if drift:
            queue = state["Z"]
            bound = cfg.V * bound + 0.5 * float((queue**2 - np.maximum(queue + cfg.alpha_bar - 1.0, 0.0) ** 2).sum())
        bound *= self.config.reward_scale
        return Optimum(action=action, reward=reward, method=search.method_name("closed-form"), bound=bound)


    def _scene(self, state, info):
        """Devices at their positions around the AP, the cloud's CPU and QPU beside the area; channel
        gain, virtual queue Z, and after a step the offloaded fraction and the deadline slack."""
        side = self.config.area_size
        quantities = {"channel gain (dB)": 10.0 * np.log10(np.maximum(self.task(state)["gain"], 1e-300))}
        if info:
            quantities["offloaded fraction (as run)"] = info["offloaded"]
            quantities["deadline slack T_max - latency (s)"] = info["deadline_slack"]
        quantities["virtual queue Z"] = state["Z"]
        sites = [rendering.Site("AP", side / 2, side / 2), rendering.Site("cloud CPU", 1.2 * side, 0.7 * side, "h"),
                 rendering.Site("cloud QPU", 1.2 * side, 0.3 * side, "h")]
        return rendering.Scene(state["positions"], sites, ("local", "cloud CPU", "cloud QPU"), info.get("mode"),
                               {1: 1, 2: 2}, quantities, extent=(0.0, side, 0.0, side))


class MEQCVectorEnv(MECVectorEnv):
    """B MEQC-GaussMarkov-v0 envs stepped together (``gym.make_vec("MEQC-GaussMarkov-v0", num_envs=B)``)."""

    env_class = MEQCEnv
