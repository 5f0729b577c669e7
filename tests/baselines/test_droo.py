"""Quantisers on hand-made vectors, and DROO's smoke test (learning happens, save/load round-trips)."""

from __future__ import annotations

import itertools

import gymnasium as gym
import numpy as np
import pytest

import mec_gym  # noqa: F401
from baselines.common.quantizers import k_nearest, noisy_order_preserving, order_preserving
from baselines.droo import DROO, DROOConfig
from baselines.heuristics import random_policy


def test_order_preserving_on_a_hand_made_vector():
    m = np.array([0.9, 0.45, 0.7, 0.1, 0.52])
    got = order_preserving(m, 4)
    # first: threshold 0.5; then pivots by closeness to 0.5: 0.52 (>0.5: strict), 0.45 (>=), 0.7 (strict)
    expected = np.array([[1, 0, 1, 0, 1], [1, 0, 1, 0, 0], [1, 1, 1, 0, 1], [1, 0, 0, 0, 0]])
    np.testing.assert_array_equal(got, expected)


def _op_by_definition(m, k):
    """BASELINES.md's OP, one candidate at a time (k <= N + 1)."""
    rows = [m > 0.5]
    for pivot in sorted(range(len(m)), key=lambda i: abs(m[i] - 0.5))[: k - 1]:
        t = m[pivot]
        rows.append(m > t if t > 0.5 else m >= t)
    return np.array(rows, dtype=np.int8)


def test_order_preserving_gives_k_distinct_candidates_whenever_they_exist():
    rng = np.random.default_rng(0)
    for _ in range(50):
        m = rng.uniform(size=6)
        candidates = order_preserving(m, 7)
        np.testing.assert_array_equal(candidates, _op_by_definition(m, 7))
        assert len({c.tobytes() for c in candidates}) == 7
        more = order_preserving(m, 20)  # beyond OP's N + 1: the rule's candidates first, then distinct fill
        assert len({c.tobytes() for c in more}) == 20
        np.testing.assert_array_equal(more[:7], candidates)
    everything = order_preserving(rng.uniform(size=3), 10)  # 2^3 < 10: all eight vectors, once each
    assert len({c.tobytes() for c in everything}) == len(everything) == 8
    for ties in (np.full(4, 0.5), np.array([0.3, 0.3, 0.3, 0.8]), np.array([0.7, 0.7, 0.7])):
        got = order_preserving(ties, 4)
        assert len({c.tobytes() for c in got}) == 4
        np.testing.assert_array_equal(got[0], (ties > 0.5).astype(np.int8))


def test_k_nearest_matches_brute_force_distances():
    m = np.array([0.8, 0.3, 0.55, 0.05])
    got = k_nearest(m, 5)
    every = np.array(list(itertools.product((0, 1), repeat=4)))
    distances = ((every - m) ** 2).sum(axis=1)
    np.testing.assert_allclose(np.sort(((got - m) ** 2).sum(axis=1)), np.sort(distances)[:5])
    np.testing.assert_array_equal(got[0], [1, 0, 1, 0])


def test_noisy_order_preserving_has_no_duplicates_and_starts_with_op():
    m = np.array([0.9, 0.45, 0.7, 0.1, 0.52, 0.3])
    got = noisy_order_preserving(m, 8, np.random.default_rng(0))
    assert len({c.tobytes() for c in got}) == len(got) == 8
    np.testing.assert_array_equal(got[0], order_preserving(m, 1)[0])


def test_droo_learns_beats_random_and_round_trips(tmp_path):
    env = gym.make("WPMEC-v0", num_devices=6)
    agent = DROO(env, DROOConfig(track_optimum=True, batch_size=32), seed=0).learn(400)
    rates = np.array(agent.history["normalized_rate"])
    assert rates[-100:].mean() > rates[:50].mean()  # it learns
    losses = np.array([x for x in agent.history["loss"] if np.isfinite(x)])
    assert losses[-5:].mean() < losses[:5].mean()
    # against a random actor on the same frames
    probe = gym.make("WPMEC-v0", num_devices=6)
    rng, ratio_droo, ratio_random = np.random.default_rng(1), [], []
    for seed in range(30):
        obs, _ = probe.reset(seed=1000 + seed)
        best = probe.unwrapped.optimum().reward
        ratio_droo.append(probe.unwrapped.evaluate(agent.relaxed(obs)[None] > 0.5).rewards[0] / best)
        ratio_random.append(probe.unwrapped.evaluate(random_policy(probe, rng)[None]).rewards[0] / best)
    assert np.mean(ratio_droo) > np.mean(ratio_random) + 0.05
    agent.save(tmp_path / "droo.pt")
    loaded = DROO.load(tmp_path / "droo.pt", env)
    obs = env.unwrapped._observe(env.unwrapped._state)
    np.testing.assert_array_equal(loaded.candidates(obs), agent.candidates(obs))
    np.testing.assert_array_equal(loaded.predict(obs), agent.predict(obs))


def test_droo_rejects_a_non_binary_env_and_a_bad_quantizer():
    with pytest.raises(ValueError, match="MultiBinary"):
        DROO(gym.make("OFDMA-Consistency-v0"))
    with pytest.raises(ValueError, match="quantizer"):
        DROOConfig(quantizer="nope")


def test_lydroo_round_trips_its_input_standardisation(tmp_path):
    env = gym.make("PQC-NOMA-v0", num_devices=4)
    agent = DROO(env, DROOConfig.lydroo(batch_size=16, training_interval=5), seed=0).learn(60)
    assert agent.scaler.count == 60  # one input per frame
    agent.save(tmp_path / "lydroo.pt")
    loaded = DROO.load(tmp_path / "lydroo.pt", env)
    obs = env.unwrapped._observe(env.unwrapped._state)
    np.testing.assert_array_equal(loaded.scaler.mean, agent.scaler.mean)
    np.testing.assert_array_equal(loaded.relaxed(obs), agent.relaxed(obs))
    fresh = DROO(env, DROOConfig.lydroo(batch_size=16, training_interval=5), seed=0)
    fresh.actor.load_state_dict(agent.actor.state_dict())  # same weights, no statistics: a different input
    assert not np.allclose(fresh.relaxed(obs), agent.relaxed(obs))
