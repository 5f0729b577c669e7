"""mec_gym.core.draws: per-env draw programs in one compiled loop equal NumPy's calls, call after call."""

from __future__ import annotations

import numpy as np
import pytest

from mec_gym.core import draws

PROGRAM = (("standard_normal", 6), ("random", 9), ("integers", 3, 7, 11), ("random", 1), ("standard_exponential", 4))


def _numpy_draws(rng, program):
    """The program as plain NumPy calls, one per op."""
    return np.concatenate([rng.integers(op[2], op[3], size=op[1]) if op[0] == "integers" else getattr(rng, op[0])(size=op[1])
                           for op in program])


@pytest.mark.parametrize("compiled", [True, False])
def test_batched_programs_are_each_generators_numpy_calls_across_calls_subsets_and_new_generators(monkeypatch, compiled):
    if compiled:
        pytest.importorskip("numba")
        monkeypatch.setattr(draws, "_kernel", None)
        monkeypatch.setattr(draws, "_typed", {})
        assert draws.implementation().startswith("numba")
    else:
        monkeypatch.setattr(draws, "_kernel", False)
        assert draws.implementation() == "NumPy"
    seeds = list(range(20, 26))
    mine = [np.random.default_rng(seed) for seed in seeds]
    theirs = [np.random.default_rng(seed) for seed in seeds]
    ops = np.random.default_rng(0)
    for step in range(40):
        picked = list(range(len(seeds))) if step % 5 else sorted(ops.choice(6, 3, replace=False).tolist())
        if step == 17:  # a seeded reset replaces one env's generator
            mine[2], theirs[2] = np.random.default_rng(99), np.random.default_rng(99)
        program = PROGRAM if step % 2 else PROGRAM[::-1]
        got = draws.draw_per_env([mine[i] for i in picked], program)
        assert [block.shape for block in got] == [(len(picked), op[1]) for op in program]
        expected = np.array([_numpy_draws(theirs[i], program) for i in picked])
        assert all(block.dtype == np.float64 for block in got) and np.array_equal(np.hstack(got), expected)
    assert all(a.bit_generator.state == b.bit_generator.state for a, b in zip(mine, theirs))
    if compiled:
        assert draws._typed  # the compiled loop did serve the repeated batches


def test_a_kernel_that_draws_otherwise_is_not_used():
    numba = pytest.importorskip("numba")
    from numba.typed import List

    from mec_gym.core._draws_compiled import draw_program_into

    @numba.njit
    def exponentials_by_inversion(generators, kinds, counts, lows, highs, out):
        """Exp(1) as -log(1 - U): the right distribution, not NumPy's draws."""
        for i in range(len(generators)):
            column = 0
            for op in range(kinds.size):
                if kinds[op] == 3:
                    values = generators[i].integers(lows[op], highs[op], counts[op])
                    for j in range(counts[op]):
                        out[i, column + j] = values[j]
                for j in range(counts[op] if kinds[op] != 3 else 0):
                    if kinds[op] == 0:
                        out[i, column + j] = generators[i].standard_normal()
                    elif kinds[op] == 1:
                        out[i, column + j] = generators[i].random()
                    else:
                        out[i, column + j] = -np.log(1.0 - generators[i].random())
                column += counts[op]

    assert not draws._agrees_with_numpy(exponentials_by_inversion, List)
    assert draws._agrees_with_numpy(draw_program_into, List)


def test_batches_stepping_in_turn_each_get_the_compiled_loop(monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setattr(draws, "_typed", {})
    monkeypatch.setattr(draws, "_recently_missed", [])
    first, second = ([np.random.default_rng(seed) for seed in seeds] for seeds in ([1, 2], [3, 4]))
    for _ in range(3):  # two vector envs stepping alternately
        draws.draw_per_env(first, PROGRAM)
        draws.draw_per_env(second, PROGRAM)
    assert set(draws._typed) == {tuple(map(id, first)), tuple(map(id, second))}


def test_a_kernel_that_fails_to_compile_or_run_falls_back_to_numpy_with_a_warning(monkeypatch):
    pytest.importorskip("numba")

    def fails(*args):
        raise RuntimeError("cannot cache function: no locator available")

    monkeypatch.setattr(draws, "_kernel", None)
    monkeypatch.setattr(draws, "_agrees_with_numpy", fails)
    with pytest.warns(RuntimeWarning, match="no locator"):
        assert draws.implementation() == "NumPy"
    rngs, reference = [np.random.default_rng(5), np.random.default_rng(6)], [np.random.default_rng(5), np.random.default_rng(6)]
    assert np.array_equal(np.hstack(draws.draw_per_env(rngs, PROGRAM)), [_numpy_draws(rng, PROGRAM) for rng in reference])


@pytest.mark.parametrize("op", [("uniform", 3), ("integers", 3), ("random", 2, 0, 5)])
def test_a_malformed_program_is_refused_with_the_op_named(op):
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    with pytest.raises(ValueError, match="draw program op"):
        draws.draw_per_env([rng], (("random", 1), op))
    assert rng.bit_generator.state == state  # nothing drawn
