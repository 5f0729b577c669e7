"""MultiServerIoT-v0: CPU split against scipy, OFDMA rates and costs against a plain per-device
computation, Jain's index on hand-made cases, enumeration and the local search, the digital-twin
copy, Stackelberg prices, bad input and a property test. The PettingZoo variant: tests/test_multiagent.py."""

from __future__ import annotations

import copy
import itertools

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

import mec_gym  # noqa: F401
from mec_gym.core.metrics import jain_index
from mec_gym.envs.multiserver_iot.oracle import cpu_split
from tests.support import info_arrays


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


def _plain_cost(env, assignment, weights=None):
    """Each device's cost computed one by one from the model's equations (no shared code)."""
    cfg, state, task = env.config, env.state, env.task()
    alpha, beta, gamma = weights or (cfg.latency_weight, cfg.energy_weight, cfg.price_weight)
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
        costs.append(alpha * latency + beta * energy + gamma * payment)
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
    np.testing.assert_allclose(evaluation.info["cost_fairness"], jain_index(ratio), rtol=1e-12)
    assert local.shape == (8,)


def test_optimum_enumerates_every_assignment_for_small_n():
    env = _env(5, seed=4)
    best = env.optimum()
    assert best.method == "enumeration"
    brute = max(itertools.product(range(4), repeat=5), key=lambda a: -_plain_cost(env, np.array(a)).mean())
    np.testing.assert_array_equal(best.action, brute)
    assert best.reward == pytest.approx(-_plain_cost(env, np.array(brute)).mean(), rel=1e-12)
    local = env.optimum(method="cd")
    assert local.method == "cd" and local.reward <= best.reward + 1e-15
    assert best.certified and best.bound == best.reward and local.bound >= best.reward


def test_enumeration_equals_itertools_brute_force_at_n6_m3():
    """Acceptance (issue 16): the certified optimum at N = 6, M = 3 is the itertools brute force over
    all 4^6 assignments, scored by a cost written out independently (``_plain_cost``)."""
    for seed in range(3):
        env = _env(6, seed=seed)
        best = env.optimum()
        brute = max(itertools.product(range(4), repeat=6), key=lambda a: -_plain_cost(env, np.array(a)).mean())
        assert best.method == "enumeration" and best.certified
        np.testing.assert_array_equal(best.action, brute)
        assert best.reward == pytest.approx(-_plain_cost(env, np.array(brute)).mean(), rel=1e-12)


def test_local_search_for_large_n_is_a_local_optimum():
    env = _env(40, seed=0)
    found = env.optimum()
    assert found.method == "cd-multistart(3)"
    single = env.optimum(method="cd", start=np.zeros(40, int))
    assert single.method == "cd" and single.reward <= found.reward  # the first of its starts
    # no single device changing its choice lowers the mean cost (checked one change at a time)
    for device in range(40):
        for choice in range(4):
            changed = found.action.copy()
            changed[device] = choice
            assert -_plain_cost(env, changed).mean() <= found.reward * (1 - 1e-12) or choice == found.action[device]
    assert found.reward > env.evaluate(np.zeros((1, 40), int)).rewards[0]


def test_digital_twin_copy_rolls_forward_identically():
    """state -> reset(options={"state": ...}) copies the situation (same oracle on any batch); with
    the source's random generator as well, the twin rolls forward bit for bit."""
    env = gym.make("MultiServerIoT-v0", num_devices=10, pricing="stackelberg")
    env.reset(seed=5)
    env.step(env.action_space.sample())
    twin = gym.make("MultiServerIoT-v0", num_devices=10, pricing="stackelberg")
    state = env.unwrapped.state
    twin.reset(seed=99, options={"state": state})
    assert state.keys() == twin.unwrapped.state.keys()
    batch = np.random.default_rng(2).integers(0, 4, (30, 10))
    first, second = env.unwrapped.evaluate(batch), twin.unwrapped.evaluate(batch)
    np.testing.assert_array_equal(first.rewards, second.rewards)
    np.testing.assert_array_equal(env.unwrapped.optimum().action, twin.unwrapped.optimum().action)
    twin.unwrapped.np_random = copy.deepcopy(env.unwrapped.np_random)
    rng = np.random.default_rng(0)
    for _ in range(5):
        action = rng.integers(0, 4, 10)
        first, second = env.step(action), twin.step(action)
        assert first[1] == second[1]
        np.testing.assert_array_equal(first[0], second[0])
        np.testing.assert_array_equal(env.unwrapped.state["prices"], twin.unwrapped.state["prices"])
    with pytest.raises(ValueError, match="mean_log_data"):
        twin.reset(options={"state": {"mean_log_data": np.zeros(3)}})


