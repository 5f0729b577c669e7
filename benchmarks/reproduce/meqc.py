"""MEQC (seed 001) on MEQC-GaussMarkov-v0: the Lyapunov-DQN/DDPG learner against the paper's fixed
policies over time (Figs. 3-4), the weight settings, cost and queue against V, and the sweeps of
Figs. 5-6 (maximum transmit power, data size, leased qubits, alpha_bar). Supersedes
``benchmarks/meqc_policies.py`` and ``benchmarks/meqc_lyapunov_drl.py``.

Every run is one episode of ``frames`` slots on the same seeded environment (tasks, channels and
mobility do not depend on the decisions, so every method sees the same slots); the learner learns
online, so its time-average cost includes its exploration, as the paper's curves do.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from benchmarks.reproduce.common import has_field
from benchmarks.reproduce.core import Budget, Claim, Figure, Judged, Paper, Part, Results, holds, ordering, spread
from mec_gym.envs.meqc.config import MEQCConfig

ENV_ID = "MEQC-GaussMarkov-v0"
FIXED = ("cpu-discrete", "cpu-continuous", "qpu-discrete", "qpu-continuous", "random")
METHODS = ("drl", *FIXED, "oracle-fraction")
LABELS = {"drl": "DRL-Lyapunov", "oracle-fraction": "oracle fraction (reference)"}
WEIGHTS = {"balanced": (0.5, 0.5), "latency": (1.0, 0.0), "energy": (0.0, 1.0)}
SWEEPS = {  # name: (config field, values, how a value becomes the field)
    "power": ("transmit_power", (0.1, 0.2, 0.4, 0.8), lambda v: (0.05, v)),  # P_max, W
    "data": ("data_mbit", (3.0, 5.0, 7.0, 9.0), lambda v: (1.0, v)),  # D_max, Mbit
    "qubits": ("leased_qubits", (100, 200, 500, 1000), lambda v: (50, int(v))),  # leased physical qubits, max
    "alpha_bar": ("alpha_bar", (0.1, 0.3, 0.5, 0.7, 0.9), float),
}
CURVE_POINTS = 40


def _policy(method: str):
    from baselines import heuristics

    return {**heuristics.MEQC_POLICIES, "random": heuristics.random_policy,
            "oracle-fraction": heuristics.optimum_policy}[method]


def run(method: str, seed: int, frames: int, **config) -> dict:
    """One episode; per-slot cost (sum over devices), offloaded fractions and queues summarised."""
    env = gym.make(ENV_ID, config=MEQCConfig(episode_length=frames, **config))
    cost, fraction, queue, misses, avoidable = [], [], [], [], []

    def log(info) -> None:
        cost.append(float(info["total_cost"]))
        misses.append(float(info["deadline_misses"]))
        avoidable.append(float(info["avoidable_misses"]))  # misses some fraction and target would have met
        fraction.append(np.asarray(info["offloaded"], dtype=np.float64))
        queue.append(float(np.mean(info["virtual_queue"])))

    if method == "drl":
        from baselines.lyapunov_drl import LyapunovDRL, LyapunovDRLConfig

        exploration = min(LyapunovDRLConfig.exploration_frames, frames // 4)
        LyapunovDRL(env, LyapunovDRLConfig(exploration_frames=exploration), seed).learn(
            frames, callback=lambda record: log(record["info"]))
    else:
        policy, rng = _policy(method), np.random.default_rng(seed)
        env.reset(seed=seed)
        for _ in range(frames):
            log(env.step(policy(env, rng))[4])
    cost_array = np.asarray(cost)
    running = np.cumsum(cost_array) / np.arange(1, frames + 1)
    points = np.unique(np.linspace(0, frames - 1, CURVE_POINTS).astype(int))
    quarter = max(frames // 4, 1)
    per_device = np.mean(fraction, axis=0)
    return {"cost": float(cost_array.mean()), "cost_last_quarter": float(cost_array[-quarter:].mean()),
            "cost_third_quarter": float(cost_array[-2 * quarter:-quarter].mean()),
            "fraction": float(per_device.mean()), "min_fraction": float(per_device.min()),
            "queue": float(np.mean(queue)), "misses": float(np.mean(misses)), "avoidable": float(np.mean(avoidable)),
            "curve_slots": (points + 1).tolist(), "curve": running[points].tolist()}


def key(kind: str, value, method: str, seed: int, frames: int) -> str:
    return f"{kind}={value}/{method}/f{frames}/s{seed}"


def parts(budget: Budget) -> list[Part]:
    out, frames, sweep_frames = [], budget["frames"], budget["sweep_frames"]
    for name, (w_t, w_e) in WEIGHTS.items():
        for method in METHODS:
            for seed in budget.seeds:
                out.append(Part(key("weights", name, method, seed, frames),
                                lambda m=method, s=seed, a=w_t, b=w_e: run(m, s, frames, latency_weight=a,
                                                                          energy_weight=b)))
    for value in budget["V"]:
        for method in ("drl", "oracle-fraction"):
            for seed in budget.seeds:
                out.append(Part(key("V", value, method, seed, frames),
                                lambda m=method, s=seed, v=value: run(m, s, frames, V=float(v))))
    for sweep, (field_name, values, convert) in SWEEPS.items():
        for value in values:
            setting = {field_name: convert(value)}
            for method in METHODS:
                for seed in budget.seeds[:budget["sweep_seeds"]]:
                    out.append(Part(key(sweep, value, method, seed, sweep_frames),
                                    lambda m=method, s=seed, c=setting: run(m, s, sweep_frames, **c)))
    if has_field(MEQCConfig, "qpu_partial"):
        for method in ("qpu-discrete", "qpu-continuous"):
            for seed in budget.seeds:
                out.append(Part(key("qpu_partial", "scaled", method, seed, frames),
                                lambda m=method, s=seed: run(m, s, frames, qpu_partial="scaled")))
    return out


# ----- claims ---------------------------------------------------------------------------------------
def cost(r: Results, kind: str, value, method: str, name: str = "cost", sweep: bool = False) -> np.ndarray:
    frames = r.budget["sweep_frames"] if sweep else r.budget["frames"]
    seeds = r.budget.seeds[:r.budget["sweep_seeds"]] if sweep else r.budget.seeds
    return np.array([r[key(kind, value, method, s, frames)][name] for s in seeds])


def drl_lowest(weights: str):
    def judge(r: Results) -> Judged:
        drl = cost(r, "weights", weights, "drl")
        best = np.min([cost(r, "weights", weights, m) for m in FIXED], axis=0)
        return holds(drl < best, f"DRL {spread(drl, 4)} vs best fixed {spread(best, 4)}",
                     "a fixed policy has a lower time-average cost than the learner")
    return judge


def order_fig3(r: Results) -> Judged:
    means = {LABELS.get(m, m): float(np.mean(cost(r, "weights", "balanced", m))) for m in ("drl", *FIXED)}
    return ordering(means, ["DRL-Lyapunov", "cpu-continuous", "cpu-discrete", "random"], lower_is_better=True)


def random_worst(r: Results) -> Judged:
    random = cost(r, "weights", "balanced", "random")
    others = np.max([cost(r, "weights", "balanced", m) for m in ("drl", *FIXED[:-1])], axis=0)
    return holds(random > others, f"random {spread(random, 4)} vs the worst other {spread(others, 4)}",
                 "another method costs more than random")


def continuous_below(target: str, kind: str = "weights", value="balanced"):
    def judge(r: Results) -> Judged:
        cont, disc = cost(r, kind, value, f"{target}-continuous"), cost(r, kind, value, f"{target}-discrete")
        return holds(cont < disc, f"continuous {spread(cont, 4)} vs discrete {spread(disc, 4)}",
                     "the continuous variant is not cheaper on every seed")
    return judge


def latency_dominates(r: Results) -> Judged:
    latency, energy = cost(r, "weights", "latency", "drl"), cost(r, "weights", "energy", "drl")
    return holds(latency > energy, f"DRL cost with (1, 0) {spread(latency, 4)} vs (0, 1) {spread(energy, 4)}",
                 "the latency-weighted cost is not the larger")


def stable(r: Results) -> Judged:
    third, last = cost(r, "weights", "balanced", "drl", "cost_third_quarter"), \
        cost(r, "weights", "balanced", "drl", "cost_last_quarter")
    change = np.abs(last - third) / third
    return holds(change < 0.05, f"DRL per-slot cost, third vs last quarter: change {spread(change, 2)}",
                 "the learner's cost still moves by 5 % or more between the last two quarters")


def v_tradeoff(r: Results) -> Judged:
    values = sorted({*r.budget["V"], 10.0})
    flags, texts = [], []
    for method in ("drl", "oracle-fraction"):
        def at(v, name, method=method):
            kind = "weights" if v == 10.0 else "V"
            return float(np.mean(cost(r, kind, "balanced" if v == 10.0 else v, method, name)))
        costs, queues = [at(v, "cost") for v in values], [at(v, "queue") for v in values]
        flags += [costs[0] >= costs[-1], queues[0] <= queues[-1]]
        texts.append(f"{LABELS[method]}: cost {costs[0]:.3g} -> {costs[-1]:.3g}, queue {queues[0]:.3g} -> "
                     f"{queues[-1]:.3g}")
    return holds(flags, f"V {values[0]:g} -> {values[-1]:g}: " + "; ".join(texts),
                 "cost does not fall or the queue does not grow as V grows")


def sweep_means(r: Results, sweep: str, method: str) -> list[float]:
    return [float(np.mean(cost(r, sweep, value, method, sweep=True))) for value in SWEEPS[sweep][1]]


def drl_lowest_sweeps(r: Results) -> Judged:
    flags = []
    for sweep, (_, values, _) in SWEEPS.items():
        for value in values:
            drl = np.mean(cost(r, sweep, value, "drl", sweep=True))
            flags.append(drl < min(np.mean(cost(r, sweep, value, m, sweep=True)) for m in FIXED))
    return holds(flags, f"DRL below every fixed policy at {sum(flags)} of {len(flags)} sweep points",
                 "a fixed policy beats the learner at some sweep points")


def power_shape(r: Results) -> Judged:
    drl = sweep_means(r, "power", "drl")
    first_falls = drl[1] < drl[0]
    flat_after = abs(drl[-1] - drl[-2]) / drl[-2] < 0.05
    return holds([first_falls, flat_after], "DRL cost over P_max " + ", ".join(f"{c:.3g}" for c in drl),
                 "not a fall followed by a plateau (< 5 % change over the last step)")


def data_increases(r: Results) -> Judged:
    flags = [bool(np.all(np.diff(sweep_means(r, "data", m)) > 0)) for m in ("drl", *FIXED)]
    return holds(flags, "DRL cost over D_max " + ", ".join(f"{c:.3g}" for c in sweep_means(r, "data", "drl"))
                 + f"; rising for {sum(flags)} of {len(flags)} methods", "some method's cost does not rise with data size")


def qubits_flat(r: Results) -> Judged:
    drl = np.array(sweep_means(r, "qubits", "drl"))
    change = (drl.max() - drl.min()) / drl.mean()
    return holds([change < 0.1], f"DRL cost over leased qubits {', '.join(f'{c:.3g}' for c in drl)} "
                 f"(range {100 * change:.1f} % of the mean)", "the learner's cost moves by 10 % or more")


def alpha_u(r: Results) -> Judged:
    drl = sweep_means(r, "alpha_bar", "drl")
    best = int(np.argmin(drl))
    return holds([0 < best < len(drl) - 1], "DRL cost over alpha_bar " + ", ".join(f"{c:.3g}" for c in drl),
                 "the minimum is at an end of the grid: no U-shape")


def alpha_others(r: Results) -> Judged:
    changes = []
    for method in FIXED:
        means = np.array(sweep_means(r, "alpha_bar", method))
        changes.append((means.max() - means.min()) / means.mean())
    return holds([c < 0.05 for c in changes], "largest change of a fixed policy's cost over alpha_bar "
                 f"{100 * max(changes):.2f} %", "a fixed policy's cost moves by 5 % or more")


def deadlines_met(r: Results) -> Judged:
    """Constraint (12b): the learner's avoidable deadline misses per slot (hard deadlines, the default)."""
    texts = [f"{LABELS.get(m, m)} {np.mean(cost(r, 'weights', 'balanced', m, 'misses')):.3g} misses per slot, "
             f"{np.mean(cost(r, 'weights', 'balanced', m, 'avoidable')):.3g} avoidable"
             for m in ("drl", "cpu-continuous", "oracle-fraction")]
    drl = cost(r, "weights", "balanced", "drl", "avoidable")
    return holds(drl == 0, "; ".join(texts), "the learner misses deadlines that some fraction and target would meet")


