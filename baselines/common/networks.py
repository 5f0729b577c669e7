"""Small torch networks shared by the trainers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import torch
from threadpoolctl import threadpool_limits
from torch import nn


def mlp(sizes: list[int], output_activation: type[nn.Module] | None = nn.Sigmoid) -> nn.Sequential:
    """Fully connected layers with ReLU between them, e.g. DROO's [N, 120, 80, N] with a sigmoid."""
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    if output_activation is not None:
        layers.append(output_activation())
    return nn.Sequential(*layers)


def seed_torch(seed: int) -> torch.Generator:
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


@contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Run the block with ``count`` intra-op threads in torch and in numpy's BLAS (None: leave both
    as they are), then restore. Small networks and small matrix products run faster on one thread:
    on this shared 2-core machine DROO took 1.3 ms per frame with one thread and 10.3 ms with two
    (the threads spin-wait on each other), and the QNN's 16 x 16 gate products took 160 us each
    in numpy's two-thread OpenBLAS against 20 us in one."""
    previous = torch.get_num_threads()
    if count is not None and count != previous:
        torch.set_num_threads(count)
    try:
        with threadpool_limits(limits=count, user_api="blas") if count is not None else nullcontext():
            yield
    finally:
        if torch.get_num_threads() != previous:
            torch.set_num_threads(previous)


@torch.no_grad()
def soft_update(target: nn.Module, source: nn.Module, tau: float) -> None:
    """Polyak averaging of a target network: target <- (1 - tau) target + tau source."""
    for p, q in zip(source.parameters(), target.parameters()):
        q.mul_(1 - tau).add_(tau * p)
