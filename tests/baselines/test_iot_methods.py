"""The MultiServerIoT-v0 methods of seed 003 (baselines/iot): smoke-sized learning checks against
independent references (persistence computed from the env's state, random and fixed-price runs on
the same seeds), save/load round trips and config errors."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import mec_gym  # noqa: F401
from baselines.iot.twin import DigitalTwin, TwinConfig

N = 20


def _env(**config):
    return gym.make("MultiServerIoT-v0", num_devices=N, **config)


@pytest.fixture(scope="module")
def twin():
    return DigitalTwin(_env(), TwinConfig(train_steps=300), seed=0).learn(400)


def test_twin_forecast_beats_persistence_on_held_out_workloads(twin):
    env = _env()
    observation, _ = env.reset(seed=123)  # not a warm-up seed
    zeros = np.zeros(N, dtype=np.int64)
    twin_error, persistence_error, twin_gain, persistence_gain = [], [], [], []
    for _ in range(100):
        before = env.unwrapped.state
        forecast = twin.predict(observation)
        observation, *_ = env.step(zeros)
        after = env.unwrapped.state
        now = np.column_stack([np.log(before["data_bits"]), np.log(before["cycles"])])
        truth = np.column_stack([np.log(after["data_bits"]), np.log(after["cycles"])])
        twin_error.append(np.mean((forecast[:, :2] - truth) ** 2))
        persistence_error.append(np.mean((now - truth) ** 2))
        # channels: fading is redrawn each slot, so the persistence forecast of ln g is poor
        gain_now, gain_next = np.log(env.unwrapped.task(before)["gain"]), np.log(env.unwrapped.task()["gain"])
        twin_gain.append(np.mean((forecast[:, 2:] - gain_next) ** 2))
        persistence_gain.append(np.mean((gain_now - gain_next) ** 2))
    # AR(1) with rho = 0.8: the best forecast's error is (1 + rho) / 2 = 90 % of persistence's
    assert np.mean(twin_error) < 0.98 * np.mean(persistence_error)
    assert np.mean(twin_gain) < 0.7 * np.mean(persistence_gain)


def test_twin_save_load_gives_the_same_forecast(twin, tmp_path):
    env = _env()
    observation, _ = env.reset(seed=5)
    twin.save(tmp_path / "twin.pt")
    loaded = DigitalTwin.load(tmp_path / "twin.pt", env)
    np.testing.assert_array_equal(loaded.predict(observation), twin.predict(observation))


@pytest.mark.parametrize("field, value", [("window", 0), ("learning_rate", -1.0), ("torch_threads", 0)])
def test_twin_config_errors_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        TwinConfig(**{field: value})
