"""WPMEC's Lambert W0 (mec_gym.envs.wpmec.lambert): scipy's doubles, bit for bit, compiled or not."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import lambertw

from mec_gym.envs.wpmec import lambert


def _same_doubles(a, b):
    return np.array_equal(np.asarray(a).view(np.int64), np.asarray(b).view(np.int64))


def _price_iteration_arguments(count, seed):
    """z = -exp(-1 - s) for s log-uniform over the price iteration's range and beyond."""
    rng = np.random.default_rng(seed)
    s = np.exp(rng.uniform(np.log(1e-7), np.log(800.0), count))
    return -np.exp(-1.0 - s)


def test_compiled_replica_gives_scipys_doubles():
    pytest.importorskip("numba")
    from mec_gym.envs.wpmec._lambert_compiled import principal_branch_into

    z = np.concatenate([_price_iteration_arguments(400_000, 0), lambert.probe_points()])
    out = np.empty(z.shape)
    missed = principal_branch_into(z, out)
    covered = ~np.isnan(out)
    assert missed == z.size - covered.sum()
    assert np.isin(z[~covered], [0.0, -np.exp(-1.0)]).all()  # only 0 (exp underflowed) and the branch point
    assert _same_doubles(out[covered], lambertw(z[covered]).real)


@pytest.mark.parametrize("compiled", [True, False])
def test_principal_branch_is_scipys_lambertw_on_any_shape(monkeypatch, compiled):
    if compiled:
        pytest.importorskip("numba")
        lambert.principal_branch(np.array([-0.1]))  # load and check the kernel
        assert lambert._kernel is not False
    else:
        monkeypatch.setattr(lambert, "_kernel", False)
    z = _price_iteration_arguments(3 * 5 * 7, 1).reshape(3, 5, 7)
    z[0, 0, 0], z[1, 2, 3], z[2, 4, 6] = -np.exp(-1.0), -0.0, -5e-324  # elements scipy itself answers
    expected = lambertw(z).real
    got = lambert.principal_branch(z)
    assert got.shape == z.shape and _same_doubles(got, expected)
    assert _same_doubles(lambert.principal_branch(z[:, ::2, 1]), expected[:, ::2, 1])  # not contiguous


def test_a_kernel_that_disagrees_with_scipy_is_not_used(monkeypatch):
    def off_by_one_ulp(z, out):
        out[:] = np.nextafter(lambertw(z).real, 0.0)
        return 0

    assert not lambert._agrees_with_scipy(off_by_one_ulp)

    def exact(z, out):
        out[:] = lambertw(z).real
        return int(np.isnan(out).sum())

    assert lambert._agrees_with_scipy(exact)


def test_implementation_names_what_runs(monkeypatch):
    monkeypatch.setattr(lambert, "_kernel", False)
    assert lambert.implementation() == "scipy"
    numba = pytest.importorskip("numba")
    monkeypatch.setattr(lambert, "_kernel", None)
    assert lambert.implementation() == f"numba {numba.__version__}"
