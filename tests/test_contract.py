"""The common contract of SPEC.md, run on every registered environment id."""

from __future__ import annotations

import multiprocessing

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import mec_gym
from tests.support import info_arrays


def _sb3_wrapper(env_id):
    space = gym.make(env_id).unwrapped.action_space
    if isinstance(space, gym.spaces.Dict):
        from mec_gym.wrappers import FlattenHybridAction

        return FlattenHybridAction
    return None


def _bump_float_arrays(mapping):
    """Add 1 in place to every non-empty float array among ``mapping``'s values (a caller editing them)."""
    for value in mapping.values():
        if isinstance(value, np.ndarray) and value.size and value.dtype.kind == "f":
            value += 1.0


def _assert_same_state(before, after):
    assert before.keys() == after.keys() and all(np.array_equal(before[key], after[key]) for key in before)


@pytest.fixture(params=mec_gym.ENV_IDS)
def env_id(request):
    return request.param


def test_gymnasium_check_env(env_id):
    env = gym.make(env_id)
    check_env(env.unwrapped, skip_render_check=True)


def test_sb3_check_env(env_id):
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    env = gym.make(env_id)
    wrapper = _sb3_wrapper(env_id)
    sb3_check_env(wrapper(env) if wrapper else env.unwrapped, warn=False)


def _rollout(env_id, seed, steps=5):
    env = gym.make(env_id)
    obs, _ = env.reset(seed=seed)
    env.action_space.seed(seed)
    trajectory = [obs]
    for _ in range(steps):
        obs, reward, terminated, truncated, _info = env.step(env.action_space.sample())
        trajectory += [obs, np.float64(reward)]
        if terminated or truncated:
            break
    return trajectory


def test_same_seed_same_trajectory(env_id):
    first, second = _rollout(env_id, 3), _rollout(env_id, 3)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    third = _rollout(env_id, 4)
    assert not all(np.array_equal(a, b) for a, b in zip(first, third))


def _reward_modes():
    """(env id, reward mode or None, reward_scale) for every id and every reward mode it offers."""
    cases = []
    for env_id in mec_gym.ENV_IDS:
        modes = gym.make(env_id).unwrapped.config_class.reward_modes or (None,)
        cases += [(env_id, mode, scale) for mode in modes for scale in (1.0, 0.25)]
    return cases


def _make_mode(env_id, mode, scale, **config):
    return gym.make(env_id, reward_scale=scale, **({} if mode is None else {"reward": mode}), **config)


def _batch(samples):
    if isinstance(samples[0], dict):
        return {k: np.stack([s[k] for s in samples]) for k in samples[0]}
    return np.stack(samples)


@pytest.mark.parametrize("env_id, mode, scale", _reward_modes())
def test_reward_terms_and_device_rewards_sum_to_the_reward(env_id, mode, scale):
    """SPEC.md "Reward terms": info["reward_terms"] sums to the reward (1e-12 relative), in step's
    info as floats and in evaluate's as (K,) arrays; info["device_rewards"] likewise where given."""
    env = _make_mode(env_id, mode, scale, num_devices=6)
    env.reset(seed=5)
    space = env.unwrapped.action_space
    space.seed(5)
    for _ in range(4):
        evaluation = env.unwrapped.evaluate(_batch([space.sample() for _ in range(5)]))
        terms = evaluation.info["reward_terms"]
        assert terms and all(value.shape == (5,) for value in terms.values())
        np.testing.assert_allclose(sum(terms.values()), evaluation.rewards, rtol=1e-12, atol=0)
        if "device_rewards" in evaluation.info:
            assert evaluation.info["device_rewards"].shape == (5, 6)
            np.testing.assert_allclose(evaluation.info["device_rewards"].sum(axis=1), evaluation.rewards, rtol=1e-12)
        _, reward, _, _, info = env.step(space.sample())
        assert all(type(value) is float for value in info["reward_terms"].values())
        assert sum(info["reward_terms"].values()) == pytest.approx(reward, rel=1e-12, abs=0)
    assert {"reward_terms", "device_rewards"} <= set(info) or env_id == "OFDMA-Consistency-v0"


