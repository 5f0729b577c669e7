"""QAROO's Table I on WPMEC-v0: DNN+OP, DNN+UGQ, RNN+OP, RNN+UGQ (and the quantum actors).

Each variant learns for ``--frames`` frames, then acts (no learning) on ``--eval-frames`` fresh
frames; the normalised rate is its reward over each frame's reference: the certified optimum
(enumeration at N = 10), else the proven bound (N = 30: a certified lower bound of the true rate;
the papers divided by a coordinate-descent decision instead). A reference line per table says
which and how tight. Prints the normalised rate, the
time per frame while learning (acting, the K oracle calls, the step and training) and the total.
The paper (N = 30): RNN+UGQ 0.998401, RNN+OP 0.996838, DNN+UGQ 0.994818, DNN+OP 0.987103.

``--fading-correlation rho ...`` runs every variant on each rho (0: the papers' i.i.d. frames;
rho > 0: Gauss-Markov fading, where consecutive frames are correlated and a recurrent actor has a
temporal structure to model), printing one table per rho and the RNN+UGQ - DNN+OP gap per seed.

    python -m benchmarks.qaroo_table1 [--frames 3000] [--eval-frames 300] [--devices 10 30] [--seeds 0]
        [--variants ...] [--fading-correlation 0 0.9] [--out F]

Each run is appended to ``--out`` as it finishes; a rerun skips it (``--fresh`` starts over).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from baselines.qaroo import QAROO, QAROOConfig
from benchmarks.journal import Journal
from benchmarks.report import format_reference
from benchmarks.runner import reference_summary

VARIANTS = {"DNN+OP": ("dnn", "op"), "DNN+UGQ": ("dnn", "ugq"), "RNN+OP": ("rnn", "op"), "RNN+UGQ": ("rnn", "ugq"),
            "Quantum+DNN": ("quantum_dnn", "ugq"), "Quantum+Attention": ("quantum_attention", "ugq")}


def run(variant: str, devices: int, frames: int, eval_frames: int, seed: int, rho: float = 0.0) -> dict[str, float]:
    actor, quantizer = VARIANTS[variant]
    fading = {"fading": "gauss-markov", "fading_correlation": rho} if rho > 0 else {}
    env = gym.make("WPMEC-v0", num_devices=devices, episode_length=frames + eval_frames, **fading)
    agent = QAROO(env, QAROOConfig(actor=actor, quantizer=quantizer), seed=seed)
    start = time.perf_counter()
    agent.learn(frames)
    total = time.perf_counter() - start
    observation = agent._observation
    ratios, certificates = [], []
    for _ in range(eval_frames):
        best = env.unwrapped.optimum()
        certificates.append(best)
        observation, reward, _, _, _ = env.step(agent.predict(observation))
        ratios.append(reward / best.reference)
    return {"rate": float(np.mean(ratios)), "ms": 1e3 * float(np.mean(agent.history["seconds"])), "total": total,
            "reference": format_reference(reference_summary(certificates), "the rate divides by it, else by the bound")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=3000)
    parser.add_argument("--eval-frames", type=int, default=300)
    parser.add_argument("--devices", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS))
    parser.add_argument("--fading-correlation", type=float, nargs="+", default=[0.0],
                        help="Gauss-Markov fading correlation rho per table (0: i.i.d. frames, the papers)")
    parser.add_argument("--out", type=Path, default=Path("results/qaroo_table1.jsonl"),
                        help="one JSON line per run, written as it finishes; a rerun skips them")
    parser.add_argument("--fresh", action="store_true", help="start --out afresh instead of resuming")
    args = parser.parse_args()
    journal = Journal(args.out, ("variant", "devices", "frames", "eval_frames", "seed", "rho"), resume=not args.fresh)
    for devices in args.devices:
        for rho in args.fading_correlation:
            fading = "i.i.d. fading" if rho == 0 else f"Gauss-Markov fading rho = {rho}"
            print(f"\nWPMEC-v0, N = {devices}, {fading}, {args.frames} learning frames, {args.eval_frames} "
                  f"evaluation frames, seeds {args.seeds}")
            print(f"{'variant':<18} {'normalised rate':>16} {'per seed':>30} {'ms per frame':>13} {'total s':>8}")
            rates, references = {}, []
            for variant in args.variants:
                runs = [journal.run({"variant": variant, "devices": devices, "frames": args.frames,
                                     "eval_frames": args.eval_frames, "seed": seed, "rho": rho},
                                    lambda seed=seed: run(variant, devices, args.frames, args.eval_frames, seed, rho))
                        for seed in args.seeds]
                rates[variant] = np.array([r["rate"] for r in runs])
                references += [r["reference"] for r in runs if "reference" in r]  # rows from before lack it
                ms, total = (float(np.mean([r[field] for r in runs])) for field in ("ms", "total"))
                per_seed = " ".join(f"{r:.4f}" for r in rates[variant])
                print(f"{variant:<18} {rates[variant].mean():>16.6f} {per_seed:>30} {ms:>13.2f} {total:>8.1f}")
            if references:  # the frames are the same stream for every variant of a seed
                print(references[0])
            if {"RNN+UGQ", "DNN+OP"} <= set(rates):
                gap = rates["RNN+UGQ"] - rates["DNN+OP"]
                spread = gap.std(ddof=1) if len(gap) > 1 else float("nan")
                print(f"RNN+UGQ - DNN+OP: {gap.mean():+.5f} (per seed {' '.join(f'{g:+.5f}' for g in gap)}; "
                      f"std over seeds {spread:.5f})")


if __name__ == "__main__":
    main()
