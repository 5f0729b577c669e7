"""OFDMA-Consistency-v0 oracle: exact resources for a batch of offloading vectors, and the score
of raw decisions.

Problem (soft deadlines): for an offloading vector a in {0,1}^N minimise
sum_n lambda1 T_n + lambda2 E_n over bandwidth b (sum b <= B), power p in [0, P_max] and local CPU
f in [0, f_max]. It separates exactly:

- local UTD: lambda1 D C / f + lambda2 kappa D C f^2 is convex in f, minimised at
  f = min((lambda1 / (2 lambda2 kappa))^{1/3}, f_max);
- offloader: (D / b) (lambda1 + lambda2 p) / log2(1 + p g / sigma^2) + lambda1 T_e, so the best
  power does not depend on the bandwidth. (lambda1 + lambda2 p) / log2(1 + p gamma) is quasiconvex
  with its stationary point at 1 + p gamma = e exp(W((lambda1 gamma / lambda2 - 1) / e)) (Lambert
  W), clipped to (0, P_max];
- with c_n = D_n (lambda1 + lambda2 p_n) / log2(1 + p_n gamma_n), min sum c_n / b_n subject to
  sum b_n <= B gives b_n = B sqrt(c_n) / sum_m sqrt(c_m) and the value (sum sqrt c)^2 / B;
- execution T_e = D C K_off / F with K_off offloaders sharing the server equally.

Everything per device is computed once per instance; a batch of K vectors then costs a few
(K, N) array operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import lambertw


BANDWIDTH_TOLERANCE = 1e-6  # relative slack on sum b <= B (float32 actions carry ~6e-8 per UTD)


@dataclass(frozen=True)
class Physics:
    """The scalars of the model (SI units), taken from the config."""

    server_cpu: float
    bandwidth: float
    noise_power: float
    path_loss_exponent: float
    max_power: float
    energy_coefficient: float
    deadline: float
    delay_weight: float
    energy_weight: float


def best_power(snr_per_watt: np.ndarray, physics: Physics) -> np.ndarray:
    """Power minimising (lambda1 + lambda2 p) / log2(1 + p gamma) over (0, P_max], per device."""
    l1, l2, p_max = physics.delay_weight, physics.energy_weight, physics.max_power
    if l2 == 0.0:
        return np.full_like(snr_per_watt, p_max)
    q = (l1 * snr_per_watt / l2 - 1.0) / np.e  # >= -1/e
    with np.errstate(over="ignore"):
        stationary = (np.e * np.exp(lambertw(q).real) - 1.0) / snr_per_watt
    return np.clip(stationary, 1e-300, p_max)


def local_cpu(max_cpu: np.ndarray, physics: Physics) -> np.ndarray:
    """Cost-minimising local CPU frequency per device, Hz."""
    if physics.energy_weight == 0.0:
        return max_cpu.copy()
    unconstrained = (physics.delay_weight / (2.0 * physics.energy_weight * physics.energy_coefficient)) ** (1.0 / 3.0)
    return np.minimum(unconstrained, max_cpu)


def channel_gain(distance: np.ndarray, physics: Physics) -> np.ndarray:
    return distance ** (-physics.path_loss_exponent)


def score(task, physics: Physics, offload, bandwidth, power, cpu, floor: float = 0.0) -> dict[str, np.ndarray]:
    """Delays, energies, objective, consistency and the eq. (17) reward of K complete decisions.

    task: dict with ``data_bits``, ``cycles_per_bit``, ``local_cpu`` (f_max, Hz), ``distance`` (N,)
    (a batch of states: (B, N), with decisions (B, K, N)); offload (K, N) bool; bandwidth (K, N) Hz; power (K, N) W; cpu (K, N) Hz. ``floor`` (a share of
    B, P_max and f_max) keeps delays finite for raw actions with zero resources. ``served_objective``
    is the objective once the server grants the offloaders' bandwidth requests scaled down in
    proportion to fit B (the objective itself when they fit): what an over-asking decision would get.
    """
    D, C, f_max = task["data_bits"], task["cycles_per_bit"], task["local_cpu"]
    gamma = channel_gain(task["distance"], physics) / physics.noise_power
    if np.ndim(D) > 1:  # a batch of states: per-device fields (B, N) against decisions (B, K, N)
        D, C, f_max, gamma = (x[..., None, :] for x in (D, C, f_max, gamma))
    p = np.maximum(power, floor * physics.max_power)
    f = np.maximum(cpu, floor * f_max)
    offloaders = offload.sum(axis=-1, keepdims=True)
    work = D * C
    with np.errstate(divide="ignore", invalid="ignore"):  # inf / nan only where np.where discards them
        # what does not depend on the bandwidth granted, computed once for both calls of costs()
        spectral = np.log2(1.0 + p * gamma)
        server_time, local_time = work * offloaders / physics.server_cpu, work / f
        local_energy = physics.energy_coefficient * D * C * f * f

    def costs(granted):
        b = np.maximum(granted, floor * physics.bandwidth)
        with np.errstate(divide="ignore", invalid="ignore"):
            transmit = D / (b * spectral)
            delay = np.where(offload, transmit + server_time, local_time)
            energy = np.where(offload, p * transmit, local_energy)
        return delay, energy, (physics.delay_weight * delay + physics.energy_weight * energy).sum(axis=-1)

    delay, energy, objective = costs(bandwidth)
    requested = np.where(offload, bandwidth, 0.0).sum(axis=-1, keepdims=True)
    grant = physics.bandwidth / np.maximum(requested, physics.bandwidth)  # min(1, B / requested)
    served_objective = objective if (grant == 1.0).all() else costs(bandwidth * grant)[2]
    consistent = np.where(offload, (bandwidth > 0) & (power > 0) & (cpu == 0),
                          (bandwidth == 0) & (power == 0) & (cpu > 0))
    deadline_excess = np.maximum(delay.sum(axis=-1) - physics.deadline, 0.0)
    # excess over B, relative, beyond float32 rounding of an action that uses the whole band
    bandwidth_excess = np.maximum(bandwidth.sum(axis=-1) / physics.bandwidth - 1.0 - BANDWIDTH_TOLERANCE, 0.0)
    reward = -objective - deadline_excess - bandwidth_excess + consistent.sum(axis=-1)
    return {
        "latency": delay, "energy": energy, "objective": objective, "served_objective": served_objective,
        "consistent": consistent, "consistency_count": consistent.sum(axis=-1), "deadline_excess": deadline_excess,
        "bandwidth_excess": bandwidth_excess, "deadline_misses": (delay > physics.deadline).sum(axis=-1),
        "reward": reward,
    }


def optimal_resources(task, physics: Physics, offload: np.ndarray) -> dict[str, np.ndarray]:
    """Optimal (b, p, f) for each of K offloading vectors (K, N) and their score."""
    offload = np.asarray(offload).astype(bool)
    gamma = channel_gain(task["distance"], physics) / physics.noise_power
    p_star = best_power(gamma, physics)
    cost_per_inverse_bandwidth = task["data_bits"] * (physics.delay_weight + physics.energy_weight * p_star) / np.log2(1.0 + p_star * gamma)
    root = np.where(offload, np.sqrt(cost_per_inverse_bandwidth), 0.0)
    total = root.sum(axis=1, keepdims=True)
    bandwidth = physics.bandwidth * root / np.where(total > 0, total, 1.0)
    power = np.where(offload, p_star, 0.0)
    cpu = np.where(offload, 0.0, local_cpu(task["local_cpu"], physics))
    result = score(task, physics, offload, bandwidth, power, cpu)
    result.update(bandwidth=bandwidth, power=power, cpu=cpu)
    return result


PRICE_BISECTIONS = 80  # halvings of the bandwidth price's log10 bracket [-60, 60]: 1e-22 at the end
POWER_BISECTIONS = 60  # halvings of [0, P_max] for a deadline-bound offloader's power


def _deadline_bound_power(snr_per_watt, slack, data_bits, price, physics: Physics) -> np.ndarray:
    """Power of an offloader whose deadline binds, b = D / (s log2(1 + p gamma)): the minimiser of
    s (lambda1 + lambda2 p) + price D / (s log2(1 + p gamma)), convex in p; stationary where
    log2(1 + p gamma)^2 (1 + p gamma) ln 2 / gamma = price D / (s^2 lambda2), whose left side grows."""
    if physics.energy_weight == 0.0:
        return np.full(np.broadcast(snr_per_watt, slack, price).shape, physics.max_power)
    target = price * data_bits / (slack ** 2 * physics.energy_weight)
    low = np.zeros(np.broadcast(snr_per_watt, slack, price).shape)
    high = np.full_like(low, physics.max_power)
    for _ in range(POWER_BISECTIONS):
        middle = (low + high) / 2
        rate = np.log2(1.0 + middle * snr_per_watt)
        grows = rate ** 2 * (1.0 + middle * snr_per_watt) * np.log(2.0) / snr_per_watt < target
        low, high = np.where(grows, middle, low), np.where(grows, high, middle)
    return high


def optimal_resources_hard(task, physics: Physics, offload: np.ndarray) -> dict[str, np.ndarray]:
    """Optimal (b, p, f) with every deadline hard (T_n <= tau), for K offloading vectors (K, N).

    Local UTD: f = clip(f*, D C / tau, f_max), feasible when D C / tau <= f_max. Offloader: its
    slack s = tau - T_e must be positive, and it needs b log2(1 + p gamma) >= D / s. A price nu on
    the band separates the offloaders: each takes the soft optimum (p*, b = sqrt(c / nu)) when that
    meets its deadline, else the deadline-bound pair (p from ``_deadline_bound_power``, b = D / (s
    log2(1 + p gamma))); nu is found by bisection so that sum b = B. A vector is infeasible when a
    local UTD cannot meet tau at f_max, an offloader has no slack, or even at P_max the offloaders
    need more than B; its resources are then the soft optimum's. Adds ``feasible`` (K,) to the score.
    """
    offload = np.asarray(offload).astype(bool)
    D, C, f_max = task["data_bits"], task["cycles_per_bit"], task["local_cpu"]
    gamma = channel_gain(task["distance"], physics) / physics.noise_power
    soft = optimal_resources(task, physics, offload)
    # local UTDs
    needed_cpu = D * C / physics.deadline
    cpu = np.where(offload, 0.0, np.clip(local_cpu(f_max, physics), needed_cpu, f_max))  # f_max when it cannot
    local_ok = np.where(offload, True, needed_cpu <= f_max * (1 + 1e-12)).all(axis=1)
    # offloaders
    execution = D * C * offload.sum(axis=1, keepdims=True) / physics.server_cpu
    slack = np.where(offload, physics.deadline - execution, 1.0)
    slack_ok = (slack > 0).all(axis=1)
    slack = np.where(slack > 0, slack, 1.0)  # placeholders where infeasible (those rows fall back)
    p_star = best_power(gamma, physics)
    cost_star = D * (physics.delay_weight + physics.energy_weight * p_star) / np.log2(1.0 + p_star * gamma)
    least_band = np.where(offload, D / (slack * np.log2(1.0 + physics.max_power * gamma)), 0.0)
    band_ok = least_band.sum(axis=1) <= physics.bandwidth

    def allocation(price):  # (K, 1) prices -> (K, N) bandwidth and power
        free = np.sqrt(cost_star / price)
        bound_power = _deadline_bound_power(gamma, slack, D, price, physics)
        with np.errstate(divide="ignore"):  # zero power: infinite bandwidth, which raises the price
            bound = D / (slack * np.log2(1.0 + bound_power * gamma))
        binds = free * np.log2(1.0 + p_star * gamma) < D / slack
        bandwidth = np.where(offload, np.where(binds, bound, free), 0.0)
        return bandwidth, np.where(offload, np.where(binds, bound_power, p_star), 0.0)

    low = np.full((len(offload), 1), -60.0)  # log10 of the price: sum b decreases as it grows
    high = np.full((len(offload), 1), 60.0)
    for _ in range(PRICE_BISECTIONS):
        middle = (low + high) / 2
        over = allocation(10.0 ** middle)[0].sum(axis=1, keepdims=True) > physics.bandwidth
        low, high = np.where(over, middle, low), np.where(over, high, middle)
    bandwidth, power = allocation(10.0 ** high)
    feasible = local_ok & slack_ok & band_ok
    keep = feasible[:, None]
    bandwidth = np.where(keep, bandwidth, soft["bandwidth"])
    power = np.where(keep, power, soft["power"])
    cpu = np.where(keep, cpu, soft["cpu"])
    result = score(task, physics, offload, bandwidth, power, cpu)
    result.update(bandwidth=bandwidth, power=power, cpu=cpu, feasible=feasible)
    return result


# ----- a proven upper bound on the reward of every raw decision ------------------------------------
# A raw decision has N UTDs, each offloading or local, with b_n in [0, B], p_n in [0, P_max],
# f_n in [0, f_max]; its reward is -objective - max(0, sum T - tau) - max(0, sum b / B - 1 - tol)
# + (consistent UTDs). For prices lam, mu in [0, 1], max(0, x) >= lam x, and consistency counts at
# most N, so with K the number of offloaders (execution D C K / F each)
#
#     reward <= N + lam (1 + tol) + mu tau - sum_n [ cost_n + mu T_n + lam b_n / B ],
#
# which separates per UTD for a given K: local, min_f (l1 + mu) D C / f + l2 kappa D C f^2 (convex,
# ``local_cpu`` with l1 + mu); offloading, min over p and b in [0, B] of c(p) / max(b, s B) + lam b / B
# + (l1 + mu) D C K / F with c(p) = D (l1 + mu + l2 p) / log2(1 + p gamma) (s = ``min_resource_share``:
# the delays see the floored request max(b, s B), the band term the request itself, so a request
# below s B is charged c / (s B) and almost nothing for the band): p is ``best_power`` with l1 + mu
# (it does not depend on b; the floor on p is inside (0, P_max]), then the least of c / (s B) and
# b = min(B, sqrt(c B / lam)). For each K the least sum takes
# the K UTDs whose offloading costs least over local (sorted), and the minimum over K = 0..N bounds
# every raw decision. Any (lam, mu) gives a valid bound: the least on a grid of [0, 1]^2 is taken. At
# lam = (sum sqrt c)^2 / B of TEM's vector (its band price) the offloaders' terms equal TEM's
# allocation, so the gap left is the discrete choice priced separately per UTD, and the float32
# rounding of the encoded TEM action (~1e-7 relative), which keeps TEM itself uncertified at 1e-9.
BOUND_GRID = 11  # prices per axis of the (lam, mu) grid in [0, 1]^2 (chosen: any grid is valid, finer costs more)


def reward_bound(task, physics: Physics, floor: float) -> float:
    """An upper bound on the reward of every raw decision (derived above); ``floor`` is the share of
    B, P_max and f_max below which ``score`` floors a raw decision's resources (``min_resource_share``)."""
    D, C, f_max = task["data_bits"], task["cycles_per_bit"], task["local_cpu"]
    n = len(D)
    gamma = channel_gain(task["distance"], physics) / physics.noise_power
    grid = np.linspace(0.0, 1.0, BOUND_GRID)
    best = np.inf
    l1, l2 = physics.delay_weight, physics.energy_weight
    for mu in grid:
        shifted = Physics(**{**physics.__dict__, "delay_weight": l1 + mu})
        f = local_cpu(f_max, shifted)
        local = (l1 + mu) * D * C / f + l2 * physics.energy_coefficient * D * C * f * f  # (N,)
        p = best_power(gamma, shifted)
        c = D * (l1 + mu + l2 * p) / np.log2(1.0 + p * gamma)  # (N,)
        lam = grid[:, None]  # (L, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            interior = np.sqrt(c * physics.bandwidth / lam) < physics.bandwidth
            transmit = np.where(interior, 2.0 * np.sqrt(c * lam / physics.bandwidth), c / physics.bandwidth + lam)
            transmit = np.minimum(transmit, c / (floor * physics.bandwidth))  # a request below the floor
        count = np.arange(1, n + 1)[:, None, None]  # K offloaders (K, 1, 1)
        offload = transmit[None] + (l1 + mu) * D * C * count / physics.server_cpu  # (K, L, N)
        extra = np.sort(offload - local, axis=-1)  # cheapest K offloaders first
        chosen = np.take_along_axis(np.cumsum(extra, axis=-1), count - 1, axis=-1)[..., 0]  # (K, L)
        least = local.sum() + np.minimum(chosen.min(axis=0), 0.0)  # K = 0 is all local
        value = n + grid * (1.0 + BANDWIDTH_TOLERANCE) + mu * physics.deadline - least
        best = min(best, float(value.min()))
    return best
