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

    task: dict with ``data_bits``, ``cycles_per_bit``, ``local_cpu`` (f_max, Hz), ``distance`` (N,);
    offload (K, N) bool; bandwidth (K, N) Hz; power (K, N) W; cpu (K, N) Hz. ``floor`` (a share of
    B, P_max and f_max) keeps delays finite for raw actions with zero resources.
    """
    D, C, f_max = task["data_bits"], task["cycles_per_bit"], task["local_cpu"]
    gamma = channel_gain(task["distance"], physics) / physics.noise_power
    b = np.maximum(bandwidth, floor * physics.bandwidth)
    p = np.maximum(power, floor * physics.max_power)
    f = np.maximum(cpu, floor * f_max)
    offloaders = offload.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # inf / nan only where np.where discards them
        transmit = D / (b * np.log2(1.0 + p * gamma))
        local_delay = D * C / f
        delay = np.where(offload, transmit + D * C * offloaders / physics.server_cpu, local_delay)
        energy = np.where(offload, p * transmit, physics.energy_coefficient * D * C * f * f)
    objective = (physics.delay_weight * delay + physics.energy_weight * energy).sum(axis=1)
    consistent = np.where(offload, (bandwidth > 0) & (power > 0) & (cpu == 0),
                          (bandwidth == 0) & (power == 0) & (cpu > 0))
    deadline_excess = np.maximum(delay.sum(axis=1) - physics.deadline, 0.0)
    # excess over B, relative, beyond float32 rounding of an action that uses the whole band
    bandwidth_excess = np.maximum(bandwidth.sum(axis=1) / physics.bandwidth - 1.0 - BANDWIDTH_TOLERANCE, 0.0)
    reward = -objective - deadline_excess - bandwidth_excess + consistent.sum(axis=1)
    return {
        "delay": delay, "energy": energy, "objective": objective, "consistent": consistent,
        "consistency_count": consistent.sum(axis=1), "deadline_excess": deadline_excess,
        "bandwidth_excess": bandwidth_excess, "deadline_misses": (delay > physics.deadline).sum(axis=1),
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
