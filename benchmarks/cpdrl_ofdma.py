"""CPDRL and its ablations on OFDMA-Consistency-v0 against TEM, ROM, FOM and LEM.

For each N, one problem instance (seed 0) is kept fixed across episodes, as the paper optimises a
given instance: each variant trains for ``--frames`` decisions in episodes of 200 and reports the
best objective among decisions within the band (its ratio to TEM), the objective of its final
deterministic decision ("one": the actor without noise; "inf" when it leaves the band), the rate of
consistent UTDs over all decisions, and the time per decision. ROM/FOM/LEM: the best objective of
``--frames`` random consistent decisions (within the band) and their mean objective ("one": the paper's
fixed policies draw one decision). A best-of-many objective under exploration noise is partly
random search: compare it with ROM's best at the same number of decisions. ``cpdrl-one-shot`` is
CPDRL with ``CPDRLConfig.one_shot()`` (discount 0, 64-unit networks, critic lr 1e-3, noise 0.3),
tuned for this static-instance setting; the other variants use the paper's values.

    python -m benchmarks.cpdrl_ofdma [--devices 3 4 5 6] [--frames 20000] [--seed 0] [--out F] [--fresh]

About 15 minutes; each (N, method) is appended to ``--out`` as it finishes and a rerun skips it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from baselines.cpdrl import VARIANTS, CPDRL, CPDRLConfig
from baselines.heuristics import OFDMA_POLICIES
from benchmarks.journal import Journal

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
    parser.add_argument("--out", type=Path, default=Path("results/cpdrl_ofdma.jsonl"),
                        help="one JSON line per (N, method), written as each finishes; a rerun skips them")
    parser.add_argument("--fresh", action="store_true", help="start --out afresh instead of resuming")
    parser.add_argument("--methods", nargs="+", default=[*OFDMA_POLICIES, *VARIANTS, "cpdrl-one-shot"],
                        help="rom fom lem, the variants, and cpdrl-one-shot (CPDRLConfig.one_shot())")
    args = parser.parse_args()
    unknown = sorted(set(args.methods) - {*OFDMA_POLICIES, *VARIANTS, "cpdrl-one-shot"})
    if unknown:
        parser.error(f"unknown method(s) {unknown}")
    journal = Journal(args.out, ("n", "seed", "frames", "method"), resume=not args.fresh)
    for n in args.devices:
        base = gym.make("OFDMA-Consistency-v0", num_devices=n)
        base.reset(seed=args.seed)
        instance = {key: base.unwrapped.state[key] for key in SETTABLE}
        tem = base.unwrapped.optimum().info["objective"]
        print(f"\nN = {n}, seed {args.seed}: TEM objective {tem:.3f}")
        print(f"{'method':<15} {'best objective':>15} {'/ TEM':>7} {'one / TEM':>12} {'consistent':>11} "
              f"{'ms/decision':>12}")
        rng = np.random.default_rng(args.seed)
        for name in args.methods:
            key = {"n": n, "seed": args.seed, "frames": args.frames, "method": name}
            if name in OFDMA_POLICIES:
                row = journal.run(key, lambda: _fixed_policy(base, OFDMA_POLICIES[name], rng, args.frames))
            else:
                row = journal.run(key, lambda: _train(n, instance, name, args.seed, args.frames))
            ms = "-" if row["ms"] is None else f"{row['ms']:.2f}"
            print(f"{name.upper() if name in OFDMA_POLICIES else name:<15} {row['best']:>15.3f} {row['best'] / tem:>7.3f} "
                  f"{row['one'] / tem:>12.3f} {row['consistent']:>11.3f} {ms:>12}")


def _fixed_policy(env, policy, rng, frames: int) -> dict:
    """Best and mean objective of ``frames`` draws within the band ("one": the mean)."""
    actions = np.stack([policy(env, rng) for _ in range(frames)])
    info = env.unwrapped.evaluate(actions).info
    within = info["bandwidth_excess"] == 0
    best = float(info["objective"][within].min()) if within.any() else float("nan")
    mean = float(info["objective"][within].mean()) if within.any() else float("nan")
    return {"best": best, "one": mean, "consistent": float(info["consistency_count"].mean() / env.unwrapped.config.num_devices),
            "ms": None}


def _train(n: int, instance: dict, variant: str, seed: int, frames: int) -> dict:
    """Best objective within the band over training, and the actor's final decision ("one")."""
    env = FixedInstance(gym.make("OFDMA-Consistency-v0", num_devices=n), instance)
    config = CPDRLConfig.one_shot() if variant == "cpdrl-one-shot" else CPDRLConfig.variant(variant)
    agent = CPDRL(env, config, seed=seed)
    start = time.perf_counter()
    agent.learn(frames)
    ms = 1e3 * (time.perf_counter() - start) / frames
    observation, _ = env.reset()
    final = env.unwrapped.evaluate(agent.predict(observation)[None].astype(np.float64)).info
    one = float(final["objective"][0]) if final["bandwidth_excess"][0] == 0 else float("inf")
    return {"best": float(min(agent.history["best_objective"])), "one": one,
            "consistent": float(np.mean(agent.history["consistency"]) / n), "ms": ms}


if __name__ == "__main__":
    main()
