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


def _ry(theta: torch.Tensor) -> torch.Tensor:
    c, s = torch.cos(theta / 2), torch.sin(theta / 2)
    return torch.stack([torch.stack([c, -s], -1), torch.stack([s, c], -1)], -2).to(torch.complex128)


def _rz(theta: torch.Tensor) -> torch.Tensor:
    phase = torch.exp(-0.5j * theta.to(torch.complex128))
    zero = torch.zeros_like(phase)
    return torch.stack([torch.stack([phase, zero], -1), torch.stack([zero, phase.conj()], -1)], -2)


class _StatevectorSimulator:
    """Exact batched simulation, qubit 0 the most significant bit of the basis index.

    The state is held as a (batch, 2^h, 2^l) matrix: the first h = n // 2 qubits index the rows,
    the others the columns. The encoded state is a product state (an outer product of the two
    halves' Kronecker products); a layer is a fixed permutation of the amplitudes (the CNOT chain)
    followed by the rotations, which act as G_rows @ M @ G_columns^T with G a Kronecker product of
    the 2 x 2 gates of each half; the expectations are one product of the probabilities with the
    +-1 table of Z_i. A few small matrix products per layer instead of one contraction per gate.
    """

    def __init__(self, n_qubits: int):
        self.n, self.rows = n_qubits, n_qubits // 2
        index = np.arange(2**n_qubits)
        bits = (index[:, None] >> (n_qubits - 1 - np.arange(n_qubits))[None, :]) & 1  # (2^n, n), qubit 0 first
        chained = bits.copy()
        for i in range(n_qubits - 1):  # CNOT(i -> i + 1), in order
            chained[:, i + 1] ^= chained[:, i]
        image = (chained * (1 << (n_qubits - 1 - np.arange(n_qubits)))[None, :]).sum(axis=1)
        self.source = torch.as_tensor(np.argsort(image))  # new amplitude j comes from old amplitude source[j]
        self.z_signs = torch.tensor(1.0 - 2.0 * bits, dtype=torch.float64)  # (2^n, n)

    def _kron(self, factors: torch.Tensor, batch_shape: int) -> torch.Tensor:
        """Kronecker product over axis ``batch_shape`` of factors (..., k, d1[, d2]) in one einsum,
        the first factor most significant."""
        k = factors.shape[batch_shape]
        rows, cols = "abcdefghijkl"[:k], "mnopqrstuvwx"[:k]
        if factors.dim() == batch_shape + 2:  # vectors
            equation = ",".join(f"Z{r}" for r in rows) + "->Z" + rows
            out = torch.einsum(equation, *factors.unbind(batch_shape))
            return out.reshape(out.shape[:batch_shape] + (-1,))
        equation = ",".join(f"Z{r}{c}" for r, c in zip(rows, cols)) + "->Z" + rows + cols
        out = torch.einsum(equation, *factors.unbind(batch_shape))
        return out.reshape(out.shape[:batch_shape] + (2**k, 2**k))

    def run(self, inputs: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        batch, h = len(inputs), self.rows
        half = math.pi * inputs.to(torch.float64) / 2
        phase = torch.exp(1j * half.to(torch.complex128))
        local = torch.stack([phase.conj() * torch.cos(half), phase * torch.sin(half)], dim=-1)  # RZ RY |0>, (B, n, 2)
        state = self._kron(local[:, :h], 1)[:, :, None] * self._kron(local[:, h:], 1)[:, None, :]  # (B, 2^h, 2^l)
        w = weights.to(torch.float64)
        gates = _rz(w[..., 1]) @ _ry(w[..., 0])  # (layers, n, 2, 2)
        upper, lower = self._kron(gates[:, :h], 1), self._kron(gates[:, h:], 1).transpose(1, 2)
        for layer in range(len(w)):
            state = state.reshape(batch, -1)[:, self.source].reshape(state.shape)
            state = upper[layer] @ state @ lower[layer]
        probabilities = (state.conj() * state).real.reshape(batch, -1)
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
