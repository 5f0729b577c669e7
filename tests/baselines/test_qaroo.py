"""QAROO: UGQ on hand-made vectors, the variants learn, and save/load round-trips."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import mec_gym  # noqa: F401
from baselines.qaroo import QAROO, QAROOConfig, uncertainty_guided


def test_ugq_starts_with_the_threshold_and_stays_distinct():
    m = np.array([0.9, 0.45, 0.7, 0.1, 0.52])
    got = uncertainty_guided(m, 8, np.random.default_rng(0))
    np.testing.assert_array_equal(got[0], [1, 0, 1, 0, 1])
    assert len({row.tobytes() for row in got}) == 8
    rng = np.random.default_rng(1)
    for _ in range(30):
        m = rng.uniform(size=4)
        got = uncertainty_guided(m, 16, rng)
        assert len({row.tobytes() for row in got}) == 16  # every one of the 2^4 vectors, no repeat
    ties = uncertainty_guided(np.full(3, 0.5), 8, rng)  # all equally uncertain
    assert len({row.tobytes() for row in ties}) == 8
    assert len(uncertainty_guided(np.full(3, 0.5), 20, rng)) == 8  # K > 2^N: every vector once
    wide = rng.uniform(size=40)  # N > 20: distinct without enumerating 2^N
    got = uncertainty_guided(wide, 60, rng)
    assert len({row.tobytes() for row in got}) == 60
    np.testing.assert_array_equal(got[0], (wide > 0.5).astype(np.int8))


@pytest.mark.parametrize("actor", ["rnn", "quantum_attention"])
def test_variants_learn_and_round_trip(actor, tmp_path):
    env = gym.make("WPMEC-v0", num_devices=5)
    config = QAROOConfig(actor=actor, quantizer="ugq", batch_size=32, track_optimum=True)
    agent = QAROO(env, config, seed=0).learn(200)
    losses = np.array([x for x in agent.history["loss"] if np.isfinite(x)])
    assert losses[-3:].mean() < losses[:3].mean()
    agent.save(tmp_path / "qaroo.pt")
    loaded = QAROO.load(tmp_path / "qaroo.pt", env)
    obs = env.unwrapped._observe(env.unwrapped._state)
    sequence = agent._network_input(obs)
    loaded._recent = type(agent._recent)(agent._recent, maxlen=agent._recent.maxlen)
    np.testing.assert_allclose(loaded._relaxed_from_input(sequence), agent._relaxed_from_input(sequence), atol=1e-6)


def test_bad_config_raises():
    with pytest.raises(ValueError, match="actor"):
        QAROOConfig(actor="transformer")
    with pytest.raises(ValueError, match="quantizer"):
        QAROOConfig(quantizer="knn")
    with pytest.raises(ValueError, match="batch_size"):
        QAROOConfig(batch_size=0)
    with pytest.raises(ValueError, match="torch_threads"):
        QAROOConfig(torch_threads=0)
