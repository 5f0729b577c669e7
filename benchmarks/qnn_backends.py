"""The QAROO circuit's backends side by side: forward + backward time for a batch of 128.

    python -m benchmarks.qnn_backends [--batch 128]
"""

from __future__ import annotations

import argparse

import torch

from baselines.common.networks import torch_threads
from baselines.common.qnn import QuantumLayer
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

    # Both backends at the same torch thread count; the trainers run one thread (torch_threads = 1).
    # Each timing is the best of several rounds, the two backends alternating (a shared machine's
    # load only ever adds time).
    for threads in (1, torch.get_num_threads()) if torch.get_num_threads() > 1 else (1,):
        with torch_threads(threads):
            torch_s = pennylane_s = float("inf")
            for _ in range(3):
                torch_s = min(torch_s, best_time(forward_backward(layers["torch"]), 20))
                pennylane_s = min(pennylane_s, best_time(forward_backward(layers["pennylane"]), 1))
        print(f"{threads} torch thread(s), forward + backward, batch {args.batch}: torch {1e3 * torch_s:.2f} ms, "
              f"PennyLane {1e3 * pennylane_s:.1f} ms ({pennylane_s / torch_s:.0f}x, target >= 50x)")
    qiskit_s = best_time(lambda: layers["qiskit"](x[:16]), 1)
    difference = (layers["torch"](x[:16]) - layers["qiskit"](x[:16])).abs().max().item()
    print(f"Qiskit Statevector forward, batch 16: {1e3 * qiskit_s:.0f} ms; max |torch - qiskit| = {difference:.1e}")


if __name__ == "__main__":
    main()
