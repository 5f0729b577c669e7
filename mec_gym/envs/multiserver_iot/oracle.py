"""MultiServerIoT-v0 oracle: costs of K assignments at once, vectorised over candidates, devices
and servers, with each server's optimal CPU split and the Stackelberg leaders' best response.

For an assignment (0 = local, j = server j): server j shares its band equally among its n_j devices
(OFDMA), r_ij = (B / n_j) log2(1 + p g_ij / sigma^2), and splits its CPU to minimise the total
execution latency sum_i C_i / f_ij subject to sum_i f_ij = F, whose solution is
f_ij = F sqrt(C_i) / sum_k sqrt(C_k) (so the total is (sum sqrt C)^2 / F).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mec_gym.core.metrics import jain_index

GIGA = 1e9
MBIT = 1e6


@dataclass(frozen=True)
class Physics:
    server_cpu: float
    server_bandwidth: float
    noise_power: float
    transmit_power: float
    energy_coefficient: float
    server_energy_coefficient: float
    latency_weight: float
    energy_weight: float
    price_weight: float
    server_energy_cost: float
    server_delay_cost: float
    slot_length: float


def cpu_split(cycles: np.ndarray, onehot: np.ndarray, server_cpu: float) -> np.ndarray:
    """f_ij (K, N): server CPU of each offloaded task, proportional to sqrt(C) within its server.
    A batch of states: cycles (B, N) with onehot (B, K, N, M)."""
    root = np.sqrt(cycles)
    per_server = np.einsum("...knm,...n->...km", onehot, root)  # (K, M)
    own = of_server(onehot, per_server)  # sum of sqrt C on the device's server
    return np.where(own > 0, server_cpu * _per_candidate(root) / np.where(own > 0, own, 1.0), 0.0)


def of_server(onehot: np.ndarray, per_server: np.ndarray) -> np.ndarray:
    """Each device's entry of a per-server array (..., K, M) -> (..., K, N), 0 for a local device:
    the indicator (..., K, N, M) times it as a matrix product (exact for finite values: one term
    is nonzero; the einsum "...knm,...km->...kn" computes the same, slower)."""
    return (onehot @ per_server[..., :, None])[..., 0]


def _per_candidate(value: np.ndarray) -> np.ndarray:
    """A per-device array (..., N) as (..., 1, N), to broadcast against candidates (..., K, N)."""
    return value[..., None, :]


def evaluate_assignments(task: dict, physics: Physics, assignment: np.ndarray, prices: np.ndarray) -> dict:
    """Costs and metrics of K assignments (K, N) in {0..M}; ``prices`` (M,) or (K, M), per gigacycle.
    A batch of states: task fields (B, N) (gain (B, N, M)), assignment (B, K, N), prices (B, K or 1, M)."""
    D, C, f_local, gain = task["data_bits"], task["cycles"], task["device_cpu"], task["gain"]
    servers, devices = gain.shape[-1], assignment.shape[-1]
    onehot = np.take(np.eye(servers + 1)[:, 1:], assignment, axis=0)  # (K, N, M): row j of the identity for server j
    offload = assignment > 0
    load = np.einsum("...knm->...km", onehot)  # (K, M) devices per server
    share = of_server(onehot, load)  # n_j of the device's server
    spectral = np.einsum("...knm,...nm->...kn", onehot,
                         np.log2(1.0 + physics.transmit_power * gain / physics.noise_power))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = physics.server_bandwidth / np.maximum(share, 1.0) * spectral
        uplink = np.where(offload, _per_candidate(D) / rate, 0.0)
        f_server = cpu_split(C, onehot, physics.server_cpu)
        execution = np.where(offload, _per_candidate(C) / f_server, 0.0)
    price = of_server(onehot, np.broadcast_to(prices, load.shape))
    payment = price * _per_candidate(C) / GIGA
    local_latency, local_energy = C / f_local, physics.energy_coefficient * C * f_local**2
    latency = np.where(offload, uplink + execution, _per_candidate(local_latency))
    energy = np.where(offload, physics.transmit_power * uplink, _per_candidate(local_energy))
    cost = physics.latency_weight * latency + physics.energy_weight * energy + physics.price_weight * payment
    local_cost = physics.latency_weight * local_latency + physics.energy_weight * local_energy
    server_energy = np.einsum("...knm,...kn->...km", onehot,
                              physics.server_energy_coefficient * _per_candidate(C) * f_server**2)
    server_latency = np.einsum("...knm,...kn->...km", onehot, latency)
    revenue = np.einsum("...knm,...kn->...km", onehot, payment)
    utility = revenue - physics.server_energy_cost * server_energy - physics.server_delay_cost * server_latency
    finished = latency <= physics.slot_length
    return {
        "cost": cost, "latency": latency, "energy": energy, "payment": payment, "uplink_rate": np.where(offload, rate, 0.0),
        "server_cpu": f_server, "reward": -(cost.sum(axis=-1) / devices),  # means as NumPy's mean: sum / n
        "latency_ms": 1e3 * (latency.sum(axis=-1) / devices), "energy_j": energy.sum(axis=-1) / devices,
        # Jain's index over the CPU each device's task runs on (its server share f_ij, or its own f_i),
        # the paper's resource fairness; and over each device's utility, local cost / actual cost
        "fairness": jain_index(np.where(offload, f_server, _per_candidate(f_local))),
        "cost_fairness": jain_index(_per_candidate(local_cost) / cost),
        "throughput_mbps": (_per_candidate(D) * finished).sum(axis=-1) / physics.slot_length / MBIT,
        "server_load": load, "server_utility": utility,
    }


def best_response_prices(task: dict, physics: Physics, assignment: np.ndarray, prices: np.ndarray,
                         grid: np.ndarray) -> np.ndarray:
    """Each server's utility-maximising price on ``grid`` against one assignment (N,), anticipating
    that a device leaves for local computing when the price makes offloading dearer than local.
    Servers respond to the same assignment and the others' current prices (simultaneous leaders)."""
    local = evaluate_assignments(task, physics, np.zeros((1, len(assignment)), dtype=np.int64), prices)["cost"][0]
    servers, size = len(prices), len(grid)
    # candidate (j, g): server j at price grid[g], the others at their current prices -> (M G, M)
    trial = np.broadcast_to(prices, (servers, size, servers)).copy()
    trial[np.arange(servers), :, np.arange(servers)] = grid
    trial = trial.reshape(servers * size, servers)
    deviator = np.repeat(np.arange(servers), size)  # the server whose price varies in each candidate
    demand = np.broadcast_to(assignment, (servers * size, len(assignment)))
    cost = evaluate_assignments(task, physics, demand, trial)["cost"]
    leaves = (demand == deviator[:, None] + 1) & (cost > local[None, :])
    retained = np.where(leaves, 0, demand)
    utility = evaluate_assignments(task, physics, retained, trial)["server_utility"]
    own = utility[np.arange(servers * size), deviator].reshape(servers, size)
    return np.asarray(grid, dtype=np.float64)[np.argmax(own, axis=1)]


