"""mec_gym.core.draws: per-env draws in one compiled loop equal NumPy's, call after call."""

from __future__ import annotations

import numpy as np
import pytest

from mec_gym.core import draws


def _numpy_draws(rngs, normal_shape, exponential_shape):
    normals, exponentials = [], []
    for rng in rngs:
        normals.append(rng.standard_normal(normal_shape))
        exponentials.append(rng.standard_exponential(exponential_shape))
    return np.array(normals), np.array(exponentials)


@pytest.mark.parametrize("compiled", [True, False])
def test_batched_draws_are_each_generators_numpy_draws_across_calls_subsets_and_new_generators(monkeypatch, compiled):
    if compiled:
        pytest.importorskip("numba")
        monkeypatch.setattr(draws, "_kernel", None)
        assert draws.implementation().startswith("numba")
    else:
        monkeypatch.setattr(draws, "_kernel", False)
    seeds = list(range(20, 26))
    mine = [np.random.default_rng(seed) for seed in seeds]
    theirs = [np.random.default_rng(seed) for seed in seeds]
    ops = np.random.default_rng(0)
    for step in range(40):
        picked = list(range(len(seeds))) if step % 5 else sorted(ops.choice(6, 3, replace=False).tolist())
        if step == 17:  # a seeded reset replaces one env's generator
            mine[2], theirs[2] = np.random.default_rng(99), np.random.default_rng(99)
        normals, exponentials = np.empty((len(picked), 2, 4)), np.empty((len(picked), 4, 3))
        draws.normals_then_exponentials([mine[i] for i in picked], normals, exponentials)
        expected = _numpy_draws([theirs[i] for i in picked], (2, 4), (4, 3))
        assert np.array_equal(normals, expected[0]) and np.array_equal(exponentials, expected[1])
    assert all(a.bit_generator.state == b.bit_generator.state for a, b in zip(mine, theirs))
    if compiled:
        assert draws._typed  # the compiled loop did serve the repeated batches


def test_a_kernel_that_draws_otherwise_is_not_used():
    numba = pytest.importorskip("numba")
    from numba.typed import List

    @numba.njit
    def exponentials_first(generators, normals, exponentials):
        for i in range(len(generators)):
            for j in range(exponentials.shape[1]):
                exponentials[i, j] = generators[i].standard_exponential()
            for j in range(normals.shape[1]):
                normals[i, j] = generators[i].standard_normal()

    assert not draws._agrees_with_numpy(exponentials_first, List)
    from mec_gym.core._draws_compiled import normals_then_exponentials_into

    assert draws._agrees_with_numpy(normals_then_exponentials_into, List)
