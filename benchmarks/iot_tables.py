"""Seed 003's Tables 2-5 on MultiServerIoT-v0: latency (ms), energy (J), fairness (Jain), mean device
cost and the servers' utility for N = 50, 100, 150, and the ablation table of the unified method.

Methods: random, all-local, best-response, QIO (population 30, 100 iterations per slot), the
oracle's local search (a reference, not a paper method), DRL (shared-network DQN), GAT (imitation
of the local search), MARL (learning leaders, best-response followers) and the unified method
(Algorithm 2). Ablations: full, without DT / GAT / MARL / DRL (the paper's four) and without QIO,
at N = 50 over seeds 0, 1, 2 (``--ablation-sizes``, ``--ablation-seeds``): a module is said to help
only when its paired change over the seeds exceeds their spread (a first single-seed table at
N = 50, 100, 150 flipped verdicts between sizes by about 1 %, and the leaders' learned prices,
0.6-0.9 per Gcycle, moved the device cost more than any device-side module did).
The GAT is trained once per N and shared, frozen, by the unified variants (its imitation labels
cost one local search per slot, 0.2 s at N = 150). Every method is evaluated on the same
``--slots`` slots (seed 10000 + ``--seed``: the same tasks and channels for all); methods with
MARL are evaluated at their leaders' greedy prices, the others at the env's fixed 0.1 per Gcycle,
and the device cost includes the price paid.

At SPEC's default weights (alpha = 1 per s, beta = 1 per J) a local task's energy outweighs its
latency, so the cost-optimal assignment offloads to save energy and is slower than all-local
(local tasks take ~18 ms): expect the learned methods to beat all-local on cost, not on latency.

Each (N, method) result is appended to ``--out`` (JSON lines) as soon as it is measured;
``--resume`` skips the ones already there with the same settings.

    python -m benchmarks.iot_tables [--quick] [--sizes 50 100 150] [--slots 20] [--seed 0] [--resume]
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from baselines import heuristics
from baselines.iot.drl import IoTDQN
from baselines.iot.gat import IoTGAT
from baselines.iot.marl import MARLConfig, StackelbergMARL
from baselines.iot.twin import DigitalTwin
from baselines.iot.unified import UnifiedConfig, UnifiedIoT
from baselines.qio import QIOPolicy
from benchmarks.journal import Journal
from mec_gym.multiagent.iot import MultiServerIoTParallelEnv

FIXED = {"random": heuristics.random_policy, "all-local": heuristics.all_local_policy,
         "best-response": heuristics.best_response_policy, "qio": QIOPolicy(),
         "qio-refine": QIOPolicy(proposal=heuristics.best_response_policy), "best-known (cd-multistart)": heuristics.optimum_policy}
ABLATIONS = {"full": None, "without DT": "dt", "without GAT": "gat", "without MARL": "marl", "without DRL": "drl",
             "without QIO": "qio"}
METRICS = ("latency_ms", "energy_j", "fairness", "throughput_mbps", "cost", "utility", "price", "decide_ms")
BUDGETS = {  # learning slots per method: default, --quick
    "drl": (1500, 150), "gat": (300, 40), "marl": (300, 60), "unified": (400, 60), "twin": (200, 60),
}


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


class Bench:
    """Runs and records the methods of one N and seed (results appended to ``out`` as they come)."""

    def __init__(self, n: int, seed: int, args, journal: Journal):
        self.n, self.seed, self.args, self.journal = n, seed, args, journal
        self.budget = {name: pair[1] if args.quick else pair[0] for name, pair in BUDGETS.items()}
        self.eval_seed = 10_000 + seed
        self._gat, self._twin = None, None

    def env(self):
        return gym.make("MultiServerIoT-v0", num_devices=self.n)

    def record(self, table: str, method: str, run) -> dict[str, float]:
        key = {"table": table, "n": self.n, "method": method, "seed": self.seed, "quick": self.args.quick,
               "slots": self.args.slots}
        return self.journal.run(key, lambda: {"metrics": self._measure(table, method, run)})["metrics"]

    def _measure(self, table: str, method: str, run) -> dict[str, float]:
        start = time.perf_counter()
        metrics = run()
        metrics["seconds"] = time.perf_counter() - start
        print(f"  N = {self.n:<4} seed {self.seed} {table:<9} {method:<14} cost {metrics['cost']:.4f}  latency {metrics['latency_ms']:.1f} ms"
              f"  ({metrics['seconds']:.1f} s)", flush=True)
        return metrics

    def gat(self) -> IoTGAT:
        if self._gat is None:
            self._gat = IoTGAT(self.env(), seed=self.seed).learn(self.budget["gat"])
        return self._gat

    def twin(self) -> DigitalTwin:
        if self._twin is None:
            self._twin = DigitalTwin(self.env(), seed=self.seed).learn(self.budget["twin"])
        return self._twin

    def fixed(self, name: str):
        env, rng = self.env(), np.random.default_rng(self.seed)
        return evaluate(env, lambda obs: FIXED[name](env, rng), self.args.slots, self.eval_seed)

    def learned(self, name: str):
        slots, seed = self.args.slots, self.seed
        if name == "drl":
            agent = IoTDQN(self.env(), seed=seed).learn(self.budget["drl"])
            return evaluate(agent.env, agent.predict, slots, self.eval_seed)
        if name == "gat":
            agent = self.gat()
            return evaluate(self.env(), agent.predict, slots, self.eval_seed)
        if name == "marl":
            parallel = MultiServerIoTParallelEnv(pricing_agents=True, num_devices=self.n)
            marl = StackelbergMARL(parallel, MARLConfig(), seed=seed).learn(self.budget["marl"])
            return evaluate(marl.market, lambda obs: marl.answer(marl.market.announced), slots, self.eval_seed)
        return self.unified(None)

    def unified(self, module: str | None):
        config = UnifiedConfig.without(module, train_gat=False) if module else UnifiedConfig(train_gat=False)
        twin = copy.deepcopy(self.twin())  # each variant refits its own copy online
        agent = UnifiedIoT(self.env(), config, seed=self.seed, gat=self.gat(), twin=twin)
        agent.learn(self.budget["unified"])
        return evaluate(agent.env, agent.predict, self.args.slots, self.eval_seed)


def print_tables(results: dict, sizes, seed: int) -> None:
    main = [m for m in (*FIXED, "drl", "gat", "marl", "unified") if any(("main", n, m, seed) in results for n in sizes)]
    for title, metric, fmt in (("Table 2: latency (ms)", "latency_ms", "{:>10.1f}"),
                               ("Table 3: energy (J)", "energy_j", "{:>10.4f}"),
                               ("Table 4: fairness (Jain)", "fairness", "{:>10.3f}"),
                               ("Table 5: mean device cost (alpha L + beta E + gamma price)", "cost", "{:>10.4f}"),
                               ("servers' total utility", "utility", "{:>10.3f}"),
                               ("mean price (per Gcycle)", "price", "{:>10.3f}"),
                               ("decision time (ms per slot)", "decide_ms", "{:>10.1f}")):
        print(f"\n{title}, seed {seed}\n{'method':<16}" + "".join(f"{'N = ' + str(n):>10}" for n in sizes))
        for method in main:
            cells = [fmt.format(results[key][metric]) if (key := ("main", n, method, seed)) in results else f"{'-':>10}"
                     for n in sizes]
            print(f"{method:<16}" + "".join(cells))
    for n in sizes:
        for learned in ("drl", "gat", "unified"):
            if ("main", n, learned, seed) not in results:
                continue
            verdicts = [f"{metric} < {base}: {'yes' if results[('main', n, learned, seed)][key] < results[('main', n, base, seed)][key] else 'NO'}"
                        for metric, key in (("latency", "latency_ms"), ("cost", "cost"))
                        for base in ("random", "all-local") if ("main", n, base, seed) in results]
            print(f"check N = {n} {learned:<8} " + ", ".join(verdicts))


def print_ablation(results: dict, n: int, seeds) -> None:
    """Mean (sd over seeds) per variant, and per module the paired change when it is dropped."""
    runs = {name: [results[("ablation", n, name, s)] for s in seeds if ("ablation", n, name, s) in results]
            for name in ABLATIONS}
    if not runs["full"]:
        return
    columns = (("latency ms", "latency_ms", 1), ("energy J", "energy_j", 4), ("fairness", "fairness", 3),
               ("utility", "utility", 3), ("price", "price", 3), ("cost", "cost", 4))
    print(f"\nAblation, N = {n}, mean (sd) over seeds {list(seeds)}\n{'variant':<14}"
          + "".join(f"{label:>17}" for label, _, _ in columns) + f"{'Mbps':>8}")
    for name, rows in runs.items():
        if rows:
            cells = [f"{np.mean([r[k] for r in rows]):.{d}f} ({np.std([r[k] for r in rows]):.{d}f})" for _, k, d in columns]
            print(f"{name:<14}" + "".join(f"{c:>17}" for c in cells) + f"{np.mean([r['throughput_mbps'] for r in rows]):>8.2f}")
    full = runs["full"]
    if len(full) < 2:
        print("  (one seed: the verdicts below are signs of single differences, not measured effects)")
    for name, rows in list(runs.items())[1:]:
        if len(rows) != len(full):
            continue
        words = []
        for metric, label, better, good, bad in (("cost", "device cost", -1, "lowers", "raises"),
                                                 ("utility", "servers' utility", 1, "raises", "lowers")):
            change = better * np.array([f[metric] - r[metric] for f, r in zip(full, rows)])  # > 0: the module helps
            spread = np.std(change) if len(change) > 1 else 0.0
            effect = good if change.mean() > spread else bad if change.mean() < -spread else "no clear effect on"
            words.append(f"{effect} the {label} "
                         f"({np.mean([r[metric] for r in full]):.4f} with it, {np.mean([r[metric] for r in rows]):.4f} without)")
        print(f"  {name[8:]:<5} " + "; ".join(words))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small learning budgets and 5 slots")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 150])
    parser.add_argument("--slots", type=int, default=None, help="evaluation slots (default 20, --quick 5)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the main tables")
    parser.add_argument("--ablation-sizes", type=int, nargs="+", default=[50])
    parser.add_argument("--ablation-seeds", type=int, nargs="+", default=None, help="default 0 1 2 (--quick: 0)")
    parser.add_argument("--out", type=Path, default=Path("results/iot_tables.jsonl"))
    parser.add_argument("--resume", action="store_true", help="skip results already in --out with these settings")
    args = parser.parse_args(argv)
    args.slots = args.slots or (5 if args.quick else 20)
    args.ablation_seeds = args.ablation_seeds or ([0] if args.quick else [0, 1, 2])
    journal = Journal(args.out, ("table", "n", "method", "seed", "quick", "slots"), resume=args.resume)
    budgets = {name: pair[1] if args.quick else pair[0] for name, pair in BUDGETS.items()}
    print(f"learning slots {budgets}, {args.slots} evaluation slots; results -> {args.out}")
    for n in sorted(set(args.sizes) | set(args.ablation_sizes)):
        for seed in sorted({args.seed} | (set(args.ablation_seeds) if n in args.ablation_sizes else set())):
            bench = Bench(n, seed, args, journal)
            if n in args.sizes and seed == args.seed:
                for name in FIXED:
                    bench.record("main", name, lambda name=name: bench.fixed(name))
                for name in ("drl", "gat", "marl", "unified"):
                    bench.record("main", name, lambda name=name: bench.learned(name))
            if n not in args.ablation_sizes or seed not in args.ablation_seeds:
                continue
            for name, module in ABLATIONS.items():
                if name == "full" and n in args.sizes and seed == args.seed:
                    continue  # the main table's unified run is the full method
                bench.record("ablation", name, lambda module=module: bench.unified(module))
    results = {(row["table"], row["n"], row["method"], row["seed"]): row["metrics"] for row in journal.rows.values()
               if (row["quick"], row["slots"]) == (args.quick, args.slots)}
    for (table, n, method, seed), metrics in list(results.items()):
        if (table, method) == ("main", "unified"):
            results.setdefault(("ablation", n, "full", seed), metrics)
    print_tables(results, args.sizes, args.seed)
    for n in args.ablation_sizes:
        print_ablation(results, n, args.ablation_seeds)


if __name__ == "__main__":
    main()
