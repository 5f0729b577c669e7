"""Timing helper shared by the benchmark scripts."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np


def best_time(function: Callable[[], object], repeats: int) -> float:
    """Fastest of ``repeats`` calls, s (like timeit: the machine's noise only ever adds time)."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best
