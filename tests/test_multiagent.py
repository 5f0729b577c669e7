"""mec_gym.multiagent: the MultiServerIoT-v0 PettingZoo ParallelEnv against PettingZoo's API test,
the single-agent env's oracle, seeded determinism and bad actions."""

from __future__ import annotations

import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest

import mec_gym  # noqa: F401

pytest.importorskip("pettingzoo")
from pettingzoo.test import parallel_api_test  # noqa: E402

from mec_gym.multiagent import MultiServerIoTParallelEnv  # noqa: E402


@pytest.mark.parametrize("pricing_agents", [False, True])
def test_parallel_api_test(pricing_agents):
    parallel_api_test(MultiServerIoTParallelEnv(pricing_agents=pricing_agents, num_devices=5, episode_length=10),
                      num_cycles=12)


def test_device_rewards_are_the_single_agent_costs():
    marl = MultiServerIoTParallelEnv(num_devices=5)
    marl.reset(seed=1)
    single = gym.make("MultiServerIoT-v0", num_devices=5).unwrapped
    single.reset(seed=1)
    assignment = [0, 1, 2, 3, 1]
    expected = single.evaluate(np.array([assignment])).info["cost"][0]
    observations, rewards, *_ = marl.step({f"device_{i}": a for i, a in enumerate(assignment)})
    np.testing.assert_allclose([rewards[f"device_{i}"] for i in range(5)], -expected, rtol=1e-15)
    # each device sees its own task and the servers' loads of the last slot (shares of devices)
    np.testing.assert_allclose(observations["device_2"][-6:-3], np.array([2, 1, 1]) / 5, rtol=1e-6)
    state = marl.env.state
    assert observations["device_2"][0] == pytest.approx(state["data_bits"][2] / 1e6, rel=1e-6)


def test_pricing_agents_set_the_prices_and_earn_the_server_utilities():
    marl = MultiServerIoTParallelEnv(pricing_agents=True, num_devices=6)
    marl.reset(seed=2)
    grid = np.asarray(marl.env.config.price_grid)
    situation = marl.env.state
    assignment = np.array([1, 2, 3, 1, 0, 2])
    actions = {f"device_{i}": int(a) for i, a in enumerate(assignment)} | {"server_0": 3, "server_1": 10, "server_2": 49}
    _, rewards, *_ = marl.step(actions)
    single = gym.make("MultiServerIoT-v0", num_devices=6).unwrapped
    single.reset(options={"state": situation | {"prices": grid[[3, 10, 49]]}})
    info = single.evaluate(assignment[None]).info
    np.testing.assert_allclose([rewards[f"server_{j}"] for j in range(3)], info["server_utility"][0], rtol=1e-15)
    np.testing.assert_allclose([rewards[f"device_{i}"] for i in range(6)], -info["cost"][0], rtol=1e-15)


def test_multi_step_seeded_determinism():
    def rollout():
        env = MultiServerIoTParallelEnv(pricing_agents=True, num_devices=4, pricing="stackelberg")
        observations, _ = env.reset(seed=3)
        trace = []
        for step in range(6):
            actions = {agent: (step + i) % env.action_space(agent).n for i, agent in enumerate(env.agents)}
            observations, rewards, *_ = env.step(actions)
            trace.append((sorted(rewards.items()), {k: v.tolist() for k, v in observations.items()}))
        return trace

    assert rollout() == rollout()


@pytest.mark.parametrize("agent, value", [("device_0", 4), ("device_1", -1), ("server_0", 50), ("server_1", -1),
                                          ("device_2", 1.5), ("device_3", None)])
def test_bad_actions_raise_and_leave_the_state_untouched(agent, value):
    env = MultiServerIoTParallelEnv(pricing_agents=True, num_devices=4)
    env.reset(seed=0)
    actions = {a: 0 for a in env.agents}
    if value is None:
        del actions[agent]
    else:
        actions[agent] = value
    before = env.env.state
    with pytest.raises(ValueError, match=agent):
        env.step(actions)
    assert all(np.array_equal(before[key], env.env.state[key]) for key in before)


def test_core_does_not_import_pettingzoo():
    code = "import sys, gymnasium, mec_gym; gymnasium.make('MultiServerIoT-v0'); print('pettingzoo' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


# ----- issue 18: spaces that match the observations, the AEC API, state(), per-agent infos --------
@pytest.mark.parametrize("pricing_agents", [False, True])
def test_aec_api_test(pricing_agents):
    from pettingzoo.test import api_test
    from pettingzoo.utils.conversions import parallel_to_aec

    api_test(parallel_to_aec(MultiServerIoTParallelEnv(pricing_agents=pricing_agents, num_devices=5, episode_length=10)),
             num_cycles=12)


def test_every_observation_and_state_lies_in_its_space_over_200_random_steps():
    env = MultiServerIoTParallelEnv(pricing_agents=True, num_devices=6, num_servers=3, episode_length=50,
                                    pricing="stackelberg")
    observations, _ = env.reset(seed=0)
    m = 3
    assert env.observation_space("device_0").shape == (3 + 3 * m,) and env.observation_space("server_0").shape == (2 * m,)
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(200):
        if not env.agents:
            observations, _ = env.reset()
        for agent, observation in observations.items():
            space = env.observation_space(agent)
            assert observation.shape == space.shape and space.contains(observation), agent
            checked += 1
        assert env.state_space.contains(env.state())
        actions = {agent: int(rng.integers(env.action_space(agent).n)) for agent in env.agents}
        observations, *_ = env.step(actions)
    assert checked == 200 * 9


def test_state_is_the_single_env_observation_then_the_loads():
    env = MultiServerIoTParallelEnv(num_devices=5)
    env.reset(seed=4)
    single = gym.make("MultiServerIoT-v0", num_devices=5)
    observation, _ = single.reset(seed=4)
    np.testing.assert_array_equal(env.state()[:-3], observation)
    env.step({f"device_{i}": a for i, a in enumerate([1, 1, 2, 0, 1])})
    np.testing.assert_allclose(env.state()[-3:], np.array([3, 1, 0]) / 5, rtol=1e-6)


def test_per_agent_infos_and_rewards_are_the_single_env_s():
    marl = MultiServerIoTParallelEnv(pricing_agents=True, num_devices=4, reward_scale=0.5)
    marl.reset(seed=6)
    single = gym.make("MultiServerIoT-v0", num_devices=4).unwrapped
    single.reset(seed=6)
    assignment = np.array([2, 0, 3, 2])
    grid = np.asarray(marl.env.config.price_grid)
    actions = {f"device_{i}": int(a) for i, a in enumerate(assignment)} | {"server_0": 0, "server_1": 5, "server_2": 9}
    single.reset(options={"state": marl.env.state | {"prices": grid[[0, 5, 9]]}})
    expected = single.evaluate(assignment[None]).info
    _, rewards, _, _, infos = marl.step(actions)
    for i in range(4):
        assert rewards[f"device_{i}"] == pytest.approx(-0.5 * expected["cost"][0, i], rel=1e-12)
        assert infos[f"device_{i}"]["cost"] == pytest.approx(expected["cost"][0, i], rel=1e-15)
        assert infos[f"device_{i}"]["choice"] == assignment[i]
    for j in range(3):
        assert infos[f"server_{j}"]["price"] == grid[[0, 5, 9][j]]
        assert infos[f"server_{j}"]["load"] == (assignment == j + 1).sum()
