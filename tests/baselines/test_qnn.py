"""The QAROO circuit: three backends agree on values (1e-6) and torch and PennyLane on gradients
(1e-5); the torch simulation also matches a hand-computed one-qubit case."""

from __future__ import annotations

import math

import pytest
import torch

from baselines.common.qnn import QuantumLayer, _StatevectorSimulator


def _trio(n_qubits=8):
    torch.manual_seed(0)
    layers = {backend: QuantumLayer(n_qubits=n_qubits, backend=backend) for backend in ("torch", "pennylane", "qiskit")}
    state = layers["torch"].state_dict()
    for layer in layers.values():
        layer.load_state_dict(state)
    return layers


def test_backends_agree_on_expectations():
    layers = _trio()
    x = torch.rand(6, 8, dtype=torch.float64) * 2 - 1
    reference = layers["qiskit"](x)
    for backend in ("torch", "pennylane"):
        assert torch.allclose(layers[backend](x), reference, atol=1e-6)


def test_torch_and_pennylane_gradients_agree():
    layers = _trio()
    x = torch.rand(4, 8, dtype=torch.float64)
    grads = {}
    for backend in ("torch", "pennylane"):
        inputs = x.clone().requires_grad_(True)
        output = layers[backend](inputs)
        (output * torch.arange(1.0, 9.0, dtype=torch.float64)).sum().backward()
        grads[backend] = (inputs.grad, layers[backend].weights.grad)
    assert torch.allclose(grads["torch"][0], grads["pennylane"][0], atol=1e-5)
    assert torch.allclose(grads["torch"][1], grads["pennylane"][1], atol=1e-5)


def test_one_qubit_closed_form():
    layer = QuantumLayer(n_qubits=2, n_layers=1, backend="torch")
    with torch.no_grad():
        layer.weights.zero_()
    x = torch.tensor([[0.3, 0.0]], dtype=torch.float64)
    # qubit 0: RZ RY(0.3 pi)|0>, <Z> = cos(0.3 pi); qubit 1 after CNOT(0 -> 1) from |0>: <Z1> = <Z0 Z1> = cos(0.3 pi)
    out = layer(x)[0]
    assert out[0].item() == pytest.approx(math.cos(0.3 * math.pi))
    assert out[1].item() == pytest.approx(math.cos(0.3 * math.pi))


def test_bad_backend_and_shape_raise():
    with pytest.raises(ValueError, match="backend"):
        QuantumLayer(backend="cirq")
    with pytest.raises(ValueError, match=r"n_qubits.*\[2, inf\]"):
        QuantumLayer(n_qubits=1)
    with pytest.raises(ValueError, match=r"n_layers.*\[1, inf\]"):
        QuantumLayer(n_layers=0)
    with pytest.raises(ValueError, match="shape"):
        QuantumLayer(backend="torch")(torch.zeros(3, 5))


@pytest.mark.parametrize(("n_qubits", "n_layers"), [(5, 1), (4, 4), (3, 3)])
def test_torch_matches_qiskit_beyond_the_low_rank_layers(n_qubits, n_layers):
    """Other sizes and depths, including layers past the factored (low-rank) form of the state."""
    torch.manual_seed(1)
    fast = QuantumLayer(n_qubits=n_qubits, n_layers=n_layers, backend="torch")
    reference = QuantumLayer(n_qubits=n_qubits, n_layers=n_layers, backend="qiskit")
    reference.load_state_dict(fast.state_dict())
    x = torch.rand(3, n_qubits, dtype=torch.float64) * 2 - 1
    assert torch.allclose(fast(x), reference(x), atol=1e-10)


@pytest.mark.parametrize(("n_qubits", "n_layers"), [(8, 2), (5, 1), (6, 3)])
def test_torch_gradients_match_finite_differences(n_qubits, n_layers):
    """The factored layers' hand-written backward (and the dense path) against central differences."""
    torch.manual_seed(2)
    layer = QuantumLayer(n_qubits=n_qubits, n_layers=n_layers, backend="torch")
    x = torch.rand(3, n_qubits, dtype=torch.float64, requires_grad=True)
    weights = layer.weights.detach().clone().requires_grad_(True)

    def function(inputs, w):
        return torch.func.functional_call(layer, {"weights": w}, (inputs,))

    assert torch.autograd.gradcheck(function, (x, weights), eps=1e-6, atol=1e-6)


@pytest.mark.parametrize("n_qubits", [2, 3, 4, 7, 8])
def test_two_layer_transfer_matches_the_statevector_simulation(n_qubits):
    """The default depth runs by transfer matrices; the statevector simulation (used for other depths)
    computes the same values and, through autograd, the same gradients for inputs and weights."""
    torch.manual_seed(3)
    layer = QuantumLayer(n_qubits=n_qubits, n_layers=2, backend="torch")
    simulator = _StatevectorSimulator(n_qubits)
    x = (torch.rand(5, n_qubits, dtype=torch.float64) * 4 - 2).requires_grad_(True)
    coefficients = torch.randn(5, n_qubits, dtype=torch.float64)
    results = []
    for run in (layer, lambda inputs: simulator.run(inputs, layer.weights)):
        layer.zero_grad()
        x.grad = None
        output = run(x)
        (output * coefficients).sum().backward()
        results.append((output.detach(), x.grad.clone(), layer.weights.grad.clone()))
    for fast, reference in zip(results[0], results[1]):
        assert torch.allclose(fast, reference, atol=1e-12)


def test_two_layer_transfer_keeps_single_precision_inputs_and_a_contiguous_output():
    torch.manual_seed(4)
    layer = QuantumLayer(backend="torch")
    x = torch.rand(3, 8, dtype=torch.float32, requires_grad=True)
    output = layer(x)
    output.sum().backward()
    assert output.dtype == torch.float32 and x.grad.dtype == torch.float32
    assert output.is_contiguous()  # view() works on it, as on the statevector path's output
    assert torch.allclose(output.double(), layer(x.double()), atol=1e-6)
