"""QIO: one oracle call per iteration, valid MultiDiscrete codes, and the exact optimum on WPMEC."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import mec_gym  # noqa: F401
from baselines.qio import QIOConfig, QIOPolicy, qio_search


def test_one_oracle_call_per_iteration_with_the_whole_population():
    calls = []

    def oracle(batch):
        calls.append(batch.shape)
        return -np.abs(batch - np.array([2, 0, 4, 1])).sum(axis=1).astype(float)

    config = QIOConfig(population=30, iterations=100)
    best, reward = qio_search(oracle, np.array([3, 5, 5, 2]), np.random.default_rng(0), config)
    assert calls == [(30, 4)] * 100
    np.testing.assert_array_equal(best, [2, 0, 4, 1])
    assert reward == 0.0


def test_multidiscrete_codes_stay_in_range():
    seen = []

    def oracle(batch):
        seen.append(batch.copy())
        return np.zeros(len(batch))

    qio_search(oracle, np.array([3, 5, 7]), np.random.default_rng(1), QIOConfig(iterations=20))
    every = np.concatenate(seen)
    assert every.min() >= 0 and (every < np.array([3, 5, 7])).all()
    assert len(np.unique(every[:, 1])) == 5  # every value of a 5-choice coordinate is reachable


def test_finds_the_exact_optimum_on_wpmec_frames():
    env = gym.make("WPMEC-v0")
    policy, rng, hits = QIOPolicy(), np.random.default_rng(0), 0
    for frame in range(20):
        env.reset(seed=frame)
        hits += np.array_equal(policy(env, rng), env.unwrapped.optimum().action)
    assert hits >= 19


def test_a_proposal_joins_the_first_call_and_is_never_lost():
    target = np.array([2, 0, 4, 1])
    calls = []

    def oracle(batch):
        calls.append(len(batch))
        return -np.abs(batch - target).sum(axis=1).astype(float)

    # one iteration: the population alone almost never hits the target; the proposal is the target
    best, reward = qio_search(oracle, np.array([3, 5, 5, 2]), np.random.default_rng(0), QIOConfig(iterations=1),
                              start=target)
    assert calls == [31] and reward == 0.0
    np.testing.assert_array_equal(best, target)
    with pytest.raises(ValueError, match="start"):
        qio_search(oracle, np.array([3, 5, 5, 2]), np.random.default_rng(0), start=np.array([3, 0, 0, 0]))


def test_refining_all_local_on_multiserver_iot_never_ends_worse_than_all_local():
    env = gym.make("MultiServerIoT-v0", num_devices=60)
    local = lambda env, rng: np.zeros(env.unwrapped.action_space.shape, dtype=np.int64)  # noqa: E731
    policy, rng = QIOPolicy(QIOConfig(iterations=10), proposal=local), np.random.default_rng(0)
    for frame in range(3):
        env.reset(seed=frame)
        decision = policy(env, rng)
        rewards = env.unwrapped.evaluate(np.stack([decision, np.zeros_like(decision)])).rewards
        assert rewards[0] >= rewards[1]
