"""QAROO (seed 000) on WPMEC-v0: DROO > 0.99 at N = 10, Table I (DNN/RNN x OP/UGQ) at N = 10 and 30,
the quantum actors (Fig. 6), convergence and loss (Fig. 5), time per frame, i.i.d. and correlated
fading. Supersedes ``benchmarks/qaroo_table1.py`` and ``benchmarks/droo_wpmec.py``.

Each run learns online for ``frames`` frames (the normalised rate of every learning frame against
the per-frame reference is recorded, the paper's "average normalized rate"), then acts without
learning on ``eval_frames`` further frames of the same stream (held-out).
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from benchmarks.reproduce.common import bin_centres, binned, has_field
from benchmarks.reproduce.core import (
    Budget, Claim, Figure, Judged, Paper, Part, Results, at_least, close, holds, not_reproducible,
    ordering, spread,
)
from mec_gym.envs.wpmec.config import WPMECConfig

CLASSICAL = {"DNN+OP": ("dnn", "op"), "DNN+UGQ": ("dnn", "ugq"), "RNN+OP": ("rnn", "op"), "RNN+UGQ": ("rnn", "ugq")}
QUANTUM = {"Quantum+DNN": ("quantum_dnn", "ugq"), "Quantum+Attention": ("quantum_attention", "ugq")}
VARIANTS = {**CLASSICAL, **QUANTUM}
TABLE_I = {"RNN+UGQ": (0.998401, 0.016182), "DNN+OP": (0.987103, 0.017022), "DNN+UGQ": (0.994818, 0.019143),
           "RNN+OP": (0.996838, 0.012821)}  # N = 30: average normalised rate, s per frame
REFERENCE_METHOD = "cd"  # the per-frame reference above N = 16: coordinate descent, as the papers' (8 ms here;
#                           optimum()'s default multi-start descent costs 80 ms per frame at N = 30)
REFERENCE_EVERY = 2  # the reference is computed on every 2nd learning frame
CORRELATION = 0.9  # rho of the gauss-markov fading (lag-1 power autocorrelation 0.81)
BINS = 50


def key(variant: str, n: int, fading: str, seed: int, budget: Budget) -> str:
    frames = budget["quantum_frames"] if variant in QUANTUM else budget["frames"]
    return f"n{n}/{variant}/{fading}/f{frames}/e{budget['eval_frames']}/s{seed}"


def run(variant: str, n: int, fading: str, frames: int, eval_frames: int, seed: int) -> dict:
    """One learning run and its held-out evaluation. The reference of a frame (``reference_method``
    at N = 30, certified enumeration at N = 10) is computed outside the learner's timed part, on
    every ``REFERENCE_EVERY``-th frame (the run's mean over them estimates the paper's average)."""
    from baselines.qaroo import QAROO, QAROOConfig

    actor, quantizer = VARIANTS[variant]
    options = {} if fading == "iid" else {"fading": "gauss-markov", "fading_correlation": CORRELATION}
    env = gym.make("WPMEC-v0", num_devices=n, episode_length=frames + eval_frames, **options)
    agent = QAROO(env, QAROOConfig(actor=actor, quantizer=quantizer), seed=seed)
    method = "auto" if n <= 16 else REFERENCE_METHOD
    references, certified = {}, []

    def reference(frame: int) -> None:  # the optimum of the state the agent acts on at ``frame``
        if frame % REFERENCE_EVERY == 0:
            best = env.unwrapped.optimum(method=method)
            references[frame] = best.reward
            certified.append(bool(getattr(best, "certified", False)))

    agent._observation, _ = env.reset(seed=seed)
    reference(0)
    agent.learn(frames, callback=lambda record: reference(len(agent.history["reward"])))
    frames_scored = sorted(frame for frame in references if frame < frames)
    rate = np.array([agent.history["reward"][frame] / references[frame] for frame in frames_scored])
    loss = np.asarray(agent.history["loss"], dtype=np.float64)
    observation, ratios = agent._observation, []
    for _ in range(eval_frames):
        best = env.unwrapped.optimum(method=method)
        observation, reward, _, _, _ = env.step(agent.predict(observation))
        ratios.append(reward / best.reward)
    early = np.array(frames_scored) < 1000
    half = len(rate) // 2
    finite = loss[np.isfinite(loss)]
    return {"rate": float(rate.mean()), "rate_first": float(rate[early].mean()),
            "rate_last_quarter": float(rate[-max(len(rate) // 4, 1):].mean()),
            "rate_std_after": float(rate[half:].std()), "heldout": float(np.mean(ratios)),
            "final_loss": float(finite[-max(len(finite) // 5, 1):].mean()) if finite.size else float("nan"),
            "frame_ms": 1e3 * float(np.mean(agent.history["seconds"])),
            "curve": binned(rate, BINS), "loss_curve": binned(loss, BINS),
            "reference": method if n > 16 else "enumeration", "certified_share": float(np.mean(certified))}


def fadings() -> list[str]:
    return ["iid", "gauss-markov"] if has_field(WPMECConfig, "fading") else ["iid"]


def parts(budget: Budget) -> list[Part]:
    out = []
    for n in budget["sizes"]:
        for variant in (*CLASSICAL, *QUANTUM):
            frames = budget["quantum_frames"] if variant in QUANTUM else budget["frames"]
            for seed in budget.seeds:
                out.append(Part(key(variant, n, "iid", seed, budget),
                                lambda v=variant, n=n, s=seed, f=frames: run(v, n, "iid", f, budget["eval_frames"], s)))
    for fading in fadings()[1:]:
        for variant in ("DNN+OP", "RNN+UGQ"):
            for seed in budget.seeds:
                out.append(Part(key(variant, 10, fading, seed, budget),
                                lambda v=variant, s=seed: run(v, 10, fading, budget["frames"], budget["eval_frames"], s)))
    return out


# ----- claims ---------------------------------------------------------------------------------------
def values(r: Results, variant: str, n: int, name: str, fading: str = "iid") -> np.ndarray:
    return r.over_seeds(lambda seed: key(variant, n, fading, seed, r.budget), name)


def table_claim(variant: str, n: int) -> Claim:
    paper_rate = TABLE_I[variant][0]

    def judge(r: Results) -> Judged:
        judged = close(values(r, variant, n, "rate"), paper_rate, 0.005, 0.015, relative=False, digits=5)
        held = spread(values(r, variant, n, "heldout"), 5)
        return Judged(f"{judged.ours}; held-out {held}", judged.verdict, judged.why)
    return Claim(f"table1-n{n}-{variant.lower().replace('+', '-')}",
                 f"{variant} average normalised rate at N = {n} (learning run)", f"{paper_rate}",
                 "Table I, Fig. 5a", judge)


def n10_claim(variant: str) -> Claim:
    paper = 0.99 if variant.startswith("RNN") else 0.98

    def judge(r: Results) -> Judged:
        judged = close(values(r, variant, 10, "rate"), paper, 0.005, 0.015, relative=False, digits=5)
        return Judged(f"{judged.ours}; held-out {spread(values(r, variant, 10, 'heldout'), 5)}", judged.verdict,
                      judged.why)
    return Claim(f"n10-{variant.lower().replace('+', '-')}", f"{variant} normalised rate at N = 10 (learning run)",
                 f"about {paper}", "§V-B, Fig. 3a", judge)


def droo(r: Results) -> Judged:
    return at_least(values(r, "DNN+OP", 10, "rate_last_quarter"), 0.99, 0.98, digits=5)


def order_n30(r: Results) -> Judged:
    means = {v: float(np.mean(values(r, v, 30, "rate"))) for v in CLASSICAL}
    return ordering(means, ["RNN+UGQ", "RNN+OP", "DNN+UGQ", "DNN+OP"], digits=5)


def beats_droo(r: Results) -> Judged:
    ours, droo_rates = values(r, "RNN+UGQ", 30, "rate"), values(r, "DNN+OP", 30, "rate")
    return holds(ours > droo_rates, f"RNN+UGQ {spread(ours, 5)} vs DNN+OP {spread(droo_rates, 5)}",
                 "RNN+UGQ not above DROO (DNN+OP) on every seed")


def ugq_helps(r: Results) -> Judged:
    flags, gaps = [], []
    for actor in ("DNN", "RNN"):
        ugq, op = values(r, f"{actor}+UGQ", 30, "rate"), values(r, f"{actor}+OP", 30, "rate")
        flags += list(ugq > op)
        gaps.append(f"{actor} {float(np.mean(ugq - op)):+.4f}")
    return holds(flags, "UGQ - OP: " + ", ".join(gaps), "UGQ not above OP for every actor and seed")


def rnn_faster(r: Results) -> Judged:
    rnn = np.minimum(values(r, "RNN+UGQ", 30, "rate_first"), values(r, "RNN+OP", 30, "rate_first"))
    dnn = values(r, "DNN+OP", 30, "rate_first")
    return holds(rnn > dnn, f"first 1,000 frames: RNN (worse of OP/UGQ) {spread(rnn, 4)}, DNN+OP {spread(dnn, 4)}",
                 "an RNN variant starts no faster than DNN+OP")


def rnn_loss(r: Results) -> Judged:
    rnn = [values(r, v, 30, "final_loss") for v in ("RNN+UGQ", "RNN+OP")]
    dnn = [values(r, v, 30, "final_loss") for v in ("DNN+UGQ", "DNN+OP")]
    flags = [a < b for a_list in rnn for b_list in dnn for a, b in zip(a_list, b_list)]
    return holds(flags, f"final BCE loss RNN {spread(np.concatenate(rnn), 3)}, DNN {spread(np.concatenate(dnn), 3)}",
                 "some RNN run ends with a loss above a DNN run")


def rnn_stable(r: Results) -> Judged:
    rnn = [values(r, v, 30, "rate_std_after") for v in ("RNN+UGQ", "RNN+OP")]
    dnn = [values(r, v, 30, "rate_std_after") for v in ("DNN+UGQ", "DNN+OP")]
    flags = [a < b for a_list in rnn for b_list in dnn for a, b in zip(a_list, b_list)]
    return holds(flags, f"sd of the per-frame rate over the second half: RNN {spread(np.concatenate(rnn), 3)}, "
                        f"DNN {spread(np.concatenate(dnn), 3)}", "some RNN run fluctuates more than a DNN run")


def fastest(r: Results) -> Judged:
    means = {v: float(np.mean(values(r, v, 30, "frame_ms"))) for v in CLASSICAL}
    best = min(means, key=means.get)
    ours = ", ".join(f"{v} {m:.2f} ms" for v, m in sorted(means.items(), key=lambda item: item[1]))
    return holds([best == "RNN+OP"], ours, f"{best} is the fastest here, not RNN+OP")


def time_per_frame(r: Results) -> Judged:
    ms = np.concatenate([values(r, v, 30, "frame_ms") for v in CLASSICAL])
    low, high = 12.8, 19.1
    ours = f"{ms.min():.2f}-{ms.max():.2f} ms (mean {ms.mean():.2f})"
    if low / 2 <= ms.mean() <= 2 * high:
        return Judged(ours, "reproduced")
    return Judged(ours, "partly" if ms.mean() < low / 2 else "contradicted",
                  "outside a factor 2 of the paper's range (different machine; ours is faster)"
                  if ms.mean() < low / 2 else "more than twice the paper's time")


def quantum(n: int):
    def judge(r: Results) -> Judged:
        attention, dnn = values(r, "Quantum+Attention", n, "rate"), values(r, "Quantum+DNN", n, "rate")
        return holds(attention > dnn, f"Quantum+Attention {spread(attention, 5)}, Quantum+DNN {spread(dnn, 5)}",
                     "Quantum+Attention not above Quantum+DNN on every seed")
    return judge


def correlated(r: Results) -> Judged:
    if "gauss-markov" not in fadings():
        return not_reproducible("-", "WPMEC fading='gauss-markov' is not in this version of mec_gym")
    rnn, dnn = values(r, "RNN+UGQ", 10, "rate", "gauss-markov"), values(r, "DNN+OP", 10, "rate", "gauss-markov")
    return holds(rnn > dnn, f"rho = {CORRELATION}: RNN+UGQ {spread(rnn, 5)}, DNN+OP {spread(dnn, 5)}",
                 "with correlated fading RNN+UGQ is not above DNN+OP on every seed")


CLAIMS = [
    Claim("droo-n10", "DROO (DNN+OP) normalised rate above 0.99 at N = 10 (last quarter of the run)", "> 0.99",
          "§V-B (DROO's reference point), Fig. 3a", droo),
    *[n10_claim(v) for v in CLASSICAL],
    *[table_claim(v, 30) for v in CLASSICAL],
    Claim("table1-order-n30", "Ordering at N = 30: RNN+UGQ > RNN+OP > DNN+UGQ > DNN+OP", "0.998 > 0.997 > 0.995 > 0.987",
          "Table I", order_n30),
    Claim("beats-droo", "QAROO (RNN+UGQ) beats DROO (DNN+OP) at N = 30", "0.998401 vs 0.987103", "Table I, §VI",
          beats_droo),
    Claim("ugq-helps-n30", "UGQ above OP at N = 30 for both actors", "DNN gap 0.007715, RNN gap 0.001563",
          "§V-B, Table I", ugq_helps),
    Claim("rnn-converges-faster", "RNN converges faster: higher rate in the first 1,000 frames than DNN+OP",
          "RNN > 0.99, DNN+OP 0.987103 after 1,000 frames", "§V-B, Fig. 5a", rnn_faster),
    Claim("rnn-lower-loss", "RNN ends with a lower training loss than DNN", "0.002 vs 0.004 (UGQ) / 0.006 (OP)",
          "Fig. 5b", rnn_loss),
    Claim("rnn-smaller-fluctuation", "RNN's rate fluctuates less after convergence than DNN's",
          "variance < 0.001 vs 0.003 / 0.005", "§V-B", rnn_stable),
    Claim("rnn-op-fastest", "RNN+OP has the smallest time per frame of the four", "0.012821 s", "Table I", fastest,
          timing=True),
    Claim("time-per-frame", "Time per frame at N = 30 (act, K oracle calls, step, training)", "12.8-19.1 ms",
          "Table I", time_per_frame, timing=True),
    Claim("quantum-attention-n10", "Quantum+Attention above Quantum+DNN at N = 10", "higher curve", "Fig. 6a",
          quantum(10)),
    Claim("quantum-attention-n30", "Quantum+Attention above Quantum+DNN at N = 30", "higher curve", "Fig. 6b",
          quantum(30)),
    Claim("rnn-temporal-correlated", f"With correlated (Gauss-Markov, rho = {CORRELATION}) fading RNN+UGQ beats "
          "DNN+OP at N = 10", "RNN > DNN (its argument)", "§V-B", correlated),
]


# ----- figures --------------------------------------------------------------------------------------
def _curves(r: Results, axis, n: int, variants, field_name: str = "curve", fading: str = "iid") -> None:
    for variant in variants:
        curves = np.array([r[key(variant, n, fading, s, r.budget)][field_name] for s in r.budget.seeds])
        frames = r.budget["quantum_frames"] if variant in QUANTUM else r.budget["frames"]
        axis.plot(bin_centres(frames, curves.shape[1]), np.nanmean(curves, axis=0), label=variant)
    axis.set_xlabel("time frame")
    axis.legend(fontsize=7)


def _rate_panels(variants):
    """One panel per N of the normalised rate of ``variants`` over the learning run."""
    def draw(r: Results, figure) -> None:
        for index, n in enumerate(r.budget["sizes"]):
            axis = figure.add_subplot(1, len(r.budget["sizes"]), index + 1)
            _curves(r, axis, n, variants)
            axis.set_ylabel("normalised computation rate")
            axis.set_title(f"N = {n}")
    return draw


def fig_loss(r: Results, figure) -> None:
    axis = figure.add_subplot(1, 1, 1)
    _curves(r, axis, max(r.budget["sizes"]), CLASSICAL, "loss_curve")
    axis.set_ylabel("training loss (BCE)")
    axis.set_yscale("log")


def fig_fading(r: Results, figure) -> None:
    for index, fading in enumerate(fadings()):
        axis = figure.add_subplot(1, len(fadings()), index + 1)
        _curves(r, axis, 10, ("DNN+OP", "RNN+UGQ"), fading=fading)
        axis.set_ylabel("normalised computation rate")
        axis.set_title(f"N = 10, {fading} fading")


def setup(budget: Budget) -> list[tuple[str, str, str]]:
    return [("learning frames per run", "40,000 at N = 30 (Table I: 647 s at 16 ms per frame)",
             f"{budget['frames']:,} (quantum actors {budget['quantum_frames']:,})"),
            ("held-out frames", "none", f"{budget['eval_frames']:,} per run"),
            ("seeds", "one run (not stated)", f"{len(budget.seeds)}: {list(budget.seeds)}"),
            ("devices N", "10, 20, 30", ", ".join(map(str, budget["sizes"]))),
            ("fading", "i.i.d. Rayleigh block fading", ", ".join(fadings())),
            ("reference", "per-frame optimum (DROO's CD at large N)",
             f"certified enumeration at N = 10, {REFERENCE_METHOD} at N = 30; on every {REFERENCE_EVERY}nd learning "
             "frame and every held-out frame")]


def deviations(budget: Budget) -> list[str]:
    return [f"{budget['frames']:,} learning frames instead of about 40,000 to fit the budget of this 2-core machine "
            "shared by several jobs; the averages over the learning run weigh the early frames more than the "
            "paper's do, so they are a lower estimate of the paper's figure.",
            "N = 20 (Fig. 4a) is not run: N = 10 and 30 bracket it.",
            "At N = 30 the reference is single-start coordinate descent (as the paper's), not a certified "
            "optimum: a rate can exceed 1 where the learner finds a better decision than CD. The learning-run "
            f"average is taken over every {REFERENCE_EVERY}nd frame to halve the reference's cost.",
            "The quantum circuit runs as an exact batched statevector in torch (checked against PennyLane and "
            "Qiskit in tests), not Qiskit's simulator: same outputs, less time.",
            "Times per frame come from this machine (2 shared cores), the paper's from an i7-13700H.",
            f"Correlated fading (rho = {CORRELATION}) is our addition to test the paper's temporal argument; "
            "the paper itself states i.i.d. fading."]


PAPER = Paper(
    name="qaroo", title="QAROO: AI-Driven Online Task Offloading for Energy-Efficient and Sustainable MEC Networks",
    source="000_9303dadb8ac26a31.txt",
    where="Table I (N = 30: rate and time per frame), §V-B text (N = 10, convergence, loss, variance), "
          "Figs. 3a, 4a, 5a/b, 6a/b (curves only)",
    paper_budget="one learning run per variant of about 40,000 frames at N = 30 (Table I's total time / time per "
                 "frame), the curves of Figs. 3-6 over the same run; seeds not stated.",
    budgets={"quick": Budget("quick", (0,), {"frames": 200, "quantum_frames": 100, "eval_frames": 20, "sizes": (10, 30)}),
             "full": Budget("full", (0, 1), {"frames": 1500, "quantum_frames": 600, "eval_frames": 150,
                                             "sizes": (10, 30)})},
    setup=setup, deviations=deviations, parts=parts, claims=CLAIMS,
    figures=[Figure("rate.png", "Normalised computation rate over the learning run (Figs. 3a, 5a)", _rate_panels(CLASSICAL), (9, 3.6)),
             Figure("loss.png", "Training loss at the largest N (Fig. 5b)", fig_loss),
             Figure("quantum.png", "Quantum+DNN vs Quantum+Attention (Fig. 6)", _rate_panels(QUANTUM), (9, 3.6)),
             Figure("fading.png", "DNN+OP vs RNN+UGQ under i.i.d. and correlated fading (ours)", fig_fading, (9, 3.6))],
)
