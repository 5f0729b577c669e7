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
    """f_ij (K, N): server CPU of each offloaded task, proportional to sqrt(C) within its server."""
    root = np.sqrt(cycles)
    per_server = np.einsum("knm,n->km", onehot, root)  # (K, M)
    own = np.einsum("knm,km->kn", onehot, per_server)  # sum of sqrt C on the device's server
    return np.where(own > 0, server_cpu * root / np.where(own > 0, own, 1.0), 0.0)


def evaluate_assignments(task: dict, physics: Physics, assignment: np.ndarray, prices: np.ndarray) -> dict:
    """Costs and metrics of K assignments (K, N) in {0..M}; ``prices`` (M,) or (K, M), per gigacycle."""
    D, C, f_local, gain = task["data_bits"], task["cycles"], task["device_cpu"], task["gain"]
    servers = gain.shape[1]
    onehot = (assignment[..., None] == np.arange(1, servers + 1)).astype(np.float64)  # (K, N, M)
    offload = assignment > 0
    load = onehot.sum(axis=1)  # (K, M) devices per server
    share = np.einsum("knm,km->kn", onehot, load)  # n_j of the device's server
    spectral = np.einsum("knm,nm->kn", onehot, np.log2(1.0 + physics.transmit_power * gain / physics.noise_power))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = physics.server_bandwidth / np.maximum(share, 1.0) * spectral
        uplink = np.where(offload, D / rate, 0.0)
        f_server = cpu_split(C, onehot, physics.server_cpu)
        execution = np.where(offload, C / f_server, 0.0)
    price = np.einsum("knm,km->kn", onehot, np.broadcast_to(prices, load.shape))
    payment = price * C / GIGA
    local_latency, local_energy = C / f_local, physics.energy_coefficient * C * f_local**2
    latency = np.where(offload, uplink + execution, local_latency)
    energy = np.where(offload, physics.transmit_power * uplink, local_energy)
    cost = physics.latency_weight * latency + physics.energy_weight * energy + physics.price_weight * payment
    local_cost = physics.latency_weight * local_latency + physics.energy_weight * local_energy
    server_energy = np.einsum("knm,kn->km", onehot, physics.server_energy_coefficient * C * f_server**2)
    server_latency = np.einsum("knm,kn->km", onehot, latency)
    revenue = np.einsum("knm,kn->km", onehot, payment)
    utility = revenue - physics.server_energy_cost * server_energy - physics.server_delay_cost * server_latency
    finished = latency <= physics.slot_length
    return {
        "cost": cost, "latency": latency, "energy": energy, "payment": payment, "uplink_rate": np.where(offload, rate, 0.0),
        "server_cpu": f_server, "reward": -cost.mean(axis=1),
        "latency_ms": 1e3 * latency.mean(axis=1), "energy_j": energy.mean(axis=1),
        "fairness": jain_index(local_cost / cost), "throughput_mbps": (D * finished).sum(axis=1) / physics.slot_length / MBIT,
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


def alone_bound(task: dict, physics: Physics, prices: np.ndarray) -> float:
    """A proven upper bound on the reward (-mean cost) of every assignment.

    A device i on server j with n_j >= 1 devices gets the band B / n_j <= B and the CPU
    F sqrt(C_i) / sum_k sqrt(C_k) <= F, so its uplink, execution and energy are at least those it
    would have alone on j; its payment does not depend on the others. Hence cost_i >= min(local_i,
    min_j alone_ij) for every assignment, and -mean_i of the right side bounds the reward. Each
    alone_ij is scored by ``evaluate_assignments`` itself (N M assignments with one offloader).
    It is tight when few devices share a server; with N >> M the congestion it ignores is the gap
    (the benchmark prints it)."""
    n, servers = task["gain"].shape
    single = np.zeros((n * servers, n), dtype=np.int64)
    single[np.arange(n * servers), np.repeat(np.arange(n), servers)] = np.tile(np.arange(1, servers + 1), n)
    cost = evaluate_assignments(task, physics, single, prices)["cost"]  # (N M, N)
    alone = cost[np.arange(n * servers), np.repeat(np.arange(n), servers)].reshape(n, servers)
    local = evaluate_assignments(task, physics, np.zeros((1, n), dtype=np.int64), prices)["cost"][0]
    return float(-np.minimum(local, alone.min(axis=1)).mean())
