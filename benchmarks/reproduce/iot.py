"""The hybrid DRL/GAT/MARL/QIO/DT IoT paper (seed 003) on MultiServerIoT-v0: Tables 2-4 (latency,
energy, fairness at N = 50 / 100 / 150) as orderings of the methods, Table 5's ablation, the unified
model against each component, and QIO against DRL. Supersedes ``benchmarks/iot_tables.py`` and
``benchmarks/multiserver_policies.py``.

The paper's values come from a MATLAB simulator it does not give (its parameters cover only part
of the model), so its absolute numbers are reported beside ours but cannot be reproduced; its
orderings and trends can. Every method is evaluated on the same ``slots`` slots (seed 10000 +
seed: the same tasks and channels for all); methods with MARL at their leaders' greedy prices, the
others at the env's fixed 0.1 per Gcycle.
"""

from __future__ import annotations

import copy
import time

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from benchmarks.reproduce.core import Budget, Claim, Figure, Judged, Paper, Part, Results, holds, not_reproducible

FIXED = ("random", "all-local", "best-response", "qio", "qio-refine", "local-search")
LEARNED = ("drl", "gat", "marl", "unified")
ABLATIONS = {"full": None, "without DT": "dt", "without GAT": "gat", "without MARL": "marl", "without DRL": "drl",
             "without QIO": "qio"}
METRICS = ("latency_ms", "energy_j", "fairness", "throughput_mbps", "cost", "utility", "price", "decide_ms")
# the paper's methods and ours: TS-Hybrid-SB is a heuristic game-based scheduler (our closest: best response)
PAPER_NAMES = {"best-response": "TS-Hybrid-SB", "drl": "DRL-FGSO", "gat": "GAT-MEC", "marl": "TSG-MARL",
               "qio": "QIO-MEC", "unified": "Unified"}
PAPER_TABLES = {  # metric: {method: (N = 50, 100, 150)}; DT-MEC has no counterpart here
    "latency_ms": {"best-response": (120, 165, 210), "drl": (105, 140, 180), "gat": (98, 130, 170),
                   "marl": (92, 125, 160), "qio": (110, 150, 195), "unified": (80, 110, 140)},
    "energy_j": {"best-response": (0.85, 1.20, 1.60), "drl": (0.75, 1.05, 1.40), "gat": (0.70, 0.98, 1.30),
                 "marl": (0.68, 0.95, 1.25), "qio": (0.78, 1.10, 1.45), "unified": (0.60, 0.85, 1.10)},
    "fairness": {"best-response": (0.88, 0.86, 0.84), "drl": (0.91, 0.90, 0.88), "gat": (0.93, 0.92, 0.90),
                 "marl": (0.94, 0.93, 0.92), "qio": (0.89, 0.87, 0.85), "unified": (0.97, 0.96, 0.95)},
}
TABLE_5 = {"full": (115, 0.88, 6.4, 0.95, 0.80), "without DT": (135, 1.05, 5.8, 0.91, 0.72),
           "without GAT": (130, 0.98, 5.9, 0.92, 0.70), "without MARL": (125, 0.95, 6.0, 0.90, 0.68),
           "without DRL": (140, 1.10, 5.6, 0.89, 0.65)}  # latency ms, energy J, Mbps, fairness, utility
_TRAINED: dict = {}  # (kind, n, seed, slots): a GAT or twin trained once per process and shared


def evaluate(env, decide, slots: int, seed: int) -> dict[str, float]:
    """Mean metrics of ``decide(observation)`` over ``slots`` slots from ``env.reset(seed)``."""
    observation, _ = env.reset(seed=seed)
    rows = []
    for _ in range(slots):
        start = time.perf_counter()
        action = decide(observation)
        elapsed = time.perf_counter() - start
        observation, reward, _, _, info = env.step(action)
        rows.append([info["latency_ms"], info["energy_j"], info["fairness"], info["throughput_mbps"], -reward,
                     np.sum(info["server_utility"]), np.mean(info["prices"]), 1e3 * elapsed])
    return dict(zip(METRICS, map(float, np.mean(rows, axis=0))))


def _env(n: int):
    return gym.make("MultiServerIoT-v0", num_devices=n)


