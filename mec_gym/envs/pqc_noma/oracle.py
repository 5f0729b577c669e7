"""PQC-NOMA-v0 oracles: the per-frame drift-plus-penalty subproblem for a batch of K decisions.

Maximise sum_i (Q_i + V w_i) r_i - sum_i y_i e_i (r, Q in Mbit; e in J; y = 10 Y) over the local
CPU frequencies and the offloaders' transmit powers, subject to r_i <= Q_i.

- Local devices, in closed form: maximise (Q + V w) f T / (phi 1e6) - y kappa f^3 T over
  f in [0, min(f_max, phi Q / T)]: f = min(sqrt((Q + V w) / (3 phi kappa y 1e6)), phi Q / T, f_max).
  (SPEC.md writes the stationary point without the 1e6 of the Mbit units it prescribes; we keep
  the units and take the exact maximiser of the stated objective.)
- Offloaders, NOMA with SIC (strongest decoded first; a user is interfered only by weaker ones),
  r_k = rho (W / v_u) T log2(1 + p_k h_k / (N0 W + I_k)) / 1e6, energy (p_k + P_pqc) T:
  ``greedy_powers`` (the paper's backward induction, from the weakest user up, each user's
  water-filling point clipped to [0, min(P_max, the power that empties its queue)]), ``sca_powers``
  (successive convex approximation with CVXPY, in ``sca.py``), or ``tdma_allocation`` (orthogonal
  time shares, the dual search over the time price).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import lambertw

MBIT = 1e6
LN2 = np.log(2.0)


@dataclass(frozen=True)
class Link:
    """Derived constants of one frame."""

    noise: float  # N0 W, W
    mbit_per_log2: float  # rho (W / v_u) T / 1e6: Mbit per unit of log2(1 + SINR)
    max_power: float  # W
    pqc_power: float  # W
    frame_length: float  # s
    cycles_per_bit: float
    energy_coefficient: float
    max_cpu: float  # Hz

    @classmethod
    def from_config(cls, cfg) -> Link:
        noise = 10.0 ** ((cfg.noise_density_dbm - 30.0) / 10.0) * cfg.bandwidth
        rate = cfg.bandwidth / cfg.comm_overhead / (1.0 + cfg.overhead_coefficient) * cfg.frame_length / MBIT
        return cls(noise, rate, cfg.max_power, cfg.pqc_power, cfg.frame_length, cfg.cycles_per_bit,
                   cfg.energy_coefficient, cfg.max_cpu)


def local_allocation(queue_mbit, coef, y, link: Link) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per device: CPU frequency (Hz), bits (Mbit) and energy (J) if it computes locally."""
    cap = np.minimum(link.max_cpu, link.cycles_per_bit * queue_mbit * MBIT / link.frame_length)
    with np.errstate(divide="ignore"):
        stationary = np.sqrt(coef / (3.0 * link.cycles_per_bit * link.energy_coefficient * y * MBIT))
    f = np.minimum(stationary, cap)
    bits = f * link.frame_length / link.cycles_per_bit / MBIT
    return f, bits, link.energy_coefficient * f**3 * link.frame_length


def decoding_order(h: np.ndarray) -> np.ndarray:
    """Devices from the weakest channel to the strongest (the last decoded first), ties by index."""
    return np.asarray(h).argsort(kind="stable")


def noma_rates(h, power, offload, link: Link) -> np.ndarray:
    """Mbit per frame of each offloader under SIC: interference from the weaker offloaders only.
    h (N,) with power / offload (K, N); or a batch of states, h (B, N) with (B, K, N)."""
    if np.ndim(h) == 1:
        return noma_rates(np.asarray(h)[None], np.asarray(power)[None], np.asarray(offload)[None], link)[0]
    received = np.where(offload, power * h[:, None, :], 0.0)
    order = decoding_order(h)
    if len(h) == 1:  # one state: its order indexes the last axis directly (take_along_axis's work, less overhead)
        ordered = received[..., order[0]]
    else:
        ordered = np.take_along_axis(received, order[:, None, :], axis=-1)
    weaker = np.cumsum(ordered, axis=-1) - ordered  # exclusive prefix sum in decoding order
    rates = np.empty_like(ordered)
    values = link.mbit_per_log2 * np.log2(1.0 + ordered / (link.noise + weaker))
    if len(h) == 1:
        rates[..., order[0]] = values
    else:
        np.put_along_axis(rates, np.broadcast_to(order[:, None, :], ordered.shape), values, axis=-1)
    return np.where(offload, rates, 0.0)