@pytest.mark.parametrize("env_id, mode, scale", _reward_modes())
def test_reward_scale_multiplies_the_reward_and_changes_no_choice(env_id, mode, scale):
    plain, scaled = _make_mode(env_id, mode, 1.0, num_devices=5), _make_mode(env_id, mode, scale, num_devices=5)
    for env in (plain, scaled):
        env.reset(seed=8)
        env.action_space.seed(8)
    for _ in range(3):
        best_plain, best_scaled = plain.unwrapped.optimum(), scaled.unwrapped.optimum()
        assert best_scaled.reward == pytest.approx(scale * best_plain.reward, rel=1e-12)
        action = plain.action_space.sample()
        scaled.action_space.sample()
        _, reward_plain, *_, info_plain = plain.step(action)
        _, reward_scaled, *_, info_scaled = scaled.step(action)
        assert reward_scaled == pytest.approx(scale * reward_plain, rel=1e-12)
        for name, value in info_plain["reward_terms"].items():
            assert info_scaled["reward_terms"][name] == pytest.approx(scale * value, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("env_id, mode, scale", _reward_modes())
def test_step_reward_equals_evaluate(env_id, mode, scale):
    env = _make_mode(env_id, mode, scale)
    env.reset(seed=1)
    env.action_space.seed(1)
    for _ in range(3):
        action = env.action_space.sample()
        batch = {k: np.asarray(v)[None] for k, v in action.items()} if isinstance(action, dict) else np.asarray(action)[None]
        expected = env.unwrapped.evaluate(batch).rewards[0]
        _, reward, terminated, truncated, _info = env.step(action)
        assert isinstance(reward, float) and reward == expected
        assert type(terminated) is bool and type(truncated) is bool


def test_step_of_the_optimum_earns_exactly_its_reward(env_id):
    """The README's promise: step(optimum().action) returns optimum().reward, bit for bit (WPMEC's
    iterative oracle scored the enumeration's batch ~1e-15 apart from the decision alone)."""
    env = gym.make(env_id)
    for seed in range(12):
        env.reset(seed=seed)
        best = env.unwrapped.optimum()
        _, reward, *_ = env.step(best.action)
        assert reward == best.reward


def test_editing_step_info_leaves_the_state_untouched(env_id):
    env = gym.make(env_id)
    env.reset(seed=2)
    env.action_space.seed(2)
    _, _, _, _, info = env.step(env.action_space.sample())
    before = env.unwrapped.state
    _bump_float_arrays(info)
    _assert_same_state(before, env.unwrapped.state)


def test_numpy_scalars_in_the_config_become_python_numbers(env_id):
    env = gym.make(env_id, num_devices=np.int64(4), episode_length=np.int32(7))
    config = env.unwrapped.config
    assert type(config.num_devices) is int and type(config.episode_length) is int
    env.reset(seed=0)
    env.step(env.action_space.sample())


def test_evaluate_leaves_state_untouched(env_id):
    env = gym.make(env_id)
    env.reset(seed=2)
    before = env.unwrapped.state
    space = env.unwrapped.action_space
    space.seed(0)
    samples = [space.sample() for _ in range(4)]
    batch = {k: np.stack([s[k] for s in samples]) for k in samples[0]} if isinstance(samples[0], dict) else np.stack(samples)
    evaluation = env.unwrapped.evaluate(batch)
    assert evaluation.rewards.shape == (4,) and evaluation.rewards.dtype == np.float64
    assert all(len(v) == 4 for v in info_arrays(evaluation.info))
    after = env.unwrapped.state
    assert before.keys() == after.keys() and all(np.array_equal(before[k], after[k]) for k in before)


def test_state_is_a_copy_and_unknown_state_field_raises(env_id):
    env = gym.make(env_id)
    env.reset(seed=0)
    original = env.unwrapped.state
    _bump_float_arrays(env.unwrapped.state)
    _assert_same_state(original, env.unwrapped.state)
    with pytest.raises(ValueError, match="unknown state field"):
        env.reset(seed=0, options={"state": {"no_such_field": np.zeros(1)}})


def test_unknown_config_field_raises(env_id):
    with pytest.raises(TypeError, match="no_such_parameter"):
        gym.make(env_id, no_such_parameter=1)


def test_rgb_array_frame(env_id):
    """render_mode="rgb_array" (what SB3's make_vec_env asks for): None before reset, then a uint8
    (H, W, 3) picture (its content: tests/test_rendering.py)."""
    env = gym.make(env_id, render_mode="rgb_array")
    assert env.unwrapped.render() is None  # before reset
    env.reset(seed=0)
    frame = env.render()
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3 and min(frame.shape[:2]) >= 100
    check_env(env.unwrapped)  # Gymnasium's checker, render check included


def test_wrong_action_shape_is_reported_as_one_action(env_id):
    env = gym.make(env_id, num_devices=5)
    env.reset(seed=0)
    before = env.unwrapped.state
    action = env.action_space.sample()
    if isinstance(action, dict):
        key = sorted(action)[0]
        bad = dict(action, **{key: np.concatenate([action[key], action[key]])})
        expected = f"action['{key}'] must have shape ({len(action[key])},); got ({2 * len(action[key])},)"
    else:
        bad = np.asarray(action)[None]
        expected = f"action must have shape {action.shape}; got {(1, *action.shape)}"
    with pytest.raises(ValueError) as caught:
        env.step(bad)
    assert str(caught.value) == expected
    _assert_same_state(before, env.unwrapped.state)


def _make_in_worker(env_id):
    env = gym.make(f"mec_gym:{env_id}")
    env.reset(seed=0)
    return env.observation_space.shape


def test_spawned_worker_can_make_by_module_prefix():
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        shapes = pool.map(_make_in_worker, mec_gym.ENV_IDS)
    assert len(shapes) == len(mec_gym.ENV_IDS)


def test_registration_is_idempotent():
    import importlib

    importlib.reload(mec_gym)
    mec_gym.envs.register_all()
    assert set(mec_gym.ENV_IDS) <= set(gym.registry)


def test_episode_length_is_the_env_own_truncation_and_time_limit_still_shortens(env_id):
    env = gym.make(env_id, episode_length=3)  # a config field: reaches the env
    env.reset(seed=0)
    env.action_space.seed(0)
    flags = [env.unwrapped.step(env.action_space.sample())[3] for _ in range(3)]
    assert flags == [False, False, True]
    # gym.make's own max_episode_steps adds Gymnasium's TimeLimit on top, as for any Gymnasium env
    limited = gym.make(env_id, max_episode_steps=2)
    limited.reset(seed=0)
    limited.action_space.seed(0)
    assert [limited.step(limited.action_space.sample())[3] for _ in range(2)] == [False, True]


SMALLEST = {"MultiServerIoT-v0": {"num_servers": 1, "server_sites": ((500.0, 500.0),), "prices": (0.1,)}}


def _decisions(space, rng):
    """Every decision of a small discrete space, else 200 random ones (a batch for ``evaluate``)."""
    if isinstance(space, gym.spaces.MultiBinary):
        return np.array(list(np.ndindex(*(2,) * space.n)))
    if isinstance(space, gym.spaces.MultiDiscrete):
        return np.array(list(np.ndindex(*space.nvec)))
    space.seed(int(rng.integers(2**31)))
    return _batch([space.sample() for _ in range(200)])


def test_smallest_sizes_reset_step_and_optimum(env_id):
    """One device (and one server for MultiServerIoT-v0): single and vector envs reset and step, and
    ``optimum()`` beats every decision (all of them where the space is discrete) up to its bound."""
    config = {"num_devices": 1, **SMALLEST.get(env_id, {})}
    env = gym.make(env_id, episode_length=2, **config)
    rng = np.random.default_rng(0)
    for seed in range(3):
        observation, _ = env.reset(seed=seed)
        for _ in range(2):
            assert env.observation_space.contains(observation)
            best = env.unwrapped.optimum()
            rewards = env.unwrapped.evaluate(_decisions(env.action_space, rng)).rewards
            assert np.isfinite(rewards).all() and rewards.max() <= best.reward + 1e-12 * abs(best.reward)
            assert best.reward <= best.bound + 1e-9 * abs(best.bound)
            observation, reward, _, truncated, _ = env.step(best.action)
            assert reward == best.reward
        assert truncated
    vector = gym.make_vec(env_id, num_envs=2, episode_length=2, **config)
    vector.reset(seed=0)
    for _ in range(3):
        observations, rewards, *_ = vector.step(vector.action_space.sample())
        assert np.isfinite(rewards).all() and observations.shape == (2, *env.observation_space.shape)
