"""MEQC-GaussMarkov-v0: SPEC.md's balance check of the scenario (not a paper claim): the share of
tasks whose cheapest whole-task mode is local, cloud CPU or QPU for three weightings of latency and
energy. The paper's policies over time, V and the sweeps are in ``mec-gym reproduce meqc``.

    python -m benchmarks.meqc_balance [--seeds 400]
"""

from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=400, help="seeds of 15 tasks each")
    balance(parser.parse_args().seeds)


if __name__ == "__main__":
    main()
