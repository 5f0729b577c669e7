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
