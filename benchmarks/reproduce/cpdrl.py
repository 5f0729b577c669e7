"""CPDRL (seed 004) on OFDMA-Consistency-v0: objective against N for CPDRL, ASTE-DDPG, STE-DDPG, DDPG,
TEM, ROM, FOM and LEM (Figs. 4, 6, 9), execution time per decision against N (Fig. 5), rewards and
consistency (Fig. 7), critic-loss variance (Fig. 8), and the objective against the bandwidth B and
the server CPU F (Figs. 10-11). Supersedes ``benchmarks/cpdrl_ofdma.py`` and ``benchmarks/ofdma_tem.py``.

As the paper optimises a given instance, each (N, seed) draws one problem instance and keeps it for
every episode. A learner's objective is the best in-band objective over its training (the paper's
"best objective per episode"), beside its final deterministic decision; ROM / FOM / LEM draw
``frames`` random consistent decisions (their mean is the paper's one-draw policy, their best a
random search of the learner's budget).

Bandwidth decoding (issue 17): every learner runs with the paper's ``bandwidth_decoding="absolute"``
(b = u B, against which the paper's claims are judged) and CPDRL also with ``"shares"`` (b = B u /
max(1, sum u), within the band by construction); the in-band objective of the final decision (a
decision outside the band scores the best all-local objective) over TEM is printed for both. The
hard-deadline comparison the paper implies: at N = 3 on ``hard_instances`` instances with
``deadlines="hard"``, CPDRL and ASTE-DDPG against TEM(hard), with the share of feasible decisions.
"""

from __future__ import annotations

import time

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401
from benchmarks.reproduce.common import bin_centres, binned
from benchmarks.reproduce.core import (Budget, Claim, Figure, Judged, Paper, Part, Results, close, holds,
                                       not_reproducible, spread)

LEARNERS = ("cpdrl", "aste-ddpg", "ste-ddpg", "ddpg")
FIXED = ("rom", "fom", "lem")
LABELS = {"cpdrl": "CPDRL", "aste-ddpg": "ASTE-DDPG", "ste-ddpg": "STE-DDPG", "ddpg": "DDPG", "rom": "ROM",
          "fom": "FOM", "lem": "LEM", "tem": "TEM"}
SETTABLE = ("data_bits", "cycles_per_bit", "local_cpu", "distance")
SHARES = {"bandwidth_decoding": "shares"}  # the in-band decoding (issue 17); the paper's is "absolute"
HARD, HARD_N, HARD_LEARNERS = {"deadlines": "hard"}, 3, ("cpdrl", "aste-ddpg")  # at N = 3 about half the
#                                                           instances have a decision meeting every deadline
BINS = 40


class InfoLog(gym.Wrapper):
    """Keeps the step infos read here over training: within the band, and feasible (hard deadlines)."""

    def __init__(self, env):
        super().__init__(env)
        self.in_band, self.feasible = [], []

    def step(self, action):
        observation, reward, terminated, truncated, info = self.env.step(action)
        self.in_band.append(bool(info["bandwidth_excess"] == 0))
        if "feasible" in info:
            self.feasible.append(bool(info["feasible"]))
        return observation, reward, terminated, truncated, info


class FixedInstance(gym.Wrapper):
    """Every reset restores the same instance (the paper trains on one problem)."""

    def __init__(self, env, instance):
        super().__init__(env)
        self.instance = instance

    def reset(self, *, seed=None, options=None):
        return self.env.reset(seed=seed, options={"state": self.instance})


def _instance(n: int, seed: int, **config):
    env = gym.make("OFDMA-Consistency-v0", num_devices=n, **config)
    env.reset(seed=seed)
    return env, {name: env.unwrapped.state[name] for name in SETTABLE}