def qpu_scaled(r: Results) -> Judged:
    if not has_field(MEQCConfig, "qpu_partial"):
        return Judged("-", "not reproducible", "MEQC qpu_partial='scaled' is not in this version of mec_gym")
    return continuous_below("qpu", "qpu_partial", "scaled")(r)


CLAIMS = [
    Claim("drl-lowest", "DRL-Lyapunov has the lowest time-average cost, (w_T, w_E) = (0.5, 0.5)",
          "lowest curve", "Figs. 3-4, §VI-B", drl_lowest("balanced")),
    Claim("order-fig3", "Cost ordering DRL < CPU-continuous < CPU-discrete < random", "that order", "Fig. 3, §VI-B",
          order_fig3),
    Claim("random-highest", "Random mode selection has the highest time-average cost", "highest curve", "Figs. 3-5",
          random_worst),
    Claim("deadlines-met", "Every decision meets its deadline where one can (constraint 12b; the env's hard "
          "deadlines)", "constraint (12b)", "§III, (12b)", deadlines_met),
    Claim("cpu-continuous-below-discrete", "CPU-continuous below CPU-discrete", "continuous always better",
          "§VI-B", continuous_below("cpu")),
    Claim("qpu-continuous-below-discrete", "QPU-continuous below QPU-discrete (qpu_partial default 'whole')",
          "continuous always better", "§VI-B", continuous_below("qpu")),
    Claim("qpu-continuous-below-discrete-scaled", "QPU-continuous below QPU-discrete with qpu_partial='scaled'",
          "continuous always better", "§VI-B", qpu_scaled),
    Claim("drl-lowest-latency-weights", "DRL lowest with (w_T, w_E) = (1, 0)", "lowest", "Fig. 3",
          drl_lowest("latency")),
    Claim("drl-lowest-energy-weights", "DRL lowest with (w_T, w_E) = (0, 1)", "lowest", "Fig. 3",
          drl_lowest("energy")),
    Claim("latency-dominates", "Latency weighs more on cost than energy: cost (1, 0) above cost (0, 1)",
          "latency more significant", "§VI-B, Fig. 3", latency_dominates),
    Claim("cost-stabilises", "The time-average cost is asymptotically stable", "stable curves", "§VI-B, Fig. 3",
          stable),
    Claim("v-tradeoff", "Larger V: lower cost, longer virtual queue (Lyapunov trade-off)", "cost falls, queue grows",
          "§VI-B, Fig. 3 (V)", v_tradeoff),
    Claim("drl-lowest-sweeps", "DRL lowest at every point of the sweeps", "outperforms other methods", "Figs. 5-6",
          drl_lowest_sweeps),
    Claim("power-sweep-shape", "DRL cost first falls then stabilises as P_max grows", "falls, then flat",
          "Fig. 5 (P_max)", power_shape),
    Claim("data-sweep-rises", "Cost of every method rises with data size", "all rise", "Fig. 5 (data size)",
          data_increases),
    Claim("qubits-sweep-flat", "DRL cost hardly changes with the number of leased qubits", "not significant",
          "Fig. 5 (qubits)", qubits_flat),
    Claim("alpha-u-shape", "DRL cost over alpha_bar is U-shaped (an interior optimum)", "U-shape", "Fig. 6",
          alpha_u),
    Claim("alpha-others-flat", "The other methods' cost hardly changes with alpha_bar", "negligible change", "Fig. 6",
          alpha_others),
]


