"""WPMEC-v0 oracle speed: the batched dual method against a plain per-candidate scalar loop.

The scalar reference is the way research scripts (the DROO authors' `bisection`) do it: one
decision at a time, a Python loop over devices, scipy's Lambert W, and bisection on the dual price
to the same precision. Prints time per candidate for N = 10, 20, 30 and K = 1, N, 1024, the time
to enumerate 2^10 decisions, and random-action env steps per second at N = 10.

    python -m benchmarks.oracle_speed
"""

from __future__ import annotations


import gymnasium as gym
import numpy as np
from scipy.special import lambertw

import mec_gym  # noqa: F401
from benchmarks.timing import best_time
from mec_gym.envs.wpmec.oracle import solve_p2


def scalar_p2(h, x, weights, constants, rtol=1e-12):
    """P2 for one decision, scalar loops and bisection on v (the research-script way)."""
    eta1, eps, eta2, k = constants.eta1, constants.eps, constants.eta2, constants.energy_coefficient
    local = [i for i in range(len(x)) if x[i] == 0]
    offload = [j for j in range(len(x)) if x[j] == 1]
    S_L = sum(weights[i] * eta1 * (h[i] / k) ** (1 / 3) for i in local)

    def phi(v, j):  # tau_j / (eta2 h_j^2 a) at price v
        return 1.0 / (-1.0 - 1.0 / lambertw(-np.exp(-1.0 - v / (weights[j] * eps))).real)

    def share(v):
        return 1.0 / (1.0 + eta2 * sum(h[j] ** 2 * phi(v, j) for j in offload))

    def kkt(v):
        a = share(v)
        total = S_L / 3.0 * a ** (-2.0 / 3.0)
        total += eps * eta2 * sum(weights[j] * h[j] ** 2 / (1.0 + 1.0 / phi(v, j)) for j in offload)
        return total - v

    lower, upper = 0.0, 1e9
    while upper - lower > rtol * upper:
        v = 0.5 * (lower + upper)
        if kkt(v) > 0:
            lower = v
        else:
            upper = v
    a = share(v)
    rate = S_L * a ** (1 / 3)
    for j in offload:
        tau = eta2 * h[j] ** 2 * a * phi(v, j)
        rate += weights[j] * eps * tau * np.log(1.0 + eta2 * h[j] ** 2 * a / tau)
    return rate


def main() -> None:
    rng = np.random.default_rng(0)
    print("time per candidate (microseconds): batched oracle vs scalar loop")
    print(f"{'N':>4} {'K':>6} {'batched':>10} {'scalar':>10} {'speed-up':>9}")
    for n in (10, 20, 30):
        env = gym.make("WPMEC-v0", num_devices=n).unwrapped
        env.reset(seed=n)
        env.evaluate(np.zeros((2, n), dtype=int))  # warm-up (imports, caches) outside the timings
        h, w, c = env.state["h"], env.config.weights, env.constants
        scalar_sample = rng.integers(0, 2, (20, n))
        scalar = best_time(lambda: [scalar_p2(h, x, w, c) for x in scalar_sample], 2) / len(scalar_sample)
        for k in (1, n, 1024):
            batch = rng.integers(0, 2, (k, n))
            batched = best_time(lambda: solve_p2(h, batch, w, c), 5) / k
            print(f"{n:>4} {k:>6} {batched * 1e6:>10.1f} {scalar * 1e6:>10.1f} {scalar / batched:>8.0f}x")
        check = solve_p2(h, scalar_sample[:5], w, c)["objective"]
        reference = np.array([scalar_p2(h, x, w, c) for x in scalar_sample[:5]])
        print(f"      max relative difference batched vs scalar: {np.max(np.abs(check - reference) / reference):.1e}")

    env = gym.make("WPMEC-v0").unwrapped
    env.reset(seed=0)
    enumeration = best_time(lambda: env.optimum(method="enumeration"), 5)
    scalar_1024 = best_time(lambda: [scalar_p2(env.state["h"], x, env.config.weights, env.constants)
                                 for x in rng.integers(0, 2, (64, 10))], 1) * 1024 / 64
    print(f"\nenumerate 2^10 decisions: {enumeration * 1e3:.2f} ms batched, "
          f"{scalar_1024 * 1e3:.0f} ms for 1,024 scalar solves: {scalar_1024 / enumeration:.0f}x")

    env = gym.make("WPMEC-v0")
    env.reset(seed=0)
    env.action_space.seed(0)
    steps = 1000

    def run_steps():
        for _ in range(steps):
            _, _, _, truncated, _ = env.step(env.action_space.sample())
            if truncated:
                env.reset()

    best = best_time(run_steps, 5)  # best of five runs, like timeit: the machine's noise only adds time
    print(f"random-action env steps per second at N = 10: {steps / best:,.0f} (best of 5 runs of {steps})")


if __name__ == "__main__":
    main()