def tem(n: int, seed: int, **config) -> dict:
    env, _ = _instance(n, seed, **config)
    start = time.perf_counter()
    best = env.unwrapped.optimum()
    row = {"objective": float(best.info["objective"]), "tem_ms": 1e3 * (time.perf_counter() - start)}
    if "feasible" in best.info:  # hard deadlines: whether any offloading vector meets every deadline
        row["feasible"] = bool(best.info["feasible"])
    return row


def _all_local(env) -> float:
    """The best all-local decision's objective (what a decision outside the band scores in band)."""
    n = env.unwrapped.config.num_devices
    return float(env.unwrapped.evaluate_offloading(np.zeros((1, n), dtype=np.int8)).info["objective"][0])


def fixed(method: str, n: int, seed: int, frames: int) -> dict:
    from baselines.heuristics import OFDMA_POLICIES

    env, _ = _instance(n, seed)
    rng = np.random.default_rng(seed)
    actions = np.stack([OFDMA_POLICIES[method](env, rng) for _ in range(frames)])
    info = env.unwrapped.evaluate(actions).info
    within = info["bandwidth_excess"] == 0
    return {"best": float(info["objective"][within].min()) if within.any() else float("inf"),
            "mean": float(info["objective"][within].mean()) if within.any() else float("inf"),
            "consistent": float(info["consistency_count"].mean() / n)}