def test_ofdma_rates_recompute_from_the_path_loss_formula():
    env = _env(9, seed=11)
    state, cfg = env.state, env.config
    assignment = np.array([1, 1, 1, 2, 0, 3, 3, 2, 1])
    info = env.evaluate(assignment[None]).info
    distance_km = np.linalg.norm(state["positions"][:, None, :] - np.asarray(cfg.server_sites)[None], axis=-1) / 1e3
    gain = 10 ** (-(128.1 + 37.6 * np.log10(distance_km)) / 10) * state["fading"]
    for i, server in enumerate(assignment):
        if server == 0:
            assert info["uplink_rate"][0, i] == 0.0 and info["server_cpu"][0, i] == 0.0
            continue
        sharing = int(np.sum(assignment == server))  # OFDMA: the band split equally among its devices
        expected = cfg.server_bandwidth / sharing * np.log2(1 + 0.2 * gain[i, server - 1] / 1e-13)
        assert info["uplink_rate"][0, i] == pytest.approx(expected, rel=1e-12)
        assert info["energy"][0, i] == pytest.approx(0.2 * state["data_bits"][i] / expected, rel=1e-12)
    for server in (1, 2, 3):  # each server's CPU is fully used by its tasks
        assert info["server_cpu"][0, assignment == server].sum() == pytest.approx(10e9, rel=1e-12)
    np.testing.assert_array_equal(info["server_load"][0], [4, 2, 2])


def test_jain_index_hand_cases_and_the_env_fairness():
    assert jain_index(np.full(7, 3.2)) == pytest.approx(1.0)
    assert jain_index(np.array([5.0, 0, 0, 0, 0])) == pytest.approx(1 / 5)
    assert jain_index(np.array([1.0, 2.0, 3.0])) == pytest.approx(36 / (3 * 14))
    env = _env(6, seed=2)
    # cost fairness, all local: every device's utility (local cost / its cost) is 1 -> perfectly fair
    assert env.evaluate(np.zeros((1, 6), int)).info["cost_fairness"][0] == pytest.approx(1.0, abs=1e-15)
    assignment = np.array([2, 0, 1, 0, 3, 3])
    cost = env.evaluate(assignment[None]).info["cost"][0]
    utility = _plain_cost(env, np.zeros(6, int)) / cost
    expected = utility.sum() ** 2 / (6 * (utility**2).sum())
    assert env.evaluate(assignment[None]).info["cost_fairness"][0] == pytest.approx(expected, rel=1e-12)


def test_resource_fairness_is_jain_over_the_cpu_each_device_runs_on():
    env = _env(6, seed=2)
    state, F = env.state, env.config.server_cpu
    own = state["device_cpu"]
    local = env.evaluate(np.zeros((1, 6), int)).info["fairness"][0]
    assert local == pytest.approx(own.sum() ** 2 / (6 * (own**2).sum()), rel=1e-12)
    # devices 4 and 5 share server 3, device 0 has server 2 to itself, device 2 server 1; 1 and 3 local
    assignment = np.array([2, 0, 1, 0, 3, 3])
    root = np.sqrt(state["cycles"])
    cpu = np.array([F, own[1], F, own[3], F * root[4] / (root[4] + root[5]), F * root[5] / (root[4] + root[5])])
    expected = cpu.sum() ** 2 / (6 * (cpu**2).sum())
    assert env.evaluate(assignment[None]).info["fairness"][0] == pytest.approx(expected, rel=1e-12)
    # everyone on one server: shares proportional to sqrt(C), fair exactly when the C are equal
    env.reset(seed=2, options={"state": {"cycles": np.full(6, 4e7)}})
    assert env.evaluate(np.full((1, 6), 1)).info["fairness"][0] == pytest.approx(1.0, abs=1e-12)


