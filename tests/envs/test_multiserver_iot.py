"""MultiServerIoT-v0: CPU split against scipy, costs against a plain per-device computation,
enumeration, the digital-twin copy, Stackelberg prices and the PettingZoo variant."""

from __future__ import annotations

import copy
import itertools

import gymnasium as gym
import numpy as np
import pytest
from scipy.optimize import minimize

import mec_gym  # noqa: F401
from mec_gym.core.metrics import jain_index
from mec_gym.envs.multiserver_iot.oracle import cpu_split


def _env(n=6, seed=0, **config):
    env = gym.make("MultiServerIoT-v0", num_devices=n, **config).unwrapped
    env.reset(seed=seed)
    return env


def test_cpu_split_minimises_total_latency_like_scipy():
    rng = np.random.default_rng(0)
    cycles = 10 ** rng.uniform(6, 8, 7)
    onehot = np.zeros((1, 7, 2))
    onehot[0, [0, 2, 3, 6], 0] = 1
    onehot[0, [1, 4, 5], 1] = 1
    ours = cpu_split(cycles, onehot, 10e9)[0]
    for members in ([0, 2, 3, 6], [1, 4, 5]):
        c = cycles[members]
        result = minimize(lambda f, c=c: np.sum(c / (f * 1e9)), np.full(len(c), 10 / len(c)), method="SLSQP",
                          bounds=[(1e-6, 10)] * len(c), constraints=[{"type": "eq", "fun": lambda f: f.sum() - 10}],
                          options={"ftol": 1e-15, "maxiter": 1000})
        assert np.sum(c / ours[members]) == pytest.approx(result.fun, rel=1e-6)
        assert ours[members].sum() == pytest.approx(10e9)


def _plain_cost(env, assignment):
    """Each device's cost computed one by one from the model's equations (no shared code)."""
    cfg, state, task = env.config, env.state, env.task()
    costs = []
    for i, server in enumerate(assignment):
        D, C, f = state["data_bits"][i], state["cycles"][i], state["device_cpu"][i]
        if server == 0:
            latency, energy, payment = C / f, cfg.energy_coefficient * C * f * f, 0.0
        else:
            members = [k for k, s in enumerate(assignment) if s == server]
            rate = cfg.server_bandwidth / len(members) * np.log2(1 + cfg.transmit_power * task["gain"][i, server - 1] / cfg.noise_power)
            share = np.sqrt(C) / sum(np.sqrt(state["cycles"][k]) for k in members)
            latency = D / rate + C / (cfg.server_cpu * share)
            energy = cfg.transmit_power * D / rate
            payment = state["prices"][server - 1] * C / 1e9
        costs.append(cfg.latency_weight * latency + cfg.energy_weight * energy + cfg.price_weight * payment)
    return np.array(costs)


def test_costs_and_rates_recompute_device_by_device():
    env = _env(8, seed=3)
    rng = np.random.default_rng(1)
    batch = rng.integers(0, 4, (20, 8))
    evaluation = env.evaluate(batch)
    for assignment, cost in zip(batch, evaluation.info["cost"]):
        np.testing.assert_allclose(cost, _plain_cost(env, assignment), rtol=1e-10)
    np.testing.assert_allclose(evaluation.rewards, -evaluation.info["cost"].mean(axis=1))
    local = env.state["cycles"] / env.state["device_cpu"]
    ratio = np.array([_plain_cost(env, np.zeros(8, int))]) / evaluation.info["cost"]
    np.testing.assert_allclose(evaluation.info["fairness"], jain_index(ratio), rtol=1e-12)
    assert local.shape == (8,)


def test_optimum_enumerates_every_assignment_for_small_n():
    env = _env(5, seed=4)
    best = env.optimum()
    assert best.method == "enumeration"
    brute = max(itertools.product(range(4), repeat=5), key=lambda a: -_plain_cost(env, np.array(a)).mean())
    np.testing.assert_array_equal(best.action, brute)
    large = _env(50, seed=0).optimum()
    assert large.method == "cd" and large.reward > _env(50, seed=0).evaluate(np.zeros((1, 50), int)).rewards[0]


def test_digital_twin_copy_rolls_forward_identically():
    env = gym.make("MultiServerIoT-v0", num_devices=10, pricing="stackelberg")
    env.reset(seed=5)
    env.step(env.action_space.sample())
    twin = gym.make("MultiServerIoT-v0", num_devices=10, pricing="stackelberg")
    state = env.unwrapped.state
    settable = {key: state[key] for key in ("data_bits", "cycles", "device_cpu", "positions", "fading", "prices")}
    twin.reset(seed=0, options={"state": settable})
    for key in ("mean_log_data", "mean_log_cycles"):  # the twin's learned workload model
        twin.unwrapped._state[key] = state[key].copy()
    twin.unwrapped.np_random = copy.deepcopy(env.unwrapped.np_random)
    rng = np.random.default_rng(0)
    for _ in range(5):
        action = rng.integers(0, 4, 10)
        first, second = env.step(action), twin.step(action)
        assert first[1] == second[1]
        np.testing.assert_array_equal(first[0], second[0])