def greedy_powers(h, coef, y, queue_mbit, offload, link: Link) -> np.ndarray:
    """The paper's O(N) backward induction for K decisions at once (the only loop is over users).

    In received-power terms P = p h and S = N0 W + (interference so far), user d's closed form is
    P = clip(A_d - S, 0, min(P_max h_d, (2^{Q_d / B'} - 1) S)) with the water level
    A_d = (Q_d + V w_d) B' h_d / (y_d T ln 2); then S += P and the next (stronger) user follows.
    h, coef, y, queue_mbit (N,) with offload (K, N); or a batch of states, (B, N) with (B, K, N).
    With one state and one candidate the recursion runs on Python floats (no array overhead per
    user); the array recursion does the same IEEE operations, so each state's powers are identical.
    """
    if np.ndim(h) == 1:
        return greedy_powers(*(np.asarray(x)[None] for x in (h, coef, y, queue_mbit, offload)), link)[0]
    batch, k, n = offload.shape
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # inf / nan handled below
        level = (coef * link.mbit_per_log2 * h / (y * link.frame_length * LN2))[:, None, :]  # inf when y = 0
        level = np.where(offload & ~np.isnan(level), level, -np.inf)  # nan only when h = y = 0
        growth = (2.0 ** (queue_mbit / link.mbit_per_log2) - 1.0)[:, None, :]  # (B, 1, N), as ceiling
    ceiling = (link.max_power * h)[:, None, :]
    order = decoding_order(h)
    if batch * k == 1:  # same recursion on floats
        level, growth, ceiling = level[0, 0].tolist(), growth[0, 0].tolist(), ceiling[0, 0].tolist()
        received, total = [0.0] * n, link.noise
        for device in order[0].tolist():
            gain = min(max(level[device] - total, 0.0), min(ceiling[device], growth[device] * total))
            received[device] = gain
            total = total + gain
        received = np.array([[received]], dtype=np.float64)
    else:
        received = np.zeros(offload.shape)
        total = np.full((batch, k), link.noise)
        rows = np.arange(batch)
        for position in range(n):
            device = order[:, position]  # (B,): each state's next user, weakest first
            gain = np.minimum(np.maximum(level[rows, :, device] - total, 0.0),
                              np.minimum(ceiling[rows, :, device], growth[rows, :, device] * total))
            received[rows, :, device] = gain
            total = total + gain
    # received power over gain (a zero gain receives nothing: divided by 1 instead of 0)
    return np.where(offload, received / np.where(h > 0.0, h, 1.0)[:, None, :], 0.0)


def _capped_power(price, y, snr_per_watt, link: Link) -> np.ndarray:
    """Power minimising (y T x + price) / log2(1 + x gamma) over (0, P_max] (Lambert W)."""
    yt = y * link.frame_length
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        q = (price * snr_per_watt / yt - 1.0) / np.e
        x = (np.e * np.exp(lambertw(q).real) - 1.0) / snr_per_watt
    return np.where(yt > 0, np.clip(np.nan_to_num(x, nan=link.max_power, posinf=link.max_power), 1e-300, link.max_power),
                    link.max_power)


