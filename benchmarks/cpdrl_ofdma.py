"""CPDRL and its ablations on OFDMA-Consistency-v0 against TEM, ROM, FOM and LEM.

For each N, one problem instance (seed 0) is kept fixed across episodes, as the paper optimises a
given instance: each variant trains for ``--frames`` decisions in episodes of 200 and reports the
best objective among decisions within the band (its ratio to TEM), the objective of its final
deterministic decision ("one": the actor without noise; "inf" when it leaves the band), the rate of
consistent UTDs over all decisions, and the time per decision. ROM/FOM/LEM: the best objective of
``--frames`` random consistent decisions (within the band) and their mean objective ("one": the paper's
fixed policies draw one decision). A best-of-many objective under exploration noise is partly
random search: compare it with ROM's best at the same number of decisions.

    python -m benchmarks.cpdrl_ofdma [--devices 3 4 5 6] [--frames 20000] [--seed 0]   (about 15 minutes)
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from baselines.cpdrl import VARIANTS, CPDRL, CPDRLConfig
from baselines.heuristics import OFDMA_POLICIES

SETTABLE = ("data_bits", "cycles_per_bit", "local_cpu", "distance")


class FixedInstance(gym.Wrapper):
    """Every reset restores the same instance (the paper trains on one problem)."""

    def __init__(self, env, instance):
        super().__init__(env)
        self.instance = instance

    def reset(self, *, seed=None, options=None):
        return self.env.reset(seed=seed, options={"state": self.instance})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[3, 4, 5, 6])
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for n in args.devices:
        base = gym.make("OFDMA-Consistency-v0", num_devices=n)
        base.reset(seed=args.seed)
        instance = {key: base.unwrapped.state[key] for key in SETTABLE}
        tem = base.unwrapped.optimum().info["objective"]
        print(f"\nN = {n}, seed {args.seed}: TEM objective {tem:.3f}")
        print(f"{'method':<11} {'best objective':>15} {'/ TEM':>7} {'one / TEM':>12} {'consistent':>11} "
              f"{'ms/decision':>12}")
        rng = np.random.default_rng(args.seed)
        for name, policy in OFDMA_POLICIES.items():
            actions = np.stack([policy(base, rng) for _ in range(args.frames)])
            info = base.unwrapped.evaluate(actions).info
            within = info["bandwidth_excess"] == 0
            best = info["objective"][within].min() if within.any() else np.nan
            mean = info["objective"][within].mean() if within.any() else np.nan
            print(f"{name.upper():<11} {best:>15.3f} {best / tem:>7.3f} {mean / tem:>12.3f} "
                  f"{info['consistency_count'].mean() / n:>11.3f} {'-':>12}")
        for variant in VARIANTS:
            env = FixedInstance(gym.make("OFDMA-Consistency-v0", num_devices=n), instance)
            agent = CPDRL(env, CPDRLConfig.variant(variant), seed=args.seed)
            start = time.perf_counter()
            agent.learn(args.frames)
            ms = 1e3 * (time.perf_counter() - start) / args.frames
            best = min(agent.history["best_objective"])
            consistent = np.mean(agent.history["consistency"]) / n
            observation, _ = env.reset()
            final = env.unwrapped.evaluate(agent.predict(observation)[None].astype(np.float64)).info
            final_objective = final["objective"][0] if final["bandwidth_excess"][0] == 0 else np.inf
            print(f"{variant:<11} {best:>15.3f} {best / tem:>7.3f} {final_objective / tem:>12.3f} {consistent:>11.3f} "
                  f"{ms:>12.2f}")


if __name__ == "__main__":
    main()
