"""The QAROO circuit's backends side by side: forward + backward time for a batch of 128.

"torch" is the default two-layer circuit by transfer matrices; "torch statevector" is the exact
statevector simulation the torch backend uses for other depths, timed on the same circuit.

    python -m benchmarks.qnn_backends [--batch 128]
"""

from __future__ import annotations

import argparse

import torch

from baselines.common.networks import torch_threads
from baselines.common.qnn import QuantumLayer, _StatevectorSimulator
from benchmarks.timing import best_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()
    torch.manual_seed(0)
    x = torch.rand(args.batch, 8, dtype=torch.float64)
    layers = {backend: QuantumLayer(backend=backend) for backend in ("torch", "pennylane", "qiskit")}
    for layer in layers.values():
        layer.load_state_dict(layers["torch"].state_dict())

    def forward_backward(layer):
        return lambda: layer(x).sum().backward()

    statevector = _StatevectorSimulator(8)
    weights = layers["torch"].weights

    def statevector_forward_backward():
        statevector.run(x, weights).sum().backward()

    # All at the same torch thread count; the trainers run one thread (torch_threads = 1). Each
    # timing is the best of several rounds, the backends alternating (a shared machine's load only
    # ever adds time).
    for threads in (1, torch.get_num_threads()) if torch.get_num_threads() > 1 else (1,):
        with torch_threads(threads):
            torch_s = statevector_s = pennylane_s = float("inf")
            for _ in range(3):
                torch_s = min(torch_s, best_time(forward_backward(layers["torch"]), 20))
                statevector_s = min(statevector_s, best_time(statevector_forward_backward, 20))
                pennylane_s = min(pennylane_s, best_time(forward_backward(layers["pennylane"]), 1))
        print(f"{threads} torch thread(s), forward + backward, batch {args.batch}: torch {1e3 * torch_s:.2f} ms, "
              f"torch statevector {1e3 * statevector_s:.2f} ms, PennyLane {1e3 * pennylane_s:.1f} ms "
              f"(torch {pennylane_s / torch_s:.0f}x faster than PennyLane, target >= 50x)")
    qiskit_s = best_time(lambda: layers["qiskit"](x[:16]), 1)
    difference = (layers["torch"](x[:16]) - layers["qiskit"](x[:16])).abs().max().item()
    print(f"Qiskit Statevector forward, batch 16: {1e3 * qiskit_s:.0f} ms; max |torch - qiskit| = {difference:.1e}")


if __name__ == "__main__":
    main()
