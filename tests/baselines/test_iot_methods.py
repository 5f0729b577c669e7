"""The MultiServerIoT-v0 methods of seed 003 (baselines/iot): smoke-sized learning checks against
independent references (persistence computed from the env's state, random and fixed-price runs on
the same seeds), save/load round trips and config errors."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import mec_gym  # noqa: F401
from mec_gym.multiagent.iot import MultiServerIoTParallelEnv
from baselines import heuristics
from baselines.iot.drl import DQNConfig, IoTDQN
from baselines.iot.common import PricedView
from baselines.iot.gat import GATConfig, IoTGAT
from baselines.iot.marl import LeaderMarket, MARLConfig, PriceLeaders, StackelbergMARL
from baselines.iot.twin import DigitalTwin, TwinConfig
from baselines.iot.unified import UnifiedConfig, UnifiedIoT

N = 20


def _env(**config):
    return gym.make("MultiServerIoT-v0", **{"num_devices": N, **config})


def _mean_cost(policy, seed=77, slots=20, **config):
    """Mean device cost of ``policy(env, observation, rng)`` over ``slots`` slots, computed by hand
    from the env's per-device costs (the same tasks and channels for every policy)."""
    env = _env(**config)
    observation, _ = env.reset(seed=seed)
    rng, costs = np.random.default_rng(0), []
    for _ in range(slots):
        observation, _, _, _, info = env.step(policy(env, observation, rng))
        costs.append(np.mean(info["cost"]))
    return float(np.mean(costs))


@pytest.fixture(scope="module")
def references():
    return {"random": _mean_cost(lambda env, obs, rng: heuristics.random_policy(env, rng)),
            "all-local": _mean_cost(lambda env, obs, rng: heuristics.all_local_policy(env, rng))}


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


# ----- DRL -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dqn():
    return IoTDQN(_env(), DQNConfig(), seed=0).learn(300)


def test_dqn_learns_a_cheaper_policy_than_random_and_all_local(dqn, references):
    cost = _mean_cost(lambda env, obs, rng: dqn.predict(obs))
    assert cost < 0.9 * references["all-local"] and cost < 0.2 * references["random"]
    untrained = IoTDQN(_env(), DQNConfig(), seed=0)
    assert cost < _mean_cost(lambda env, obs, rng: untrained.predict(obs))


def test_dqn_save_load_round_trips(dqn, tmp_path):
    env = _env()
    observation, _ = env.reset(seed=9)
    dqn.save(tmp_path / "dqn.pt")
    loaded = IoTDQN.load(tmp_path / "dqn.pt", env)
    np.testing.assert_array_equal(loaded.predict(observation), dqn.predict(observation))
    assert loaded.config == dqn.config


@pytest.mark.parametrize("field, value", [("discount", 1.0), ("epsilon", 2.0), ("batch_size", 0), ("cost_clip", 0.5)])
def test_dqn_config_errors_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        DQNConfig(**{field: value})


# ----- GAT -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gat():
    return IoTGAT(_env(), GATConfig(), seed=0).learn(200)


def test_gat_imitation_loss_falls_and_its_policy_beats_random_and_all_local(gat, references):
    loss = gat.history["loss"]
    assert np.mean(loss[-20:]) < 0.5 * np.mean(loss[:20])
    cost = _mean_cost(lambda env, obs, rng: gat.predict(obs))
    assert cost < 0.6 * references["all-local"] and cost < 0.1 * references["random"]


def test_gat_runs_at_another_size_and_save_load_round_trips(gat, tmp_path):
    gat.save(tmp_path / "gat.pt")
    other = _env(num_devices=7, num_servers=2, server_sites=((100.0, 100.0), (900.0, 900.0)), prices=(0.1, 0.3))
    observation, _ = other.reset(seed=3)
    scores = IoTGAT.load(tmp_path / "gat.pt", other).scores(observation)
    assert scores.shape == (7, 3)
    np.testing.assert_allclose(np.exp(scores).sum(axis=1), 1.0, rtol=1e-5)
    env = _env()
    observation, _ = env.reset(seed=3)
    np.testing.assert_array_equal(IoTGAT.load(tmp_path / "gat.pt", env).predict(observation), gat.predict(observation))


@pytest.mark.parametrize("field, value", [("hidden", 0), ("learning_rate", 0.0), ("negative_slope", -1.0)])
def test_gat_config_errors_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        GATConfig(**{field: value})


# ----- Stackelberg MARL ------------------------------------------------------------------------
def _priced(**config):
    return MultiServerIoTParallelEnv(pricing_agents=True, **{"num_devices": N, **config})


@pytest.fixture(scope="module")
def marl():
    return StackelbergMARL(_priced(), MARLConfig(price_stride=5), seed=0).learn(200)


def _leader_utility(choose, seed=77, slots=20):
    """Total server utility per slot when ``choose(env)`` gives every agent's action."""
    env = _priced()
    env.reset(seed=seed)
    total = []
    for _ in range(slots):
        _, rewards, *_ = env.step(choose(env))
        total.append(sum(rewards[agent] for agent in env.servers))
    return float(np.mean(total))


