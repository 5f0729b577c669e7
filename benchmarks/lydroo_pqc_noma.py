"""LyDROO on PQC-NOMA-v0: DROO's actor on (h, Q, Y) with the NOP quantiser, greedy NOMA oracle.

Trains for 5,000 frames at N = 10, one episode per seed (the queues are never reset), and prints
the average energy per device (budget 0.08 J per frame), data-queue stability (middle vs last
third, and the queue by tenth of the run: the backlog built while the actor is still poor drains
once it has learned), the weighted computation rate, the offload ratio and LyDROO's time per frame
(acting, K oracle calls, the env step and training).

    python -m benchmarks.lydroo_pqc_noma [--frames 5000] [--seeds 0 1 2] [--training-interval 20]
"""

from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from baselines.droo import DROO, DROOConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=5000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--training-interval", type=int, default=DROOConfig.lydroo().training_interval,
                        help="frames between training steps (LyDROO's 20 by default)")
    args = parser.parse_args()
    for seed in args.seeds:
        run(args.frames, seed, args.training_interval)


def run(frames: int, seed: int, training_interval: int) -> None:
    """One episode of ``frames`` frames (the queues are never reset), printed."""
    env = gym.make("PQC-NOMA-v0", episode_length=frames)
    infos = []
    agent = DROO(env, DROOConfig.lydroo(training_interval=training_interval), seed=seed)
    original_step = env.step

    def recording_step(action):
        result = original_step(action)
        infos.append(result[4])
        return result

    env.step = recording_step  # keep every frame's info for the averages
    agent.learn(frames)
    energy = np.array([info["energy"].mean() for info in infos])
    queue = np.array([info["data_queue"].mean() / 1e6 for info in infos])
    rate = np.array([info["weighted_rate_mbps"] for info in infos])
    ratio = np.array([info["offload_ratio"] for info in infos])
    third = len(queue) // 3
    middle, last = queue[third:2 * third].mean(), queue[2 * third:].mean()
    print(f"LyDROO on PQC-NOMA-v0, N = 10, {frames} frames, seed {seed}, training interval {training_interval}")
    print(f"  average energy per device {energy.mean():.4f} J per frame (budget 0.08, within 5 %: {energy.mean() <= 0.084})")
    print(f"  data queue middle third {middle:.2f} Mbit, last third {last:.2f} Mbit (stable: {last <= 1.1 * middle})")
    tenths = ", ".join(f"{chunk.mean():.0f}" for chunk in np.array_split(queue, 10))
    print(f"  data queue by tenth of the run (Mbit per device): {tenths}")
    print(f"  weighted rate {rate.mean():.2f} Mbps, offload ratio {100 * ratio.mean():.1f} %")
    print(f"  time per frame {1e3 * np.mean(agent.history['seconds']):.2f} ms")


if __name__ == "__main__":
    main()
