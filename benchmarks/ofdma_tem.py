"""OFDMA-Consistency-v0: TEM (exhaustive search with the exact oracle) against ROM, FOM and LEM.

For N = 3..10 (and TEM alone up to N = 16, where 2^N shows) prints TEM's objective (sum of weighted delay and energy) and time, and the mean
objective of the paper's fixed baselines over the same instances, reproducing the paper's ordering
(TEM best) and TEM's exponential time.

    python -m benchmarks.ofdma_tem [--instances 20] [--samples 50]
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from baselines.heuristics import OFDMA_POLICIES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--samples", type=int, default=50, help="random decisions per instance and baseline")
    parser.add_argument("--max-devices", type=int, default=16)
    args = parser.parse_args()
    print(f"{'N':>3} {'TEM':>9} {'TEM ms':>9} " + " ".join(f"{name.upper():>9}" for name in OFDMA_POLICIES)
          + f" {'meets all deadlines':>20}")
    for n in range(3, args.max_devices + 1):
        env = gym.make("OFDMA-Consistency-v0", num_devices=n)
        rng = np.random.default_rng(n)
        tem, seconds, feasible, baselines = [], 0.0, 0, {name: [] for name in OFDMA_POLICIES}
        for instance in range(args.instances):
            env.reset(seed=1000 * n + instance)
            start = time.perf_counter()
            best = env.unwrapped.optimum()
            seconds += time.perf_counter() - start
            tem.append(best.info["objective"])
            info = env.unwrapped.evaluate(best.action[None]).info
            feasible += int(info["deadline_misses"][0] == 0)
            for name, policy in (OFDMA_POLICIES.items() if n <= 10 else ()):
                actions = np.stack([policy(env, rng) for _ in range(args.samples)])
                baselines[name].append(env.unwrapped.evaluate(actions).info["objective"].mean())
        row = f"{n:>3} {np.mean(tem):>9.3f} {1e3 * seconds / args.instances:>9.3f} "
        row += " ".join(f"{np.mean(values):>9.3f}" if values else f"{'-':>9}" for values in baselines.values())
        print(row + f" {feasible:>13}/{args.instances}")
    print("TEM: exact enumeration of 2^N offloading vectors with optimal resources (soft deadlines);")
    print("ROM/FOM/LEM: mean objective of random consistent decisions; last column: TEM's decision meets every deadline")


if __name__ == "__main__":
    main()
