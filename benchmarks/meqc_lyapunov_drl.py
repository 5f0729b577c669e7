"""MEQC-GaussMarkov-v0: Lyapunov-DQN/DDPG against the paper's fixed policies, for V in {1, 10, 100}.

Every method runs one episode of ``--frames`` slots per (V, seed) on the same seeded environment
(the tasks, channels and mobility do not depend on the decisions, so every method sees the same
slots). The learner learns online, as in the paper's figures: its time-average cost includes the
exploration. Printed per method and V, averaged over seeds: the time-average cost (sum over the 15
devices per slot) over all slots and over the last quarter, the average offloaded fraction, the
smallest per-device time-average fraction (the long-term constraint asks >= alpha_bar = 0.3) and
the average virtual-queue length. ``lyapunov-drl`` is the paper's learner (discount 0.9); with
``--myopic`` also ``lyapunov-drl-myopic``, the same with discount 0, which learns exactly the
per-slot drift-plus-penalty that the Lyapunov outer loop asks to minimise.

With the paper's alpha_bar = 0.3 the constraint hardly binds (oracle-fraction offloads 0.82 on
average and at least 0.42 per device), so V barely moves cost and queues; ``--alpha-bar 0.8`` makes
it bind and shows the Lyapunov trade-off (larger V: lower cost, longer queues).

Budget of the default run: 8,000 slots x 3 seeds x 3 values of V (about 12 minutes on one core);
``--quick``: 1,500 slots, seed 0 (about a minute). One JSON line per (V, seed, method) is appended to
``--out`` as it finishes; a rerun skips the lines already there (same frames).

    python -m benchmarks.meqc_lyapunov_drl [--quick] [--frames 8000] [--seeds 0 1 2] [--V 1 10 100]
        [--alpha-bar 0.3] [--myopic] [--out results/meqc_lyapunov_drl.jsonl]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from baselines import heuristics
from baselines.lyapunov_drl import LyapunovDRL, LyapunovDRLConfig
from benchmarks.journal import Journal
from mec_gym.envs.meqc.config import MEQCConfig

ENV_ID = "MEQC-GaussMarkov-v0"
FIXED = {**heuristics.MEQC_POLICIES, "random": heuristics.random_policy}  # the paper's five
REFERENCE = {"oracle-fraction": heuristics.optimum_policy}
LEARNERS = {"lyapunov-drl": {}, "lyapunov-drl-myopic": {"gamma": 0.0}}
KEY = ("V", "seed", "method", "frames", "exploration_frames", "alpha_bar")  # what a result line is of


class SlotLog:
    """Per-slot cost, offloaded fractions and queue lengths from the env's info."""

    def __init__(self):
        self.cost, self.offloaded, self.queue = [], [], []

    def add(self, info) -> None:
        self.cost.append(float(info["total_cost"]))
        self.offloaded.append(np.asarray(info["offloaded"], dtype=np.float64))
        self.queue.append(float(np.mean(info["virtual_queue"])))

    def summary(self) -> dict:
        cost, fraction = np.asarray(self.cost), np.mean(self.offloaded, axis=0)
        return {"cost": float(cost.mean()), "cost_last_quarter": float(cost[-max(len(cost) // 4, 1):].mean()),
                "fraction": float(fraction.mean()), "min_fraction": float(fraction.min()),
                "fraction_per_device": fraction.round(4).tolist(), "queue": float(np.mean(self.queue))}


def run_policy(env, policy, seed: int, frames: int) -> dict:
    log, rng = SlotLog(), np.random.default_rng(seed)
    env.reset(seed=seed)
    for _ in range(frames):
        log.add(env.step(policy(env, rng))[4])
    return log.summary()


def run_learner(env, overrides: dict, seed: int, frames: int, exploration_frames: int) -> dict:
    log = SlotLog()
    config = LyapunovDRLConfig(**{"exploration_frames": exploration_frames, **overrides})
    LyapunovDRL(env, config, seed).learn(frames, callback=lambda record: log.add(record["info"]))
    return log.summary()


def measure(method: str, V: float, seed: int, args, exploration: int) -> dict:
    """One run of ``method``, printed as it finishes."""
    # one episode for the whole run (after the default 2,000 slots the learner would reset the devices)
    config = MEQCConfig(V=V, alpha_bar=args.alpha_bar, episode_length=args.frames)
    env = gym.make(ENV_ID, config=config)
    start = time.perf_counter()
    if method in LEARNERS:
        result = run_learner(env, LEARNERS[method], seed, args.frames, exploration)
    else:
        result = run_policy(env, {**FIXED, **REFERENCE}[method], seed, args.frames)
    result["seconds"] = time.perf_counter() - start
    print(f"  V={V:g} seed={seed} {method:<20} cost {result['cost']:7.2f}  ({result['seconds']:.1f} s)", flush=True)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,500 slots, seed 0 (about a minute)")
    parser.add_argument("--frames", type=int, default=8000, help="slots per run (learning included)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--V", type=float, nargs="+", default=[1.0, 10.0, 100.0])
    parser.add_argument("--exploration-frames", type=int, default=None,
                        help="the learner's exploration decay (default: the config's, capped at frames / 4)")
    parser.add_argument("--alpha-bar", type=float, default=MEQCConfig.alpha_bar,
                        help="the long-term fraction (0.3: the paper's; 0.8 binds for every policy here)")
    parser.add_argument("--myopic", action="store_true", help="also the learner with discount 0")
    parser.add_argument("--out", type=Path, default=Path("results/meqc_lyapunov_drl.jsonl"))
    args = parser.parse_args(argv)
    if args.quick:
        args.frames, args.seeds = 1500, [0]
    exploration = args.exploration_frames or min(LyapunovDRLConfig.exploration_frames, args.frames // 4)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    journal = Journal(args.out, KEY)
    learners = [name for name in LEARNERS if args.myopic or name == "lyapunov-drl"]
    methods = [*FIXED, *REFERENCE, *learners]
    print(f"{ENV_ID}: {args.frames} slots per run, seeds {args.seeds}, V {args.V}, "
          f"learner exploration over {exploration} slots; results in {args.out}")
    rows = []
    for V in args.V:
        for seed in args.seeds:
            for method in methods:
                key = dict(zip(KEY, (V, seed, method, args.frames, exploration, args.alpha_bar)))
                rows.append(journal.run(key, lambda: measure(method, V, seed, args, exploration)))
    table(rows, methods, learners, args.V, args.alpha_bar)


def table(rows: list[dict], methods: list[str], learners: list[str], values: list[float], alpha_bar: float) -> None:
    """The averages over seeds per (V, method) and the acceptance checks."""
    print("\nper slot, summed over the 15 devices; averages over seeds; 'min frac' is the smallest per-device "
          f"time-average offloaded fraction over devices and seeds (constraint: >= {alpha_bar})")
    print(f"{'V':>5} {'method':<20} {'cost':>7} {'last 1/4':>8} {'frac':>6} {'min frac':>8} {'met':>4} {'queue Z':>8}")
    means = {}
    for V in values:
        for method in methods:
            group = [r for r in rows if r["V"] == V and r["method"] == method]
            m = {key: float(np.mean([r[key] for r in group])) for key in ("cost", "cost_last_quarter", "fraction", "queue")}
            m["min_fraction"] = min(r["min_fraction"] for r in group)
            means[V, method] = m
            print(f"{V:>5g} {method:<20} {m['cost']:>7.2f} {m['cost_last_quarter']:>8.2f} {m['fraction']:>6.3f} "
                  f"{m['min_fraction']:>8.3f} {'yes' if m['min_fraction'] >= alpha_bar else 'no':>4} {m['queue']:>8.3f}")
    print()
    seeds = sorted({r["seed"] for r in rows})
    by_key = {(r["V"], r["seed"], r["method"]): r for r in rows}
    for learner in learners:
        for V in values:
            for column, label in (("cost", "time-average"), ("cost_last_quarter", "last-quarter")):
                best_fixed = min(FIXED, key=lambda f: means[V, f][column])
                wins = sum(by_key[V, s, learner][column] < min(by_key[V, s, f][column] for f in FIXED) for s in seeds)
                check(means[V, learner][column] < means[V, best_fixed][column],
                      f"V={V:g} {learner}: {label} cost {means[V, learner][column]:.2f} < best fixed policy "
                      f"({best_fixed}) {means[V, best_fixed][column]:.2f}; below every fixed policy on {wins} of "
                      f"{len(seeds)} seeds")
            check(means[V, learner]["min_fraction"] >= alpha_bar, f"V={V:g} {learner}: every device's time-average "
                  f"fraction >= {alpha_bar} (min {means[V, learner]['min_fraction']:.3f})")
    for method in (*learners, "oracle-fraction"):  # the Lyapunov trade-off, the learner's and the exact one's
        costs = [means[V, method]["cost_last_quarter"] for V in sorted(values)]
        queues = [means[V, method]["queue"] for V in sorted(values)]
        check(costs == sorted(costs, reverse=True), f"{method}: last-quarter cost falls as V grows "
              f"{[round(c, 2) for c in costs]}")
        check(queues == sorted(queues), f"{method}: queue grows as V grows {[round(q, 3) for q in queues]}")


def check(ok: bool, text: str) -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {text}")

if __name__ == "__main__":
    main()
