"""How good is each env's reference? ``optimum()``'s certificates, gaps and cost (issue 16).

Prints, measured in this run:

1. MultiServerIoT-v0, N = 50, M = 3, over 100 slots of an episode (the optimum's decision stepped):
   the default best-known (multi-start descent) against single-start coordinate descent (the old
   default) and the bound, mean and worst gap.
2. WPMEC-v0: N = 10 (enumeration: certified on every frame?) and N = 20, 30 (best-known multi-start
   descent against the Lagrangian bound): mean and worst gap.
3. PQC-NOMA-v0, N = 10, over 100 slots of an episode stepped with the optimum's decision: share of
   frames certified, mean and worst gap.
4. MEQC-GaussMarkov-v0 and OFDMA-Consistency-v0 at default sizes: share certified and gaps.
5. Cost of ``optimum()`` per frame at every id's default size: this tree against the tree before
   issue 16 (``--before``, a commit exported with ``git archive`` and timed in a subprocess), side by
   side, and the ratio (the issue asks for <= 5x; the "before" tree also lacks other issues' oracle
   changes, e.g. MEQC's hard deadlines), then this tree's bound alone against its whole optimum().

    python -m benchmarks.references [--slots 100] [--before 68c2fa8]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "68c2fa8"  # main just before issue 16's first landing
TIMED_FRAMES = 15
ROUNDS = 3  # alternating timing rounds of the two trees


def _gap(reward: float, bound: float) -> float:
    return (bound - reward) / abs(bound)


def _episode(env_id: str, slots: int, methods: tuple[str, ...] = ("auto",), **config):
    """optimum() with each method on ``slots`` frames of one episode (the first method's action
    stepped); yields the list of Optimum per frame."""
    env = gym.make(env_id, **config).unwrapped
    env.reset(seed=0)
    for _ in range(slots):
        found = [env.optimum(method=method) for method in methods]
        yield found
        env.step(found[0].action)


def _summary(label: str, gaps: list[float], certified: list[bool]) -> None:
    gaps = np.asarray(gaps)
    print(f"  {label:<44} certified {np.mean(certified):6.1%}  gap mean {gaps.mean():.3e}  worst {gaps.max():.3e}")


def iot(slots: int) -> None:
    print(f"MultiServerIoT-v0, N = 50, M = 3, {slots} slots (reward = -mean cost; gap = (bound - reward) / |bound|)")
    rows = list(_episode("MultiServerIoT-v0", slots, ("auto", "cd")))
    best, single = [row[0] for row in rows], [row[1] for row in rows]
    _summary(f"best-known ({best[0].method}) vs bound", [b.gap for b in best], [b.certified for b in best])
    _summary("single-start cd vs bound", [_gap(s.reward, b.bound) for s, b in zip(single, best)], [False])
    gain = np.array([(b.reward - s.reward) / abs(s.reward) for b, s in zip(best, single)])
    print(f"  best-known better than single-start cd on {np.mean(gain > 1e-12):.0%} of slots; "
          f"mean cost lower by {gain.mean():.3%} on average, {gain.max():.3%} at most")


def wpmec(slots: int) -> None:
    print(f"WPMEC-v0 ({slots} frames each)")
    for n in (10, 20, 30):
        found = [row[0] for row in _episode("WPMEC-v0", slots, num_devices=n)]
        _summary(f"N = {n}: {found[0].method} vs bound", [f.gap for f in found], [f.certified for f in found])


def pqc_noma(slots: int) -> None:
    print(f"PQC-NOMA-v0, N = 10, {slots} slots of an episode stepped with the optimum's decision")
    found = [row[0] for row in _episode("PQC-NOMA-v0", slots)]
    _summary(f"{found[0].method} vs sum-rate bound", [f.gap for f in found], [f.certified for f in found])


def others(slots: int) -> None:
    print(f"Default sizes, {slots} frames")
    for env_id in ("MEQC-GaussMarkov-v0", "OFDMA-Consistency-v0"):
        found = [row[0] for row in _episode(env_id, slots)]
        _summary(f"{env_id}: {found[0].method}", [f.gap for f in found], [f.certified for f in found])


TIMER = """
import json, sys, time
import gymnasium as gym
import mec_gym
result = {}
for env_id in mec_gym.ENV_IDS:
    env = gym.make(env_id).unwrapped
    env.reset(seed=0)
    env.optimum()  # warm-up (imports, compiled models)
    times = []
    for frame in range(int(sys.argv[1])):
        env.reset(seed=frame)
        start = time.perf_counter()
        env.optimum()
        times.append(time.perf_counter() - start)
    result[env_id] = sorted(times)[len(times) // 2]  # median: robust to a busy machine
print(json.dumps(result))
"""


def _time_tree(tree: Path) -> dict[str, float]:
    environment = dict(os.environ, PYTHONPATH=str(tree), OMP_NUM_THREADS="1")
    output = subprocess.run([sys.executable, "-c", TIMER, str(TIMED_FRAMES)], cwd=tree, env=environment,
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def cost(before: str) -> None:
    print(f"Cost of optimum() per frame at default sizes (median of {TIMED_FRAMES} frames, least of {ROUNDS} "
          f"alternating rounds; before = {before})")
    archive = subprocess.run(["git", "archive", before, "mec_gym"], cwd=ROOT, capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        tarfile.open(fileobj=BytesIO(archive)).extractall(folder)
        old, new = {}, {}
        for _ in range(ROUNDS):  # alternate the trees; the least median of each (load only adds time)
            for times, tree in ((old, Path(folder)), (new, ROOT)):
                for env_id, seconds in _time_tree(tree).items():
                    times[env_id] = min(seconds, times.get(env_id, np.inf))
    print(f"  {'env':<24} {'before ms':>10} {'after ms':>10} {'ratio':>7}")
    for env_id in new:
        print(f"  {env_id:<24} {1e3 * old[env_id]:10.2f} {1e3 * new[env_id]:10.2f} {new[env_id] / old[env_id]:7.2f}")


def bound_share() -> None:
    """The bound's own time within optimum() (this tree, median over frames; WPMEC at N = 30, where
    its bound is computed: up to N = 16 enumeration certifies without it)."""
    from mec_gym.envs.ofdma_consistency.oracle import reward_bound

    print(f"  {'env (this tree)':<24} {'optimum ms':>10} {'bound ms':>10}")
    for env_id, config in (("WPMEC-v0", {"num_devices": 30}), ("PQC-NOMA-v0", {}), ("MultiServerIoT-v0", {}),
                           ("OFDMA-Consistency-v0", {})):
        env = gym.make(env_id, **config).unwrapped
        whole, bound = [], []
        for frame in range(TIMED_FRAMES):
            env.reset(seed=frame)
            start = time.perf_counter()
            best = env.optimum()
            whole.append(time.perf_counter() - start)
            start = time.perf_counter()
            if env_id == "OFDMA-Consistency-v0":
                reward_bound(env.state, env.physics, env.config.min_resource_share)
            else:
                env._reward_bound(env.state, best.action)
            bound.append(time.perf_counter() - start)
        label = env_id + (f" N={config['num_devices']}" if config else "")
        print(f"  {label:<24} {1e3 * np.median(whole):10.2f} {1e3 * np.median(bound):10.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slots", type=int, default=100, help="frames per measurement (default 100)")
    parser.add_argument("--before", default=BEFORE, help=f"commit timed as 'before' (default {BEFORE})")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    iot(args.slots)
    wpmec(args.slots)
    pqc_noma(args.slots)
    others(args.slots)
    cost(args.before)
    bound_share()
    print(f"wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
