"""MultiServerIoT-v0: fixed policies and the oracle's local search for N = 50, 100, 150.

Prints mean latency (ms), energy (J), Jain fairness, throughput (Mbps) and mean cost over
``--slots`` slots for: all local, random, nearest server, least-loaded server, greedy best response,
and the oracle's local search (coordinate descent from all-local, ``env.unwrapped.optimum()``).
The paper's headline on its own simulator (not reproducible as given): latency 80/110/140 ms,
energy 0.60/0.85/1.10 J, fairness 0.97/0.96/0.95.

    python -m benchmarks.multiserver_policies [--slots 20] [--seed 0]
"""

from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from baselines import heuristics

POLICIES = {
    "all-local": heuristics.all_local_policy, "random": heuristics.random_policy,
    **heuristics.IOT_POLICIES, "local-search": heuristics.optimum_policy,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slots", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for n in (50, 100, 150):
        print(f"\nN = {n}, {args.slots} slots, seed {args.seed}")
        print(f"{'policy':<16} {'latency ms':>11} {'energy J':>9} {'fairness':>9} {'Mbps':>8} {'cost':>8}")
        for name, policy in POLICIES.items():
            env = gym.make("MultiServerIoT-v0", num_devices=n)
            env.reset(seed=args.seed)
            rng = np.random.default_rng(args.seed)
            rows = []
            for _ in range(args.slots):
                _, reward, _, _, info = env.step(policy(env, rng))
                rows.append([info["latency_ms"], info["energy_j"], info["fairness"], info["throughput_mbps"], -reward])
            print(f"{name:<16} " + " ".join(f"{v:>{w}.3f}" for v, w in zip(np.mean(rows, axis=0), (11, 9, 9, 8, 8))))


if __name__ == "__main__":
    main()