def _gat(n: int, seed: int, slots: int):
    from baselines.iot.gat import IoTGAT

    if ("gat", n, seed, slots) not in _TRAINED:
        _TRAINED["gat", n, seed, slots] = IoTGAT(_env(n), seed=seed).learn(slots)
    return _TRAINED["gat", n, seed, slots]


def _twin(n: int, seed: int, slots: int):
    from baselines.iot.twin import DigitalTwin

    if ("twin", n, seed, slots) not in _TRAINED:
        _TRAINED["twin", n, seed, slots] = DigitalTwin(_env(n), seed=seed).learn(slots)
    return _TRAINED["twin", n, seed, slots]


def measure(method: str, n: int, seed: int, budget: Budget, module: str | None = None) -> dict[str, float]:
    """One method (or, for ``unified``, the variant without ``module``) learned and evaluated."""
    from baselines import heuristics

    slots, eval_seed, learn = budget["slots"], 10_000 + seed, budget["learn"]
    if method in FIXED:
        from baselines.qio import QIOPolicy

        policies = {"random": heuristics.random_policy, "all-local": heuristics.all_local_policy,
                    "best-response": heuristics.best_response_policy, "qio": QIOPolicy(),
                    "qio-refine": QIOPolicy(proposal=heuristics.best_response_policy),
                    "local-search": heuristics.optimum_policy}
        env, rng = _env(n), np.random.default_rng(seed)
        return evaluate(env, lambda observation: policies[method](env, rng), slots, eval_seed)
    if method == "drl":
        from baselines.iot.drl import IoTDQN

        agent = IoTDQN(_env(n), seed=seed).learn(learn["drl"])
        return evaluate(agent.env, agent.predict, slots, eval_seed)
    if method == "gat":
        return evaluate(_env(n), _gat(n, seed, learn["gat"]).predict, slots, eval_seed)
    if method == "marl":
        from baselines.iot.marl import MARLConfig, StackelbergMARL
        from mec_gym.multiagent.iot import MultiServerIoTParallelEnv

        parallel = MultiServerIoTParallelEnv(pricing_agents=True, num_devices=n)
        marl = StackelbergMARL(parallel, MARLConfig(), seed=seed).learn(learn["marl"])
        return evaluate(marl.market, lambda observation: marl.answer(marl.market.announced), slots, eval_seed)
    from baselines.iot.unified import UnifiedConfig, UnifiedIoT

    config = UnifiedConfig.without(module, train_gat=False) if module else UnifiedConfig(train_gat=False)
    twin = copy.deepcopy(_twin(n, seed, learn["twin"]))  # each variant refits its own copy online
    agent = UnifiedIoT(_env(n), config, seed=seed, gat=_gat(n, seed, learn["gat"]), twin=twin)
    agent.learn(learn["unified"])
    return evaluate(agent.env, agent.predict, slots, eval_seed)


def key(table: str, n: int, method: str, seed: int, budget: Budget) -> str:
    if table == "ablation" and method == "full":
        table, method = "main", "unified"  # the main table's unified run is the full model
    learn = ",".join(f"{name}{value}" for name, value in sorted(budget["learn"].items()))
    return f"{table}/n{n}/{method}/slots{budget['slots']}/{learn}/s{seed}"


def parts(budget: Budget) -> list[Part]:
    out, seen = [], set()
    for seed in budget.seeds:
        for n in budget["sizes"]:
            for method in (*FIXED, *LEARNED):
                out.append(Part(key("main", n, method, seed, budget),
                                lambda m=method, n=n, s=seed: measure(m, n, s, budget)))
                seen.add(out[-1].key)
        for name, module in ABLATIONS.items():
            part_key = key("ablation", budget["ablation_size"], name, seed, budget)
            if part_key not in seen:
                out.append(Part(part_key, lambda s=seed, m=module: measure("unified", budget["ablation_size"], s,
                                                                             budget, m)))
                seen.add(part_key)
    return out


# ----- claims ---------------------------------------------------------------------------------------
def mean(r: Results, n: int, method: str, metric: str, table: str = "main") -> float:
    return float(np.mean([r[key(table, n, method, s, r.budget)][metric] for s in r.budget.seeds]))


