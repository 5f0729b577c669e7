"""Seed 003's Tables 2-5 on MultiServerIoT-v0: latency (ms), energy (J), fairness (Jain), mean device
cost and the servers' utility for N = 50, 100, 150, and the ablation table of the unified method.

Methods: random, all-local, best-response, QIO (population 30, 100 iterations per slot), the
oracle's local search (a reference, not a paper method), DRL (shared-network DQN), GAT (imitation
of the local search), MARL (learning leaders, best-response followers) and the unified method
(Algorithm 2). Ablations: full, without DT / GAT / MARL / DRL (the paper's four) and without QIO.
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

    python -m benchmarks.iot_tables [--quick] [--sizes 50 100 150] [--slots 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import copy
import json
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
from mec_gym.multiagent.iot import MultiServerIoTParallelEnv

FIXED = {"random": heuristics.random_policy, "all-local": heuristics.all_local_policy,
         "best-response": heuristics.best_response_policy, "qio": QIOPolicy(), "local-search": heuristics.optimum_policy}
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
    """Runs and records the methods of one N (results appended to ``out`` as they come)."""

    def __init__(self, n: int, args, done: dict):
        self.n, self.args, self.done = n, args, done
        self.budget = {name: pair[1] if args.quick else pair[0] for name, pair in BUDGETS.items()}
        self.eval_seed = 10_000 + args.seed
        self._gat, self._twin = None, None

    def env(self):
        return gym.make("MultiServerIoT-v0", num_devices=self.n)

    def record(self, table: str, method: str, run) -> dict[str, float]:
        key = (table, self.n, method)
        if key in self.done:
            return self.done[key]
        start = time.perf_counter()
        metrics = run()
        metrics["seconds"] = time.perf_counter() - start
        entry = {"table": table, "n": self.n, "method": method, "quick": self.args.quick, "slots": self.args.slots,
                 "seed": self.args.seed, "metrics": metrics}
        with self.args.out.open("a") as stream:
            stream.write(json.dumps(entry) + "\n")
        self.done[key] = metrics
        print(f"  N = {self.n:<4} {table:<9} {method:<16} cost {metrics['cost']:.4f}  latency {metrics['latency_ms']:.1f} ms"
              f"  ({metrics['seconds']:.1f} s)", flush=True)
        return metrics

    def gat(self) -> IoTGAT:
        if self._gat is None:
            self._gat = IoTGAT(self.env(), seed=self.args.seed).learn(self.budget["gat"])
        return self._gat

    def twin(self) -> DigitalTwin:
        if self._twin is None:
            self._twin = DigitalTwin(self.env(), seed=self.args.seed).learn(self.budget["twin"])
        return self._twin

    def fixed(self, name: str):
        env, rng = self.env(), np.random.default_rng(self.args.seed)
        return evaluate(env, lambda obs: FIXED[name](env, rng), self.args.slots, self.eval_seed)

    def learned(self, name: str):
        slots, seed = self.args.slots, self.args.seed
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
        agent = UnifiedIoT(self.env(), config, seed=self.args.seed, gat=self.gat(), twin=twin)
        agent.learn(self.budget["unified"])
        return evaluate(agent.env, agent.predict, self.args.slots, self.eval_seed)


def print_tables(results: dict, sizes) -> None:
    main = [m for m in (*FIXED, "drl", "gat", "marl", "unified") if any(("main", n, m) in results for n in sizes)]
    for title, metric, fmt in (("Table 2: latency (ms)", "latency_ms", "{:>10.1f}"),
                               ("Table 3: energy (J)", "energy_j", "{:>10.4f}"),
                               ("Table 4: fairness (Jain)", "fairness", "{:>10.3f}"),
                               ("Table 5: mean device cost (alpha L + beta E + gamma price)", "cost", "{:>10.4f}"),
                               ("servers' total utility", "utility", "{:>10.3f}"),
                               ("decision time (ms per slot)", "decide_ms", "{:>10.1f}")):
        print(f"\n{title}\n{'method':<16}" + "".join(f"{'N = ' + str(n):>10}" for n in sizes))
        for method in main:
            cells = [fmt.format(results[("main", n, method)][metric]) if ("main", n, method) in results else f"{'-':>10}"
                     for n in sizes]
            print(f"{method:<16}" + "".join(cells))
    for n in sizes:
        rows = [(name, results[("ablation", n, name)]) for name in ABLATIONS if ("ablation", n, name) in results]
        if not rows:
            continue
        print(f"\nAblation, N = {n}\n{'variant':<14} {'latency ms':>10} {'energy J':>9} {'Mbps':>7} {'fairness':>9} "
              f"{'utility':>8} {'price':>6} {'cost':>8}")
        for name, m in rows:
            print(f"{name:<14} {m['latency_ms']:>10.1f} {m['energy_j']:>9.4f} {m['throughput_mbps']:>7.2f} "
                  f"{m['fairness']:>9.3f} {m['utility']:>8.3f} {m['price']:>6.3f} {m['cost']:>8.4f}")
        full = dict(rows).get("full")
        for name, m in rows[1:]:
            if full is not None:
                cost = "lowers" if m["cost"] > full["cost"] else "does not lower"
                utility = "raises" if m["utility"] < full["utility"] else "does not raise"
                print(f"  {name[8:]:<5} {cost} the device cost ({full['cost']:.4f} with it, {m['cost']:.4f} without), "
                      f"{utility} the servers' utility ({full['utility']:.3f} / {m['utility']:.3f})")
    for n in sizes:
        for learned in ("drl", "gat", "unified"):
            if ("main", n, learned) not in results:
                continue
            verdicts = [f"{metric} < {base}: {'yes' if results[('main', n, learned)][key] < results[('main', n, base)][key] else 'NO'}"
                        for metric, key in (("latency", "latency_ms"), ("cost", "cost"))
                        for base in ("random", "all-local") if ("main", n, base) in results]
            print(f"check N = {n} {learned:<8} " + ", ".join(verdicts))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small learning budgets and 5 slots")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 150])
    parser.add_argument("--slots", type=int, default=None, help="evaluation slots (default 20, --quick 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("results/iot_tables.jsonl"))
    parser.add_argument("--resume", action="store_true", help="skip results already in --out with these settings")
    args = parser.parse_args(argv)
    args.slots = args.slots or (5 if args.quick else 20)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    done = {}
    if args.resume and args.out.exists():
        for line in args.out.read_text().splitlines():
            entry = json.loads(line)
            if (entry["quick"], entry["slots"], entry["seed"]) == (args.quick, args.slots, args.seed):
                done[(entry["table"], entry["n"], entry["method"])] = entry["metrics"]
    elif args.out.exists():
        args.out.unlink()
    budgets = {name: pair[1] if args.quick else pair[0] for name, pair in BUDGETS.items()}
    print(f"learning slots {budgets}, {args.slots} evaluation slots, seed {args.seed}; results -> {args.out}")
    results = dict(done)
    for n in args.sizes:
        bench = Bench(n, args, results)
        for name in FIXED:
            bench.record("main", name, lambda name=name: bench.fixed(name))
        for name in ("drl", "gat", "marl", "unified"):
            bench.record("main", name, lambda name=name: bench.learned(name))
        for name, module in ABLATIONS.items():
            if name == "full" and ("main", n, "unified") in results:
                results[("ablation", n, "full")] = results[("main", n, "unified")]
                continue
            bench.record("ablation", name, lambda module=module: bench.unified(module))
    print_tables(results, args.sizes)


if __name__ == "__main__":
    main()
