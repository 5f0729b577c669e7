"""WPMEC's exact math (mec_gym.envs.wpmec.exact_math): scipy's W0 and Python's exp / log, bit for bit,
compiled or not."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import lambertw

from mec_gym.envs.wpmec import exact_math, oracle


def _same_doubles(a, b):
    return np.array_equal(np.asarray(a, dtype=np.float64).view(np.int64), np.asarray(b, dtype=np.float64).view(np.int64))


def _price_iteration_arguments(count, seed):
    """z = -exp(-1 - s) for s log-uniform over the price iteration's range and beyond."""
    rng = np.random.default_rng(seed)
    s = np.exp(rng.uniform(np.log(1e-7), np.log(800.0), count))
    return -np.exp(-1.0 - s)


def _compiled():
    pytest.importorskip("numba")
    from mec_gym.envs.wpmec import _exact_math_compiled

    return _exact_math_compiled


def test_compiled_w0_gives_scipys_doubles():
    z = np.concatenate([_price_iteration_arguments(400_000, 0), exact_math.probe_points()])
    out = np.empty(z.shape)
    missed = _compiled().principal_branch_into(z, out)
    covered = ~np.isnan(out)
    assert missed == z.size - covered.sum()
    assert np.isin(z[~covered], [0.0, -np.exp(-1.0)]).all()  # only 0 (exp underflowed) and the branch point
    assert _same_doubles(out[covered], lambertw(z[covered]).real)


def test_compiled_exp_and_log_give_pythons_doubles():
    compiled, rng = _compiled(), np.random.default_rng(5)
    x = np.concatenate([rng.uniform(-750.0, 720.0, 100_000), rng.normal(0.0, 3.0, 100_000), [0.0, -0.0, np.inf, -np.inf]])
    exp = np.empty(x.shape)
    compiled.exp_into(x, exp)
    assert _same_doubles(exp, [math.exp(v) if v < 709.8 else math.inf for v in x.tolist()])
    y = np.concatenate([10.0 ** rng.uniform(-320.0, 308.0, 100_000), rng.uniform(0.4, 2.1, 100_000), [np.inf]])
    log = np.empty(y.size + 3)
    compiled.log_into(np.concatenate([y, [0.0, -2.0, np.nan]]), log)
    assert _same_doubles(log, [math.log(v) for v in y.tolist()] + [-math.inf] * 3)


def test_compiled_device_terms_pass_the_load_check_and_give_numpys_doubles():
    kernel = _compiled().device_terms_into
    assert exact_math._device_terms_agree(kernel)
    rng = np.random.default_rng(4)
    z, c = 10.0 ** rng.uniform(-2.0, 2.0, (500, 2)), 10.0 ** rng.uniform(-3.0, 3.0, (500, 10))
    expand, v_scale = np.arange(10) % 2, rng.uniform(1e5, 1e7, 10)
    z_out, c_over_z, sums = np.empty(c.shape), np.empty(c.shape), np.empty((500, 3))
    kernel(z, expand, c, 1.5 * c, v_scale, z_out, c_over_z, sums)
    full = z[:, expand]
    assert _same_doubles(z_out, full) and _same_doubles(c_over_z, c / full)
    assert _same_doubles(sums[:, 0], (c / full).sum(axis=1))
    assert _same_doubles(sums[:, 1], (1.5 * c / (1.0 + full)).sum(axis=1))
    assert _same_doubles(sums[:, 2], (c / full * (1.0 + 1.0 / full) ** 2 / v_scale).sum(axis=1))


@pytest.mark.parametrize("compiled", [True, False])
def test_principal_branch_is_scipys_lambertw_on_any_shape(monkeypatch, compiled):
    if compiled:
        _compiled()
        monkeypatch.setattr(exact_math, "_kernels", None)
        assert exact_math.implementation().startswith("numba")  # loaded and checked
    else:
        monkeypatch.setattr(exact_math, "_kernels", {})
        assert exact_math.implementation() == "scipy and Python"
    z = _price_iteration_arguments(3 * 5 * 7, 1).reshape(3, 5, 7)
    z[0, 0, 0], z[1, 2, 3], z[2, 4, 6] = -np.exp(-1.0), -0.0, -5e-324  # elements scipy itself answers
    expected = lambertw(z).real
    got = exact_math.principal_branch(z)
    assert got.shape == z.shape and _same_doubles(got, expected)
    assert _same_doubles(exact_math.principal_branch(z[:, ::2, 1]), expected[:, ::2, 1])  # not contiguous
    # and the oracle's elementwise exp / log, whichever runs
    x = np.random.default_rng(2).uniform(-40.0, 40.0, (4, 3))
    assert _same_doubles(oracle._python_exp(x), [[math.exp(v) for v in row] for row in x.tolist()])
    y = np.abs(x) * 1e3
    y[0, 0] = 0.0
    assert _same_doubles(oracle._python_log(y), [[math.log(v) if v > 0 else -math.inf for v in row] for row in y.tolist()])