def _plain_server_utility(env, assignment, prices, server):
    """Server ``server``'s utility (1-based) from the equations, device by device."""
    cfg, state = env.config, env.state
    members = [i for i, s in enumerate(assignment) if s == server]
    if not members:
        return 0.0
    priced = dict(state, prices=prices)
    env_prices = env._state
    env._state = priced
    try:
        latency = _plain_cost(env, assignment, weights=(1.0, 0.0, 0.0))
    finally:
        env._state = env_prices
    roots = sum(np.sqrt(state["cycles"][i]) for i in members)
    utility = 0.0
    for i in members:
        c = state["cycles"][i]
        f = cfg.server_cpu * np.sqrt(c) / roots
        utility += prices[server - 1] * c / 1e9 - cfg.server_energy_cost * cfg.server_energy_coefficient * c * f * f
        utility -= cfg.server_delay_cost * latency[i]
    return utility


def test_stackelberg_prices_are_grid_best_responses():
    """Each server's new price maximises its utility over the grid, the others' prices held, with
    the devices whose cost at that price exceeds their local cost leaving (brute force, one by one)."""
    env = gym.make("MultiServerIoT-v0", num_devices=7, pricing="stackelberg",
                   price_grid=(0.05, 0.2, 0.5, 1.0, 2.0, 4.0), server_delay_cost=0.01).unwrapped
    env.reset(seed=6)
    assignment = np.array([1, 2, 3, 1, 2, 3, 1])
    before = env.state["prices"]
    env.step(assignment)
    prices = env.state["prices"]
    local = _plain_cost(env, np.zeros(7, int))
    for server in (1, 2, 3):
        utilities = []
        for price in env.config.price_grid:
            trial = before.copy()
            trial[server - 1] = price
            saved = env._state
            env._state = dict(saved, prices=trial)
            cost = _plain_cost(env, assignment)
            env._state = saved
            retained = np.array([0 if (s == server and cost[i] > local[i]) else s for i, s in enumerate(assignment)])
            utilities.append(_plain_server_utility(env, retained, trial, server))
        assert prices[server - 1] == env.config.price_grid[int(np.argmax(utilities))]
    assert len(set(prices)) > 1 or not np.allclose(prices, before)


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


def test_no_nan_or_inf_at_extreme_positions_and_loads():
    env = gym.make("MultiServerIoT-v0", num_devices=6)
    positions = np.array([[250.0, 250.0], [0, 0], [1000, 1000], [750, 250], [500, 750], [0, 1000]])
    env.reset(seed=0, options={"state": {"positions": positions, "fading": np.full((6, 3), 1e-9)}})
    for action in (np.ones(6, int), np.zeros(6, int), np.array([1, 2, 3, 1, 2, 3])):
        evaluation = env.unwrapped.evaluate(action[None])
        assert np.isfinite(evaluation.rewards).all() and all(np.isfinite(v).all() for v in info_arrays(evaluation.info))
        observation, reward, *_ = env.step(action)
        assert env.observation_space.contains(observation) and np.isfinite(reward)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 12), pricing=st.sampled_from(["fixed", "stackelberg"]),
       spread=st.floats(0.0, 3.0), scale=st.floats(-12.0, 3.0))
def test_property_no_nan_or_inf(seed, n, pricing, spread, scale):
    env = gym.make("MultiServerIoT-v0", num_devices=n, pricing=pricing, workload_spread=spread, episode_length=3)
    observation, _ = env.reset(seed=seed, options={"state": {"fading": np.full((n, 3), 10.0**scale)}})
    rng = np.random.default_rng(seed)
    for _ in range(3):
        action = rng.integers(0, 4, n)
        evaluation = env.unwrapped.evaluate(np.stack([action, np.zeros(n, int), np.ones(n, int)]))
        assert np.isfinite(evaluation.rewards).all()
        assert all(np.isfinite(value).all() for value in info_arrays(evaluation.info))
        observation, reward, _, _, info = env.step(action)
        assert env.observation_space.contains(observation) and np.isfinite(reward)
        assert 0.0 < info["fairness"] <= 1.0 + 1e-12


def test_cost_decomposition_behind_the_congestion_bound():
    """The bound rests on cost_i = n_j a_ij + b_i sum_{S_j} b_k + pay_ij (local_i when local): checked
    against the plain per-device costs on random assignments."""
    from mec_gym.envs.multiserver_iot.oracle import cost_coefficients

    env = _env(12, seed=3)
    c = cost_coefficients(env.task(), env.physics, env.state["prices"])
    rng = np.random.default_rng(0)
    for _ in range(5):
        assignment = rng.integers(0, 4, size=12)
        expected = _plain_cost(env, assignment)
        for i, server in enumerate(assignment):
            if server == 0:
                ours = c["local"][i]
            else:
                members = assignment == server
                ours = members.sum() * c["a"][i, server - 1] + c["b"][i] * c["b"][members].sum() + c["pay"][i, server - 1]
            assert ours == pytest.approx(expected[i], rel=1e-12)


