"""The compiled kernels of ``exact_math`` (imported only when numba is installed).

``exp_into`` and ``log_into`` call the C library's exp and log, as Python's math.exp and math.log
do. ``principal_branch_into`` follows scipy's ``lambertw`` (scipy/xsf ``lambertw.h``, branch k = 0,
tol = 1e-8) step by step for real z in (-1/e, 0), where every complex intermediate has a zero imaginary part and complex
arithmetic reduces to the real operations below: the branch-point series in p = sqrt(2 (e z + 1))
when |z + 1/e| < 0.3, otherwise the Pade approximant at 0 (both through xsf's ``cevalpoly`` for a
degree-2 polynomial, whose two fma are emulated exactly), then Halley's iteration until the step is
at most tol |w|. An element it does not cover (z = 0, z rounded past the branch point, no
convergence) is returned as NaN for the caller to hand to scipy.
"""

from __future__ import annotations

import math

import numba
import numpy as np

_EXP_MINUS_ONE = 0.36787944117144232159553  # 1/e as xsf spells it
_TOL = 1e-8  # scipy.special.lambertw's default tolerance
_MAX_STEPS = 100  # xsf's iteration limit
_SPLIT = 134217729.0  # 2^27 + 1: Veltkamp's splitter for Dekker's exact product


@numba.njit(cache=True, error_model="numpy", inline="always")
def _two_sum(a, b):
    """s, e with s = fl(a + b) and s + e = a + b exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@numba.njit(cache=True, error_model="numpy", inline="always")
def _two_product(a, b):
    """p, e with p = fl(a b) and p + e = a b exactly (Dekker)."""
    p = a * b
    t = _SPLIT * a
    a_high = t - (t - a)
    a_low = a - a_high
    t = _SPLIT * b
    b_high = t - (t - b)
    b_low = b - b_high
    return p, ((a_high * b_high - p) + a_high * b_low + a_low * b_high) + a_low * b_low


@numba.njit(cache=True, error_model="numpy")
def _fma(a, b, c):
    """a b + c rounded once, as C's fma: the exact sum th + tl + ul, its tail rounded to odd so that
    the last addition rounds the three-term sum correctly."""
    product, product_error = _two_product(a, b)
    high, low = _two_sum(c, product)
    tail, tail_error = _two_sum(low, product_error)
    if tail_error != 0.0 and (np.float64(tail).view(np.int64) & 1) == 0:
        tail = np.nextafter(tail, np.inf if tail_error > 0.0 else -np.inf)
    return high + tail


@numba.njit(cache=True, error_model="numpy")
def _evalpoly2(c0, c1, c2, x):
    """c0 x^2 + c1 x + c2 as xsf's ``cevalpoly`` evaluates it for a real x (Horner in complex form)."""
    b = _fma(-(x * x), c0, c2)
    a = _fma(2.0 * x, c0, c1)
    return x * a + b


@numba.njit("int64(float64[::1], float64[::1])", cache=True, error_model="numpy")
def principal_branch_into(z, out):
    """out[i] = W0(z[i]) as scipy computes it, NaN where not covered; returns the count of NaNs."""
    missed = 0
    for i in range(z.size):
        x = z[i]
        if abs(x + _EXP_MINUS_ONE) < 0.3:
            q = 2.0 * (math.e * x + 1.0)
            w = _evalpoly2(-1.0 / 3.0, 1.0, -1.0, math.sqrt(q)) if q >= 0.0 else np.nan
        elif -0.2 < x < 1.5:
            w = x * _evalpoly2(12.85106382978723404255, 12.34042553191489361902, 1.0, x) / _evalpoly2(
                32.53191489361702127660, 14.34042553191489361702, 1.0, x)
        else:
            w = np.nan
        result = np.nan
        if w < 0.0 and x < 0.0:
            for _ in range(_MAX_STEPS):
                ew = math.exp(w)
                wew = w * ew
                residual = wew - x
                step = residual / (wew + ew - (w + 2.0) * residual / (2.0 * w + 2.0))
                w_next = w - step
                if abs(w_next - w) <= _TOL * abs(w_next):
                    result = w_next
                    break
                w = w_next
        out[i] = result
        if result != result:
            missed += 1
    return missed


@numba.njit("void(float64[::1], float64[::1])", cache=True, error_model="numpy")
def exp_into(x, out):
    """out[i] = math.exp(x[i])."""
    for i in range(x.size):
        out[i] = math.exp(x[i])


@numba.njit("void(float64[::1], float64[::1])", cache=True, error_model="numpy")
def log_into(x, out):
    """out[i] = math.log(x[i]) if x[i] > 0 else -inf."""
    for i in range(x.size):
        out[i] = math.log(x[i]) if x[i] > 0.0 else -math.inf


PAIRWISE_MAX = 128  # NumPy's PW_BLOCKSIZE: up to this length its pairwise sum is one block (no halving)


@numba.njit(cache=True, error_model="numpy")
def _pairwise_sum(a, n):
    """a[0] + ... + a[n-1] in the order of NumPy's add.reduce for n <= PAIRWISE_MAX: from -0.0 in
    turn below 8 terms, else eight running sums combined as a tree, then the rest in turn."""
    if n < 8:
        total = -0.0
        for i in range(n):
            total += a[i]
        return total
    r0, r1, r2, r3, r4, r5, r6, r7 = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
    i = 8
    while i < n - n % 8:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += a[i]
        i += 1
    return total


@numba.njit("void(float64[:, ::1], int64[::1], float64[:, ::1], float64[:, ::1], float64[::1], "
            "float64[:, ::1], float64[:, ::1], float64[:, ::1])", cache=True, error_model="numpy")
def device_terms_into(z, expand, c, weighted_c, v_scale, z_out, c_over_z_out, sums_out):
    """``exact_math.device_terms_reference`` per row r (one candidate of one state): device j's
    ratio is z[r, expand[j]]; the three sums over devices go to sums_out[r]."""
    rows, n = c.shape
    weighted, slope = np.empty(n), np.empty(n)
    for r in range(rows):
        for j in range(n):
            zj = z[r, expand[j]]
            c_over_z = c[r, j] / zj
            z_out[r, j], c_over_z_out[r, j] = zj, c_over_z
            weighted[j] = weighted_c[r, j] / (1.0 + zj)
            t = 1.0 + 1.0 / zj
            slope[j] = c_over_z * (t * t) / v_scale[j]
        sums_out[r, 0] = _pairwise_sum(c_over_z_out[r], n)
        sums_out[r, 1] = _pairwise_sum(weighted, n)
        sums_out[r, 2] = _pairwise_sum(slope, n)