def absolute(metric: str, unit: str):
    def judge(r: Results) -> Judged:
        ours = ", ".join(f"N = {n}: {mean(r, n, 'unified', metric):.3g}{unit}" for n in r.budget["sizes"])
        return not_reproducible(ours, "the paper's values come from a MATLAB simulator it does not give (tasks, "
                                      "channel and cost model only partly stated)")
    return judge


def order(metric: str, lower_is_better: bool):
    """Every pair of the paper's methods in the paper's order, counted over the sizes."""
    def judge(r: Results) -> Judged:
        agree, total, wrong = 0, 0, []
        for index, n in enumerate(r.budget["sizes"]):
            paper = {m: values[min(index, 2)] for m, values in PAPER_TABLES[metric].items()}
            ranked = sorted(paper, key=paper.get, reverse=not lower_is_better)
            for i, a in enumerate(ranked):
                for b in ranked[i + 1:]:
                    if paper[a] == paper[b]:
                        continue
                    ours_a, ours_b = mean(r, n, a, metric), mean(r, n, b, metric)
                    ok = ours_a < ours_b if lower_is_better else ours_a > ours_b
                    agree, total = agree + ok, total + 1
                    if not ok:
                        wrong.append(f"N={n} {PAPER_NAMES[a]} vs {PAPER_NAMES[b]}")
        n = r.budget["sizes"][0]
        ranked = sorted(PAPER_TABLES[metric], key=lambda m: mean(r, n, m, metric), reverse=not lower_is_better)
        ours = f"N = {n}: " + ", ".join(f"{PAPER_NAMES[m]} {mean(r, n, m, metric):.3g}" for m in ranked)
        ours += f"; {agree} of {total} pairs as the paper"
        if agree == total:
            return Judged(ours, "reproduced")
        return Judged(ours, "partly" if 2 * agree >= total else "contradicted", "out of order: " + ", ".join(wrong[:3]))
    return judge


def trend(metric: str, rising: bool):
    def judge(r: Results) -> Judged:
        values = [mean(r, n, "unified", metric) for n in r.budget["sizes"]]
        flags = [(b > a) if rising else (b < a) for a, b in zip(values, values[1:])]
        return holds(flags, "unified over N: " + ", ".join(f"{x:.3g}" for x in values),
                     f"does not {'rise' if rising else 'fall'} with N")
    return judge


def unified_vs_components(r: Results) -> Judged:
    flags = []
    for n in r.budget["sizes"]:
        for component in ("drl", "gat", "marl", "qio"):
            flags += [mean(r, n, "unified", "latency_ms") < mean(r, n, component, "latency_ms"),
                      mean(r, n, "unified", "energy_j") < mean(r, n, component, "energy_j"),
                      mean(r, n, "unified", "fairness") > mean(r, n, component, "fairness")]
    n = r.budget["sizes"][0]
    ours = f"N = {n} latency ms unified {mean(r, n, 'unified', 'latency_ms'):.3g} vs " + ", ".join(
        f"{c} {mean(r, n, c, 'latency_ms'):.3g}" for c in ("drl", "gat", "marl", "qio"))
    return holds(flags, ours + " (cases: 4 components x latency, energy, fairness x N)",
                 "a component alone beats the unified model on some metric")


def qio_vs_drl(r: Results) -> Judged:
    flags = []
    for n in r.budget["sizes"]:
        flags += [mean(r, n, "drl", "latency_ms") < mean(r, n, "qio", "latency_ms"),
                  mean(r, n, "drl", "energy_j") < mean(r, n, "qio", "energy_j"),
                  mean(r, n, "drl", "fairness") > mean(r, n, "qio", "fairness")]
    n = r.budget["sizes"][0]
    return holds(flags, f"N = {n}: DRL {mean(r, n, 'drl', 'latency_ms'):.3g} ms / {mean(r, n, 'drl', 'energy_j'):.3g} J,"
                 f" QIO {mean(r, n, 'qio', 'latency_ms'):.3g} ms / {mean(r, n, 'qio', 'energy_j'):.3g} J",
                 "QIO beats DRL on some metric and N")