# ----- figures --------------------------------------------------------------------------------------
def fig_time(r: Results, figure) -> None:
    for index, weights in enumerate(WEIGHTS):
        axis = figure.add_subplot(1, 3, index + 1)
        for method in METHODS:
            rows = [r[key("weights", weights, method, s, r.budget["frames"])] for s in r.budget.seeds]
            axis.plot(rows[0]["curve_slots"], np.mean([row["curve"] for row in rows], axis=0),
                      label=LABELS.get(method, method), linestyle="--" if method == "oracle-fraction" else "-")
        axis.set_xlabel("time slot")
        axis.set_ylabel("time-average cost")
        axis.set_title(f"(w_T, w_E) = {WEIGHTS[weights]}")
    axis.legend(fontsize=6)


def fig_v(r: Results, figure) -> None:
    values = sorted({*r.budget["V"], 10.0})
    for index, name in enumerate(("cost", "queue")):
        axis = figure.add_subplot(1, 2, index + 1)
        for method in ("drl", "oracle-fraction"):
            points = [np.mean(cost(r, "weights" if v == 10.0 else "V", "balanced" if v == 10.0 else v, method, name))
                      for v in values]
            axis.plot(values, points, marker="o", label=LABELS[method])
        axis.set_xscale("log")
        axis.set_xlabel("V")
        axis.set_ylabel("time-average cost" if name == "cost" else "mean virtual queue Z")
    axis.legend(fontsize=7)


