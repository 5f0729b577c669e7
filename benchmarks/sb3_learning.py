"""Does PPO learn on mec-gym through the recommended wrappers? (issue 18)

PPO (``sb3-ppo``: SB3's PPO on the native vector env of ``N_ENVS["ppo"]`` = 16 envs through
``VecNormalize``, with the per-env settings ``ENV_SETTINGS`` (gamma = 0 on all three; why, there),
see ``baselines/sb3_refs.py``) on WPMEC-v0, PQC-NOMA-v0 (its default reward, the realised one-slot
drift-plus-penalty) and MultiServerIoT-v0, seeds 0-2, against random, the simple heuristics
(all-local, all-offload; nearest-server and least-loaded on MultiServerIoT) and the optimum
(WPMEC: exact; PQC-NOMA: the per-slot Lyapunov optimum of the surrogate; MultiServerIoT: the
multi-start descent, best-known), on each env's headline metric. Runs go through the leaderboard's
runner (``benchmarks.runner``): each run's record is written as it finishes under ``--out`` and a
rerun skips the runs already done (resumable). Prints the budget, the table and the wall time.

    python -m benchmarks.sb3_learning --workers 2           # ~21 min of runs, ~10-13 min wall, busy 2-core machine
    python -m benchmarks.sb3_learning --frames-scale 0.1    # a smoke run
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from benchmarks.registry import env_metrics
from benchmarks.report import reference_label
from benchmarks.runner import RunSpec, run_grid, run_identity

# learning frames of PPO (all its envs together) and evaluation frames, per env
BUDGET = {"WPMEC-v0": (32_768, 300), "PQC-NOMA-v0": (131_072, 300), "MultiServerIoT-v0": (131_072, 50)}
SIMPLE = {"WPMEC-v0": ("all-local", "all-offload"), "PQC-NOMA-v0": ("all-local", "all-offload"),
          "MultiServerIoT-v0": ("all-local", "all-offload", "nearest-server", "least-loaded")}
SEEDS = (0, 1, 2)


def specs(frames_scale: float = 1.0) -> list[RunSpec]:
    runs = []
    for env_id, (frames, eval_frames) in BUDGET.items():
        for method in ("sb3-ppo", "random", *SIMPLE[env_id], "optimum"):
            for seed in SEEDS:
                learn = int(frames * frames_scale) if method == "sb3-ppo" else 0
                runs.append(RunSpec(env=env_id, method=method, seed=seed, frames=learn, eval_frames=eval_frames))
    return runs


def table(records: list[dict], grid: list[RunSpec]) -> str:
    wanted = {spec.identity for spec in grid}
    lines = []
    for env_id in BUDGET:
        metric = env_metrics(env_id)
        lines.append(f"\n{env_id}: {metric.headline} ({'higher' if metric.higher_is_better else 'lower'} is better), "
                     f"mean +- std over seeds {list(SEEDS)}")
        means, reference = {}, "optimum"
        for method in ("sb3-ppo", "random", *SIMPLE[env_id], "optimum"):
            runs = [r for r in records if run_identity(r) in wanted and r["env"] == env_id and r["method"] == method]
            values = np.array([r["metrics"][metric.headline] for r in runs if r["error"] is None])
            label = reference_label(runs) if method == "optimum" else method  # the reference named by what it is
            if method == "optimum":
                reference = label
            if len(values) == 0:
                lines.append(f"  {label:<16} (no successful run)")
                continue
            means[method] = values.mean()
            seconds = np.mean([r["wall_time_s"] for r in runs])
            lines.append(f"  {label:<16} {values.mean():10.4g} +- {values.std():.2g}   ({len(values)} seeds, "
                         f"{seconds:.0f} s per run)")
        sign = 1.0 if metric.higher_is_better else -1.0
        if "sb3-ppo" in means:
            best_simple = max((m for m in SIMPLE[env_id] if m in means), key=lambda m: sign * means[m], default=None)
            verdicts = [f"beats random: {sign * means['sb3-ppo'] > sign * means.get('random', np.nan)}"]
            if best_simple:
                verdicts.append(f"beats the best simple heuristic ({best_simple}): "
                                f"{sign * means['sb3-ppo'] > sign * means[best_simple]}")
            if "optimum" in means:
                verdicts.append(f"PPO / {reference} = {means['sb3-ppo'] / means['optimum']:.4f}")
            lines.append("  " + "; ".join(verdicts))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("results/sb3_learning"), help="records folder (resumable)")
    parser.add_argument("--frames-scale", type=float, default=1.0, help="multiplies PPO's learning frames")
    parser.add_argument("--workers", type=int, default=1, help="runs in parallel (processes)")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    grid = specs(args.frames_scale)
    from baselines.sb3_refs import ENV_SETTINGS, N_ENVS, SB3Config

    print(f"budget (PPO learning frames over its {N_ENVS['ppo']} native envs / evaluation frames):",
          {env_id: (int(f * args.frames_scale), e) for env_id, (f, e) in BUDGET.items()})
    print("PPO hyper-parameters:", {env_id: {**SB3Config.defaults("ppo"), **ENV_SETTINGS.get(("ppo", env_id), {})}
                                     for env_id in BUDGET})
    start = time.perf_counter()
    records = run_grid(grid, args.out, resume=True, workers=args.workers)
    print(table(records, grid))
    wall = sum(r["wall_time_s"] for r in records if run_identity(r) in {s.identity for s in grid})
    print(f"\nwall time of this call: {time.perf_counter() - start:.0f} s; of all {len(grid)} runs "
          f"(records, incl. earlier calls): {wall:.0f} s")


if __name__ == "__main__":
    main()
