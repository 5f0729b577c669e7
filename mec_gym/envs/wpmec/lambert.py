"""The principal branch W0 of Lambert's W on [-1/e, 0), exactly as ``scipy.special.lambertw(z).real``.

P2's price iteration evaluates W0 at z = -exp(-1 - s) once per device weight and iteration. scipy
does it in complex arithmetic; with numba installed (``pip install mec-gym[fast]``) a compiled
replica of scipy's algorithm (``_lambert_compiled``) gives the same doubles, bit for bit, at a
fraction of the cost per element and per call. The replica is used only after it has matched scipy
on a probe grid in this process (a different scipy or libm falls back, with a warning); elements it
does not cover, and every element without numba, are scipy's own.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import lambertw

_kernel = None  # the compiled replica once loaded and checked, False when unavailable


def principal_branch(z: np.ndarray) -> np.ndarray:
    """``scipy.special.lambertw(z).real`` for float64 z in [-1/e, 0) (any shape), bit for bit."""
    kernel = _kernel if _kernel is not None else _load_kernel()
    if kernel is False:
        return lambertw(z).real
    z = np.ascontiguousarray(z, dtype=np.float64)
    out = np.empty(z.shape)
    if kernel(z.reshape(-1), out.reshape(-1)):
        missed = np.isnan(out)
        out[missed] = lambertw(z[missed]).real
    return out


def implementation() -> str:
    """Which W0 ``principal_branch`` runs in this process: "numba <version>" (the compiled replica)
    or "scipy"."""
    kernel = _kernel if _kernel is not None else _load_kernel()
    if kernel is False:
        return "scipy"
    import numba

    return f"numba {numba.__version__}"


def probe_points() -> np.ndarray:
    """Where the replica is checked before use: s from 1e-6 to 750 (z = -exp(-1 - s)) on a log grid,
    both initial guesses' ranges and their border, the branch point and 0."""
    s = np.geomspace(1e-6, 750.0, 2001)
    border = -np.exp(-1.0) + 0.3
    return np.concatenate([-np.exp(-1.0 - s), np.nextafter(border, 0.0) + np.arange(-8, 9) * 1e-17,
                           [-np.exp(-1.0), -0.0, -5e-324]])


def _load_kernel():
    global _kernel
    try:
        from mec_gym.envs.wpmec._lambert_compiled import principal_branch_into
    except ImportError:  # numba is optional
        _kernel = False
        return _kernel
    _kernel = principal_branch_into if _agrees_with_scipy(principal_branch_into) else False
    if _kernel is False:
        warnings.warn("mec_gym: the compiled Lambert W differs from scipy's on this machine; using scipy's",
                      RuntimeWarning, stacklevel=3)
    return _kernel


def _agrees_with_scipy(kernel) -> bool:
    z = probe_points()
    out = np.empty(z.shape)
    kernel(z, out)
    expected = lambertw(z).real
    covered = ~np.isnan(out)
    return bool(covered.sum() > 0.99 * z.size and (out[covered].view(np.int64) == expected[covered].view(np.int64)).all())