def test_congestion_bound_is_tighter_than_alone_and_below_every_assignment():
    env = _env(40, seed=1)
    best = env.optimum()
    c_alone = env.optimum(method="cd")  # the same bound, other incumbent: still valid
    rewards = env.evaluate(np.random.default_rng(0).integers(0, 4, size=(2000, 40))).rewards
    assert rewards.max() <= best.bound and best.reward <= best.bound and c_alone.reward <= c_alone.bound
    assert best.gap < 0.2  # the devices-alone bound alone left ~150-200 % here


def test_reward_terms_and_device_rewards_recompute_from_the_costs():
    """latency / energy / payment terms and each device's share -cost_i / N, from the per-device
    latency, energy and the price x cycles paid, recomputed here."""
    env = gym.make("MultiServerIoT-v0", num_devices=8).unwrapped
    env.reset(seed=4)
    assignment = np.random.default_rng(4).integers(0, 4, (3, 8))
    info = env.evaluate(assignment).info
    cfg, state = env.config, env.state
    prices = np.where(assignment > 0, np.asarray(cfg.prices)[np.maximum(assignment - 1, 0)], 0.0)
    payment = prices * state["cycles"] / 1e9
    np.testing.assert_allclose(info["reward_terms"]["latency"], -cfg.latency_weight * info["latency"].mean(axis=1))
    np.testing.assert_allclose(info["reward_terms"]["energy"], -cfg.energy_weight * info["energy"].mean(axis=1))
    np.testing.assert_allclose(info["reward_terms"]["payment"], -cfg.price_weight * payment.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(info["device_rewards"], -info["cost"] / 8, rtol=1e-15)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 4), m=st.integers(1, 4),
       pricing=st.sampled_from(["fixed", "stackelberg"]))
def test_any_number_of_servers_resets_steps_and_enumerates(seed, n, m, pricing):
    """num_servers = 1 (a trailing path-loss axis of 1) up to 4: the observation's per-device rows
    are [D / Mbit, C / Gcycle, f / GHz, -log10(gain_j) / 20 for each server] from the path-loss
    formula, and ``optimum()`` is the itertools brute force over the (M + 1)^N assignments."""
    rng = np.random.default_rng(seed)
    sites, prices = rng.uniform(0.0, 1000.0, (m, 2)), rng.uniform(0.01, 1.0, m)
    env = gym.make("MultiServerIoT-v0", num_devices=n, num_servers=m, server_sites=sites, prices=prices,
                   pricing=pricing, episode_length=2)
    for step in range(3):
        if step % 2 == 0:
            observation, _ = env.reset(seed=seed + step)
        state = env.unwrapped.state
        distance_km = np.linalg.norm(state["positions"][:, None, :] - sites[None], axis=-1) / 1e3
        gain = 10 ** (-(128.1 + 37.6 * np.log10(np.maximum(distance_km, 1e-3))) / 10) * state["fading"]
        rows = np.column_stack([state["data_bits"] / 1e6, state["cycles"] / 1e9, state["device_cpu"] / 1e9,
                                -np.log10(gain) / 20])
        expected = np.clip(np.concatenate([rows.reshape(-1), state["prices"]]), 0.0, 10.0).astype(np.float32)
        assert observation.shape == (n * (3 + m) + m,) and env.observation_space.contains(observation)
        np.testing.assert_allclose(observation, expected, rtol=1e-6)
        best = env.unwrapped.optimum()
        brute = max(itertools.product(range(m + 1), repeat=n),
                    key=lambda a: -_plain_cost(env.unwrapped, np.array(a)).mean())
        assert best.method == "enumeration" and best.certified
        assert best.reward == pytest.approx(-_plain_cost(env.unwrapped, np.array(brute)).mean(), rel=1e-12)
        observation, reward, _, truncated, _ = env.step(best.action)
        assert reward == pytest.approx(best.reward, rel=1e-12)