def fig_sweeps(r: Results, figure) -> None:
    titles = {"power": "max transmit power (W)", "data": "max data size (Mbit)", "qubits": "max leased qubits",
              "alpha_bar": "alpha_bar"}
    for index, sweep in enumerate(SWEEPS):
        axis = figure.add_subplot(1, 4, index + 1)
        for method in METHODS:
            axis.plot(SWEEPS[sweep][1], sweep_means(r, sweep, method), marker="o", label=LABELS.get(method, method),
                      linestyle="--" if method == "oracle-fraction" else "-")
        axis.set_xlabel(titles[sweep])
        axis.set_ylabel("time-average cost")
    axis.legend(fontsize=6)


def setup(budget: Budget) -> list[tuple[str, str, str]]:
    return [("slots per run", "not given (curves over their x-axis, lost in extraction)",
             f"{budget['frames']:,} (sweeps {budget['sweep_frames']:,})"),
            ("seeds", "not stated", f"{list(budget.seeds)} (sweeps {list(budget.seeds[:budget['sweep_seeds']])})"),
            ("devices", "15", "15"),
            ("V", "varied (values lost)", f"10 and {list(budget['V'])}"),
            ("sweep grids", "lost in extraction", "; ".join(f"{name}: {list(values)}" for name, (_, values, _) in
                                                          SWEEPS.items())),
            ("learner", "DQN (mode) + DDPG (fraction), three FC layers", "the same (baselines.lyapunov_drl)")]