def tdma_allocation(h, coef, y, queue_mbit, offload, link: Link, iterations: int = 60):
    """LyDROO's orthogonal access: time shares tau (sum <= 1) and powers for K decisions.

    For a time price lambda each offloader either stays silent (its best per-unit-time value
    coef B' log2(1 + x gamma) - y T x is below lambda) or takes exactly the time that empties its
    queue at the power minimising (y T x + lambda) / log2(1 + x gamma); the total time decreases in
    lambda, which is found by bisection in log scale (60 halvings of a 15-decade bracket reach the
    resolution of a double). Returns (tau, power, Mbit) arrays (K, N).
    """
    gamma = h / link.noise
    with np.errstate(divide="ignore", invalid="ignore"):
        uncapped = np.clip(coef * link.mbit_per_log2 / (y * link.frame_length * np.log(2.0)) - 1.0 / gamma, 0.0, link.max_power)
    uncapped = np.nan_to_num(uncapped, nan=link.max_power, posinf=link.max_power)
    value = coef * link.mbit_per_log2 * np.log2(1.0 + uncapped * gamma) - y * link.frame_length * uncapped
    active = offload & (value > 0) & (queue_mbit > 0)

    def time_needed(price):
        x = _capped_power(price[:, None], y, gamma, link)
        tau = np.where(active & (value > price[:, None]), queue_mbit / (link.mbit_per_log2 * np.log2(1.0 + x * gamma)), 0.0)
        return tau, x

    high = np.log(np.maximum(np.where(active, value, 0.0).max(axis=1), 1e-300))
    low = high - np.log(1e15)
    for _ in range(iterations):
        middle = 0.5 * (low + high)
        too_long = time_needed(np.exp(middle))[0].sum(axis=1) > 1.0
        low, high = np.where(too_long, middle, low), np.where(too_long, high, middle)
    tau, x = time_needed(np.exp(high))
    tau_low = time_needed(np.exp(low))[0]
    # The total time jumps where a user's value crosses the price: the users that drop out
    # between low and high are indifferent at the price; they share the time left, best first,
    # at their per-unit-time optimal power (not emptying their queues).
    marginal = (tau == 0) & (tau_low > 0)
    left = np.maximum(1.0 - tau.sum(axis=1), 0.0)
    ranking = np.argsort(np.where(marginal, -value, np.inf), axis=1, kind="stable")
    rows = np.arange(len(offload))
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 / 0 for empty queues, masked out
        empty_time = np.where(marginal, queue_mbit / (link.mbit_per_log2 * np.log2(1.0 + uncapped * gamma)), 0.0)
    for column in ranking.T:
        share = np.where(marginal[rows, column], np.minimum(left, empty_time[rows, column]), 0.0)
        tau[rows, column] += share
        x[rows, column] = np.where(share > 0, uncapped[column], x[rows, column])
        left = left - share
    tau = tau / np.maximum(tau.sum(axis=1, keepdims=True), 1.0)
    power = np.where(tau > 0, x, 0.0)
    return tau, power, link.mbit_per_log2 * tau * np.log2(1.0 + power * gamma)


def assemble(h, coef, y, queue_mbit, offload, power, offload_mbit, link: Link, tau=None) -> dict[str, np.ndarray]:
    """Objective, served bits, energies, powers and CPU frequencies of K complete allocations."""
    f_local, local_mbit, local_energy = local_allocation(queue_mbit, coef, y, link)
    transmit_time = link.frame_length if tau is None else tau * link.frame_length
    offload_energy = power * transmit_time + link.pqc_power * link.frame_length
    mbit = np.where(offload, offload_mbit, local_mbit)
    energy = np.where(offload, offload_energy, local_energy)
    return {
        "objective": (coef * mbit - y * energy).sum(axis=-1),
        "served_bits": mbit * MBIT,  # bits per frame
        "energy": energy,
        "power": np.where(offload, power, 0.0),
        "cpu_freq": np.where(offload, 0.0, f_local),
    }


BOUND_PRICES = 24  # grid points per axis of the sum-rate bound's (mu, X0) grid (any point is valid)