def cost_coefficients(task: dict, physics: Physics, prices: np.ndarray) -> dict[str, np.ndarray]:
    """The cost of device i on server j with the set S_j of n_j devices there is
    n_j a_ij + b_i sum_{k in S_j} b_k + pay_ij: uplink and its energy n_j (alpha + beta p) D_i / (B s_ij)
    (s_ij = log2(1 + p g_ij / sigma^2)), execution alpha C_i / f_ij = b_i sum_k b_k with b = sqrt(alpha C / F)
    under the optimal CPU split, payment gamma price_j C_i / 1e9. Returns a (N, M), b (N,), pay
    (N, M) and local (N,), the cost of computing locally."""
    D, C, f_local, gain = task["data_bits"], task["cycles"], task["device_cpu"], task["gain"]
    spectral = np.log2(1.0 + physics.transmit_power * gain / physics.noise_power)
    weight = physics.latency_weight + physics.energy_weight * physics.transmit_power
    with np.errstate(divide="ignore"):
        a = weight * D[:, None] / (physics.server_bandwidth * spectral)
    return {"a": a, "b": np.sqrt(physics.latency_weight * C / physics.server_cpu),
            "pay": physics.price_weight * np.asarray(prices)[None, :] * C[:, None] / GIGA,
            "local": physics.latency_weight * C / f_local + physics.energy_weight * physics.energy_coefficient * C * f_local**2}


BOUND_ROUNDS = 60  # fixed-point rounds of the congestion bound's prices


def congestion_bound(task: dict, physics: Physics, prices: np.ndarray, incumbent: np.ndarray | None = None) -> float:
    """A proven upper bound on the reward (-mean cost) of every assignment.

    With the coefficients of ``cost_coefficients``, server j's devices S_j (n_j of them) cost
    n_j A_j + B_j^2 + sum pay, A_j = sum_{S_j} a_ij, B_j = sum_{S_j} b_i. By Cauchy-Schwarz
    n_j A_j >= (sum_{S_j} sqrt(a_ij))^2, and X^2 >= 2 t X - t^2 for any t, so for any t_j, u_j >= 0

        server j's cost >= sum_{i in S_j} (2 t_j sqrt(a_ij) + 2 u_j b_i + pay_ij) - t_j^2 - u_j^2

    (also when S_j is empty: 0 >= -t_j^2 - u_j^2). Summing over servers and the local devices, the
    total cost of every assignment is at least L(t, u) = sum_i min(local_i, min_j (2 t_j sqrt(a_ij) +
    2 u_j b_i + pay_ij)) - sum_j (t_j^2 + u_j^2), which is concave in (t, u). Its maximiser satisfies
    t_j = sum of sqrt(a_ij) over the devices whose minimum is server j (u likewise with b): rounds of
    that fixed point from the incumbent's sums (and from zero) keep the best L. The bound is exact
    when each server's devices have equal a_ij and the incumbent's choices are the separable minima;
    it is never weaker than every device alone on its best server (t_j = sqrt(a_ij) for one device),
    which is also taken. Returns -max(L, alone) / N."""
    coefficients = cost_coefficients(task, physics, prices)
    root_a, b, pay, local = np.sqrt(coefficients["a"]), coefficients["b"], coefficients["pay"], coefficients["local"]
    n, servers = root_a.shape
    alone = np.minimum(local, (coefficients["a"] + (b * b)[:, None] + pay).min(axis=1)).sum()
    best = alone

    def value_and_choice(t, u):
        offload = 2.0 * t[None, :] * root_a + 2.0 * u[None, :] * b[:, None] + pay
        options = np.concatenate([local[:, None], offload], axis=1)
        choice = np.argmin(options, axis=1)
        return options[np.arange(n), choice].sum() - (t @ t + u @ u), choice

    def sums(choice):
        onehot = choice[:, None] == np.arange(1, servers + 1)[None, :]
        return np.where(onehot, root_a, 0.0).sum(axis=0), (onehot * b[:, None]).sum(axis=0)

    starts = [np.zeros(n, dtype=np.int64)] + ([np.asarray(incumbent, dtype=np.int64)] if incumbent is not None else [])
    for choice in starts:
        t, u = sums(choice)
        for _ in range(BOUND_ROUNDS):
            value, new_choice = value_and_choice(t, u)
            best = max(best, value)
            if np.array_equal(new_choice, choice):
                break
            choice = new_choice
            t, u = sums(choice)
    return float(-best / n)
