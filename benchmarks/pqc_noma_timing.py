"""PQC-NOMA-v0 timing, the paper's Table II: greedy against SCA with every user offloading.

For N = 10, 15, ..., 35 prints, side by side in one run, the time per frame of the greedy backward
induction, of one SCA iteration (one convex solve of the compiled CVXPY model) and of converged SCA
(three starts, the best kept), with the SCA / greedy objective ratio; then batched greedy for K = 10 candidates at N = 10 against
calling it on one candidate at a time.

    python -m benchmarks.pqc_noma_timing [--frames 5]
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from benchmarks.timing import best_time
from mec_gym.envs.pqc_noma.oracle import MBIT, greedy_powers, noma_rates
from mec_gym.envs.pqc_noma.sca import SCASolver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'N':>3} {'greedy us':>10} {'1 SCA it. us':>13} {'SCA us':>10} {'ratio 1 it.':>12} {'ratio SCA':>10} "
          f"{'SCA/greedy objective':>21}")
    for n in (10, 15, 20, 25, 30, 35):
        env = gym.make("PQC-NOMA-v0", num_devices=n).unwrapped
        link, weights = env.link, env.config.weights
        greedy_us, one_us, sca_us, gains = [], [], [], []
        for frame in range(args.frames):
            env.reset(seed=frame, options={"state": {"Q": rng.uniform(1, 6, n) * MBIT, "Y": rng.uniform(1, 30, n)}})
            state = env.state
            queue = state["Q"] / MBIT
            coef, y = queue + env.config.V * weights, env.config.energy_queue_weight * state["Y"]
            offload = np.ones((1, n), bool)
            greedy_us.append(best_time(lambda: greedy_powers(state["h"], coef, y, queue, offload, link), 20))
            one_step = SCASolver(link, max_iterations=1)
            one_step.powers(state["h"], coef, y, queue, offload)  # compile once, as the env does
            one_us.append(best_time(lambda: one_step.powers(state["h"], coef, y, queue, offload), 3) / len(one_step.starts))
            solver = SCASolver(link)
            solver.powers(state["h"], coef, y, queue, offload)
            start = time.perf_counter()
            sca_power = solver.powers(state["h"], coef, y, queue, offload)
            sca_us.append(time.perf_counter() - start)
            greedy_power = greedy_powers(state["h"], coef, y, queue, offload, link)

            def value(power):
                return coef @ noma_rates(state["h"], power, offload, link)[0] - (y * power[0]).sum()

            gains.append(value(sca_power) / value(greedy_power))
        g, o, s = (1e6 * np.mean(t) for t in (greedy_us, one_us, sca_us))
        print(f"{n:>3} {g:>10.1f} {o:>13.1f} {s:>10.1f} {o / g:>11.0f}x {s / g:>9.0f}x {np.mean(gains):>21.4f}")
    print("paper (microseconds): N = 10: greedy 73.86 vs SCA 2343.63; N = 30: 163.62 vs 6031.52 (about 46x)")

    env = gym.make("PQC-NOMA-v0").unwrapped
    env.reset(seed=0, options={"state": {"Y": rng.uniform(1, 30, 10)}})
    batch = rng.integers(0, 2, (10, 10))
    together = best_time(lambda: env.evaluate(batch), 50) / 10
    alone = best_time(lambda: [env.evaluate(row[None]) for row in batch], 50) / 10
    print(f"\nbatched greedy oracle, K = 10, N = 10: {1e6 * together:.1f} us per candidate vs {1e6 * alone:.1f} us "
          f"one at a time ({alone / together:.1f}x)")


if __name__ == "__main__":
    main()
