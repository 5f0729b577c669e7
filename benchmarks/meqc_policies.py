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


def balance(samples: int = 300) -> None:
    print("cheapest whole-task mode (local / CPU / QPU), SPEC.md: (0.5, 0.5) about 22 / 48 / 30 %")
    for weights in ((0.5, 0.5), (1.0, 0.0), (0.0, 1.0)):
        env = gym.make("MEQC-GaussMarkov-v0", latency_weight=weights[0], energy_weight=weights[1], reward="cost")
        counts = np.zeros(3)
        for seed in range(samples // 15):
            env.reset(seed=seed)
            n = 15
            batch = {"fraction": np.array([np.zeros(n), np.ones(n), np.ones(n)]),
                     "target": np.array([np.zeros(n), np.zeros(n), np.ones(n)], dtype=np.int8)}
            cost = env.unwrapped.evaluate(batch).info["cost"]
            counts += np.bincount(np.argmin(cost, axis=0), minlength=3)
        share = 100 * counts / counts.sum()
        print(f"  w_T, w_E = {weights}: {share[0]:.0f} / {share[1]:.0f} / {share[2]:.0f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slots", type=int, default=2000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    balance()
    print(f"\ntime-average cost over {args.slots} slots, seeds {args.seeds} (reward dpp, V = 10, alpha_bar = 0.3)")
    print(f"{'policy':<16} {'cost':>8} {'misses':>7} {'local/CPU/QPU %':>17} {'min avg fraction':>17}")
    for name, policy in POLICIES.items():
        costs, misses, modes, min_fraction = [], [], np.zeros(3), []
        for seed in args.seeds:
            env = gym.make("MEQC-GaussMarkov-v0", max_episode_steps=args.slots)
            env.reset(seed=seed)
            rng = np.random.default_rng(seed)
            fractions = []
            for _ in range(args.slots):
                _, _, _, _, info = env.step(policy(env, rng))
                costs.append(info["total_cost"])
                misses.append(info["deadline_misses"])
                modes += info["mode_counts"]
                fractions.append(info["fraction"])
            min_fraction.append(np.mean(fractions, axis=0).min())
        share = 100 * modes / modes.sum()
        print(f"{name:<16} {np.mean(costs):>8.2f} {np.mean(misses):>7.2f} {share[0]:>5.0f}/{share[1]:>3.0f}/{share[2]:>3.0f}"
              f"{'':>5} {np.min(min_fraction):>17.3f}")


if __name__ == "__main__":
    main()
