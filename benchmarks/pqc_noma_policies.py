"""Fixed policies on PQC-NOMA-v0, each on its own queue trajectory over the same channels and arrivals.

Random / all-local / all-offload / coordinate descent / ``optimum()`` (every one
of the 2^N decisions with the configured powers: best-known, see ``benchmarks.references``), N = 10, 1,000 frames by default, greedy powers (``--power-allocation`` to
change). Prints per policy: weighted computation rate, energy per device (budget 0.08 J per frame),
average data queue and its growth from the middle to the last third, average energy queue, offload
ratio and decision time.

    python -m benchmarks.pqc_noma_policies [--frames 1000] [--seed 0] [--power-allocation greedy]
"""

from __future__ import annotations

import argparse

from baselines.heuristics import DISCRETE_POLICIES
from benchmarks.pqc_noma_lyapunov import run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--power-allocation", default="greedy", choices=("greedy", "sca", "tdma"))
    args = parser.parse_args()
    print(f"PQC-NOMA-v0, N = 10, {args.frames} frames, seed {args.seed}, {args.power_allocation} powers")
    print(f"{'policy':<20} {'rate Mbps':>10} {'energy J':>9} {'queue Mbit':>11} {'growth':>8} {'Y':>8} "
          f"{'offload':>8} {'ms/frame':>9}")
    for name, policy in DISCRETE_POLICIES.items():
        row = run(args.frames, args.seed, policy, power_allocation=args.power_allocation)
        growth = row["queue_last"] / row["queue_middle"] - 1
        print(f"{name:<20} {row['rate_mbps']:>10.2f} {row['energy_j']:>9.4f} {row['queue_mbit']:>11.2f} "
              f"{100 * growth:>+7.1f}% {row['energy_queue']:>8.2f} {100 * row['offload_ratio']:>7.1f}% "
              f"{row['ms_per_frame']:>9.2f}")


if __name__ == "__main__":
    main()
