"""Math of P2's price iteration that must equal a reference bit for bit, compiled when numba is installed.

P2's price iteration (``oracle``) evaluates, per state and iteration, the principal branch W0 of
Lambert's W at z = -exp(-1 - s), as ``scipy.special.lambertw(z).real``; the per-device terms of
the price map and their sums over devices (``device_terms_reference``, NumPy); and, for states
with one candidate, Python's ``math.exp`` and ``math.log`` (the single env's iteration runs on
Python floats, and a batch must reproduce it). With numba installed (``pip install mec-gym[fast]``)
these run as compiled loops (``_exact_math_compiled``): W0 as a replica of scipy's algorithm, the
device terms in NumPy's operations and summation order, exp and log as the C library's, as Python
calls them; the same doubles, at a fraction of the cost per call and per element. The kernels are
used only after they have matched their references on a probe grid in this process
(``core.compiled.load_checked``: otherwise the references run); W0's elements the replica does not
cover are scipy's own.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import lambertw

from mec_gym.core.compiled import load_checked, numba_version

_kernels = None  # the compiled kernels once loaded and checked ({name: function}), {} when unavailable
_PAIRWISE_MAX = 128  # devices up to which the compiled sums follow NumPy's order (one pairwise block)
_ALL_DEVICES = np.arange(_PAIRWISE_MAX)  # expand for per-device z


def principal_branch(z: np.ndarray) -> np.ndarray:
    """``scipy.special.lambertw(z).real`` for float64 z in [-1/e, 0) (any shape), bit for bit."""
    kernel = _loaded().get("principal_branch_into")
    if kernel is None:
        return lambertw(z).real
    out, missed_count = _run_elementwise(kernel, z)
    if missed_count:
        missed = np.isnan(out)
        out[missed] = lambertw(z[missed]).real
    return out


def device_terms(z: np.ndarray, expand: np.ndarray | None, c: np.ndarray, weighted_c: np.ndarray,
                 v_scale: np.ndarray) -> tuple[np.ndarray, ...]:
    """``device_terms_reference``, compiled when numba is installed (the same doubles)."""
    kernel = _loaded().get("device_terms_into")
    devices = c.shape[-1]
    if kernel is None or devices > _PAIRWISE_MAX:
        return device_terms_reference(z, expand, c, weighted_c, v_scale)
    rows = c.size // devices
    z_out, c_over_z, sums = np.empty(c.shape), np.empty(c.shape), np.empty((rows, 3))
    inputs = (z.reshape(rows, -1), _ALL_DEVICES[:devices] if expand is None else expand, c.reshape(rows, devices),
              weighted_c.reshape(rows, devices), v_scale)
    outputs = (z_out.reshape(rows, devices), c_over_z.reshape(rows, devices), sums)
    try:
        kernel(*inputs, *outputs)
    except TypeError:  # an input the signature does not take (read-only, strided, another dtype): as it takes them
        kernel(*(np.require(x, np.int64 if x is inputs[1] else np.float64, ("C", "W")) for x in inputs), *outputs)
    shape = c.shape[:-1]
    return z_out, c_over_z, sums[:, 0].reshape(shape), sums[:, 1].reshape(shape), sums[:, 2].reshape(shape)


def device_terms_reference(z, expand, c, weighted_c, v_scale):
    """The price map's per-device terms for candidates (..., N): the ratios z per device (``z``
    holds one column per distinct weight and ``expand`` maps devices to columns; None: z is per
    device already), c / z, and the sums over devices of c / z, w c / (1 + z) and
    (c / z) (1 + 1/z)^2 / (w eps) (``v_scale`` = w eps), as NumPy computes them."""
    if expand is not None:
        z = z[..., expand]
    c_over_z = c / z
    return (z, c_over_z, np.add.reduce(c_over_z, axis=-1), np.add.reduce(weighted_c / (1.0 + z), axis=-1),
            np.add.reduce(c_over_z * (1.0 + 1.0 / z) ** 2 / v_scale, axis=-1))


def compiled_exp(x: np.ndarray) -> np.ndarray | None:
    """``math.exp`` elementwise, or None without the compiled kernels."""
    return _elementwise("exp_into", x)


def compiled_log(x: np.ndarray) -> np.ndarray | None:
    """``math.log(x) if x > 0 else -inf`` elementwise, or None without the compiled kernels."""
    return _elementwise("log_into", x)


def _elementwise(name, x):
    kernel = _loaded().get(name)
    if kernel is None:
        return None
    return _run_elementwise(kernel, x)[0]


def _run_elementwise(kernel, x):
    """(out, the kernel's return) of an elementwise kernel on x of any shape."""
    out = np.empty(np.shape(x))
    try:
        returned = kernel(x.reshape(-1), out.reshape(-1))
    except (TypeError, AttributeError):  # not an array the signature takes (read-only, another dtype): as it takes them
        returned = kernel(np.require(x, np.float64, ("C", "W")).reshape(-1), out.reshape(-1))
    return out, returned


def implementation() -> str:
    """What runs in this process: "numba <version>" (the compiled kernels) or "scipy and Python"."""
    return numba_version() if _loaded() else "scipy and Python"


def probe_points() -> np.ndarray:
    """Where the W0 replica is checked before use: s from 1e-6 to 750 (z = -exp(-1 - s)) on a log
    grid, both initial guesses' ranges and their border, the branch point and 0."""
    s = np.geomspace(1e-6, 750.0, 2001)
    border = -np.exp(-1.0) + 0.3
    return np.concatenate([-np.exp(-1.0 - s), np.nextafter(border, 0.0) + np.arange(-8, 9) * 1e-17,
                           [-np.exp(-1.0), -0.0, -5e-324]])


def _loaded() -> dict:
    """The compiled kernels ({name: function}), loaded and checked at the first call; {} without them."""
    global _kernels
    if _kernels is None:
        _kernels = load_checked(_import_kernels, _agree_with_references, "W0 / device terms / exp / log") or {}
    return _kernels


def _import_kernels() -> dict:
    from mec_gym.envs.wpmec import _exact_math_compiled as compiled

    return {name: getattr(compiled, name) for name in ("principal_branch_into", "exp_into", "log_into", "device_terms_into")}


def _agree_with_references(kernels: dict) -> bool:
    z = probe_points()
    w = np.empty(z.shape)
    kernels["principal_branch_into"](z, w)
    covered = ~np.isnan(w)
    w_ok = covered.sum() > 0.99 * z.size and _same_doubles(w[covered], lambertw(z[covered]).real)
    probe = np.random.default_rng(0)
    x = np.concatenate([probe.uniform(-745.0, 710.0, 2000), probe.uniform(-30.0, 30.0, 2000)])
    positive = np.concatenate([10.0 ** probe.uniform(-310.0, 308.0, 4000), [1.0, 0.5, 2.0]])
    exp, log = np.empty(x.shape), np.empty(positive.size + 2)
    kernels["exp_into"](x, exp)
    kernels["log_into"](np.concatenate([positive, [0.0, -1.0]]), log)
    exp_ok = _same_doubles(exp, [math.exp(v) for v in x.tolist()])
    log_ok = _same_doubles(log, [math.log(v) for v in positive.tolist()] + [-math.inf, -math.inf])
    return bool(w_ok and exp_ok and log_ok and _device_terms_agree(kernels["device_terms_into"]))


def _device_terms_agree(kernel) -> bool:
    """The compiled device terms against ``device_terms_reference`` on random candidates of 1 to
    128 devices, per-device and per-weight ratios, zero gains and infinite ratios among them."""
    probe = np.random.default_rng(1)
    for devices in (1, 2, 7, 8, 9, 10, 16, 17, 30, 64, 127, 128):
        rows, columns = 6, 1 + devices // 3
        expand = probe.integers(0, columns, devices)
        z = 10.0 ** probe.uniform(-3.0, 3.0, (rows, columns))
        z[0, 0] = np.inf
        c = 10.0 ** probe.uniform(-6.0, 6.0, (rows, devices)) * (probe.random((rows, devices)) < 0.7)
        weighted_c, v_scale = c * probe.uniform(0.5, 2.0, devices), probe.uniform(1e5, 1e7, devices)
        with np.errstate(all="ignore"):
            expected = device_terms_reference(z, expand, c, weighted_c, v_scale)
            z_out, c_over_z, sums = np.empty(c.shape), np.empty(c.shape), np.empty((rows, 3))
            kernel(z, expand, c, weighted_c, v_scale, z_out, c_over_z, sums)
        got = (z_out, c_over_z, sums[:, 0], sums[:, 1], sums[:, 2])
        if not all(_same_doubles(a, b) for a, b in zip(got, expected)):
            return False
    return True


def _same_doubles(a, b) -> bool:
    return np.array_equal(np.asarray(a, dtype=np.float64).view(np.int64), np.asarray(b, dtype=np.float64).view(np.int64))
