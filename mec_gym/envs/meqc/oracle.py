"""MEQC-GaussMarkov-v0 oracle: device costs of K hybrid decisions, and the exact optimal fraction.

Decision per device: fraction alpha in [0, 1] offloaded and target y (0 cloud CPU, 1 QPU); local
and remote parts run in parallel. With D bits, c cycles/bit, local f, leased F, uplink rate R:

    T_local = (1 - alpha) D c / f                     E_local = (1 - alpha) kappa D c f^2
    T_cpu   = alpha (D / R + D c / F + s D / R_down)  E_cpu   = alpha (p D / R + kappa_s D c F^2)
    T_qpu   = alpha (D / R + s D / R_down) + t_qpu    E_qpu   = alpha p D / R + e_qpu      (alpha > 0)

T = max(T_local, T_remote); cost = w_T T + w_E E (+ penalties). With ``qpu_partial="scaled"`` the
QPU term is alpha (D / R + s D / R_down + t_qpu) and alpha (p D / R + e_qpu): the circuit's work scales
with the fraction. A QPU request that cannot run (no concatenation level reaches 2/3, or the lease is
too small) is rejected: the whole task runs locally (``offloaded`` = 0, which is also what counts
toward the long-term offloading constraint) and the infeasibility penalty is added, so a rejected
request is always worse than choosing local (chosen).

Deadlines. A device's deadline is *meetable* when some fraction and target meet it. ``"penalty"``
mode adds ``deadline_penalty`` per miss. ``"hard"`` mode (the paper's constraint 12b) adds nothing
for a miss no decision could avoid and, for an avoidable miss, the penalty

    P_i = (max over deadline-meeting decisions of the device's objective
           - min over all its decisions of the objective) / V' + deadline_penalty

in cost units (V' = V with the dpp reward, 1 with the cost reward; the objective is the device's
term of -reward without deadline penalties, Z included). So an avoidable miss scores at least
V' deadline_penalty worse than *every* decision meeting the deadline: feasibility comes first, then
cost, for an argmin over any candidate set that contains a meeting decision. Both extremes are
exact: every term is linear in alpha except the max, the jump of the whole circuit at alpha = 0 and
the penalties, so the objective is piecewise linear with breakpoints where T_local = T_remote and
where either time crosses the deadline, and its min and max over the meeting set lie on those points,
the ends and alpha = 0+ (the smallest positive float32 stands for it). A bound from the config alone
would be about 4,500 per miss at the defaults (the cooling energy of a level-3 circuit), 1,000 times a
typical device cost, and would drown every other signal for a learner.

The optimal fraction is the best of those points (exact, vectorised over devices). The action space
holds float32 fractions, so the candidates are rounded to float32 toward the side that keeps a
deadline met (the local-deadline point up, the remote-deadline point down): a fraction that meets its
deadline in float64 but misses it once the agent's float32 action rounds it would cost the deadline
penalty (measured: 5 % of device decisions before this rounding).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Weights:
    latency: float
    energy: float
    deadline_penalty: float
    infeasible_penalty: float


def device_terms(task: dict, qpu_scaled: bool = False) -> dict[str, np.ndarray]:
    """Per-device coefficients of the linear pieces (N,), from a task dict (see the env's ``task``);
    ``qpu_scaled``: the circuit's time and energy scale with the fraction (else they are fixed for
    any fraction > 0)."""
    D, c = task["data_bits"], task["cycles_per_bit"]
    work = D * c
    with np.errstate(divide="ignore"):  # a zero gain (settable fading 0): no uplink, inf per offloaded bit
        upload = D / task["uplink_rate"]
    download = task["result_share"] * D / task["downlink_rate"]
    circuit_time, circuit_energy = task["qpu_time"], task["qpu_energy"]
    zero = np.zeros_like(circuit_time)
    return {
        "local_time": work / task["local_cpu"],
        "local_energy": task["energy_coefficient"] * work * task["local_cpu"] ** 2,
        "cpu_time": upload + work / task["leased_cpu"] + download,
        "cpu_energy": task["transmit_power"] * upload + task["server_energy_coefficient"] * work * task["leased_cpu"] ** 2,
        # QPU remote time = alpha qpu_time_slope + [alpha > 0] qpu_time; server energy likewise
        "qpu_time_slope": upload + download + (circuit_time if qpu_scaled else zero),
        "qpu_time": zero if qpu_scaled else circuit_time,
        "qpu_energy_slope": circuit_energy if qpu_scaled else zero,
        "qpu_energy": zero if qpu_scaled else circuit_energy, "qpu_ok": task["qpu_ok"],
        "transmit_energy": task["transmit_power"] * upload, "deadline": task["deadline"],
    }


def costs(terms: dict, fraction: np.ndarray, target: np.ndarray | bool, weights: Weights,
          miss_penalty=None) -> dict[str, np.ndarray]:
    """Per-device latency, energies and cost of K decisions (K, N). ``miss_penalty``: the cost of
    a missed deadline per device (N,) (default: the flat ``weights.deadline_penalty``), or a
    function of the misses (K, N) returning it (called once, when they are known). A batch of
    states: terms (B, N) with decisions (B, K, N). ``target`` may be one bool for every decision
    (only that target's terms are then computed)."""
    batch = np.ndim(terms["deadline"]) > 1
    if batch:  # a batch of states: per-device terms against (B, K, N)
        terms = {key: _candidates_axis(value) for key, value in terms.items()}
    qpu = np.asarray(target).astype(bool)
    infeasible = qpu & (fraction > 0) & ~terms["qpu_ok"]
    offloaded = np.where(infeasible, 0.0, fraction)  # a rejected QPU request runs the whole task locally
    remote = offloaded > 0

    def share(term):  # offloaded x a per-task term, exactly 0 when nothing is offloaded (the term may be inf)
        return np.where(remote, offloaded * term, 0.0)

    def by_target(on_qpu, on_cpu):  # np.where(qpu, on_qpu(), on_cpu()), computing one side for one target
        if qpu.ndim == 0:
            return on_qpu() if qpu else on_cpu()
        return np.where(qpu, on_qpu(), on_cpu())

    def server_cpu_energy():  # no uplink: inf - inf, discarded (the remote latency is inf anyway)
        return share(np.where(np.isfinite(terms["transmit_energy"]), terms["cpu_energy"] - terms["transmit_energy"], 0.0))

    # invalid operations (0 x inf, inf - inf) occur only where np.where discards them (a zero weight
    # in the cost is not multiplied at all: ``_weighted``)
    with np.errstate(invalid="ignore"):
        local_time = (1 - offloaded) * terms["local_time"]
        remote_time = by_target(lambda: share(terms["qpu_time_slope"]) + remote * terms["qpu_time"],
                                lambda: share(terms["cpu_time"]))
        device_energy = (1 - offloaded) * terms["local_energy"] + share(terms["transmit_energy"])
        server_energy = by_target(lambda: share(terms["qpu_energy_slope"]) + remote * terms["qpu_energy"],
                                  server_cpu_energy)
        latency = np.maximum(local_time, remote_time)
        missed = latency > terms["deadline"] * (1 + 1e-12)
        if callable(miss_penalty):
            miss_penalty = miss_penalty(missed)
        if batch:
            miss_penalty = _candidates_axis(miss_penalty)
        penalty = (weights.deadline_penalty if miss_penalty is None else miss_penalty) * missed
        cost = (_weighted(weights.latency, latency) + _weighted(weights.energy, device_energy + server_energy)
                + penalty + weights.infeasible_penalty * infeasible)
    return {"cost": cost, "latency": latency, "device_energy": device_energy, "server_energy": server_energy,
            "missed": missed, "infeasible": infeasible, "offloaded": offloaded, "deadline_penalty": penalty}


def _weighted(weight: float, value: np.ndarray) -> np.ndarray:
    """weight x value, exactly 0 for a zero weight (also against an infinite value)."""
    return weight * value if weight > 0 else np.zeros_like(value)


def _candidates_axis(value):
    """A per-device array (..., N) as (..., 1, N), to broadcast against candidates (..., K, N)."""
    return value[..., None, :] if isinstance(value, np.ndarray) and value.ndim >= 1 else value


def _to_float32(values: np.ndarray, up: bool | None) -> np.ndarray:
    """``values`` as float32 numbers (returned as float64): nearest, or rounded up / down."""
    rounded = values.astype(np.float32)
    if up is not None:
        wrong = rounded.astype(np.float64) < values if up else rounded.astype(np.float64) > values
        rounded = np.where(wrong, np.nextafter(rounded, np.float32(np.inf if up else -np.inf)), rounded)
    return rounded.astype(np.float64)


def breakpoints(terms: dict, target: np.ndarray, float32: bool | str = True) -> np.ndarray:
    """Candidate fractions (N, 6): the ends, T_local = T_remote, the deadline crossings (rounded to
    float32 as above, or exact with ``float32=False``), and the smallest positive float32 (alpha =
    0+, where a whole circuit's fixed time and energy start). ``float32="neighbours"``: (N, 30), the
    float32 values within two steps of each exact point (clipped to [0, 1])."""
    if float32 == "neighbours":
        return _neighbours(breakpoints(terms, target, float32=False))
    qpu = target.astype(bool)
    slope = np.where(qpu, terms["qpu_time_slope"], terms["cpu_time"])
    offset = np.where(qpu, terms["qpu_time"], 0.0)
    local, deadline = terms["local_time"], terms["deadline"]
    crossing = (local - offset) / (local + slope)
    local_meets = 1.0 - deadline / local
    remote_meets = (deadline - offset) / slope
    # into [0, 1], NaN as 0 (the clip takes +-inf to 1 and 0: nan_to_num's posinf=1, neginf=0, cheaper)
    clean = lambda x: np.clip(np.where(np.isnan(x), 0.0, x), 0.0, 1.0)  # noqa: E731
    rounded = _to_float32 if float32 else (lambda x, up: x)
    points = [np.zeros_like(crossing), np.ones_like(crossing), rounded(clean(crossing), None),
              rounded(clean(np.broadcast_to(local_meets, crossing.shape)), up=True), rounded(clean(remote_meets), up=False),
              np.full_like(crossing, SMALLEST_FRACTION)]
    return np.stack(points, axis=-1)


def _neighbours(exact: np.ndarray) -> np.ndarray:
    """The float32 values within two steps of each exact breakpoint (..., 6) -> (..., 30), in [0, 1]."""
    nearest = exact.astype(np.float32)
    points, up, down = [nearest], nearest, nearest
    for _ in range(2):
        up, down = np.nextafter(up, np.float32(2)), np.nextafter(down, np.float32(-1))
        points += [up, down]
    return np.clip(np.concatenate(points, axis=-1).astype(np.float64), 0.0, 1.0)


SMALLEST_FRACTION = float(np.nextafter(np.float32(0), np.float32(1)))  # alpha = 0+ as a float32 action


# Devices above which a batch takes the large-batch paths, where work per element outweighs the
# number of NumPy calls: the deadline reference scores each target on its own (half the work per
# element; below, one call for both targets costs less than two), and the env's oracle computes it
# only for the devices a decision misses.
LARGE_BATCH_DEVICES = 256


@dataclass(frozen=True)
class DeadlineReference:
    """Per device (N,): whether some decision meets the deadline, and the miss penalty to charge."""

    meetable: np.ndarray
    miss_penalty: np.ndarray  # cost units, charged per missed deadline


def deadline_reference(terms: dict, weights: Weights, per_device_objective, mode: str, scale: float) -> DeadlineReference:
    """Meetability and the miss penalty of each device (see the module docstring). ``per_device_objective``
    maps ``costs(...)`` (without deadline penalties) to the device's objective; ``scale`` is V' (the
    objective's units per cost unit); ``mode`` is "hard" or "penalty"."""
    shape = np.shape(terms["deadline"])  # (N,), or (B, N) for a batch of states
    # Up to LARGE_BATCH_DEVICES devices both targets' breakpoints (2, 6, N) in one scoring; above,
    # each target's (1, 6, N) scored for it alone (only its side of the CPU/QPU choice is computed).
    groups = ((False, True),) if math.prod(shape) <= LARGE_BATCH_DEVICES else ((False,), (True,))
    meetable, worst_meeting, least = np.zeros(shape, dtype=bool), np.full(shape, -np.inf), np.full(shape, np.inf)
    for group in groups:
        target = np.broadcast_to(np.array(group).reshape((len(group),) + (1,) * len(shape)), (len(group), *shape))
        candidates = np.swapaxes(breakpoints(terms, target), -1, -2)
        decided = group[0] if len(group) == 1 else np.broadcast_to(np.expand_dims(target, -2), candidates.shape)
        result = costs(terms, candidates, decided, weights, miss_penalty=0.0)
        meets, objectives = ~result["missed"], per_device_objective(result)
        meetable |= meets.any(axis=(0, -2))
        if mode != "penalty":
            worst_meeting = np.maximum(worst_meeting, np.where(meets, objectives, -np.inf).max(axis=(0, -2)))
            least = np.minimum(least, objectives.min(axis=(0, -2)))
    if mode == "penalty":
        return DeadlineReference(meetable, np.full(shape, weights.deadline_penalty))
    gap = np.where(meetable, worst_meeting - least, 0.0)
    return DeadlineReference(meetable, np.where(meetable, gap / scale + weights.deadline_penalty, 0.0))


def optimal_fraction(terms: dict, target: np.ndarray, weights: Weights, per_device_objective,
                     miss_penalty: np.ndarray | None = None, float32: bool | str = True) -> tuple[np.ndarray, np.ndarray]:
    """The fraction minimising ``per_device_objective(costs(..., miss_penalty))`` per device for a
    fixed target (N,): returns (fraction (N,), objective (N,)). ``float32=False``: over every real
    fraction in [0, 1] (the exact breakpoints); ``float32="neighbours"``: over every float32
    fraction, exactly, which the env's optimum() takes.

    Why "neighbours" is exact over the action space, and optimum() certified: devices do not interact
    (each pays for its own fraction and target; the reward is minus the sum of the device terms), so
    the least sum is the sum of the per-device least terms. A device's term is linear in the fraction
    between consecutive exact breakpoints, so over the float32 fractions of one piece it is least at
    the piece's first or last float32 value, which lies within one float32 step of a breakpoint; two
    steps each way also cover a breakpoint computed an ulp off. The result is the per-slot optimum of
    the reward over every action (a myopic optimum of the drift-plus-penalty objective, not of the
    long-run cost)."""
    candidates = np.swapaxes(breakpoints(terms, target, float32), -1, -2)  # (6, N), or (B, 6, N)
    result = costs(terms, candidates, np.broadcast_to(_candidates_axis(np.asarray(target)), candidates.shape),
                   weights, miss_penalty)
    objective = per_device_objective(result)
    best = np.expand_dims(np.argmin(objective, axis=-2), -2)
    pick = lambda x: np.take_along_axis(x, best, axis=-2)[..., 0, :]  # noqa: E731
    return pick(candidates), pick(objective)


def best_per_target(terms: dict, weights: Weights, per_device_objective, miss_penalty: np.ndarray,
                    minimised=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``optimal_fraction`` for both targets (cloud CPU, QPU) over every float32 fraction
    ("neighbours"), and the least ``minimised`` (default: the objective) over both targets and every
    real or float32 fraction, from one scoring of all candidates (N,) states only. Returns
    (fractions (2, N), objectives (2, N), least (N,)); the same numbers as the separate calls."""
    target = np.broadcast_to(np.array([False, True])[:, None], (2, np.shape(terms["deadline"])[-1]))
    exact = breakpoints(terms, target, float32=False)  # (2, N, 6)
    candidates = np.swapaxes(np.concatenate([exact, _neighbours(exact)], axis=-1), -1, -2)  # (2, 36, N)
    result = costs(terms, candidates, np.broadcast_to(target[:, None, :], candidates.shape), weights, miss_penalty)
    objective = per_device_objective(result)
    best = np.argmin(objective[:, exact.shape[-1]:], axis=-2)[:, None] + exact.shape[-1]  # float32 fractions only
    pick = lambda x: np.take_along_axis(x, best, axis=-2)[:, 0]  # noqa: E731
    least = (objective if minimised is None else minimised(result)).min(axis=(0, 1))
    return pick(candidates), pick(objective), least
