"""The QAROO variational circuit behind one torch module, with three interchangeable backends.

Circuit on n qubits (8 by default), for an input x in R^n per sample:
  encoding: RY(pi x_i) then RZ(pi x_i) on every qubit i;
  then ``n_layers`` times: a linear chain of CNOTs (0 -> 1, 1 -> 2, ..., n-2 -> n-1), then the
  trainable RY(w[l, i, 0]) and RZ(w[l, i, 1]) on every qubit;
  output: the Pauli-Z expectation of every qubit, (batch, n). The last layer's RZ commutes with the
  Z measured after it, so those n weights never change the output (their gradient is zero).

Backends (the same parameter ``weights`` of shape (n_layers, n, 2), so ``load_state_dict`` moves
weights between them):
  ``"torch"``: exact and batched, the fast default: the default two layers by transfer matrices
  (``_TwoLayerTransfer``, numpy with a hand-written backward in one torch autograd function), other
  depths by a statevector simulation (``_StatevectorSimulator``: torch autograd for the encoding
  and gates, a hand-written numpy backward for the layers); gradients reach inputs and weights;
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
from torch.autograd.function import once_differentiable

from mec_gym.core.validation import require_choice, require_int

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


def _gram(factor: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """sum_r w[r, b] f[r, b, k] conj(f[r, b, l]) -> (B, r, r), for a factor (rows, B, r)."""
    weighted = factor if weights is None else factor * weights[..., None]
    return np.matmul(weighted.transpose(1, 2, 0), factor.conj().transpose(1, 0, 2))


def _real_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Re(sum_k a[..., k] conj(b[..., k])), through the arrays' real and imaginary parts side by side."""
    return np.einsum("...k,...k->...", a.view(np.float64), b.view(np.float64))


def _times(factor: np.ndarray, matrices: np.ndarray) -> np.ndarray:
    """f[r, b, :] @ m[b] -> (rows, B, r)."""
    return np.matmul(factor.transpose(1, 0, 2), matrices).transpose(1, 0, 2)


class _FactoredLayers(torch.autograd.Function):
    """The gate layers on the factored state, S = U V^T, then the Z expectations, with a
    hand-written backward (the adjoint state, one matrix product per factor and layer), both in
    numpy: a few dozen array operations at about a microsecond each instead of autograd's graph of
    hundreds of small torch ones. Inputs: the factors (2^h, B, 1) and (2^l, B, 1) of the encoded
    product state and the layers' Kronecker gates (L, 2^h, 2^h) and (L, 2^l, 2^l); the encoding
    and the gates' construction stay on autograd. Gradients follow torch's convention for complex
    inputs (2 dL/d conj(z))."""

    @staticmethod
    def forward(ctx, u, v, upper, lower, simulator):
        sim = simulator
        u, v, upper, lower = (t.detach().numpy() for t in (u, v, upper, lower))
        batch = u.shape[1]
        us, vs = [], []
        for layer in range(len(upper)):
            rank = u.shape[-1]
            u = (u[sim.source_rows_np][..., None] * sim.parity_np[:, None, None, :]).reshape(len(u), -1)
            v = v[sim.source_columns_np].reshape(2, len(v), batch, rank).transpose(1, 2, 3, 0).reshape(len(v), -1)
            us.append(u)
            vs.append(v)
            u = (upper[layer] @ u).reshape(len(u), batch, 2 * rank)
            v = (lower[layer] @ v).reshape(len(v), batch, 2 * rank)
        row_gram, column_gram = _gram(u), _gram(v)  # (B, r, r)
        u_m, v_n = _times(u, column_gram), _times(v, row_gram)
        rows = _real_dot(u_m, u)  # sum_c |S_rc|^2, (2^h, B)
        columns = _real_dot(v_n, v)  # sum_r |S_rc|^2, (2^l, B)
        ctx.saved = (u, v, u_m, v_n, upper, lower, us, vs)
        ctx.simulator = sim
        return torch.from_numpy(np.concatenate([rows.T @ sim.z_rows_np, columns.T @ sim.z_columns_np], axis=1))

    @staticmethod
    def backward(ctx, grad):
        u, v, u_m, v_n, upper, lower, us, vs = ctx.saved
        sim, layers = ctx.simulator, len(upper)
        batch, h = u.shape[1], sim.rows
        grad = grad.detach().to(torch.float64).numpy()
        # dL/d|S_rc|^2 = g_rows[r] + g_columns[c]; the adjoint of S is that times S, contracted
        # with the other factor without forming S
        g_rows = (grad[:, :h] @ sim.z_rows_np.T).T  # (2^h, B)
        g_columns = (grad[:, h:] @ sim.z_columns_np.T).T  # (2^l, B)
        weighted_columns, weighted_rows = _gram(v, g_columns), _gram(u, g_rows)
        adjoint_u = g_rows[..., None] * u_m + _times(u, weighted_columns)
        adjoint_v = g_columns[..., None] * v_n + _times(v, weighted_rows)
        grad_upper, grad_lower = np.empty_like(upper), np.empty_like(lower)
        for layer in reversed(range(layers)):
            rank = adjoint_u.shape[-1] // 2
            flat_u, flat_v = adjoint_u.reshape(len(adjoint_u), -1), adjoint_v.reshape(len(adjoint_v), -1)
            grad_upper[layer] = 2 * flat_u @ us[layer].conj().T
            grad_lower[layer] = 2 * flat_v @ vs[layer].conj().T
            back_u = (upper[layer].conj().T @ flat_u).reshape(len(flat_u), batch, rank, 2)
            back_v = (lower[layer].conj().T @ flat_v).reshape(len(flat_v), batch, rank, 2)
            adjoint_u = (back_u * sim.parity_np[:, None, None, :]).sum(-1)[sim.inverse_rows_np]
            adjoint_v = back_v[..., 0][sim.inverse_columns_np[0]] + back_v[..., 1][sim.inverse_columns_np[1]]
        return (torch.from_numpy(2 * adjoint_u), torch.from_numpy(2 * adjoint_v), torch.from_numpy(grad_upper),
                torch.from_numpy(grad_lower), None)


