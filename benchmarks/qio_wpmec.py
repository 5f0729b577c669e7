"""QIO on WPMEC-v0, N = 10: the share of frames where its default budget (population 30, 100
iterations) finds the exact optimum, and its time per frame.

    python -m benchmarks.qio_wpmec [--frames 200]
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from baselines.qio import QIOPolicy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=200)
    args = parser.parse_args()
    env = gym.make("WPMEC-v0")
    policy, rng, hits, seconds, ratio = QIOPolicy(), np.random.default_rng(0), 0, 0.0, []
    for frame in range(args.frames):
        env.reset(seed=frame)
        best = env.unwrapped.optimum()
        start = time.perf_counter()
        action = policy(env, rng)
        seconds += time.perf_counter() - start
        hits += np.array_equal(action, best.action)
        ratio.append(env.unwrapped.evaluate(action[None]).rewards[0] / best.reward)
    print(f"QIO on WPMEC-v0, N = 10, {args.frames} frames: exact optimum on {hits} ({100 * hits / args.frames:.1f} %), "
          f"normalised rate {np.mean(ratio):.6f}, {1e3 * seconds / args.frames:.1f} ms per frame")


if __name__ == "__main__":
    main()
