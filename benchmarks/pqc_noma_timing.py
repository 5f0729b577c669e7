"""PQC-NOMA-v0 oracle speed: the batched greedy oracle on K = 10 candidates at N = 10 against calling
it on one candidate at a time, side by side in one run. (The paper's Table II, greedy against SCA
for N = 10..35, is part of ``mec-gym reproduce pqc-noma``.)

    python -m benchmarks.pqc_noma_timing
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from benchmarks.timing import best_time


def main() -> None:
    rng = np.random.default_rng(0)
    env = gym.make("PQC-NOMA-v0").unwrapped
    env.reset(seed=0, options={"state": {"Y": rng.uniform(1, 30, 10)}})
    batch = rng.integers(0, 2, (10, 10))
    together = best_time(lambda: env.evaluate(batch), 50) / 10
    alone = best_time(lambda: [env.evaluate(row[None]) for row in batch], 50) / 10
    print(f"batched greedy oracle, K = 10, N = 10: {1e6 * together:.1f} us per candidate vs {1e6 * alone:.1f} us "
          f"one at a time ({alone / together:.1f}x)")


if __name__ == "__main__":
    main()
