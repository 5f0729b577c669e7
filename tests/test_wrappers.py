"""The hybrid-action wrappers of mec_gym.wrappers on MEQC-GaussMarkov-v0: the mappings by hand,
both checkers through the wrappers, and a wrapped step equal to the native step of the mapped action."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import mec_gym  # noqa: F401
from mec_gym.wrappers import DiscretizeHybridAction, FlattenHybridAction


def test_flatten_maps_by_hand():
    env = gym.make("MEQC-GaussMarkov-v0", num_devices=3)
    flat = FlattenHybridAction(env)
    assert flat.action_space == gym.spaces.Box(-1.0, 1.0, (6,), np.float32)
    action = flat.action(np.array([-1, 0, 1, 0.5, -0.5, 0.0]))
    np.testing.assert_allclose(action["fraction"], [0, 0.5, 1])
    np.testing.assert_array_equal(action["target"], [1, 0, 0])  # x > 0 is the QPU; 0 is the CPU
    assert env.unwrapped.action_space.contains(action)


def test_discretize_maps_by_hand():
    env = gym.make("MEQC-GaussMarkov-v0", num_devices=4)
    discrete = DiscretizeHybridAction(env, levels=4)
    assert discrete.action_space.nvec.tolist() == [9] * 4
    action = discrete.action(np.array([0, 2, 5, 8]))
    np.testing.assert_allclose(action["fraction"], [0, 0.5, 0.25, 1])
    np.testing.assert_array_equal(action["target"], [0, 0, 1, 1])
    assert env.unwrapped.action_space.contains(action)
    # every choice is a distinct (mode, fraction) pair: local once, then CPU and QPU at each level
    every = discrete.action(np.arange(9).repeat(4).reshape(9, 4)[:, 0])
    pairs = set(zip(every["fraction"].tolist(), every["target"].tolist()))
    assert len(pairs) == 9


@pytest.mark.parametrize("levels", [0, -1])
def test_discretize_rejects_bad_levels(levels):
    with pytest.raises(ValueError, match="levels"):
        DiscretizeHybridAction(gym.make("MEQC-GaussMarkov-v0", num_devices=2), levels=levels)


def test_wrappers_refuse_a_non_hybrid_env():
    with pytest.raises(ValueError, match="hybrid"):
        FlattenHybridAction(gym.make("WPMEC-v0"))


@pytest.mark.parametrize("make", [FlattenHybridAction, lambda env: DiscretizeHybridAction(env, levels=3)])
def test_checkers_pass_through_the_wrappers(make):
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    wrapped = make(gym.make("MEQC-GaussMarkov-v0", num_devices=5))
    sb3_check_env(wrapped, warn=False)
    check_env(make(gym.make("MEQC-GaussMarkov-v0", num_devices=5)), skip_render_check=True)


@pytest.mark.parametrize("make", [FlattenHybridAction, lambda env: DiscretizeHybridAction(env, levels=3)])
def test_wrapped_step_equals_native_step_of_the_mapped_action(make):
    wrapped = make(gym.make("MEQC-GaussMarkov-v0", num_devices=5))
    native = gym.make("MEQC-GaussMarkov-v0", num_devices=5)
    wrapped.reset(seed=7)
    native.reset(seed=7)
    wrapped.action_space.seed(0)
    for _ in range(4):
        action = wrapped.action_space.sample()
        mapped = wrapped.action(action)
        expected = native.unwrapped.evaluate({k: np.asarray(v)[None] for k, v in mapped.items()}).rewards[0]
        obs_w, reward_w, *_ = wrapped.step(action)
        obs_n, reward_n, *_ = native.step(mapped)
        assert reward_w == reward_n == expected
        np.testing.assert_array_equal(obs_w, obs_n)


# ----- MultiBinaryAsMultiDiscrete, EpisodeMetrics, normalize (issue 18) ---------------------------
def test_multibinary_as_multidiscrete_steps_as_the_native_env():
    from mec_gym.wrappers import MultiBinaryAsMultiDiscrete

    wrapped, native = MultiBinaryAsMultiDiscrete(gym.make("PQC-NOMA-v0", num_devices=4)), gym.make("PQC-NOMA-v0", num_devices=4)
    assert wrapped.action_space == gym.spaces.MultiDiscrete([2, 2, 2, 2])
    wrapped.reset(seed=3)
    native.reset(seed=3)
    for action in ([0, 1, 1, 0], [1, 1, 1, 1], np.array([0, 0, 1, 0], dtype=np.int64)):
        assert wrapped.step(action)[1] == native.step(np.asarray(action, dtype=np.int8))[1]
    check_env(MultiBinaryAsMultiDiscrete(gym.make("WPMEC-v0")), skip_render_check=True)
    with pytest.raises(ValueError, match="MultiBinary"):
        MultiBinaryAsMultiDiscrete(gym.make("MultiServerIoT-v0"))


def test_episode_metrics_summarise_a_finished_episode_by_hand():
    from mec_gym.wrappers import EpisodeMetrics

    env = EpisodeMetrics(gym.make("MultiServerIoT-v0", num_devices=6, episode_length=5))
    env.reset(seed=1)
    env.action_space.seed(1)
    rewards, costs, terms = [], [], []
    for step in range(5):
        _, reward, _, truncated, info = env.step(env.action_space.sample())
        rewards.append(reward)
        costs.append(info["mean_cost"])
        terms.append(info["reward_terms"]["latency"])
        assert ("episode_metrics" in info) == (step == 4) == truncated
    metrics = info["episode_metrics"]
    assert metrics["length"] == 5 and metrics["return"] == pytest.approx(sum(rewards), rel=1e-12)
    assert metrics["mean_cost"] == pytest.approx(np.mean(costs), rel=1e-12)
    assert metrics["reward_terms.latency"] == pytest.approx(sum(terms), rel=1e-12)
    assert sum(v for k, v in metrics.items() if k.startswith("reward_terms.")) == pytest.approx(sum(rewards), rel=1e-9)
    env.reset(seed=2)  # a new episode starts from zero
    _, reward, *_, info = env.step(env.action_space.sample())
    assert "episode_metrics" not in info


def test_normalize_scales_rewards_to_order_one():
    """WPMEC's rewards are ~2e6; through the recommended Gymnasium pair their spread is O(1)."""
    from mec_gym.wrappers import normalize

    env = normalize(gym.make("WPMEC-v0"))
    env.reset(seed=0)
    env.action_space.seed(0)
    raw, scaled = [], []
    for _ in range(300):
        _, reward, *_, info = env.step(env.action_space.sample())
        scaled.append(reward)
        raw.append(info["reward_terms"]["weighted_rate"])
    assert np.std(raw) > 1e5 and 0.01 < np.std(scaled[100:]) < 10
