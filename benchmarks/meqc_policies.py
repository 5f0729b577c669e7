"""MEQC-GaussMarkov-v0: time-average cost of the paper's fixed policies and the oracle fraction.

Over ``--slots`` slots (default 2,000) and seeds 0..2 prints each policy's time-average cost (sum
over devices per slot), deadline misses, mode shares and, with the DPP reward, the smallest
per-device time-average fraction (the long-term constraint asks >= alpha_bar = 0.3). The paper's
ordering: each continuous variant below its discrete one, random the worst, the oracle best.
Also prints SPEC.md's balance check: the share of tasks whose cheapest whole-task mode is local,
CPU or QPU for three weightings of latency and energy.

    python -m benchmarks.meqc_policies [--slots 2000] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from baselines import heuristics

POLICIES = {**heuristics.MEQC_POLICIES, "random": heuristics.random_policy, "oracle-fraction": heuristics.optimum_policy}


def balance(seeds: int = 400) -> None:
    """SPEC.md's balance check: the cheapest of local / cloud CPU / cloud QPU for whole tasks, over
    ``seeds`` x 15 tasks, as the env scores them (hard deadlines and infeasibility penalties included)
    and in SPEC.md's convention (no deadline penalty, an infeasible QPU never chosen)."""
    print(f"cheapest whole-task mode, % local / CPU / QPU over {seeds * 15} tasks "
          "(SPEC.md: (0.5, 0.5) about 22 / 48 / 30, (1, 0) QPU about 96, (0, 1) mostly local)")
    n = 15
    batch = {"fraction": np.array([np.zeros(n), np.ones(n), np.ones(n)]),
             "target": np.array([np.zeros(n), np.zeros(n), np.ones(n)], dtype=np.int8)}
    for weights in ((0.5, 0.5), (1.0, 0.0), (0.0, 1.0)):
        shares = []
        for penalties in ({}, {"deadline_mode": "penalty", "deadline_penalty": 0.0, "infeasible_penalty": 1e9}):
            env = gym.make("MEQC-GaussMarkov-v0", latency_weight=weights[0], energy_weight=weights[1], reward="cost",
                           **penalties).unwrapped
            counts = np.zeros(3)
            for seed in range(seeds):
                env.reset(seed=seed)
                counts += np.bincount(np.argmin(env.evaluate(batch).info["cost"], axis=0), minlength=3)
            shares.append(100 * counts / counts.sum())
        print(f"  w_T, w_E = {weights}: env {shares[0][0]:4.1f} / {shares[0][1]:4.1f} / {shares[0][2]:4.1f}   "
              f"no deadline penalty {shares[1][0]:4.1f} / {shares[1][1]:4.1f} / {shares[1][2]:4.1f}")


def table(slots: int, seeds: list[int], config: dict) -> dict[str, float]:
    """Print one policy table for an env config; returns each policy's time-average cost."""
    print(f"\ntime-average cost over {slots} slots, seeds {seeds} (reward dpp, V = 10, alpha_bar = 0.3), {config}")
    print("per slot, summed over the 15 devices: cost (penalties included), wset (without deadline penalties), "
          "deadline misses, avoidable ones, infeasible QPU requests")
    print(f"{'policy':<16} {'cost':>8} {'wset':>8} {'misses':>7} {'avoid.':>7} {'infeas':>7} {'local/CPU/QPU %':>17} "
          f"{'min avg fraction':>17}")
    averages, worst_fraction = {}, {}
    for name, policy in POLICIES.items():
        costs, wset, misses, avoidable, infeasible, modes, min_fraction = [], [], [], [], [], np.zeros(3), []
        for seed in seeds:
            env = gym.make("MEQC-GaussMarkov-v0", episode_length=slots, **config)
            env.reset(seed=seed)
            rng = np.random.default_rng(seed)
            fractions = []
            for _ in range(slots):
                _, _, _, _, info = env.step(policy(env, rng))
                costs.append(info["total_cost"])
                wset.append(info["total_cost"] - info["deadline_penalty"].sum())
                misses.append(info["deadline_misses"])
                avoidable.append(info["avoidable_misses"])
                infeasible.append(info["infeasible_qpu"])
                modes += info["mode_counts"]
                fractions.append(info["offloaded"])
            min_fraction.append(np.mean(fractions, axis=0).min())
        share = 100 * modes / modes.sum()
        averages[name], worst_fraction[name] = float(np.mean(costs)), float(np.min(min_fraction))
        print(f"{name:<16} {np.mean(costs):>8.2f} {np.mean(wset):>8.2f} {np.mean(misses):>7.2f} "
              f"{np.mean(avoidable):>7.2f} {np.mean(infeasible):>7.2f} "
              f"{share[0]:>5.0f}/{share[1]:>3.0f}/{share[2]:>3.0f}{'':>5} {worst_fraction[name]:>17.3f}")
    checks = {
        "cpu-continuous < cpu-discrete": averages["cpu-continuous"] < averages["cpu-discrete"],
        "qpu-continuous < qpu-discrete": averages["qpu-continuous"] < averages["qpu-discrete"],
        "random the worst": averages["random"] == max(averages.values()),
        "oracle-fraction the best": averages["oracle-fraction"] == min(averages.values()),
        "oracle-fraction: every device's average fraction >= alpha_bar": worst_fraction["oracle-fraction"] >= 0.3,
    }
    print("ordering, best first: " + " < ".join(sorted(averages, key=averages.get)))
    for check, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {check}")
    return averages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slots", type=int, default=2000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--qpu-partial", nargs="+", default=["whole", "scaled"], choices=["whole", "scaled"])
    parser.add_argument("--deadline-mode", nargs="+", default=["hard"], choices=["hard", "penalty"])
    parser.add_argument("--no-balance", action="store_true", help="skip SPEC.md's balance check")
    args = parser.parse_args()
    if not args.no_balance:
        balance()
    for deadline_mode in args.deadline_mode:
        for qpu_partial in args.qpu_partial:
            table(args.slots, args.seeds, {"deadline_mode": deadline_mode, "qpu_partial": qpu_partial})


if __name__ == "__main__":
    main()
