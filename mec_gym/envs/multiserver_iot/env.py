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
Minus the mean device cost alpha L + beta E + gamma price C / 1e9 (s, J, price units), times
``reward_scale``. ``info["reward_terms"]``: ``latency`` (-alpha mean L), ``energy`` (-beta mean E),
``payment`` (-gamma mean price C / 1e9); ``info["device_rewards"]`` (N,): -cost_i / N, each
device's share of the reward (they sum to it; -N times it is the device's own cost).

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
``method="cd"``: one descent from all-local or from ``start=`` (the cheapest; the first of the starts).
``bound``: ``oracle.congestion_bound`` (each server's congestion priced per device, derived there).

## State (``env.unwrapped.state``; every field can be set through ``reset(options={"state": ...})``)
``positions`` (N, 2) m, ``fading`` (N, M) Rayleigh power, ``data_bits`` (N,) bits, ``cycles`` (N,),
``device_cpu`` (N,) Hz, ``prices`` (M,) per gigacycle, and the workload model of the digital twin,
``mean_log_data`` / ``mean_log_cycles`` (N,), the AR(1) means of ln D and ln C. Copying ``state``
into a second env's reset (and, for the same random draws, its ``np_random``) reproduces the
situation and rolls it forward identically.

## Info
``latency_ms`` (mean), ``energy_j`` (mean), ``fairness`` (Jain's index (sum x)^2 / (N sum x^2)
over the resource each device receives, the paper's Table 4 "equally distributed resources": x_i
is the CPU frequency its task runs on, Hz, its share f_ij of the server's CPU when offloaded, its own
f_i when local), ``cost_fairness`` (Jain's index over device utilities, a device's utility being
its local cost over its actual cost: 1 when every device gains equally from the assignment;
the first release's ``fairness``), ``throughput_mbps`` (bits of tasks
finished within the slot per second), ``mean_cost``, ``server_load`` (M), ``server_utility`` (M:
revenue - lambda E - mu total latency), ``prices`` (M); per device: ``cost``, ``latency`` (s),
``energy`` (J), ``uplink_rate`` (bit/s, 0 when local), ``server_cpu`` (Hz of its server's CPU, 0
when local), ``mode`` (the decision: 0 local, j server j).
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from mec_gym import rendering
from mec_gym.core.base import MECEnv
from mec_gym.core.channels import log_distance_gain, rayleigh_power
from mec_gym.core.draws import draw_per_env
from mec_gym.core.scenario import (DEVICE_REWARDS, REWARD_TERMS, Batch, Feature, Field, InfoKey, ObservationCodec, Scenario,
                                   env_slice, squeeze_single)
from mec_gym.core.vector import MECVectorEnv
from mec_gym.envs.multiserver_iot.config import MultiServerIoTConfig
from mec_gym.envs.multiserver_iot.oracle import Physics, best_response_prices, congestion_bound, evaluate_assignments

OBSERVATION_HIGH = 10.0
DEVICE_FEATURES = ("data", "cycles", "device_cpu", "path_loss")  # the per-device observation table, in column order


class MultiServerIoTScenario(Scenario):
    """MultiServerIoT-v0's model as batched functions (see the env's docstring). ``task`` and the
    oracle take a state with any leading axes: (N,) fields for one env or (B, N) for a batch."""

    info_schema = (
        InfoKey("mode", "1", per="device", doc="the decision: 0 local, j server j"),
        InfoKey("latency_ms", "ms", False, quantity=None, headline=True, doc="mean task latency"),
        InfoKey("energy_j", "J", False, quantity="energy", headline=True, doc="mean device energy"),
        InfoKey("fairness", "1", True, headline=True, doc="Jain's index over the CPU each device's task runs on"),
        InfoKey("cost_fairness", "1", True, headline=True, doc="Jain's index over device utilities (local / actual cost)"),
        InfoKey("throughput_mbps", "Mbit/s", True, headline=True, doc="bits of tasks finished in the slot per s"),
        InfoKey("server_load", "1", per="server", doc="devices per server"),
        InfoKey("server_utility", "1", True, per="server", doc="revenue - lambda E - mu total latency"),
        InfoKey("uplink_rate", "bit/s", True, quantity="rate", per="device", doc="0 when local"),
        InfoKey("server_cpu", "Hz", per="device", doc="its server's CPU share, 0 when local"),
        InfoKey("mean_cost", "1", False, reward_term=True, quantity="cost", headline=True, doc="-reward"),
        InfoKey("prices", "1/Gcycle", per="server", doc="the servers' prices the decision faced"),
        InfoKey("cost", "1", False, reward_term=True, quantity="cost", per="device"),
        InfoKey("latency", "s", False, quantity="delay", per="device"),
        InfoKey("energy", "J", False, quantity="energy", per="device"),
        REWARD_TERMS, DEVICE_REWARDS,
    )

    headline_key = "mean_cost"

    def __init__(self, config: MultiServerIoTConfig):
        super().__init__(config)
        cfg = config
        self.physics = Physics(cfg.server_cpu, cfg.server_bandwidth, cfg.noise_power, cfg.transmit_power,
                               cfg.energy_coefficient, cfg.server_energy_coefficient, cfg.latency_weight,
                               cfg.energy_weight, cfg.price_weight, cfg.server_energy_cost, cfg.server_delay_cost,
                               cfg.slot_length)
        self._path_cache: tuple[np.ndarray, np.ndarray] | None = None
        # the AR(1) workload's constants: the innovation's scale and each quantity's log bounds
        self._innovation = cfg.workload_spread * np.sqrt(1 - cfg.workload_correlation**2)
        self._log_bounds = {name: (np.log(low), np.log(high))
                            for name, (low, high) in (("data_bits", cfg.data_bits), ("cycles", cfg.cycles))}

    def make_codec(self):
        """Per device (an (N, 3 + M) table, row by row): D / Mbit, C / Gcycle, f_local / GHz,
        -log10(gain to each server) / 20; then the M prices. Each entry clipped to [0, 10]."""
        n, m, top = self.config.num_devices, self.config.num_servers, OBSERVATION_HIGH
        return ObservationCodec([
            Feature("data", "data_bits", "bit", n, divisor=1e6, high=top),
            Feature("cycles", "cycles", "cycles", n, divisor=1e9, high=top),
            Feature("device_cpu", "device_cpu", "Hz", n, divisor=1e9, high=top),
            Feature("path_loss", "gain", "1 (power gain)", n * m, divisor=20.0, high=top, transform="neglog10", columns=m),
            Feature("prices", "prices", "1/Gcycle", m, high=top),
        ], interleave=DEVICE_FEATURES)

    def make_action_space(self):
        n, m = self.config.num_devices, self.config.num_servers
        return spaces.MultiDiscrete([m + 1] * n)

    def state_fields(self):
        n, m = self.config.num_devices, self.config.num_servers
        return {"data_bits": Field((n,), "bit", 1.0, 1e12), "cycles": Field((n,), "cycles", 1.0, 1e15),
                "device_cpu": Field((n,), "Hz", 1e3, 1e12), "positions": Field((n, 2), "m", 0.0, self.config.area_size),
                "fading": Field((n, m), "1", 0.0, 1e6), "prices": Field((m,), "1/Gcycle", 0.0, 1e6),
                "mean_log_data": Field((n,), "ln bit", 0.0, 30.0), "mean_log_cycles": Field((n,), "ln cycles", 0.0, 40.0)}

    # ----- dynamics ----------------------------------------------------------------------------
    def _ar1(self, current_log, mean_log, noise, name):
        """The next log of workload quantity ``name`` ("data_bits" or "cycles"), within its bounds."""
        new = mean_log + self.config.workload_correlation * (current_log - mean_log) + self._innovation * noise
        return np.clip(new, *self._log_bounds[name])

    def _draw_state(self, rng):
        cfg, n, m = self.config, self.config.num_devices, self.config.num_servers
        mean_log_data = np.log(rng.uniform(*cfg.data_bits, size=n))
        mean_log_cycles = rng.uniform(np.log(cfg.cycles[0]), np.log(cfg.cycles[1]), size=n)
        positions = rng.uniform(0.0, cfg.area_size, size=(n, 2))
        data_noise = rng.standard_normal(n)
        cycles_noise = rng.standard_normal(n)
        return {
            "positions": positions,
            "mean_log_data": mean_log_data, "mean_log_cycles": mean_log_cycles,
            "data_bits": np.exp(self._ar1(mean_log_data, mean_log_data, data_noise, "data_bits")),
            "cycles": np.exp(self._ar1(mean_log_cycles, mean_log_cycles, cycles_noise, "cycles")),
            "device_cpu": rng.uniform(*cfg.device_cpu_ghz, size=n) * 1e9,
            "fading": rayleigh_power(rng, (n, m)),
            "prices": np.array(cfg.prices, dtype=np.float64),
        }

    def generate(self, rngs, streams):
        return self.stack([self._draw_state(rng) for rng in rngs])

    def path_gain(self, positions: np.ndarray) -> np.ndarray:
        """Average (path-loss) gains (..., N, M) from the device positions (..., N, 2), m. Devices do
        not move within an episode, so the last result is kept while the positions are equal (also
        for one env's positions with or without the env axis: a single env asks for both)."""
        cached = self._path_cache
        if cached is not None and cached[0].size == positions.size and np.array_equal(
                cached[0].reshape(positions.shape), positions):
            return cached[1].reshape(positions.shape[:-1] + cached[1].shape[-1:])
        distance = np.linalg.norm(positions[..., :, None, :] - self.config.server_sites, axis=-1)
        gain = log_distance_gain(np.maximum(distance, self.config.min_distance))
        self._path_cache = (positions.copy(), gain)
        return gain

    def task(self, state) -> dict[str, np.ndarray]:
        """The oracle's view of a state: tasks, device CPUs and channel gains (N, M)."""
        gain = self.path_gain(state["positions"]) * state["fading"]
        return {"data_bits": state["data_bits"], "cycles": state["cycles"], "device_cpu": state["device_cpu"],
                "gain": gain}

    @squeeze_single
    def oracle(self, state, decisions):
        prices = state["prices"] if decisions.ndim == 2 else state["prices"][:, None, :]
        result = evaluate_assignments(self.task(state), self.physics, decisions, prices)
        info = {key: result[key] for key in ("latency_ms", "energy_j", "fairness", "cost_fairness", "throughput_mbps",
                                             "server_load", "server_utility", "uplink_rate", "server_cpu")}
        info["mean_cost"] = -result["reward"]
        info["prices"] = np.repeat(state["prices"][..., None, :], decisions.shape[-2], axis=-2)  # per candidate
        info["cost"], info["latency"], info["energy"] = result["cost"], result["latency"], result["energy"]
        info["mode"] = np.asarray(decisions).astype(np.int64)
        physics = self.physics
        n = self.config.num_devices  # the means as NumPy's mean computes them (sum / n)
        info["reward_terms"] = {"latency": -physics.latency_weight * (result["latency"].sum(axis=-1) / n),
                                "energy": -physics.energy_weight * (result["energy"].sum(axis=-1) / n),
                                "payment": -physics.price_weight * (result["payment"].sum(axis=-1) / n)}
        info["device_rewards"] = -result["cost"] / self.config.num_devices
        return Batch(rewards=result["reward"], info=info)

    def transition(self, state, actions, info, rngs, steps, streams):
        cfg, (n, m) = self.config, state["fading"].shape[1:]
        # per env: the two AR(1) innovations, then the fading (rayleigh_power's draws)
        noise, fading = draw_per_env(rngs, (("standard_normal", 2 * n), ("standard_exponential", n * m)))
        noise = noise.reshape(len(rngs), 2, n).transpose(1, 0, 2)
        fading = np.ascontiguousarray(fading).reshape(len(rngs), n, m)
        new = dict(state)
        new["data_bits"] = np.exp(self._ar1(np.log(state["data_bits"]), state["mean_log_data"], noise[0], "data_bits"))
        new["cycles"] = np.exp(self._ar1(np.log(state["cycles"]), state["mean_log_cycles"], noise[1], "cycles"))
        new["fading"] = fading
        if cfg.pricing == "stackelberg":  # per state: each server's best response on the price grid
            new["prices"] = np.array([
                best_response_prices(self.task(env_slice(new, i)), self.physics, np.asarray(actions[i]),
                                     state["prices"][i], np.asarray(cfg.price_grid)) for i in range(len(rngs))])
        return new

    def features(self, state):
        return {"data": state["data_bits"], "cycles": state["cycles"], "device_cpu": state["device_cpu"],
                "path_loss": self.task(state)["gain"], "prices": state["prices"]}


class MultiServerIoTEnv(MECEnv):
    __doc__ = __doc__
    config_class = MultiServerIoTConfig
    scenario_class = MultiServerIoTScenario

    @property
    def physics(self) -> Physics:
        return self.scenario.physics

    def task(self, state=None) -> dict[str, np.ndarray]:
        """The oracle's view of a state: tasks, device CPUs and channel gains (N, M)."""
        return self.scenario.task(self._state if state is None else state)

    def _reward_bound(self, state, incumbent=None):
        return congestion_bound(self.task(state), self.physics, state["prices"], incumbent)


    def _scene(self, state, info):
        """Devices and servers at their sites (labelled with their prices); the task sizes and the
        best channel gain, then the last decision's latencies and costs."""
        prices = state["prices"]
        sites = [rendering.Site(f"server {j + 1} (price {p:.3g})", x, y, "s")
                 for j, ((x, y), p) in enumerate(zip(self.config.server_sites, prices))]
        quantities = {"task D (Mbit)": state["data_bits"] / 1e6,
                      "best channel gain (dB)": 10.0 * np.log10(np.maximum(self.task(state)["gain"].max(axis=1), 1e-300))}
        if info:
            quantities["latency (ms)"] = info["latency"] * 1e3
            quantities["device cost"] = info["cost"]
        choices = ("local",) + tuple(f"server {j + 1}" for j in range(len(sites)))
        side = self.config.area_size
        return rendering.Scene(state["positions"], sites, choices, info.get("mode"),
                               {j + 1: j for j in range(len(sites))}, quantities, extent=(0.0, side, 0.0, side))


class MultiServerIoTVectorEnv(MECVectorEnv):
    """B MultiServerIoT-v0 envs stepped together (``gym.make_vec("MultiServerIoT-v0", num_envs=B)``)."""

    env_class = MultiServerIoTEnv
