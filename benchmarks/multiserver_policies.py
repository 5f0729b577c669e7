"""MultiServerIoT-v0: fixed policies and the oracle's best-known assignment for N = 50, 100, 150.

Prints mean latency (ms), energy (J), Jain fairness (over the CPU each device runs on), throughput (Mbps), mean device cost and the
policy's decision time (ms per slot) over ``--slots`` slots (same seed, so every policy sees the same
tasks and channels under fixed pricing) for: all local, random, nearest server, least-loaded
server, greedy best response (devices switch one at a time while it lowers their own cost), and
the oracle's best-known assignment (``env.unwrapped.optimum()``: multi-start coordinate descent,
not certified at these sizes; ``benchmarks.references`` prints its gap to the proven bound). Then a check line per N: do greedy and local search beat random
and all-local on latency and on cost?

Two weightings of the device cost alpha L + beta E + gamma payment are run: SPEC.md's default
(alpha = 1 per s, beta = 1 per J) and a latency-first one (beta = 0.1 per J, ``--latency-beta``).
At the default, a local task's energy kappa C f^2 (about 0.05-0.1 J) outweighs its latency (about
15-35 ms), so cost-minimising assignments offload to save energy and accept a longer latency:
they beat all-local on cost but not on latency. With the latency-first weighting they beat it on both.

The paper's headline on its own simulator (not reproducible as given): latency 80/110/140 ms,
energy 0.60/0.85/1.10 J, fairness 0.97/0.96/0.95.

    python -m benchmarks.multiserver_policies [--slots 20] [--seed 0] [--pricing fixed]
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from baselines import heuristics

POLICIES = {
    "all-local": heuristics.all_local_policy, "random": heuristics.random_policy,
    **heuristics.IOT_POLICIES, "best-known (cd-multistart)": heuristics.optimum_policy,
}
COLUMNS = ("latency_ms", "energy_j", "fairness", "throughput_mbps", "cost", "decide_ms")


def run(n: int, slots: int, seed: int, **config) -> dict[str, np.ndarray]:
    results = {}
    for name, policy in POLICIES.items():
        env = gym.make("MultiServerIoT-v0", num_devices=n, **config)
        env.reset(seed=seed)
        rng = np.random.default_rng(seed)
        rows = []
        for _ in range(slots):
            start = time.perf_counter()
            action = policy(env, rng)
            elapsed = time.perf_counter() - start
            _, reward, _, _, info = env.step(action)
            rows.append([info["latency_ms"], info["energy_j"], info["fairness"], info["throughput_mbps"], -reward,
                         1e3 * elapsed])
        results[name] = np.mean(rows, axis=0)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slots", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pricing", default="fixed", choices=["fixed", "stackelberg"])
    parser.add_argument("--latency-beta", type=float, default=0.1, help="beta (per J) of the latency-first weighting")
    args = parser.parse_args()
    for label, weights in (("SPEC default: alpha = 1 /s, beta = 1 /J", {}),
                           (f"latency-first: alpha = 1 /s, beta = {args.latency_beta} /J",
                            {"energy_weight": args.latency_beta})):
        print(f"\n=== {label}, pricing {args.pricing} ===")
        for n in (50, 100, 150):
            results = run(n, args.slots, args.seed, pricing=args.pricing, **weights)
            print(f"\nN = {n}, {args.slots} slots, seed {args.seed}")
            print(f"{'policy':<16} {'latency ms':>11} {'energy J':>9} {'fairness':>9} {'Mbps':>8} {'cost':>8} "
                  f"{'decide ms':>10}")
            for name, row in results.items():
                print(f"{name:<16} " + " ".join(f"{v:>{w}.3f}" for v, w in zip(row, (11, 9, 9, 8, 8, 10))))
            for metric, column in (("latency", 0), ("cost", 4)):
                verdicts = [f"{good} < {bad}: {'yes' if results[good][column] < results[bad][column] else 'NO'}"
                            for good in ("best-response", "best-known (cd-multistart)") for bad in ("random", "all-local")]
                print(f"check {metric:<8} " + ", ".join(verdicts))


if __name__ == "__main__":
    main()
