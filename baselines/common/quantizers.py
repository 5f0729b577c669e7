"""Quantisers: turn a relaxed decision m in [0, 1]^N into K binary candidates (pure functions).

OP and KNN are DROO's (Huang, Bi, Zhang 2020); NOP is LyDROO's noisy OP. Each returns a (K', N)
int8 array, K' <= K, best guess first.
"""

from __future__ import annotations

import itertools

import numpy as np


def order_preserving(m: np.ndarray, k: int) -> np.ndarray:
    """OP: x1 = 1[m > 0.5]; then, for the k-1 entries closest to 0.5, threshold at each:
    x = 1[m > t] if t > 0.5 else 1[m >= t]. At most N + 1 candidates exist."""
    m = np.asarray(m, dtype=np.float64)
    k = max(1, min(int(k), len(m) + 1))
    pivots = np.argsort(np.abs(m - 0.5), kind="stable")[: k - 1]
    thresholds = m[pivots]
    above = m[None, :] > thresholds[:, None]
    at_or_above = m[None, :] >= thresholds[:, None]
    rest = np.where((thresholds > 0.5)[:, None], above, at_or_above)
    return np.vstack([m[None, :] > 0.5, rest]).astype(np.int8)


def k_nearest(m: np.ndarray, k: int) -> np.ndarray:
    """KNN: the k binary vectors nearest to m in Euclidean distance (enumerates 2^N, N <= 20)."""
    m = np.asarray(m, dtype=np.float64)
    if len(m) > 20:
        raise ValueError(f"k_nearest enumerates 2^N vectors; N must be <= 20, got {len(m)}")
    candidates = np.array(list(itertools.product((0, 1), repeat=len(m))), dtype=np.int8)
    distance = ((candidates - m[None, :]) ** 2).sum(axis=1)
    return candidates[np.argsort(distance, kind="stable")[: int(k)]]


def noisy_order_preserving(m: np.ndarray, k: int, rng: np.random.Generator, noise_std: float = 0.1) -> np.ndarray:
    """NOP (LyDROO): OP on m for the first half of the candidates and OP on m + N(0, noise_std)
    (clipped to [0, 1]) for the rest, duplicates removed (first occurrence kept)."""
    first = order_preserving(m, (k + 1) // 2)
    noisy = order_preserving(np.clip(m + rng.normal(0.0, noise_std, size=len(m)), 0.0, 1.0), k // 2)
    both = np.vstack([first, noisy])
    _, index = np.unique(both, axis=0, return_index=True)
    return both[np.sort(index)][:k]
