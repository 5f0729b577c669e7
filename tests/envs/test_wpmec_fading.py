"""WPMEC-v0 fading over time: Gauss-Markov (Jakes first-order) statistics against their closed forms."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from scipy import stats

import mec_gym  # noqa: F401

FRAMES = 100_000


def _power_stream(frames: int, seed: int, **config) -> np.ndarray:
    """(frames + 1, N) small-scale power h / hbar of one episode driven by env.step (all local)."""
    env = gym.make("WPMEC-v0", episode_length=frames + 1, **config).unwrapped
    env.reset(seed=seed)
    action = np.zeros(env.config.num_devices, dtype=np.int8)
    cfg = env.config  # the free-space average gain A_d (c / (4 pi f_c d))^{d_e}, written out
    average = cfg.antenna_gain * (3e8 / (4 * np.pi * cfg.carrier_frequency * env.state["distances"])) ** cfg.path_loss_exponent
    rows = [env.state["h"]]
    for _ in range(frames):
        env.step(action)
        rows.append(env.unwrapped.state["h"])
    return np.array(rows) / average


@pytest.mark.parametrize("rho", [0.5, 0.9])
def test_gauss_markov_power_is_exp1_with_lag1_autocorrelation_rho_squared(rho):
    power = _power_stream(FRAMES, seed=1, fading="gauss-markov", fading_correlation=rho)
    # lag-1 autocorrelation of |g|^2 for a complex Gaussian AR(1): |E[g_t g*_{t-1}]|^2 = rho^2
    lag1 = [np.corrcoef(power[1:, i], power[:-1, i])[0, 1] for i in range(power.shape[1])]
    assert abs(np.mean(lag1) - rho**2) <= 0.01, lag1
    # the marginal: Exp(1) (KS on frames far enough apart to be independent: rho^(2*100) < 1e-9)
    thinned = power[::100].ravel()
    assert stats.kstest(thinned, "expon").pvalue > 0.01


def test_rho_zero_is_the_iid_stream_bit_for_bit():
    iid = _power_stream(500, seed=7, distances="random")
    markov = _power_stream(500, seed=7, distances="random", fading="gauss-markov", fading_correlation=0.0)
    np.testing.assert_array_equal(iid, markov)
    # and the i.i.d. stream is uncorrelated frame to frame (the model a GRU cannot exploit)
    long = _power_stream(20_000, seed=2)
    assert abs(np.corrcoef(long[1:].ravel(), long[:-1].ravel())[0, 1]) < 0.01


def test_same_seed_same_stream_and_the_phase_is_state():
    a = _power_stream(50, seed=4, fading="gauss-markov", fading_correlation=0.8)
    b = _power_stream(50, seed=4, fading="gauss-markov", fading_correlation=0.8)
    np.testing.assert_array_equal(a, b)
    env = gym.make("WPMEC-v0", fading="gauss-markov", fading_correlation=0.8).unwrapped
    env.reset(seed=0)
    assert set(env.state) == {"h", "distances", "fading_phase"}
    env.reset(seed=0, options={"state": {"fading_phase": np.zeros(10)}})
    np.testing.assert_array_equal(env.state["fading_phase"], np.zeros(10))
    with pytest.raises(ValueError, match="fading_phase"):
        env.reset(seed=0, options={"state": {"fading_phase": np.full(10, 4.0)}})


@pytest.mark.parametrize("config, match", [
    ({"fading": "jakes"}, "fading must be one of"),
    ({"fading": "gauss-markov", "fading_correlation": 1.0}, "fading_correlation"),
    ({"fading": "gauss-markov", "fading_correlation": -0.1}, "fading_correlation"),
    ({"fading_correlation": 0.5}, "needs fading='gauss-markov'"),
    ({"fading": "gauss-markov", "channel_trace": np.full((3, 10), 1e-6)}, "channel_trace"),
])
def test_bad_fading_configs_raise_naming_the_field(config, match):
    with pytest.raises(ValueError, match=match):
        gym.make("WPMEC-v0", **config)