def sum_rate_bound(h, coef, y, queue_mbit, link: Link) -> float:
    """A proven upper bound on the DPP objective of every decision, over every power allocation.

    Offloaders: with received SNRs x_k = p_k h_k / (N0 W) <= g_k = P_max h_k / (N0 W), SIC gives
    each user at most its interference-free rate, r_k <= min(Q_k, B' log2(1 + x_k)), and the users'
    rates telescope to the sum rate, sum_k r_k <= B' log2(1 + X), X = sum_k x_k (a queue cap only
    lowers a rate). Orthogonal time shares do no better (tau log2(1 + x gamma) <= log2(1 + tau x
    gamma) at the same energy tau x T). For mu >= 0 add mu (B' log2(1 + X) - sum_k r_k) >= 0, and
    bound the concave log2(1 + X) by its tangent at any X0 >= 0:

        objective <= C(mu, X0) + sum_i max(local_i, max_{0 <= x <= g_i} f_i(x)),
        f_i(x) = (coef_i - mu)^+ min(Q_i, B' log2(1 + x)) + (mu B' / ((1 + X0) ln 2) - y_i P_max T / g_i) x
                 - y_i P_pqc T,     C = mu B' (log2(1 + X0) - X0 / ((1 + X0) ln 2)),

    where local_i is the closed-form local optimum (``local_allocation``) and each f_i is concave
    in x, maximised exactly at its stationary point, the kink 2^{Q/B'} - 1 or the ends. Every
    (mu, X0) gives a valid bound; the least over a log grid is taken. mu = 0 is the interference-
    free separation (each device at the better of local and offloading alone); mu > 0 charges the
    interference that several offloaders cause one another, which is what that separation misses
    when queues are long and several devices gain from offloading."""
    h, coef, y, queue_mbit = (np.asarray(v, dtype=np.float64) for v in (h, coef, y, queue_mbit))
    _, bits, energy = local_allocation(queue_mbit, coef, y, link)
    local = coef * bits - y * energy
    bprime, frame = link.mbit_per_log2, link.frame_length
    g = np.maximum(link.max_power * h / link.noise, 1e-300)
    mus = np.concatenate([[0.0], coef.max() * np.logspace(-4, 0, BOUND_PRICES)])[:, None, None]
    x0s = np.concatenate([[0.0], g.sum() * np.logspace(-6, 0, BOUND_PRICES)])[None, :, None]
    a = np.maximum(coef - mus, 0.0)  # (M, 1, N)
    with np.errstate(over="ignore"):  # -inf for a zero gain with a large energy price
        slope = mus * bprime / ((1.0 + x0s) * np.log(2.0)) - y * link.max_power * frame / g  # (M, X, N)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        kink = np.minimum(np.expm1(queue_mbit / bprime * np.log(2.0)), g)  # where the queue empties
        stationary = np.where(slope < 0.0, -a * bprime / (slope * np.log(2.0)) - 1.0, np.inf)
    candidates = [np.zeros_like(slope), np.clip(stationary, 0.0, kink), np.broadcast_to(kink, slope.shape),
                  np.broadcast_to(g, slope.shape)]

    def f(x):  # x = 0 is worth exactly 0 (the slope is -inf for a zero gain with an energy price)
        with np.errstate(invalid="ignore"):
            return np.where(x > 0.0, a * np.minimum(queue_mbit, bprime * np.log2(1.0 + x)) + slope * x, 0.0)

    offload = np.max([f(x) for x in candidates], axis=0) - y * link.pqc_power * frame
    constant = mus[..., 0] * bprime * (np.log2(1.0 + x0s[..., 0]) - x0s[..., 0] / ((1.0 + x0s[..., 0]) * np.log(2.0)))
    values = constant + np.maximum(local, offload).sum(axis=-1)  # (M, X)
    return float(values.min() * (1.0 + 1e-12))  # margin for rounding


def rate_bound(h, weights, queue_mbit, link: Link) -> float:
    """Upper bound on the weighted rate sum_i w_i r_i (Mbit) of every decision: each device at most
    its queue and at most the larger of f_max T / phi and its interference-free rate at P_max."""
    local = link.max_cpu * link.frame_length / link.cycles_per_bit / MBIT
    alone = link.mbit_per_log2 * np.log2(1.0 + link.max_power * h / link.noise)
    return float(weights @ np.minimum(queue_mbit, np.maximum(local, alone)))
