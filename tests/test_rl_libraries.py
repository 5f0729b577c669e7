"""Construction as RL libraries type it (issue 18): SB3's make_vec_env and TorchRL's GymEnv build
and step every id, which needs unknown keywords to raise TypeError in Python's words and
``render_mode="rgb_array"`` to be accepted. Each step's reward is checked against the env's own
oracle scoring the same decision in the state before the step."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import mec_gym


@pytest.fixture(params=mec_gym.ENV_IDS)
def env_id(request):
    return request.param


def _batch_of_one(action):
    return {k: np.asarray(v)[None] for k, v in action.items()} if isinstance(action, dict) else np.asarray(action)[None]


def test_unknown_keyword_is_a_type_error_in_python_words(env_id):
    """TorchRL probes ``frameskip`` and falls back only on a TypeError saying "unexpected keyword
    argument 'frameskip'"; SB3 does the same with render_mode. The allowed fields are named."""
    with pytest.raises(TypeError, match="unexpected keyword argument 'frameskip'") as caught:
        gym.make(env_id, frameskip=4)
    assert "num_devices" in str(caught.value) and "episode_length" in str(caught.value)
    with pytest.raises(TypeError, match="unexpected keyword arguments 'a', 'b'"):
        gym.make(env_id, b=1, a=2)


def test_wrong_config_object_is_a_type_error(env_id):
    with pytest.raises(TypeError, match="config must be a"):
        gym.make(env_id, config={"num_devices": 3})


def test_sb3_make_vec_env_builds_and_steps(env_id):
    from stable_baselines3.common.env_util import make_vec_env

    vec = make_vec_env(env_id, n_envs=2, seed=0)
    observations = vec.reset()
    assert observations.shape == (2, *vec.observation_space.shape)
    for _ in range(3):
        actions = [vec.action_space.sample() for _ in range(2)]
        expected = [env.unwrapped.evaluate(_batch_of_one(a)).rewards[0] for env, a in zip(vec.envs, actions)]
        actions = np.stack(actions) if not isinstance(actions[0], dict) else actions
        observations, rewards, dones, infos = vec.step(actions)
        np.testing.assert_allclose(rewards, expected, rtol=1e-6)  # SB3 stores rewards as float32
        assert observations.shape == (2, *vec.observation_space.shape) and not dones.any()


def test_torchrl_gym_env_builds_and_steps(env_id):
    pytest.importorskip("torchrl")
    import torch
    from torchrl.data import OneHot
    from torchrl.envs import GymEnv

    env = GymEnv(env_id)
    tensordict = env.reset()
    native = env._env.unwrapped  # the mec-gym env TorchRL built
    # the all-zero native decision (all local; OFDMA's zero action decodes to local at half resources)
    zero = {k: np.zeros(s.shape, s.dtype) for k, s in native.action_space.items()} \
        if isinstance(native.action_space, gym.spaces.Dict) else np.zeros(native.action_space.shape, native.action_space.dtype)
    expected = native.evaluate(_batch_of_one(zero)).rewards[0]
    for key, spec in env.full_action_spec.items(True, True):
        value = spec.zero()
        if isinstance(spec, OneHot):
            value[..., 0] = True  # category 0 (local) for every device
        tensordict[key] = value
    result = env.step(tensordict)
    reward = result["next", "reward"]
    assert reward.shape == (1,) and reward.dtype == torch.float32
    assert reward.item() == pytest.approx(expected, rel=1e-6)
    assert result["next", "observation"].shape == env.observation_spec["observation"].shape
    rollout = env.rollout(4)
    assert rollout["next", "reward"].shape == (4, 1)