def ablation_full_best(r: Results) -> Judged:
    n, flags = r.budget["ablation_size"], []
    for variant in list(TABLE_5)[1:]:
        for metric, better in (("latency_ms", -1), ("energy_j", -1), ("throughput_mbps", 1), ("fairness", 1),
                               ("utility", 1)):
            full, other = mean(r, n, "full", metric, "ablation"), mean(r, n, variant, metric, "ablation")
            flags.append(better * (full - other) > 0)
    ours = ", ".join(f"{v} {mean(r, n, v, 'latency_ms', 'ablation'):.3g} ms" for v in TABLE_5)
    return holds(flags, ours + " (cases: 4 variants x 5 metrics)", "dropping a module improves some metric")


def ablation_drl_worst(r: Results) -> Judged:
    n = r.budget["ablation_size"]
    flags = [mean(r, n, "without DRL", m, "ablation") >= max(mean(r, n, v, m, "ablation") for v in TABLE_5)
             for m in ("latency_ms", "energy_j")]
    return holds(flags, f"without DRL: {mean(r, n, 'without DRL', 'latency_ms', 'ablation'):.3g} ms, "
                 f"{mean(r, n, 'without DRL', 'energy_j', 'ablation'):.3g} J",
                 "another variant is worse than without DRL")


def ablation_values(r: Results) -> Judged:
    n = r.budget["ablation_size"]
    return not_reproducible(f"full at N = {n}: {mean(r, n, 'full', 'latency_ms', 'ablation'):.3g} ms, "
                            f"{mean(r, n, 'full', 'energy_j', 'ablation'):.3g} J, "
                            f"{mean(r, n, 'full', 'utility', 'ablation'):.3g} utility",
                            "the paper's simulator and utility scale are not given; N of Table 5 is not stated")


CLAIMS = [
    Claim("table2-values", "Unified latency 80 / 110 / 140 ms at N = 50 / 100 / 150", "80, 110, 140 ms", "Table 2",
          absolute("latency_ms", " ms")),
    Claim("table3-values", "Unified energy 0.60 / 0.85 / 1.10 J", "0.60, 0.85, 1.10 J", "Table 3",
          absolute("energy_j", " J")),
    Claim("table4-values", "Unified Jain fairness 0.97 / 0.96 / 0.95", "0.97, 0.96, 0.95", "Table 4",
          absolute("fairness", "")),
    Claim("table2-order", "Latency ordering of the methods at every N", "Unified < TSG-MARL < GAT < DRL < QIO < TS",
          "Table 2, Fig. 4", order("latency_ms", True)),
    Claim("table3-order", "Energy ordering of the methods at every N", "Unified < TSG-MARL < GAT < DRL < QIO < TS",
          "Table 3, Fig. 5", order("energy_j", True)),
    Claim("table4-order", "Fairness ordering of the methods at every N", "Unified > TSG-MARL > GAT > DRL > QIO > TS",
          "Table 4, Fig. 6", order("fairness", False)),
    Claim("latency-rises-with-n", "Latency rises with N", "80 -> 110 -> 140 ms", "Table 2", trend("latency_ms", True)),
    Claim("energy-rises-with-n", "Energy rises with N", "0.60 -> 0.85 -> 1.10 J", "Table 3", trend("energy_j", True)),
    Claim("fairness-falls-with-n", "Fairness falls with N", "0.97 -> 0.96 -> 0.95", "Table 4",
          trend("fairness", False)),
    Claim("unified-vs-components", "The unified model beats each component alone (DRL, GAT, MARL, QIO) on latency, "
          "energy and fairness", "best everywhere", "Tables 2-4, §5", unified_vs_components),
    Claim("qio-vs-drl", "DRL beats QIO on latency, energy and fairness", "105 vs 110 ms, 0.75 vs 0.78 J, 0.91 vs 0.89",
          "Tables 2-4", qio_vs_drl),
    Claim("table5-values", "Ablation values of the full model", "115 ms, 0.88 J, 6.4 Mbps, 0.95, 0.80", "Table 5",
          ablation_values),
    Claim("table5-full-best", "Dropping any module (DT, GAT, MARL, DRL) worsens every metric", "full best on all",
          "Table 5", ablation_full_best),
    Claim("table5-drl-worst", "Dropping DRL hurts latency and energy the most", "140 ms, 1.10 J", "Table 5",
          ablation_drl_worst),
]


