"""Quantisers: turn a relaxed decision m in [0, 1]^N into K binary candidates (pure functions).

OP and KNN are DROO's (Huang, Bi, Zhang 2020), NOP is LyDROO's noisy OP, UGQ is QAROO's
uncertainty-guided quantiser. Each returns a (K', N) int8 array of distinct rows, best guess first,
with K' = min(K, 2^N): where a rule yields fewer distinct candidates than asked (OP defines only
N + 1 of them; ties in m repeat thresholds), the rest are the nearest vectors to m that differ from
the 0.5-threshold decision only in its most uncertain entries (:func:`fill_distinct`).
"""

from __future__ import annotations

import itertools
import math

import numpy as np


def _count(k: int, n: int) -> int:
    """K capped at the 2^N binary vectors that exist (at least one)."""
    return max(1, int(k) if n >= 62 else min(int(k), 2**n))


def fill_distinct(chosen: np.ndarray, m: np.ndarray, k: int) -> np.ndarray:
    """``chosen`` without repeats (first occurrence kept), completed to min(k, 2^N) rows by the
    binary vectors nearest to m (Euclidean) among those equal to 1[m > 0.5] outside the
    ceil(log2 k) entries closest to 0.5: enough vectors to always reach k."""
    m = np.asarray(m, dtype=np.float64)
    n, k = len(m), _count(k, len(m))
    rows = [row for row in np.asarray(chosen, dtype=np.int8).reshape(-1, n)]
    seen, unique = set(), []
    for row in rows:
        if row.tobytes() not in seen:
            seen.add(row.tobytes())
            unique.append(row)
    if len(unique) < k:
        free = np.argsort(np.abs(m - 0.5), kind="stable")[: min(n, max(1, math.ceil(math.log2(k))))]
        base = (m > 0.5).astype(np.int8)
        for sub in k_nearest(m[free], 2 ** len(free)):
            candidate = base.copy()
            candidate[free] = sub
            if candidate.tobytes() not in seen:
                seen.add(candidate.tobytes())
                unique.append(candidate)
                if len(unique) == k:
                    break
    return np.stack(unique[:k]).astype(np.int8)


def order_preserving(m: np.ndarray, k: int) -> np.ndarray:
    """OP: x1 = 1[m > 0.5]; then, for the k-1 entries closest to 0.5, threshold at each:
    x = 1[m > t] if t > 0.5 else 1[m >= t]. OP itself defines at most N + 1 candidates (fewer
    distinct ones when entries of m tie); the rest are filled by :func:`fill_distinct`."""
    m = np.asarray(m, dtype=np.float64)
    k = _count(k, len(m))
    pivots = np.argsort(np.abs(m - 0.5), kind="stable")[: min(k, len(m) + 1) - 1]
    thresholds = m[pivots]
    above = m[None, :] > thresholds[:, None]
    at_or_above = m[None, :] >= thresholds[:, None]
    rest = np.where((thresholds > 0.5)[:, None], above, at_or_above)
    return fill_distinct(np.vstack([m[None, :] > 0.5, rest]), m, k)


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
    (clipped to [0, 1]) for the rest; repeats replaced as in :func:`fill_distinct`."""
    first = order_preserving(m, (k + 1) // 2)
    noisy = order_preserving(np.clip(m + rng.normal(0.0, noise_std, size=len(m)), 0.0, 1.0), k // 2) if k > 1 else first
    return fill_distinct(np.vstack([first, noisy]), m, k)


def uncertainty_guided(m: np.ndarray, k: int, rng: np.random.Generator, noise: float = 0.1) -> np.ndarray:
    """UGQ (QAROO): 1[m > 0.5] first; candidate j >= 2 thresholds m at its (j-1)-th most uncertain
    entry (closest to 0.5, cyclically) perturbed by U(-noise, noise); a repeat has its most uncertain
    dimensions flipped one at a time until it is new (:func:`fill_distinct` as a last resort)."""
    m = np.asarray(m, dtype=np.float64)
    n, k = len(m), _count(k, len(m))
    order = np.argsort(np.abs(m - 0.5), kind="stable")
    chosen = [(m > 0.5).astype(np.int8)]
    seen = {chosen[0].tobytes()}
    for j in range(1, k):
        threshold = m[order[(j - 1) % n]] + rng.uniform(-noise, noise)
        candidate = (m > threshold).astype(np.int8)
        for dimension in order:
            if candidate.tobytes() not in seen:
                break
            candidate = candidate.copy()
            candidate[dimension] ^= 1
        if candidate.tobytes() in seen:
            candidate = fill_distinct(np.stack(chosen), m, len(chosen) + 1)[-1]
        seen.add(candidate.tobytes())
        chosen.append(candidate)
    return np.stack(chosen)