def test_marl_leaders_earn_more_than_at_their_initial_price(marl):
    grid = np.asarray(_priced().env.config.price_grid)
    initial = int(np.argmin(np.abs(grid - 0.1)))  # the config's first-slot price, 0.1 per gigacycle

    def fixed(env):  # best-response followers at the initial price, computed here
        assignment = heuristics.best_response_policy(PricedView(env.env, grid[[initial] * 3]), None)
        return {**dict(zip(env.devices, map(int, assignment))), **{agent: initial for agent in env.servers}}

    def learned(env):
        marl.env = env
        return marl.predict()

    assert _leader_utility(learned) > _leader_utility(fixed) + 0.05  # about -0.87 against -1.03


def test_marl_save_load_round_trips_and_needs_pricing_agents(marl, tmp_path):
    marl.save(tmp_path / "marl.pt")
    env = _priced()
    env.reset(seed=4)
    loaded = StackelbergMARL.load(tmp_path / "marl.pt", env)
    marl.env = env
    assert loaded.predict() == marl.predict()
    with pytest.raises(ValueError, match="pricing_agents"):
        StackelbergMARL(MultiServerIoTParallelEnv(num_devices=4))


def test_leader_market_is_the_parallel_game_in_gym_shape():
    grid = np.asarray(_priced().env.config.price_grid)
    market = LeaderMarket(_priced(), PriceLeaders(3, grid, MARLConfig(), np.random.default_rng(1)))
    twin_game, plain = _priced(), _env()
    observation, _ = market.reset(seed=8)
    twin_game.reset(seed=8)
    reference, _ = plain.reset(seed=8)
    np.testing.assert_array_equal(observation[:-3], reference[:-3])  # same devices, tasks and channels
    np.testing.assert_allclose(observation[-3:], grid[market.choice], rtol=1e-6)  # the announced prices
    rng = np.random.default_rng(2)
    for _ in range(3):
        assignment, choice = rng.integers(0, 4, N), market.choice
        observation, reward, _, _, info = market.step(assignment)
        _, rewards, *_ = twin_game.step({**{f"device_{i}": int(a) for i, a in enumerate(assignment)},
                                         **{f"server_{j}": int(c) for j, c in enumerate(choice)}})
        assert reward == pytest.approx(np.mean([rewards[f"device_{i}"] for i in range(N)]), rel=1e-12)
        np.testing.assert_allclose(info["server_utility"], [rewards[f"server_{j}"] for j in range(3)], rtol=1e-12)


@pytest.mark.parametrize("field, value", [("price_stride", 0), ("epsilon", -0.1), ("follower", "nobody")])
def test_marl_config_errors_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        MARLConfig(**{field: value})


# ----- unified (Algorithm 2) -------------------------------------------------------------------
QUICK = {"qio_iterations": 20, "twin_fit_interval": 40, "twin_fit_steps": 20}


@pytest.fixture(scope="module")
def unified():
    return UnifiedIoT(_env(), UnifiedConfig(**QUICK), seed=0).learn(120)


def test_unified_beats_random_and_all_local_on_cost(unified, references):
    assert isinstance(unified.env, LeaderMarket)  # MARL on: the leaders announce the prices
    observation, _ = unified.env.reset(seed=77)  # the references' tasks and channels
    costs = []
    for _ in range(20):
        observation, _, _, _, info = unified.env.step(unified.predict(observation))
        costs.append(np.mean(info["cost"]))
    assert np.mean(costs) < 0.8 * references["all-local"] and np.mean(costs) < 0.1 * references["random"]


def test_unified_save_load_round_trips(unified, tmp_path):
    unified.save(tmp_path / "unified.pt")
    loaded = UnifiedIoT.load(tmp_path / "unified.pt", _env())
    decisions = []
    for agent in (unified, loaded):
        observation, _ = agent.env.reset(seed=6)
        agent.rng = np.random.default_rng(0)  # QIO draws from it
        decisions.append(agent.predict(observation))
    np.testing.assert_array_equal(decisions[0], decisions[1])
    np.testing.assert_array_equal(loaded.leaders.values, unified.leaders.values)


def test_each_module_can_be_dropped():
    for module in ("dt", "gat", "marl", "drl", "qio"):
        agent = UnifiedIoT(_env(num_devices=6), UnifiedConfig.without(module, **QUICK), seed=0).learn(3)
        observation, _ = agent.env.reset(seed=1)
        decision = agent.predict(observation)
        assert decision.shape == (6,) and 0 <= decision.min() and decision.max() <= 3
        assert (agent.learner is None) == (module == "drl") and isinstance(agent.env, LeaderMarket) == (module != "marl")
        assert (agent.twin is None) == (module == "dt") and (agent.gat is None) == (module == "gat")


@pytest.mark.parametrize("field, value", [("qio_iterations", 0), ("fusion_cost", -1.0), ("twin_fit_interval", 0)])
def test_unified_config_errors_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        UnifiedConfig(**{field: value})
    with pytest.raises(ValueError, match="module"):
        UnifiedConfig.without("federated")


@pytest.mark.parametrize("method", ["iot-drl", "iot-unified"])
def test_leaderboard_runs_the_registered_iot_methods(method):
    from benchmarks.runner import RunSpec, execute

    record = execute(RunSpec("MultiServerIoT-v0", method, seed=0, frames=4, eval_frames=3, env_config={"num_devices": 8},
                             method_config={"qio_iterations": 5} if method == "iot-unified" else {}))
    assert record["error"] is None, record["error"]
    assert set(record["metrics"]) >= {"latency_ms", "energy_j", "fairness", "mean_cost"}
    assert np.isfinite(list(record["metrics"].values())).all()
