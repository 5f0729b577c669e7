"""The quantum execution model of MEQC-GaussMarkov-v0 (pure functions, vectorised).

All values are SPEC.md's documented choices (the paper's were lost): a protein-folding instance of
n_a amino acids needs n_q logical qubits and a circuit of depth L = 2 n_q - 1; error correction by
concatenation level k uses 7^k physical qubits and steps per logical one (7 = ``code_size``), with logical error rate
p_L(k) = p_th (p / p_th)^(2^k) and success probability P_s(k) = 1 - n_q L p_L(k) (linear
approximation); the level used is the smallest k in {0..3} with P_s >= 2/3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

@dataclass(frozen=True)
class QPUModel:
    """The circuit's physical constants; their one home is ``MEQCConfig`` (units and sources there),
    which builds this model."""

    threshold_error: float  # p_th
    shots: int  # S
    two_qubit_time: float  # t_2q, s
    measurement_time: float  # t_meas, s
    gate_energy: float  # E_g, J per physical gate step
    cooling_power: float  # P_cool, W
    code_size: int  # physical qubits (and steps) per logical one per concatenation level (Steane: 7)
    max_level: int  # highest concatenation level tried
    success_threshold: float  # smallest acceptable success probability


def logical_qubits(amino_acids) -> np.ndarray:
    """n_q(n_a) = 2 (n_a - 3) - 1 + sum over odd d in [5, n_a - 1] of (n_a - d)."""
    n_a = np.asarray(amino_acids, dtype=np.int64)
    odd = np.arange(5, max(int(n_a.max(initial=5)), 6), 2)
    tail = np.where(odd[None, :] <= (n_a[..., None] - 1), n_a[..., None] - odd[None, :], 0).sum(axis=-1)
    return 2 * (n_a - 3) - 1 + tail


def circuit_depth(qubits) -> np.ndarray:
    return 2 * np.asarray(qubits) - 1


def success_probability(qubits, depth, physical_error, level, model: QPUModel) -> np.ndarray:
    logical_error = model.threshold_error * (np.asarray(physical_error) / model.threshold_error) ** (2.0 ** np.asarray(level))
    return 1.0 - np.asarray(qubits) * np.asarray(depth) * logical_error


def concatenation_level(qubits, depth, physical_error, model: QPUModel) -> np.ndarray:
    """Smallest k in {0..max_level} with P_s(k) >= the threshold (2/3), or -1 where none reaches it."""
    levels = np.arange(model.max_level + 1)
    ok = success_probability(np.asarray(qubits)[..., None], np.asarray(depth)[..., None],
                             np.asarray(physical_error)[..., None], levels, model) >= model.success_threshold
    return np.where(ok.any(axis=-1), np.argmax(ok, axis=-1), -1)


def execution(qubits, depth, level, model: QPUModel) -> tuple[np.ndarray, np.ndarray]:
    """(time in s, energy in J) of the task on the QPU at concatenation ``level`` (>= 0)."""
    scale = float(model.code_size) ** np.maximum(level, 0)
    time = model.shots * (depth * scale * model.two_qubit_time + model.measurement_time)
    energy = model.shots * qubits * depth * scale * model.gate_energy + model.cooling_power * time
    return time, energy


def feasible(qubits, level, leased_qubits, model: QPUModel) -> np.ndarray:
    """A QPU request runs only at a valid level whose physical qubits n_q 7^k fit the lease."""
    return (level >= 0) & (qubits * float(model.code_size) ** np.maximum(level, 0) <= leased_qubits)