# ----- figures --------------------------------------------------------------------------------------
def fig_tables(r: Results, figure) -> None:
    labels = {"latency_ms": "latency (ms)", "energy_j": "energy (J)", "fairness": "Jain fairness"}
    for index, metric in enumerate(labels):
        axis = figure.add_subplot(1, 3, index + 1)
        for method in PAPER_TABLES[metric]:
            axis.plot(r.budget["sizes"], [mean(r, n, method, metric) for n in r.budget["sizes"]], marker="o",
                      label=PAPER_NAMES[method], color="red" if method == "unified" else None)
        axis.set_xlabel("number of IoT devices N")
        axis.set_ylabel(labels[metric])
    axis.legend(fontsize=6)


def fig_ablation(r: Results, figure) -> None:
    n = r.budget["ablation_size"]
    for index, (metric, label) in enumerate((("latency_ms", "latency (ms)"), ("energy_j", "energy (J)"),
                                             ("fairness", "fairness"), ("utility", "servers' utility"))):
        axis = figure.add_subplot(1, 4, index + 1)
        names = list(ABLATIONS)
        axis.bar(range(len(names)), [mean(r, n, v, metric, "ablation") for v in names])
        axis.set_xticks(range(len(names)), [v.replace("without ", "w/o ") for v in names], rotation=60, fontsize=7)
        axis.set_ylabel(label)


def setup(budget: Budget) -> list[tuple[str, str, str]]:
    return [("devices N", "50, 100, 150; M = 3 servers", f"{', '.join(map(str, budget['sizes']))}; M = 3"),
            ("evaluation", "not stated", f"{budget['slots']} slots per method (the same slots for all)"),
            ("learning", "not stated (lr 1e-3, gamma 0.9, epsilon 0.1)", ", ".join(
                f"{name} {value}" for name, value in budget["learn"].items()) + " slots"),
            ("seeds", "not stated", f"{list(budget.seeds)}"),
            ("ablation", "N not stated", f"N = {budget['ablation_size']}, seeds {list(budget.seeds)}"),
            ("methods", "TS-Hybrid-SB, DRL-FGSO, GAT-MEC, TSG-MARL, QIO-MEC, DT-MEC, Unified",
             "best response (for TS-Hybrid-SB), DRL, GAT, MARL, QIO, unified; plus random, all-local, "
             "QIO refining best response and local search as references")]


def deviations(budget: Budget) -> list[str]:
    return ["The paper's absolute values come from its own MATLAB simulator, which it does not give: only the "
            "orderings and trends are judged; the values are shown beside ours and marked not reproducible.",
            "DT-MEC (a digital-twin scheduler alone) has no counterpart here and is left out of the orderings; "
            "TS-Hybrid-SB is represented by greedy best response (a heuristic game-based scheduler).",
            "Learning budgets are small (this shared 2-core machine): see the learning row.",
            "At SPEC's default weights a local task's energy outweighs its latency, so cost-minimising methods "
            "offload to save energy and can be slower than all-local."]


PAPER = Paper(
    name="iot", title="A Hybrid Learning and Quantum-Inspired Optimization Framework for Adaptive Task Offloading "
                      "in Mobile Edge Computing",
    source="003_c05a204a7f642544.txt",
    where="Tables 2-4 (latency, energy, fairness at N = 50 / 100 / 150), Table 5 (ablation), Figs. 4-6, §4-5",
    paper_budget="N = 50, 100, 150 with M = 3 servers; learning and evaluation budgets, seeds and the simulator "
                 "are not given.",
    budgets={"quick": Budget("quick", (0,), {"sizes": (50, 100, 150), "slots": 3, "ablation_size": 50,
                                             "learn": {"drl": 40, "gat": 10, "marl": 15, "unified": 15, "twin": 15}}),
             "full": Budget("full", (0, 1), {"sizes": (50, 100, 150), "slots": 10, "ablation_size": 50,
                                             "learn": {"drl": 300, "gat": 60, "marl": 80, "unified": 100,
                                                       "twin": 50}})},
    setup=setup, deviations=deviations, parts=parts, claims=CLAIMS,
    figures=[Figure("tables.png", "Latency, energy and fairness against N (Figs. 4-6)", fig_tables, (12, 3.8)),
             Figure("ablation.png", "Ablation (Table 5)", fig_ablation, (12, 3.6))],
)