def deviations(budget: Budget) -> list[str]:
    return ["The paper's numbers, ranges and sweep grids were lost in extraction (only the curves' shapes and "
            "orderings are stated): every claim here is an ordering or a shape, judged on our grids.",
            "The quantum cost model (error correction, shots, cryogenic power) is SPEC.md's chosen model, not the "
            "paper's (lost); the scenario is kept in the balance SPEC.md states.",
            f"{budget['frames']:,} slots per run and {budget['sweep_frames']:,} per sweep point to fit this shared "
            "2-core machine; the learner explores over the first quarter of each run.",
            "'oracle fraction' (the env's exact fraction per mode, best mode) is our reference, not a paper method."]


PAPER = Paper(
    name="meqc", title="Cost-Effective Task Offloading Scheduling for Hybrid Mobile Edge-Quantum Computing",
    source="001_31babcfcf012d67b.txt",
    where="Figs. 3-6 and §VI-B/C text (curves and orderings; the numeric values and grids were lost in extraction)",
    paper_budget="15 devices; curves over time slots and sweeps of P_max, data size, qubits and alpha_bar; slot "
                 "counts, seeds and grids are not recoverable from the text.",
    budgets={"quick": Budget("quick", (0,), {"frames": 120, "sweep_frames": 60, "sweep_seeds": 1, "V": (1.0, 100.0)}),
             "full": Budget("full", (0, 1), {"frames": 1500, "sweep_frames": 500, "sweep_seeds": 1,
                                             "V": (1.0, 100.0)})},
    setup=setup, deviations=deviations, parts=parts, claims=CLAIMS,
    figures=[Figure("cost_over_time.png", "Time-average cost over slots for the three weight settings (Figs. 3-4)",
                    fig_time, (12, 3.8)),
             Figure("v.png", "Time-average cost and virtual queue against V", fig_v, (9, 3.6)),
             Figure("sweeps.png", "Time-average cost against P_max, data size, leased qubits (Fig. 5) and "
                    "alpha_bar (Fig. 6)", fig_sweeps, (14, 3.6))],
)