def test_kernels_that_disagree_with_their_references_are_not_used():
    def exact_w(z, out):
        out[:] = lambertw(z).real
        return int(np.isnan(out).sum())

    def exact_exp(x, out):
        out[:] = [math.exp(v) for v in x.tolist()]

    def exact_log(x, out):
        out[:] = [math.log(v) if v > 0 else -math.inf for v in x.tolist()]

    def off_by_one_ulp(kernel):
        def wrong(x, out):
            result = kernel(x, out)
            out[:] = np.nextafter(out, 0.0)
            return result
        return wrong

    def exact_terms(z, expand, c, weighted_c, v_scale, z_out, c_over_z, sums):
        with np.errstate(all="ignore"):
            reference = exact_math.device_terms_reference(z, expand, c, weighted_c, v_scale)
        z_out[:], c_over_z[:] = reference[:2]
        sums[:] = np.stack(reference[2:], axis=1)

    def terms_off_by_one_ulp(*args):
        exact_terms(*args)
        args[-1][-1, 2] = np.nextafter(args[-1][-1, 2], 0.0)

    exact = {"principal_branch_into": exact_w, "exp_into": exact_exp, "log_into": exact_log,
             "device_terms_into": exact_terms}
    assert exact_math._agree_with_references(exact)
    wrong = {name: off_by_one_ulp(kernel) for name, kernel in exact.items() if name != "device_terms_into"}
    wrong["device_terms_into"] = terms_off_by_one_ulp
    for name in exact:
        assert not exact_math._agree_with_references({**exact, name: wrong[name]}), name


@pytest.mark.parametrize("devices", [1, 5, 8, 10, 23, 128, 129])
@pytest.mark.parametrize("per_weight", [False, True])
def test_device_terms_are_numpys_on_batches_of_candidates(devices, per_weight):
    """exact_math.device_terms (compiled when numba is there) against NumPy's own formulas and sums on
    (B, K, N) candidates, zero gains and infinite ratios included (129 devices: NumPy's path)."""
    rng = np.random.default_rng(devices)
    shape = (7, 3, devices)
    expand = rng.integers(0, 2, devices) if per_weight else None
    z = 10.0 ** rng.uniform(-3.0, 3.0, shape[:2] + ((2,) if per_weight else (devices,)))
    z[0, 0, 0] = np.inf
    c = 10.0 ** rng.uniform(-6.0, 6.0, shape) * (rng.random(shape) < 0.7)
    weights = rng.uniform(0.5, 2.0, devices)
    v_scale = weights * 1e6
    with np.errstate(all="ignore"):
        got = exact_math.device_terms(z, expand, c, weights * c, v_scale)
        full = z[..., expand] if per_weight else z
        c_over_z = c / full
        expected = (full, c_over_z, c_over_z.sum(axis=-1), (weights * c / (1.0 + full)).sum(axis=-1),
                    (c_over_z * (1.0 + 1.0 / full) ** 2 / v_scale).sum(axis=-1))
    for a, b in zip(got, expected):
        assert a.shape == b.shape and _same_doubles(a, b)


def test_kernels_that_fail_to_compile_or_run_leave_the_references_with_a_warning(monkeypatch):
    pytest.importorskip("numba")

    def fails(kernels):
        raise RuntimeError("cannot cache function: no locator available")

    monkeypatch.setattr(exact_math, "_kernels", None)
    monkeypatch.setattr(exact_math, "_agree_with_references", fails)
    with pytest.warns(RuntimeWarning, match="no locator"):
        assert exact_math.implementation() == "scipy and Python"
    z = _price_iteration_arguments(50, 3)
    assert _same_doubles(exact_math.principal_branch(z), lambertw(z).real)


def test_read_only_inputs_are_accepted():
    z = _price_iteration_arguments(20, 4)
    z.flags.writeable = False
    assert _same_doubles(exact_math.principal_branch(z), lambertw(z).real)
    x = np.linspace(-3.0, 3.0, 7)
    x.flags.writeable = False
    assert _same_doubles(oracle._python_exp(x), [math.exp(v) for v in x.tolist()])