def test_stackelberg_prices_are_grid_best_responses():
    env = gym.make("MultiServerIoT-v0", num_devices=12, pricing="stackelberg")
    env.reset(seed=6)
    _, _, _, _, info = env.step(np.ones(12, dtype=int))
    prices = env.unwrapped.state["prices"]
    grid = np.asarray(env.unwrapped.config.price_grid)
    assert np.all(np.isin(prices, grid))
    assert not np.allclose(prices, env.unwrapped.config.prices)


def test_workloads_are_autocorrelated():
    env = gym.make("MultiServerIoT-v0", num_devices=200)
    env.reset(seed=7)
    series = []
    for _ in range(40):
        series.append(np.log(env.unwrapped.state["cycles"]))
        env.step(np.zeros(200, dtype=int))
    series = np.array(series)
    centred = series - series.mean(axis=0)
    lag1 = (centred[1:] * centred[:-1]).sum() / (centred**2).sum()
    assert lag1 > 0.5  # AR(1) with 0.8: persistence is worth predicting


def test_pettingzoo_variant_passes_the_api_test_and_matches_the_env():
    from pettingzoo.test import parallel_api_test

    from mec_gym.multiagent import MultiServerIoTParallelEnv

    parallel_api_test(MultiServerIoTParallelEnv(num_devices=5, max_episode_steps=10), num_cycles=12)
    parallel_api_test(MultiServerIoTParallelEnv(pricing_agents=True, num_devices=5, max_episode_steps=10), num_cycles=12)
    marl = MultiServerIoTParallelEnv(num_devices=5)
    marl.reset(seed=1)
    single = _env(5, seed=1)
    actions = {f"device_{i}": a for i, a in enumerate([0, 1, 2, 3, 1])}
    expected = single.evaluate(np.array([[0, 1, 2, 3, 1]])).info["cost"][0]
    _, rewards, *_ = marl.step(actions)
    np.testing.assert_allclose([rewards[f"device_{i}"] for i in range(5)], -expected)


def test_bad_config_raises():
    for bad, field in [({"num_servers": 0}, "num_servers"), ({"pricing": "auction"}, "pricing"),
                       ({"prices": (0.1, 0.1)}, "prices"), ({"server_sites": ((0, 0),)}, "server_sites")]:
        with pytest.raises(ValueError, match=field):
            gym.make("MultiServerIoT-v0", **bad)


@pytest.mark.parametrize("bad, match", [(np.full(6, 4), "in \\[0, 3\\]"), (np.full(6, -1), "in \\[0, 3\\]"),
                                        (np.zeros(5), "shape"), (np.array([0, 1, np.nan, 0, 0, 0]), "finite")])
def test_bad_actions_raise_and_leave_the_state_untouched(bad, match):
    env = gym.make("MultiServerIoT-v0", num_devices=6)
    env.reset(seed=0)
    before = env.unwrapped.state
    with pytest.raises(ValueError, match=match):
        env.step(bad)
    assert all(np.array_equal(before[k], env.unwrapped.state[k]) for k in before)


def test_multi_step_seeded_determinism_of_the_pettingzoo_variant():
    from mec_gym.multiagent import MultiServerIoTParallelEnv

    def rollout():
        env = MultiServerIoTParallelEnv(pricing_agents=True, num_devices=4)
        observations, _ = env.reset(seed=3)
        trace = []
        for step in range(5):
            actions = {agent: (step + i) % env.action_space(agent).n
                       for i, agent in enumerate(env.agents)}
            observations, rewards, *_ = env.step(actions)
            trace.append((sorted(rewards.items()), {k: v.tolist() for k, v in observations.items()}))
        return trace

    assert rollout() == rollout()


def test_no_nan_or_inf_at_extreme_positions_and_loads():
    env = gym.make("MultiServerIoT-v0", num_devices=6)
    positions = np.array([[250.0, 250.0], [0, 0], [1000, 1000], [750, 250], [500, 750], [0, 1000]])
    env.reset(seed=0, options={"state": {"positions": positions, "fading": np.full((6, 3), 1e-9)}})
    for action in (np.ones(6, int), np.zeros(6, int), np.array([1, 2, 3, 1, 2, 3])):
        evaluation = env.unwrapped.evaluate(action[None])
        assert np.isfinite(evaluation.rewards).all() and all(np.isfinite(v).all() for v in evaluation.info.values())
        observation, reward, *_ = env.step(action)
        assert env.observation_space.contains(observation) and np.isfinite(reward)
