"""Native vector envs (issue 19): env i of ``gym.make_vec(ID, num_envs=B)`` seeded s_i follows a
single env seeded s_i bit for bit, across autoresets, in both autoreset modes; the batched
``evaluate`` scores what each single env's ``evaluate`` scores; ``optimum()`` is per env."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import mec_gym
from mec_gym.envs import VECTOR_ENVIRONMENTS

VECTOR_IDS = [env_id for env_id in mec_gym.ENV_IDS if env_id in VECTOR_ENVIRONMENTS]
SEEDS = list(range(8))


def _stack(actions):
    if isinstance(actions[0], dict):
        return {key: np.stack([a[key] for a in actions]) for key in actions[0]}
    return np.stack(actions)


def _assert_info_row(single_info, vector_info, i, where):
    for key, value in single_info.items():
        assert vector_info["_" + key][i], f"{where}: info {key!r} missing for env {i}"
        if isinstance(value, dict):  # reward_terms: each term's row
            assert value.keys() == vector_info[key].keys(), f"{where}: info {key!r} names differ for env {i}"
            for name, item in value.items():
                assert np.array_equal(np.asarray(item), vector_info[key][name][i]), f"{where}: {key}.{name} env {i}"
            continue
        assert np.array_equal(np.asarray(value), vector_info[key][i]), f"{where}: info {key!r} differs for env {i}"


@pytest.mark.parametrize("env_id", VECTOR_IDS)
def test_make_vec_returns_the_native_vector_env(env_id):
    vec = gym.make_vec(env_id, num_envs=3)
    assert type(vec.unwrapped).__module__.startswith("mec_gym.envs")
    assert vec.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    sync = gym.make_vec(env_id, num_envs=3, vectorization_mode="sync")
    assert vec.single_observation_space == sync.single_observation_space
    assert vec.single_action_space == sync.single_action_space


@pytest.mark.parametrize("env_id", VECTOR_IDS)
@pytest.mark.parametrize("mode", ["NextStep", "SameStep"])
def test_vector_env_equals_single_envs_bit_for_bit(env_id, mode):
    """B = 8, seeds 0..7, 300 steps of random actions with autoresets (episode_length=64)."""
    kwargs = {"episode_length": 64}
    vec = gym.make_vec(env_id, num_envs=len(SEEDS), autoreset_mode=mode, **kwargs)
    singles = [gym.make(env_id, **kwargs) for _ in SEEDS]
    obs, _ = vec.reset(seed=SEEDS)
    for seed, env in zip(SEEDS, singles):
        single_obs, _ = env.reset(seed=seed)
        env.action_space.seed(seed)
        assert np.array_equal(single_obs, obs[seed])
    pending = [False] * len(SEEDS)
    resets = 0
    for t in range(300):
        actions = [env.action_space.sample() for env in singles]
        obs, rewards, terminated, truncated, info = vec.step(_stack(actions))
        for i, env in enumerate(singles):
            where = f"{env_id} {mode} step {t} env {i}"
            if pending[i]:  # next-step autoreset: this step only resets env i
                single_obs, _ = env.reset()
                assert rewards[i] == 0.0 and not terminated[i] and not truncated[i], where
                assert not any(info[key][i] for key in info if key.startswith("_")), where
                pending[i] = False
                resets += 1
                assert np.array_equal(single_obs, obs[i]), where
                continue
            single_obs, reward, single_term, single_trunc, single_info = env.step(actions[i])
            assert reward == rewards[i] and (single_term, single_trunc) == (terminated[i], truncated[i]), where
            if mode == "SameStep" and (single_term or single_trunc):
                assert np.array_equal(single_obs, info["final_obs"][i]), where
                _assert_info_row(single_info, info["final_info"], i, where)
                single_obs, _ = env.reset()
                resets += 1
            else:
                pending[i] = single_term or single_trunc
            assert np.array_equal(single_obs, obs[i]), where
            _assert_info_row(single_info, info, i, where)
    assert resets >= 4 * len(SEEDS)


@pytest.mark.parametrize("env_id", VECTOR_IDS)
def test_batched_evaluate_and_optimum_match_each_single_env(env_id):
    vec = gym.make_vec(env_id, num_envs=3)
    vec.reset(seed=[5, 6, 7])
    singles = [gym.make(env_id) for _ in range(3)]
    for seed, env in zip([5, 6, 7], singles):
        env.reset(seed=seed)
        env.action_space.seed(seed)
    candidates = [[env.action_space.sample() for _ in range(4)] for env in singles]
    batch = _stack([_stack(row) for row in candidates])
    scored = vec.unwrapped.evaluate(batch)
    assert scored.rewards.shape == (3, 4)
    for i, env in enumerate(singles):
        alone = env.unwrapped.evaluate(_stack(candidates[i]))
        assert np.array_equal(alone.rewards, scored.rewards[i])
        for key, value in alone.info.items():
            if isinstance(value, dict):  # reward_terms
                assert all(np.array_equal(item, scored.info[key][name][i]) for name, item in value.items()), key
                continue
            assert np.array_equal(value, scored.info[key][i]), key
    optima = vec.unwrapped.optimum()
    for i, env in enumerate(singles):
        assert optima[i].reward == env.unwrapped.optimum().reward


@pytest.mark.parametrize("env_id", VECTOR_IDS)
def test_bad_vector_input_is_rejected_with_the_field_named(env_id):
    vec = gym.make_vec(env_id, num_envs=2)
    with pytest.raises(RuntimeError, match="reset"):
        vec.step(vec.action_space.sample())
    vec.reset(seed=0)
    before = vec.unwrapped.state
    with pytest.raises(ValueError, match="seed"):
        vec.reset(seed=[1, 2, 3])
    with pytest.raises(ValueError, match="autoreset_mode"):
        gym.make_vec(env_id, num_envs=2, autoreset_mode="Sometimes")
    with pytest.raises(ValueError, match="num_envs"):
        gym.make_vec(env_id, num_envs=0)
    single = vec.unwrapped.single_action_space
    with pytest.raises(ValueError, match="one action per env"):
        vec.step(_stack([single.sample() for _ in range(3)]))
    after = vec.unwrapped.state
    assert all(np.array_equal(before[key], after[key]) for key in before)


@pytest.mark.parametrize("env_id", VECTOR_IDS)
def test_reset_mask_resets_only_the_masked_envs_with_their_own_streams(env_id):
    vec = gym.make_vec(env_id, num_envs=3, autoreset_mode="Disabled")
    vec.reset(seed=[0, 1, 2])
    vec.step(vec.action_space.sample())
    before = vec.unwrapped.state
    obs, _ = vec.reset(seed=[None, 9, None], options={"reset_mask": np.array([False, True, False])})
    single = gym.make(env_id)
    single_obs, _ = single.reset(seed=9)
    assert np.array_equal(obs[1], single_obs)
    after = vec.unwrapped.state
    for key in before:
        assert np.array_equal(before[key][[0, 2]], after[key][[0, 2]]), key