def learner(method: str, n: int, seed: int, frames: int, **config) -> dict:
    from baselines.cpdrl import CPDRL, CPDRLConfig

    _, instance = _instance(n, seed, **config)
    env = InfoLog(FixedInstance(gym.make("OFDMA-Consistency-v0", num_devices=n, **config), instance))
    agent = CPDRL(env, CPDRLConfig.variant(method), seed=seed)
    start = time.perf_counter()
    agent.learn(frames)
    train_ms = 1e3 * (time.perf_counter() - start) / frames
    observation, _ = env.reset()
    start = time.perf_counter()
    for _ in range(20):
        action = agent.predict(observation)
    decide_ms = 1e3 * (time.perf_counter() - start) / 20
    final = env.unwrapped.evaluate(action[None].astype(np.float64)).info
    loss = np.asarray(agent.history["critic_loss"], dtype=np.float64)
    late = loss[len(loss) // 2:]
    late = late[np.isfinite(late)]
    reward = np.asarray(agent.history["reward"])
    in_band = final["bandwidth_excess"][0] == 0
    hard = {"final_feasible": bool(final["feasible"][0]), "feasible_share": float(np.mean(env.feasible))} \
        if "feasible" in final else {}
    return {"best": float(min(agent.history["best_objective"])),
            "final": float(final["objective"][0]) if in_band else float("inf"),
            "final_in_band": float(final["objective"][0]) if in_band else _all_local(env),
            "final_objective": float(final["objective"][0]), "final_served": float(final["served_objective"][0]),
            "in_band_share": float(np.mean(env.in_band)), **hard,
            "consistent": float(np.mean(agent.history["consistency"]) / n),
            "reward_late": float(reward[len(reward) // 2:].mean()),
            "critic_loss_var": float(late.var()) if late.size else float("nan"),
            "train_ms": train_ms, "decide_ms": decide_ms,
            "reward_curve": binned(reward, BINS), "loss_curve": binned(loss, BINS)}


def key(kind: str, n: int, method: str, seed: int, frames: int | None = None, **config) -> str:
    extra = "".join(f"/{name}={value}" if isinstance(value, str) else f"/{name}={value:g}"
                    for name, value in sorted(config.items()))
    return f"{kind}/n{n}/{method}{extra}" + (f"/f{frames}" if frames else "") + f"/s{seed}"


def parts(budget: Budget) -> list[Part]:
    out, frames = [], budget["frames"]
    for seed in budget.seeds:
        for n in budget["sizes"]:
            out.append(Part(key("tem", n, "tem", seed), lambda n=n, s=seed: tem(n, s)))
            for method in FIXED:
                out.append(Part(key("fixed", n, method, seed, frames),
                                lambda m=method, n=n, s=seed: fixed(m, n, s, frames)))
            for method in LEARNERS:
                out.append(Part(key("learn", n, method, seed, frames),
                                lambda m=method, n=n, s=seed: learner(m, n, s, frames)))
            out.append(Part(key("learn", n, "cpdrl", seed, frames, **SHARES),
                            lambda n=n, s=seed: learner("cpdrl", n, s, frames, **SHARES)))
        for n in budget["tem_sizes"]:
            if n not in budget["sizes"]:
                out.append(Part(key("tem", n, "tem", seed), lambda n=n, s=seed: tem(n, s)))
    for seed in range(budget["hard_instances"]):  # hard deadlines at N = 3: instances are seeds 0..
        out.append(Part(key("tem", HARD_N, "tem", seed, **HARD), lambda s=seed: tem(HARD_N, s, **HARD)))
        for method in HARD_LEARNERS:
            out.append(Part(key("learn", HARD_N, method, seed, frames, **HARD),
                            lambda m=method, s=seed: learner(m, HARD_N, s, frames, **HARD)))
    n = budget["sweep_size"]
    for seed in budget.seeds[:budget["sweep_seeds"]]:
        for name, values in (("bandwidth", budget["bandwidths"]), ("server_cpu", budget["server_cpus"])):
            for value in values:
                out.append(Part(key("tem", n, "tem", seed, **{name: value}),
                                lambda s=seed, c={name: value}: tem(n, s, **c)))
                out.append(Part(key("learn", n, "cpdrl", seed, frames, **{name: value}),
                                lambda s=seed, c={name: value}: learner("cpdrl", n, s, frames, **c)))
    return out


# ----- claims ---------------------------------------------------------------------------------------
def values(r: Results, kind: str, n: int, method: str, name: str, seeds=None, **config) -> np.ndarray:
    frames = None if kind == "tem" else r.budget["frames"]
    return np.array([r[key(kind, n, method, s, frames, **config)][name] for s in (seeds or r.budget.seeds)])


def near_tem(r: Results) -> Judged:
    ratios = np.concatenate([values(r, "learn", n, "cpdrl", "best") / values(r, "tem", n, "tem", "objective")
                             for n in r.budget["sizes"]])
    judged = close(ratios, 1.0, 0.05, 0.20, digits=4)
    finals = np.concatenate([values(r, "learn", n, "cpdrl", "final") / values(r, "tem", n, "tem", "objective")
                             for n in r.budget["sizes"]])
    finite = finals[np.isfinite(finals)]
    final_text = f"{spread(finite, 3)} where in band" if finite.size else "none in band"
    return Judged(f"best / TEM {judged.ours} over N and seeds; final decision in band {finite.size} of {finals.size}, "
                  f"/ TEM {final_text}",
                  judged.verdict, judged.why)


def in_band_decodings(r: Results) -> Judged:
    """CPDRL's final decision, in-band objective / TEM, under both decodings (judged on the paper's)."""
    texts, absolute = [], []
    for n in r.budget["sizes"]:
        tem_objective = values(r, "tem", n, "tem", "objective")
        paper = values(r, "learn", n, "cpdrl", "final_in_band") / tem_objective
        shares = values(r, "learn", n, "cpdrl", "final_in_band", **SHARES) / tem_objective
        band = values(r, "learn", n, "cpdrl", "in_band_share"), values(r, "learn", n, "cpdrl", "in_band_share", **SHARES)
        absolute.append(paper)
        texts.append(f"N = {n}: absolute {paper.mean():.3g} (in band {band[0].mean():.2f} of training), "
                     f"shares {shares.mean():.3g} (in band {band[1].mean():.2f})")
    judged = close(np.concatenate(absolute), 1.0, 0.05, 0.20, digits=4)
    return Judged("final decision, in-band objective / TEM: " + "; ".join(texts), judged.verdict, judged.why)


def hard_feasible(r: Results) -> Judged:
    """With hard deadlines at N = 3: does CPDRL's final decision meet every deadline where TEM(hard) can?"""
    seeds = list(range(r.budget["hard_instances"]))
    tem_ok = np.array([r[key("tem", HARD_N, "tem", s, **HARD)]["feasible"] for s in seeds])
    rows = {m: [r[key("learn", HARD_N, m, s, r.budget["frames"], **HARD)] for s in seeds] for m in HARD_LEARNERS}
    texts = [f"TEM(hard) feasible on {tem_ok.sum()} of {len(seeds)} instances"]
    for method, runs in rows.items():
        final = np.array([row["final_feasible"] for row in runs])
        share = np.mean([row["feasible_share"] for row in runs])
        texts.append(f"{LABELS[method]}: feasible decisions in training {share:.3f}, final decision feasible on "
                     f"{final.sum()} of {len(seeds)} ({(final & tem_ok).sum()} of the {tem_ok.sum()} feasible ones)")
    cpdrl = np.array([row["final_feasible"] for row in rows["cpdrl"]])
    if not tem_ok.any():
        return not_reproducible("; ".join(texts), "no instance of the budget has a decision meeting every deadline")
    return holds(cpdrl[tem_ok], "; ".join(texts),
                 "CPDRL's final decision misses a deadline on an instance where some decision meets them all")


def lowest(r: Results) -> Judged:
    flags, texts = [], []
    for n in r.budget["sizes"]:
        cpdrl = values(r, "learn", n, "cpdrl", "best")
        others = {m: values(r, "learn", n, m, "best") for m in LEARNERS[1:]}
        others |= {m: values(r, "fixed", n, m, "mean") for m in FIXED}
        flags += [bool(np.all(cpdrl <= other)) for other in others.values()]
        texts.append(f"N = {n}: CPDRL {cpdrl.mean():.3g}, " + ", ".join(f"{LABELS[m]} {o.mean():.3g}"
                                                                         for m, o in others.items()))
    return holds(flags, texts[-1] + " (learners: best in-band; ROM/FOM/LEM: mean of their draws)",
                 "a baseline reaches a lower objective than CPDRL somewhere")


def tem_exponential(r: Results) -> Judged:
    sizes = sorted(set(r.budget["tem_sizes"]) | set(r.budget["sizes"]))
    ms = [float(np.mean(values(r, "tem", n, "tem", "tem_ms"))) for n in sizes]
    slope = np.polyfit(sizes[-4:], np.log2(ms[-4:]), 1)[0]  # doublings per extra device, over the largest N
    return holds([slope >= 0.7], f"TEM {ms[0]:.3g} ms at N = {sizes[0]} -> {ms[-1]:.3g} ms at N = {sizes[-1]}; "
                 f"{slope:.2f} doublings per device at the largest N", "TEM's time does not double per device")


def cpdrl_flat(r: Results) -> Judged:
    sizes = r.budget["sizes"]
    ms = [float(np.mean(values(r, "learn", n, "cpdrl", "decide_ms"))) for n in sizes]
    growth = ms[-1] / ms[0]
    return holds([growth < 2.0], f"CPDRL per decision {ms[0]:.3g} ms at N = {sizes[0]} -> {ms[-1]:.3g} ms at "
                 f"N = {sizes[-1]} ({growth:.2f}x)", "CPDRL's time per decision grows by 2x or more")


def best_of(name: str, label: str, higher: bool):
    def judge(r: Results) -> Judged:
        flags, text = [], ""
        for n in r.budget["sizes"]:
            means = {m: float(np.mean(values(r, "learn", n, m, name))) for m in LEARNERS}
            flags += [(means["cpdrl"] > means[m]) if higher else (means["cpdrl"] < means[m]) for m in LEARNERS[1:]]
            text = f"N = {n}: " + ", ".join(f"{LABELS[m]} {v:.3g}" for m, v in means.items())
        return holds(flags, text + f" ({label})", f"another variant has a {'higher' if higher else 'lower'} {label}")
    return judge


def sweep(name: str, grid: str, falling: bool):
    def judge(r: Results) -> Judged:
        seeds = r.budget.seeds[:r.budget["sweep_seeds"]]
        n = r.budget["sweep_size"]
        cpdrl = [float(np.mean(values(r, "learn", n, "cpdrl", "best", seeds, **{name: v}))) for v in r.budget[grid]]
        exact = [float(np.mean(values(r, "tem", n, "tem", "objective", seeds, **{name: v}))) for v in r.budget[grid]]
        flags = [(b < a) if falling else (b > a) for a, b in zip(cpdrl, cpdrl[1:])]
        return holds(flags, "CPDRL " + ", ".join(f"{x:.3g}" for x in cpdrl) + "; TEM "
                     + ", ".join(f"{x:.3g}" for x in exact), f"CPDRL's objective does not {'fall' if falling else 'rise'}"
                     " at every step")
    return judge


def rises_with_n(r: Results) -> Judged:
    means = [float(np.mean(values(r, "learn", n, "cpdrl", "best"))) for n in r.budget["sizes"]]
    return holds([b > a for a, b in zip(means, means[1:])], "CPDRL " + ", ".join(f"{x:.3g}" for x in means),
                 "the objective does not rise at every step of N")


CLAIMS = [
    Claim("near-tem", "CPDRL's objective closely matches TEM's (near-optimal) at every N", "close to TEM",
          "Fig. 4, §V-B1", near_tem),
    Claim("near-tem-in-band", "CPDRL near TEM, its final decision scored in band (outside it: all-local), "
          "bandwidth decodings 'absolute' (the paper's, judged) and 'shares'", "close to TEM", "Fig. 4, §V-B1",
          in_band_decodings),
    Claim("hard-deadlines", "CPDRL meets the deadline constraint C1 (T_n <= tau) where it can be met (N = 3, "
          "deadlines='hard')", "C1 is a constraint", "§III (C1)", hard_feasible),
    Claim("lowest-objective", "CPDRL has the lowest objective of CPDRL, ASTE-DDPG, STE-DDPG, DDPG, ROM, FOM, LEM",
          "lowest", "Fig. 6", lowest),
    Claim("tem-exponential", "TEM's execution time grows exponentially with N", "exponential", "Fig. 5",
          tem_exponential, timing=True),
    Claim("cpdrl-time-flat", "CPDRL's execution time per decision stays almost constant in N", "almost constant",
          "Fig. 5", cpdrl_flat, timing=True),
    Claim("highest-reward", "CPDRL achieves higher rewards than the DDPG baselines (second half of training)",
          "highest reward", "Fig. 7", best_of("reward_late", "mean reward", True)),
    Claim("highest-consistency", "CPDRL keeps the most UTDs consistent", "consistency preserved", "§IV, Fig. 7",
          best_of("consistent", "consistency rate", True)),
    Claim("smallest-critic-variance", "CPDRL's critic loss has the smallest variance", "smallest variance", "Fig. 8",
          best_of("critic_loss_var", "critic-loss variance", False)),
    Claim("objective-rises-with-n", "More UTDs: higher objective (delay + energy)", "rises", "Fig. 9", rises_with_n),
    Claim("objective-falls-with-b", "More bandwidth B: lower objective", "falls", "Fig. 10",
          sweep("bandwidth", "bandwidths", True)),
    Claim("objective-falls-with-f", "More server CPU F: lower objective", "falls", "Fig. 11",
          sweep("server_cpu", "server_cpus", True)),
]


# ----- figures --------------------------------------------------------------------------------------
def fig_objective(r: Results, figure) -> None:
    sizes = r.budget["sizes"]
    left = figure.add_subplot(1, 2, 1)
    left.plot(sizes, [np.mean(values(r, "learn", n, "cpdrl", "best")) for n in sizes], marker="o", label="CPDRL")
    left.plot(sizes, [np.mean(values(r, "tem", n, "tem", "objective")) for n in sizes], marker="s", label="TEM")
    left.set_xlabel("number of UTDs")
    left.set_ylabel("objective (delay + energy)")
    left.set_title("Fig. 4")
    left.legend(fontsize=7)
    right = figure.add_subplot(1, 2, 2)
    width = 0.8 / (len(LEARNERS) + len(FIXED))
    for index, method in enumerate((*LEARNERS, *FIXED)):
        kind, name = ("learn", "best") if method in LEARNERS else ("fixed", "mean")
        right.bar(np.arange(len(sizes)) + index * width, [np.mean(values(r, kind, n, method, name)) for n in sizes],
                  width, label=LABELS[method])
    right.set_xticks(np.arange(len(sizes)) + 0.4 - width / 2, [str(n) for n in sizes])
    right.set_xlabel("number of UTDs")
    right.set_ylabel("objective")
    right.set_yscale("log")
    right.set_title("Fig. 6")
    right.legend(fontsize=6)


def fig_time(r: Results, figure) -> None:
    axis = figure.add_subplot(1, 1, 1)
    sizes = sorted(set(r.budget["tem_sizes"]) | set(r.budget["sizes"]))
    axis.plot(sizes, [np.mean(values(r, "tem", n, "tem", "tem_ms")) for n in sizes], marker="s", label="TEM")
    axis.plot(r.budget["sizes"], [np.mean(values(r, "learn", n, "cpdrl", "decide_ms")) for n in r.budget["sizes"]],
              marker="o", label="CPDRL (one decision)")
    axis.set_yscale("log")
    axis.set_xlabel("number of UTDs")
    axis.set_ylabel("execution time (ms)")
    axis.legend(fontsize=7)


def fig_training(r: Results, figure) -> None:
    n = r.budget["sizes"][-1]
    for index, (name, label) in enumerate((("reward_curve", "reward (Fig. 7)"), ("loss_curve", "critic loss (Fig. 8)"))):
        axis = figure.add_subplot(1, 2, index + 1)
        for method in LEARNERS:
            curves = [r[key("learn", n, method, s, r.budget["frames"])][name] for s in r.budget.seeds]
            axis.plot(bin_centres(r.budget["frames"], len(curves[0])), np.nanmean(curves, axis=0), label=LABELS[method])
        axis.set_xlabel("training step")
        axis.set_ylabel(label)
        if name == "loss_curve":
            axis.set_yscale("log")
        axis.set_title(f"N = {n}")
    axis.legend(fontsize=7)


def fig_sweeps(r: Results, figure) -> None:
    seeds, n = r.budget.seeds[:r.budget["sweep_seeds"]], r.budget["sweep_size"]
    axis = figure.add_subplot(1, 3, 1)
    sizes = r.budget["sizes"]
    axis.plot(sizes, [np.mean(values(r, "learn", m, "cpdrl", "best")) for m in sizes], marker="o")
    axis.set_xlabel("number of UTDs (Fig. 9)")
    axis.set_ylabel("CPDRL objective")
    for index, (name, grid, scale, label) in enumerate((("bandwidth", "bandwidths", 1e6, "bandwidth B (MHz, Fig. 10)"),
                                                         ("server_cpu", "server_cpus", 1e9, "server CPU F (GHz, Fig. 11)"))):
        axis = figure.add_subplot(1, 3, index + 2)
        grid_values = r.budget[grid]
        axis.plot(np.array(grid_values) / scale, [np.mean(values(r, "learn", n, "cpdrl", "best", seeds, **{name: v}))
                                                  for v in grid_values], marker="o", label="CPDRL")
        axis.plot(np.array(grid_values) / scale, [np.mean(values(r, "tem", n, "tem", "objective", seeds, **{name: v}))
                                                  for v in grid_values], marker="s", label="TEM")
        axis.set_xlabel(label)
        axis.legend(fontsize=7)


def setup(budget: Budget) -> list[tuple[str, str, str]]:
    return [("training steps per run", "not stated", f"{budget['frames']:,} (episodes of 200 on one instance)"),
            ("UTDs N", "swept (values not given)", f"{', '.join(map(str, budget['sizes']))} (TEM time up to "
             f"{max(budget['tem_sizes'])})"),
            ("seeds / instances", "not stated", f"{list(budget.seeds)}: one instance per (N, seed)"),
            ("bandwidth grid", "not given", f"{[b / 1e6 for b in budget['bandwidths']]} MHz at N = {budget['sweep_size']}"),
            ("server CPU grid", "not given", f"{[f / 1e9 for f in budget['server_cpus']]} GHz at N = "
             f"{budget['sweep_size']}"),
            ("hyper-parameters", "Table I", "Table I (actor / critic (24, 16), lr 1e-4, noise 1.0, tau 0.005, "
             "gamma 0.85, batch 64, buffer 1e5)")]


def deviations(budget: Budget) -> list[str]:
    return ["The paper gives no numbers for its figures (only their shapes and orderings), no N grid and no B or F "
            "grid: every claim is an ordering or a shape on our grids.",
            "Deadlines are soft (SPEC.md): with the paper's parameters no decision meets every deadline at N >= 5; "
            f"the hard-deadline claim runs at N = {HARD_N} on {budget['hard_instances']} instances.",
            "Bandwidth is decoded as the paper does (b = u B, sum b may exceed B); CPDRL also runs with "
            "bandwidth_decoding='shares' (b = B u / max(1, sum u), our deviation), printed beside it.",
            "A learner's objective is the best in-band objective it met during training; its final deterministic "
            "decision is reported too and often leaves the band (the paper's actor with noise 1.0 saturates).",
            f"{budget['frames']:,} training steps per run to fit this shared 2-core machine; the sweeps of B and F "
            f"use seeds {list(budget.seeds[:budget['sweep_seeds']])}."]


PAPER = Paper(
    name="cpdrl", title="Consistency-Preserving Deep Reinforcement Learning for Computation Offloading and Resource "
                        "Allocation in MEC Environment",
    source="004_138f3a7c34bc9218.txt",
    where="Figs. 4-11 and §V-B (shapes and orderings only: the figures' values are not in the text); Table I "
          "(parameters)",
    paper_budget="not stated (training length, seeds, the N, B and F grids are not given).",
    budgets={"quick": Budget("quick", (0,), {"frames": 150, "sizes": (3, 4), "tem_sizes": (3, 4, 5, 6, 7, 8),
                                             "sweep_size": 4, "sweep_seeds": 1, "bandwidths": (2.5e6, 5e6, 10e6),
                                             "server_cpus": (10e9, 15e9, 30e9), "hard_instances": 2}),
             "full": Budget("full", (0, 1), {"frames": 1000, "sizes": (3, 4, 5), "tem_sizes": tuple(range(3, 15)),
                                             "sweep_size": 4, "sweep_seeds": 1, "bandwidths": (2.5e6, 5e6, 10e6),
                                             "server_cpus": (5e9, 15e9, 30e9), "hard_instances": 2})},
    setup=setup, deviations=deviations, parts=parts, claims=CLAIMS,
    figures=[Figure("objective.png", "Objective against N: CPDRL vs TEM (Fig. 4) and the baselines (Fig. 6)",
                    fig_objective, (11, 4)),
             Figure("time.png", "Execution time against N (Fig. 5)", fig_time),
             Figure("training.png", "Reward and critic loss during training (Figs. 7-8)", fig_training, (11, 4)),
             Figure("sweeps.png", "CPDRL objective against N, B and F (Figs. 9-11)", fig_sweeps, (13, 3.8))],
)