_HADAMARD = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]], dtype=np.float64)
# H diag(vec P) H / 4 for P = Z, X, Y (vec: row-major 2 x 2 -> 4), flattened: a first-layer gate's step
# matrices are their combinations with the gate's cosines and sines as coefficients
_BOND_PAULIS = np.stack([_HADAMARD @ np.diag(vec) @ _HADAMARD / 4
                         for vec in ([1, 0, 0, -1], [0, 1, 1, 0], [0, -1j, 1j, 0])]).reshape(3, 16)
# A sweep's vector v (Hadamard basis) closed by the next qubit, whose factor there is (2 + 2 <X>, 0, 0,
# 2 - 2 <X>) / 4: v @ _CLOSING = ((v[0] + v[3]) / 2, (v[0] - v[3]) / 2), to be combined as [0] + <X> [1]
_CLOSING = np.array([[0.5, 0.5], [0.0, 0.0], [0.0, 0.0], [0.5, -0.5]])


class _TwoLayerTransfer(torch.autograd.Function):
    """The two-layer circuit (the QAROO default), exactly, by transfer matrices instead of a statevector.

    Heisenberg picture of the last layer: its RZ commutes with Z_i, its RY(a_i) turns Z_i into
    cos a_i Z_i - sin a_i X_i, and the CNOT chain before it (qubit k ends as b_0 xor ... xor b_k) turns
    Z_i into Z_0 ... Z_i and X_i into X_i X_{i+1} (X_{n-1} stays alone). So
        <Z_i> = cos a_i <Z_0 ... Z_i> - sin a_i <X_i X_{i+1}>
    on |psi'>, the state after the first layer (chain, then each qubit's gate g_k = RZ RY).

    |psi'> is a matrix product state whose bond k is the chain's prefix parity c_k: its amplitude at d
    is sum_c prod_k g_k[d_k, c_k] psi_k[c_k xor c_{k-1}], psi_k the encoded qubit k. The expectation of
    O_0 x ... x O_{n-1} is a sweep over the qubits of a 2 x 2 bond matrix L[c, c'] (ket parity c, bra
    parity c'), flattened to r = 2 c + c':
        L_k[r] = vec(N_k)[r] sum_q vec(rho_k^T)[r xor q] L_{k-1}[q],   N_k = g_k^+ O_k g_k,
    rho_k the encoded qubit's density matrix. The sum over q is an xor-convolution, which the 4 x 4
    Hadamard transform H diagonalises: in the basis H L a step multiplies by H vec(rho_k^T) =
    (1 + r_x, r_z - i r_y, r_z + i r_y, 1 - r_x) (r the encoded Bloch vector), then by the weights'
    4 x 4 matrix H diag(vec N_k) H / 4: one (batch, 4) x (4, 4) product per qubit for the whole batch.
    All <Z_0 ... Z_i> come from one sweep with O_k = Z; each X_i X_{i+1} is two steps with O = X. The
    identity factors close by hand: before qubit i the bond is the parity of the qubits < i (mean
    prod_{j<i} cos(pi x_j)); after the last non-identity factor, the next qubit closes the sweep with
    (1, <X>, <X>, 1) and every later one with 1.

    Forward and the hand-written backward (the adjoint of the same sweeps) are about 60 numpy
    operations on (n, batch, 4) arrays; checked against the statevector simulation, PennyLane and
    Qiskit in the tests. First derivatives only.
    """

    @staticmethod
    def forward(ctx, inputs, weights):
        x, w = inputs.detach().to(torch.float64).numpy(), weights.detach().to(torch.float64).numpy()
        batch, n = x.shape
        angle = math.pi * x.T  # (n, B): the encoding's RY and RZ angle
        su, cu = np.sin(angle), np.cos(angle)
        rx = su * cu  # Bloch x of the encoded qubit (y = su^2, z = cu)
        bloch = np.empty((n, batch, 4), dtype=np.complex128)  # H vec(rho^T) of every encoded qubit
        bloch[..., 0], bloch[..., 3] = 1 + rx, 1 - rx
        bloch[..., 1].real, bloch[..., 1].imag = cu, -su * su
        bloch[..., 2] = bloch[..., 1].conj()
        ry, rz = w[0, :, 0], w[0, :, 1]  # the first layer's angles
        cos_ry, sin_ry, cos_rz, sin_rz = np.cos(ry), np.sin(ry), np.cos(rz), np.sin(rz)
        # g^+ Z g = cos_ry Z - sin_ry X; g^+ X g = cos_rz sin_ry Z + cos_rz cos_ry X - sin_rz Y
        coefficients = np.zeros((n, 2, 3))
        coefficients[:, 0, 0], coefficients[:, 0, 1] = cos_ry, -sin_ry
        coefficients[:, 1, 0], coefficients[:, 1, 1], coefficients[:, 1, 2] = cos_rz * sin_ry, cos_rz * cos_ry, -sin_rz
        gates = (coefficients @ _BOND_PAULIS).reshape(n, 2, 4, 4)  # symmetric matrices
        z_gate, x_gate = gates[:, 0], gates[:, 1]
        next_x = np.ones((n + 1, batch))  # <X> of qubit i + 1 (1 past the last: the sweep's end)
        next_x[: n - 1] = rx[1:]
        # Z_0 ... Z_i for every i in one sweep: sweep[k + 1] after qubit k, from sweep[0] = H e_0 = 1
        sweep = np.empty((n + 1, batch, 4), dtype=np.complex128)
        sweep[0] = 1
        z_in = np.empty((n, batch, 4), dtype=np.complex128)
        for k in range(n):
            np.multiply(bloch[k], sweep[k], out=z_in[k])
            np.matmul(z_in[k], z_gate[k], out=sweep[k + 1])
        # X_i X_{i+1}: the bond before qubit i is the parity of the qubits before it, H (p0, 0, 0, p1) = (1, P, P, 1)
        parity = np.ones((n, batch, 4))
        np.cumprod(cu[:-1], axis=0, out=parity[1:, :, 1])
        parity[..., 2] = parity[..., 1]
        x_in = bloch * parity
        after_x = x_in @ x_gate  # after qubit i's X step
        next_in = bloch[1:] * after_x[:-1]
        after_next = np.zeros((n, batch, 4), dtype=np.complex128)  # after qubit i + 1's; the last X_i alone
        after_next[:-1] = next_in @ x_gate[1:]
        after_next[-1, :, 0] = after_x[-1, :, 0]
        z_parts, x_parts = (sweep[1:] @ _CLOSING).real, (after_next @ _CLOSING).real
        z_terms = z_parts[..., 0] + next_x[:n] * z_parts[..., 1]
        x_terms = x_parts[..., 0] + next_x[1:] * x_parts[..., 1]
        cos_last, sin_last = np.cos(w[1, :, 0])[:, None], np.sin(w[1, :, 0])[:, None]  # the last layer's RY
        ctx.saved = (su, cu, bloch, z_gate, x_gate, next_x, sweep, z_in, parity, x_in, after_x, next_in,
                     z_parts, x_parts, z_terms, x_terms, cos_last, sin_last, (cos_ry, sin_ry, cos_rz, sin_rz))
        ctx.dtypes = (inputs.dtype, weights.dtype)
        return torch.from_numpy(np.ascontiguousarray((cos_last * z_terms - sin_last * x_terms).T))

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (su, cu, bloch, z_gate, x_gate, next_x, sweep, z_in, parity, x_in, after_x, next_in,
         z_parts, x_parts, z_terms, x_terms, cos_last, sin_last, (cos_ry, sin_ry, cos_rz, sin_rz)) = ctx.saved
        n, batch = su.shape
        g = grad.detach().to(torch.float64).numpy().T
        grad_weights = np.zeros((2, n, 2))  # the last layer's RZ has no effect: zero gradient
        grad_weights[1, :, 0] = (g * (-sin_last * z_terms - cos_last * x_terms)).sum(1)
        g_z, g_x = g * cos_last, -g * sin_last
        grad_next_x = np.zeros((n + 1, batch))
        grad_next_x[:n] = g_z * z_parts[..., 1]
        grad_next_x[1:] += g_x * x_parts[..., 1]
        closing = np.empty((2, n, batch, 2))
        closing[0, ..., 0], closing[0, ..., 1] = g_z, g_z * next_x[:n]
        closing[1, ..., 0], closing[1, ..., 1] = g_x, g_x * next_x[1:]
        adjoint = closing @ _CLOSING.T  # of sweep[1:] and of after_next
        adj_sweep, adj_after_next = adjoint[0].astype(np.complex128), adjoint[1]
        # X_i X_{i+1}
        adj_next_in = adj_after_next[:-1] @ x_gate[1:]
        adj_gates = np.zeros((n, 2, 4, 4), dtype=np.complex128)
        adj_gates[1:, 1] = adj_after_next[:-1].transpose(0, 2, 1) @ next_in
        adj_bloch = np.zeros_like(bloch)
        np.multiply(adj_next_in, after_x[:-1], out=adj_bloch[1:])
        adj_after_x = np.zeros_like(after_x)
        np.multiply(adj_next_in, bloch[1:], out=adj_after_x[:-1])
        adj_after_x[-1, :, 0] = adj_after_next[-1, :, 0]
        adj_x_in = adj_after_x @ x_gate
        adj_gates[:, 1] += adj_after_x.transpose(0, 2, 1) @ x_in
        adj_bloch += adj_x_in * parity
        through_parity = adj_x_in[..., 1:3] * bloch[..., 1:3]
        adj_parity = (through_parity[..., 0] + through_parity[..., 1]).real
        # Z_0 ... Z_i, backwards through the sweep (adj_sweep becomes each step's whole adjoint)
        adj_z_in = np.empty_like(z_in)
        for k in range(n - 1, -1, -1):
            np.matmul(adj_sweep[k], z_gate[k], out=adj_z_in[k])
            if k:
                adj_sweep[k - 1] += adj_z_in[k] * bloch[k]
        adj_gates[:, 0] = z_in.transpose(0, 2, 1) @ adj_sweep
        adj_bloch += adj_z_in * sweep[:-1]
        # first-layer weights through the gates' coefficients
        adj_coefficients = (adj_gates.reshape(n, 2, 16) @ _BOND_PAULIS.T).real
        z_z, z_x, x_z, x_x, x_y = (adj_coefficients[:, i, j] for i, j in ((0, 0), (0, 1), (1, 0), (1, 1), (1, 2)))
        grad_weights[0, :, 0] = -sin_ry * z_z - cos_ry * z_x + cos_rz * cos_ry * x_z - cos_rz * sin_ry * x_x
        grad_weights[0, :, 1] = -sin_rz * sin_ry * x_z - sin_rz * cos_ry * x_x - cos_rz * x_y
        # parity products P_i = prod_{j < i} cu_j, backwards
        adj_cu = np.empty_like(cu)
        suffix = np.zeros(batch)
        for j in range(n - 1, -1, -1):
            np.multiply(parity[j, :, 1], suffix, out=adj_cu[j])
            suffix = adj_parity[j] + cu[j] * suffix
        adj_rx = (adj_bloch[..., 0] - adj_bloch[..., 3]).real
        adj_rx[1:] += grad_next_x[: n - 1]
        grad_u = (adj_rx * (cu * cu - su * su) - ((adj_bloch[..., 1] + adj_bloch[..., 2]).real + adj_cu) * su
                  + (adj_bloch[..., 1] - adj_bloch[..., 2]).imag * 2 * su * cu)
        input_dtype, weight_dtype = ctx.dtypes
        return torch.from_numpy(math.pi * grad_u.T).to(input_dtype), torch.from_numpy(grad_weights).to(weight_dtype)


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
        # numpy tables for the factored layers (``_FactoredLayers``), torch ones for the dense path
        self.source = torch.as_tensor(_prefix_xor_source(n_qubits))  # the whole chain
        self.source_rows_np = _prefix_xor_source(h)
        columns = _prefix_xor_source(low)
        self.source_columns_np = np.concatenate([columns, columns[::-1]])  # even rows, odd rows
        self.inverse_rows_np = np.argsort(self.source_rows_np)
        self.inverse_columns_np = np.stack([np.argsort(columns), np.argsort(columns[::-1])])
        odd = np.arange(2**h) & 1
        self.parity_np = np.stack([1.0 - odd, odd], axis=1)  # (2^h, 2), 0 / 1: real multiplies faster
        self.source_rows, self.source_columns = torch.as_tensor(self.source_rows_np), torch.as_tensor(self.source_columns_np)
        self.parity = torch.as_tensor(self.parity_np, dtype=torch.complex128)
        bits = (np.arange(2**n_qubits)[:, None] >> (n_qubits - 1 - np.arange(n_qubits))[None, :]) & 1
        self.z_signs = torch.tensor(1.0 - 2.0 * bits, dtype=torch.float64)  # (2^n, n)
        self.z_rows_np = self.z_signs[:: 2**low, :h].numpy().copy()  # (2^h, h): Z of the upper qubits by row
        self.z_columns_np = self.z_signs[: 2**low, h:].numpy().copy()  # (2^l, l): Z of the lower qubits by column

    def run(self, inputs: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        batch, h = len(inputs), self.rows
        theta = (math.pi / 2) * inputs.to(torch.float64)
        phase = torch.polar(torch.ones_like(theta), -theta)  # RZ(pi x) RY(pi x)|0> = (cos e^-i, sin e^+i)
        local = torch.stack([torch.cos(theta) * phase, torch.sin(theta) * phase.conj()], dim=-1)  # (B, n, 2)
        # the factors as (2^h, batch, rank) and (2^l, batch, rank): a gate layer is one plain matrix product
        u, v = _kron_vectors(local[:, :h]).T[:, :, None], _kron_vectors(local[:, h:]).T[:, :, None]
        half = weights.to(torch.float64) / 2
        c, s = torch.cos(half[..., 0]), torch.sin(half[..., 0])
        p = torch.polar(torch.ones_like(c), -half[..., 1])
        gates = torch.stack([c * p, -s * p, s * p.conj(), c * p.conj()], -1).reshape(*half.shape[:2], 2, 2)  # RZ RY
        upper, lower = _kron_matrices(gates[:, :h]), _kron_matrices(gates[:, h:])
        if 2 ** len(half) <= min(upper.shape[-1], lower.shape[-1]):  # every layer in factored form
            return _FactoredLayers.apply(u, v, upper, lower, self)
        state = None
        for layer in range(len(half)):
            rank = u.shape[-1]
            if state is None and 2 * rank <= min(upper.shape[-1], lower.shape[-1]):
                # even-parity rows pair with the permuted columns, odd-parity rows with them reversed
                u = (u[self.source_rows][..., None] * self.parity[:, None, None, :]).reshape(len(u), -1)
                v = v[self.source_columns].reshape(2, len(v), batch, rank).permute(1, 2, 3, 0).reshape(len(v), -1)
                u = (upper[layer] @ u).reshape(len(u), batch, 2 * rank)
                v = (lower[layer] @ v).reshape(len(v), batch, 2 * rank)
                continue
            if state is None:
                state = torch.einsum("rbk,cbk->brc", u, v)
            state = state.reshape(batch, -1)[:, self.source].reshape(state.shape)
            state = upper[layer] @ state @ lower[layer].transpose(0, 1)
        if state is None:
            state = torch.einsum("rbk,cbk->brc", u, v)
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
        self.backend = require_choice("backend", backend, BACKENDS)
        self.n_qubits, self.n_layers = require_int("n_qubits", n_qubits, 2), require_int("n_layers", n_layers, 1)
        self.weights = nn.Parameter(torch.rand(n_layers, n_qubits, 2, dtype=torch.float64) * 2 * math.pi)
        if backend == "torch":
            self._run = _TwoLayerTransfer.apply if n_layers == 2 else _StatevectorSimulator(n_qubits).run
        elif backend == "pennylane":
            self._run = _pennylane_circuit(n_qubits)
        else:
            self._run = _qiskit_run

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.dim() != 2 or inputs.shape[1] != self.n_qubits:
            raise ValueError(f"inputs must have shape (batch, {self.n_qubits}); got {tuple(inputs.shape)}")
        return self._run(inputs, self.weights).to(inputs.dtype if inputs.is_floating_point() else torch.float64)
