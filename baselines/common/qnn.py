"""The QAROO variational circuit behind one torch module, with three interchangeable backends.

Circuit on n qubits (8 by default), for an input x in R^n per sample:
  encoding: RY(pi x_i) then RZ(pi x_i) on every qubit i;
  then ``n_layers`` times: a linear chain of CNOTs (0 -> 1, 1 -> 2, ..., n-2 -> n-1), then the
  trainable RY(w[l, i, 0]) and RZ(w[l, i, 1]) on every qubit;
  output: the Pauli-Z expectation of every qubit, (batch, n).

Backends (the same parameter ``weights`` of shape (n_layers, n, 2), so ``load_state_dict`` moves
weights between them):
  ``"torch"``: an exact batched statevector simulation written in torch (the fast default);
  ``"pennylane"``: a QNode on default.qubit through PennyLane's torch interface (backprop);
  ``"qiskit"``: the same circuit built with Qiskit, evaluated with its exact ``Statevector``
  (inference and checking only: no gradient flows through it).
Qubit i is PennyLane wire i and Qiskit qubit i; the expectations are per qubit, so the bit-order
conventions of the libraries do not matter.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

BACKENDS = ("torch", "pennylane", "qiskit")


def _kron_vectors(factors: torch.Tensor) -> torch.Tensor:
    """Kronecker product of vectors (..., k, d) over axis -2, the first factor most significant."""
    out = factors[..., 0, :]
    for i in range(1, factors.shape[-2]):
        out = (out[..., :, None] * factors[..., i, None, :]).flatten(-2)
    return out


def _kron_matrices(factors: torch.Tensor) -> torch.Tensor:
    """Kronecker product of matrices (..., k, d, d) over axis -3, the first factor most significant."""
    out = factors[..., 0, :, :]
    for i in range(1, factors.shape[-3]):
        out = (out[..., :, None, :, None] * factors[..., i, None, :, None, :]).flatten(-4, -3).flatten(-2, -1)
    return out


def _prefix_xor_source(k: int) -> np.ndarray:
    """The CNOT chain on k qubits (0 -> 1, ..., k-2 -> k-1) as a permutation of the 2^k basis
    states, qubit 0 the most significant bit: new amplitude j comes from old amplitude source[j]."""
    index = np.arange(2**k)
    bits = (index[:, None] >> (k - 1 - np.arange(k))[None, :]) & 1
    chained = np.bitwise_xor.accumulate(bits, axis=1)  # qubit i ends as b_0 xor ... xor b_i
    return np.argsort((chained << (k - 1 - np.arange(k))[None, :]).sum(axis=1))


class _StatevectorSimulator:
    """Exact batched simulation, qubit 0 the most significant bit of the basis index.

    The state is a (batch, 2^h, 2^l) matrix S: the first h = n // 2 qubits index the rows, the
    others the columns, and a layer of single-qubit gates is G_rows @ S @ G_columns^T with G the
    Kronecker product of each half's 2 x 2 gates. The CNOT chain splits the same way: the upper
    qubits become prefix XORs of themselves (a row permutation), the lower ones prefix XORs of
    themselves (a column permutation), all flipped (columns reversed) in the rows whose upper bits
    have odd parity, i.e. whose last upper qubit reads 1 after the chain. The encoded state is a
    product, S = u v^T, so S stays a sum of 2^layer outer products U V^T: a layer doubles the rank
    (even and odd rows) and costs two small matrix products on the factors. Once the rank would
    pass the matrix size the state is kept dense. The expectations are one product of the
    probabilities with the +-1 table of Z_i.
    """

    def __init__(self, n_qubits: int):
        self.n, self.rows = n_qubits, n_qubits // 2
        h, low = self.rows, n_qubits - self.rows
        self.source = torch.as_tensor(_prefix_xor_source(n_qubits))  # the whole chain, dense path
        self.source_rows = torch.as_tensor(_prefix_xor_source(h))
        columns = _prefix_xor_source(low)
        self.source_columns = torch.as_tensor(np.concatenate([columns, columns[::-1]]))  # even rows, odd rows
        odd = np.arange(2**h) & 1
        self.parity = torch.as_tensor(np.stack([1 - odd, odd], axis=1), dtype=torch.complex128)  # (2^h, 2)
        bits = (np.arange(2**n_qubits)[:, None] >> (n_qubits - 1 - np.arange(n_qubits))[None, :]) & 1
        self.z_signs = torch.tensor(1.0 - 2.0 * bits, dtype=torch.float64)  # (2^n, n)

    def run(self, inputs: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        batch, h = len(inputs), self.rows
        theta = (math.pi / 2) * inputs.to(torch.float64)
        phase = torch.polar(torch.ones_like(theta), -theta)  # RZ(pi x) RY(pi x)|0> = (cos e^-i, sin e^+i)
        local = torch.stack([torch.cos(theta) * phase, torch.sin(theta) * phase.conj()], dim=-1)  # (B, n, 2)
        u, v = _kron_vectors(local[:, :h])[:, :, None], _kron_vectors(local[:, h:])[:, :, None]
        half = weights.to(torch.float64) / 2
        c, s = torch.cos(half[..., 0]), torch.sin(half[..., 0])
        p = torch.polar(torch.ones_like(c), -half[..., 1])
        gates = torch.stack([c * p, -s * p, s * p.conj(), c * p.conj()], -1).reshape(*half.shape[:2], 2, 2)  # RZ RY
        upper, lower = _kron_matrices(gates[:, :h]), _kron_matrices(gates[:, h:])
        state = None
        for layer in range(len(half)):
            rank = u.shape[-1]
            if state is None and 2 * rank <= min(upper.shape[-1], lower.shape[-1]):
                rows = u[:, self.source_rows]  # (B, 2^h, r): even-parity rows pair with the columns as they are,
                u = upper[layer] @ (rows[..., None] * self.parity[:, None, :]).flatten(-2)  # odd ones reversed
                v = lower[layer] @ v[:, self.source_columns].reshape(batch, 2, -1, rank).permute(0, 2, 3, 1).flatten(-2)
                continue
            if state is None:
                state = u @ v.transpose(1, 2)
            state = state.reshape(batch, -1)[:, self.source].reshape(state.shape)
            state = upper[layer] @ state @ lower[layer].transpose(0, 1)
        if state is None:
            state = u @ v.transpose(1, 2)
        probabilities = torch.view_as_real(state).square().sum(-1).reshape(batch, -1)
        return probabilities @ self.z_signs


def _pennylane_circuit(n_qubits: int):
    import pennylane as qml

    device = qml.device("default.qubit", wires=n_qubits)

    @qml.qnode(device, interface="torch", diff_method="backprop")
    def circuit(inputs, weights):
        for i in range(n_qubits):
            qml.RY(math.pi * inputs[:, i], wires=i)
            qml.RZ(math.pi * inputs[:, i], wires=i)
        for layer in range(weights.shape[0]):
            for i in range(n_qubits - 1):
                qml.CNOT(wires=[i, i + 1])
            for i in range(n_qubits):
                qml.RY(weights[layer, i, 0], wires=i)
                qml.RZ(weights[layer, i, 1], wires=i)
        return [qml.expval(qml.PauliZ(i)) for i in range(n_qubits)]

    def run(inputs, weights):
        return torch.stack(list(circuit(inputs.to(torch.float64), weights.to(torch.float64))), dim=-1)

    return run


def qiskit_circuit(x: np.ndarray, weights: np.ndarray):
    """The circuit for one input, built with Qiskit (qubit i = wire i)."""
    from qiskit import QuantumCircuit

    n = len(x)
    circuit = QuantumCircuit(n)
    for i in range(n):
        circuit.ry(math.pi * float(x[i]), i)
        circuit.rz(math.pi * float(x[i]), i)
    for layer in weights:
        for i in range(n - 1):
            circuit.cx(i, i + 1)
        for i in range(n):
            circuit.ry(float(layer[i, 0]), i)
            circuit.rz(float(layer[i, 1]), i)
    return circuit


def _qiskit_run(inputs: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    from qiskit.quantum_info import SparsePauliOp, Statevector

    n = inputs.shape[1]
    observables = [SparsePauliOp.from_sparse_list([("Z", [i], 1.0)], num_qubits=n) for i in range(n)]
    w = weights.detach().to(torch.float64).numpy()
    rows = []
    for x in inputs.detach().to(torch.float64).numpy():
        state = Statevector(qiskit_circuit(x, w))
        rows.append([float(state.expectation_value(observable).real) for observable in observables])
    return torch.tensor(rows, dtype=torch.float64)


class QuantumLayer(nn.Module):
    """(batch, n_qubits) -> (batch, n_qubits) Pauli-Z expectations of the QAROO circuit."""

    def __init__(self, n_qubits: int = 8, n_layers: int = 2, backend: str = "torch"):
        super().__init__()
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {list(BACKENDS)}; got {backend!r}")
        self.n_qubits, self.n_layers, self.backend = n_qubits, n_layers, backend
        self.weights = nn.Parameter(torch.rand(n_layers, n_qubits, 2, dtype=torch.float64) * 2 * math.pi)
        if backend == "torch":
            self._run = _StatevectorSimulator(n_qubits).run
        elif backend == "pennylane":
            self._run = _pennylane_circuit(n_qubits)
        else:
            self._run = _qiskit_run

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.dim() != 2 or inputs.shape[1] != self.n_qubits:
            raise ValueError(f"inputs must have shape (batch, {self.n_qubits}); got {tuple(inputs.shape)}")
        return self._run(inputs, self.weights).to(inputs.dtype if inputs.is_floating_point() else torch.float64)
