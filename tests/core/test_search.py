"""Batched search: enumeration order, chunking and coordinate descent on hand-made oracles."""

import itertools

import numpy as np

from mec_gym.core import search
from mec_gym.core.metrics import jain_index, normalized_rate


def test_decisions_enumerate_the_product_space_in_order():
    nvec = np.array([2, 3, 2])
    got = np.concatenate(list(search.iter_decisions(nvec, chunk_size=5)))
    np.testing.assert_array_equal(got, np.array(list(itertools.product(range(2), range(3), range(2)))))


def test_exhaustive_search_finds_the_planted_optimum_across_chunks():
    target = np.array([1, 0, 2, 1])
    nvec = np.array([2, 3, 3, 2])

    def oracle(batch):
        return -np.abs(batch - target).sum(axis=1).astype(float)

    action, reward = search.exhaustive_search(oracle, nvec, chunk_size=7)
    np.testing.assert_array_equal(action, target)
    assert reward == 0.0


def test_coordinate_descent_reaches_a_separable_optimum_and_stops():
    weights = np.array([3.0, -1.0, 2.0, -5.0])
    calls = []

    def oracle(batch):
        calls.append(len(batch))
        return batch @ weights

    action, reward = search.coordinate_descent(oracle, np.full(4, 2))
    np.testing.assert_array_equal(action, [1, 0, 1, 0])
    assert reward == 5.0
    assert calls[1:] == [4] * (len(calls) - 1)  # one batched call per round, all single flips


def test_metrics_hand_cases():
    assert jain_index(np.ones(5)) == 1.0
    assert jain_index(np.array([1.0, 0, 0, 0])) == 0.25
    np.testing.assert_allclose(normalized_rate([1.0, 2.0], [2.0, 2.0]), [0.5, 1.0])


def test_multistart_descent_escapes_a_trap_and_never_beats_enumeration():
    """A separable oracle with a coupling that traps descent from zeros: flipping any single bit of
    all-zeros loses, the all-ones decision wins. The best-response start (each bit at its best
    against zeros) does not help here, a kick may; on random quadratic oracles multi-start lies
    between single descent and the exhaustive optimum, and is deterministic."""
    from mec_gym.core.search import best_response, multistart_descent

    nvec = np.full(6, 2)

    def trap(batch):
        ones = batch.sum(axis=1)
        return np.where(ones == 6, 10.0, -ones.astype(float))

    assert search.coordinate_descent(trap, nvec)[1] == 0.0
    np.testing.assert_array_equal(best_response(trap, nvec), np.zeros(6))
    rng = np.random.default_rng(0)
    for _ in range(20):
        weights = rng.normal(size=(6, 6))
        nvec = np.full(6, 3)

        def quadratic(batch, w=weights):
            x = batch.astype(float)
            return np.einsum("ki,ij,kj->k", x, w, x)

        exact = search.exhaustive_search(quadratic, nvec)[1]
        single = search.coordinate_descent(quadratic, nvec)[1]
        action, multi = multistart_descent(quadratic, nvec, starts=5)
        assert single <= multi <= exact + 1e-12
        assert multi == quadratic(action[None])[0]
        assert np.array_equal(multistart_descent(quadratic, nvec, starts=5)[0], action)
