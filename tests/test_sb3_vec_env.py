"""SB3VecEnv (issue 19): PPO trains through the native vector env; the adapter's transitions are
SB3's same-step autoreset of the single envs' trajectories."""

from __future__ import annotations

import sys

import gymnasium as gym
import numpy as np
import pytest

import mec_gym  # noqa: F401


def test_importing_mec_gym_wrappers_does_not_import_torch():
    import subprocess

    code = "import mec_gym, mec_gym.wrappers, sys; print('torch' in sys.modules, 'stable_baselines3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_adapter_steps_like_single_envs_with_same_step_autoreset():
    from mec_gym.wrappers import SB3VecEnv

    seeds, kwargs = [3, 4, 5], {"episode_length": 4}
    venv = SB3VecEnv(gym.make_vec("PQC-NOMA-v0", num_envs=3, **kwargs))
    venv.seed(3)
    obs = venv.reset()
    singles = [gym.make("PQC-NOMA-v0", **kwargs) for _ in seeds]
    for seed, env, row in zip(seeds, singles, obs):
        assert np.array_equal(env.reset(seed=seed)[0], row)
    rng = np.random.default_rng(0)
    for _ in range(10):
        actions = rng.integers(0, 2, size=(3, 10))
        obs, rewards, dones, infos = venv.step(actions)
        for i, env in enumerate(singles):
            single_obs, reward, terminated, truncated, _ = env.step(actions[i])
            assert np.float32(reward) == rewards[i] and dones[i] == (terminated or truncated)
            if dones[i]:
                assert np.array_equal(infos[i]["terminal_observation"], single_obs)
                assert infos[i]["TimeLimit.truncated"]
                single_obs, _ = env.reset()
            assert np.array_equal(obs[i], single_obs)


@pytest.mark.parametrize("env_id", ["PQC-NOMA-v0", "WPMEC-v0"])
def test_ppo_trains_through_the_native_vector_env(env_id):
    """Smoke: PPO with 64 native envs collects and updates; its policy's rewards are real env rewards."""
    from stable_baselines3 import PPO

    from mec_gym.wrappers import SB3VecEnv

    venv = SB3VecEnv(gym.make_vec(env_id, num_envs=64, episode_length=50))
    model = PPO("MlpPolicy", venv, n_steps=8, batch_size=128, n_epochs=1, seed=0, device="cpu")
    model.learn(total_timesteps=1024)
    assert model.num_timesteps >= 1024
    obs = venv.reset()
    actions, _ = model.predict(obs, deterministic=True)
    scored = venv.env.unwrapped.evaluate(actions[:, None])  # the adapter's reward is the oracle's
    _, rewards, _, _ = venv.step(actions)
    assert np.allclose(rewards, scored.rewards[:, 0].astype(np.float32))
