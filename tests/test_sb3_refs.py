"""The leaderboard's SB3 references (baselines/sb3_refs.py, issue 18): on-policy methods train on the
native vector env, report env 0's steps to the env given, and take the per-env settings."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import mec_gym  # noqa: F401

pytest.importorskip("stable_baselines3")

from baselines.sb3_refs import ENV_SETTINGS, SB3Agent, SB3Config, _env_slice  # noqa: E402
from benchmarks.runner import RewardRecorder  # noqa: E402


def test_env_slice_is_the_single_envs_info():
    """Env 0 of a native vector env seeded s follows a single env seeded s (tests/test_vector.py):
    its slice of the batched info is the single env's info, nested reward terms included."""
    vec = gym.make_vec("PQC-NOMA-v0", num_envs=3)
    vec.reset(seed=[5, 6, 7])
    single = gym.make("PQC-NOMA-v0")
    single.reset(seed=5)
    actions = np.random.default_rng(0).integers(0, 2, size=(3, 10))
    _, _, _, _, batched = vec.step(actions)
    _, _, _, _, info = single.step(actions[0])
    sliced = _env_slice(batched, 0)
    assert not any(key.startswith("_") for key in sliced)
    assert sliced["weighted_rate_mbps"] == pytest.approx(info["weighted_rate_mbps"])
    np.testing.assert_allclose(sliced["energy"], info["energy"])
    assert set(sliced["reward_terms"]) == set(info["reward_terms"])
    for key, value in info["reward_terms"].items():
        assert sliced["reward_terms"][key] == pytest.approx(value)


def test_ppo_trains_on_the_native_vector_env_and_reports_env_0_raw():
    """Smoke: PPO's frames over 16 native envs; the recorder gets one frame in 16, with the raw
    (unnormalised) reward, which is the sum of that frame's reward terms."""
    from mec_gym.wrappers import SB3VecEnv

    recorder = RewardRecorder(gym.make("PQC-NOMA-v0", episode_length=50))
    recorder.reset(seed=0)
    agent = SB3Agent(recorder, "ppo", seed=0, config=SB3Config({"n_steps": 8, "batch_size": 128, "n_epochs": 1}))
    assert isinstance(agent.vec.venv, SB3VecEnv) and agent.vec.num_envs == 16
    agent.learn(256)
    assert len(recorder.rewards) == agent.model.num_timesteps // 16 == 16
    for reward, info in zip(recorder.rewards, recorder.infos):
        assert reward == pytest.approx(sum(info["reward_terms"].values()), rel=1e-5)
    assert abs(np.mean(recorder.rewards)) > 10  # raw DPP units (hundreds), not VecNormalize's ~1
    action = agent.act(recorder.reset(seed=1)[0])
    assert recorder.action_space.contains(np.asarray(action, dtype=np.int8))


def test_per_env_settings_apply_and_the_callers_config_wins():
    assert ENV_SETTINGS[("ppo", "PQC-NOMA-v0")]["gamma"] == 0.0
    env = gym.make("PQC-NOMA-v0")
    assert SB3Agent(env, "ppo", seed=0).model.gamma == 0.0
    assert SB3Agent(env, "ppo", seed=0, config=SB3Config({"gamma": 0.9})).model.gamma == 0.9
    other = gym.make("MEQC-GaussMarkov-v0")  # not in the table: SB3's default
    assert ("ppo", "MEQC-GaussMarkov-v0") not in ENV_SETTINGS
    assert SB3Agent(other, "ppo", seed=0).model.gamma == 0.99
