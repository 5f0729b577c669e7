"""The main job until the leaderboard exists: fixed policies on WPMEC-v0.

Runs random / all-local / all-offload / coordinate descent / ``optimum()`` on the same stream of
frames (N = 10, 1,000 frames by default) and prints each policy's normalised computation rate
(reward / the frame's certified optimum, averaged; above N = 16 / the proven bound, a certified
lower bound of the true rate, as the header says) and time per frame. Results are appended to a CSV
as frames complete, so an interrupted run resumes where it stopped (``--out``).

    python -m benchmarks.wpmec_policies [--frames 1000] [--devices 10] [--seed 0] [--out results/wpmec_policies.csv]
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from baselines.heuristics import DISCRETE_POLICIES

FIELDS = ["frame", "policy", "reward", "optimum", "seconds"]


def _done_frames(path: Path) -> dict[tuple[int, str], dict]:
    if not path.exists():
        return {}
    with path.open() as handle:
        return {(int(row["frame"]), row["policy"]): row for row in csv.DictReader(handle)}


def run(frames: int, devices: int, seed: int, out: Path) -> dict[str, tuple[float, float]]:
    """Score every policy on ``frames`` frames; returns {policy: (normalised rate, ms per frame)}."""
    out.parent.mkdir(parents=True, exist_ok=True)
    done = _done_frames(out)
    new_file = not out.exists()
    env = gym.make("WPMEC-v0", num_devices=devices, episode_length=frames)
    env.reset(seed=seed)
    with out.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        if new_file:
            writer.writeheader()
        for frame in range(frames):
            policy_rng = np.random.default_rng([seed, frame])  # same draws whether resumed or not
            if not all((frame, name) in done for name in DISCRETE_POLICIES):
                optimum = env.unwrapped.optimum().reference  # the bound where not certified
                for name, policy in DISCRETE_POLICIES.items():
                    start = time.perf_counter()
                    action = policy(env, policy_rng)
                    reward = env.unwrapped.evaluate(np.asarray(action)[None]).rewards[0]
                    seconds = time.perf_counter() - start
                    writer.writerow({"frame": frame, "policy": name, "reward": reward, "optimum": optimum, "seconds": seconds})
                handle.flush()
            env.step(np.zeros(devices, dtype=np.int8))  # advance the channel stream
    rows = [row for key, row in _done_frames(out).items() if key[0] < frames]
    summary = {}
    for name in DISCRETE_POLICIES:
        mine = [row for row in rows if row["policy"] == name]
        rate = np.mean([float(r["reward"]) / float(r["optimum"]) for r in mine])
        summary[name] = (rate, 1e3 * np.mean([float(r["seconds"]) for r in mine]))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--devices", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("results/wpmec_policies.csv"))
    args = parser.parse_args()
    summary = run(args.frames, args.devices, args.seed, args.out)
    reference = "the certified optimum (enumeration)" if args.devices <= 16 else "the proven bound (optimum() best-known)"
    print(f"WPMEC-v0, N = {args.devices}, {args.frames} frames, seed {args.seed} (records: {args.out}); "
          f"normalised by {reference}")
    print(f"{'policy':<20} {'normalised rate':>16} {'ms per frame':>13}")
    for name, (rate, ms) in sorted(summary.items(), key=lambda item: -item[1][0]):
        print(f"{name:<20} {rate:>16.4f} {ms:>13.2f}")


if __name__ == "__main__":
    main()
