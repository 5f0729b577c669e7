"""OFDMA-Consistency-v0: the oracle against scipy and CVXPY, TEM against random decisions, and the
consistency count of eq. (11)."""

from __future__ import annotations

import cvxpy as cp
import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize, minimize_scalar

import mec_gym  # noqa: F401
from mec_gym.envs.ofdma_consistency.oracle import best_power, channel_gain, optimal_resources, score
from tests.support import info_arrays


def _env(n=5, seed=0, **config):
    env = gym.make("OFDMA-Consistency-v0", num_devices=n, **config).unwrapped
    env.reset(seed=seed)
    return env


def test_best_power_matches_a_bounded_scalar_minimisation():
    env = _env(8)
    physics, state = env.physics, env.state
    gamma = channel_gain(state["distance"], physics) / physics.noise_power
    ours = best_power(gamma, physics)
    for g, p in zip(gamma, ours):
        def cost(x, g=g):
            return (physics.delay_weight + physics.energy_weight * x) / np.log2(1 + x * g)
        reference = minimize_scalar(cost, bounds=(1e-12, physics.max_power), method="bounded",
                                    options={"xatol": 1e-14})
        assert cost(p) <= reference.fun * (1 + 1e-9)
        assert abs(cost(p) - reference.fun) <= 1e-9 * reference.fun


def test_bandwidth_split_matches_cvxpy():
    env = _env(6, seed=3)
    offload = np.array([[1, 1, 0, 1, 1, 0]], bool)
    ours = optimal_resources(env.state, env.physics, offload)
    physics, state = env.physics, env.state
    gamma = channel_gain(state["distance"], physics) / physics.noise_power
    p = ours["power"][0][offload[0]]
    c = state["data_bits"][offload[0]] * (1 + p) / np.log2(1 + p * gamma[offload[0]])
    b = cp.Variable(len(c))
    problem = cp.Problem(cp.Minimize(cp.sum(cp.multiply(c / 1e6, cp.inv_pos(b)))), [cp.sum(b) <= 1.0])
    problem.solve(solver=cp.CLARABEL)
    reference = problem.value * 1e6 / physics.bandwidth
    transmission = (c / ours["bandwidth"][0][offload[0]]).sum()
    assert abs(transmission - reference) <= 1e-6 * reference


def _slsqp_objective(env, offload):
    """The same continuous problem for a fixed offloading vector by multistart SLSQP."""
    state, physics = env.state, env.physics
    n, off = len(offload), offload.astype(bool)
    k = off.sum()

    def unpack(y):
        b = np.zeros(n)
        p = np.zeros(n)
        f = np.zeros(n)
        b[off] = y[:k] * physics.bandwidth
        p[off] = y[k:2 * k]
        f[~off] = y[2 * k:] * 1e9
        return b, p, f

    def objective(y):
        b, p, f = unpack(y)
        return score(state, physics, off[None], b[None], p[None], f[None])["objective"][0]

    rng = np.random.default_rng(0)
    bounds = [(1e-6, 1.0)] * k + [(1e-6, physics.max_power)] * k + [(1e-3, fm / 1e9) for fm in state["local_cpu"][~off]]
    best = np.inf
    for _ in range(4):
        y0 = np.concatenate([np.full(k, 1.0 / max(k, 1)), rng.uniform(0.01, 1, k), rng.uniform(0.5, 1, n - k)])
        result = minimize(objective, y0, method="SLSQP", bounds=bounds,
                          constraints=[{"type": "ineq", "fun": lambda y: 1.0 - y[:k].sum()}],
                          options={"ftol": 1e-14, "maxiter": 1000})
        y = result.x.copy()
        y[:k] /= max(1.0, y[:k].sum())  # SLSQP may overshoot the band by ~1e-10
        best = min(best, objective(y))
    return best


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7, 8])
def test_oracle_agrees_with_slsqp_on_the_continuous_problem(n):
    env = _env(n, seed=n)
    rng = np.random.default_rng(n)
    for offload in [np.zeros(n, int), np.ones(n, int), rng.integers(0, 2, n)]:
        ours = env.evaluate_offloading(offload[None]).info["objective"][0]
        reference = _slsqp_objective(env, offload)
        assert ours <= reference * (1 + 1e-9)
        assert abs(ours - reference) <= 1e-6 * reference


def test_tem_is_never_worse_than_random_feasible_decisions():
    env = _env(6, seed=11)
    tem = env.optimum()
    assert tem.method == "tem"
    rng = np.random.default_rng(0)
    k, n = 1000, 6
    offload = rng.integers(0, 2, (k, n)).astype(bool)
    shares = rng.dirichlet(np.ones(n), size=k) * rng.uniform(0.1, 1.0, (k, 1))
    bandwidth = np.where(offload, shares * env.physics.bandwidth, 0.0)
    power = np.where(offload, rng.uniform(1e-3, 1.0, (k, n)) * env.physics.max_power, 0.0)
    cpu = np.where(offload, 0.0, rng.uniform(1e-3, 1.0, (k, n)) * env.state["local_cpu"])
    random = score(env.state, env.physics, offload, bandwidth, power, cpu)["objective"]
    assert tem.info["objective"] <= random.min()
    # the encoded TEM action scores as the oracle says, and is fully consistent
    evaluation = env.evaluate(tem.action[None])
    assert evaluation.info["objective"][0] == pytest.approx(tem.info["objective"], rel=1e-6)
    assert evaluation.info["consistency_count"][0] == n and evaluation.rewards[0] == tem.reward


def test_consistency_count_and_reward_terms_on_hand_made_actions():
    env = _env(3, seed=1)
    # UTD0 offloads consistently, UTD1 is local and consistent, UTD2 is local but keeps power
    action = np.array([1, 0, 0, -1,   -1, -1, -1, 0.5,   -1, -1, 0.2, 0.4], dtype=np.float32)
    out = env.evaluate(action[None])
    np.testing.assert_array_equal(out.info["consistent"][0], [True, True, False])
    assert out.info["consistency_count"][0] == 2
    physics, state = env.physics, env.state
    b = np.array([0.5, 0, 0]) * physics.bandwidth
    p = np.array([0.5, 0, 0.6]) * physics.max_power
    f = np.array([0, 0.75, 0.7]) * state["local_cpu"]
    gamma = state["distance"] ** -3.0 / physics.noise_power
    t0 = state["data_bits"][0] / (b[0] * np.log2(1 + p[0] * gamma[0]))
    delay = np.array([t0 + state["data_bits"][0] * state["cycles_per_bit"][0] * 1 / physics.server_cpu,
                      *(state["data_bits"][1:] * state["cycles_per_bit"][1:] / f[1:])])
    energy = np.array([p[0] * t0, *(1e-28 * state["data_bits"][1:] * state["cycles_per_bit"][1:] * f[1:] ** 2)])
    expected = -(delay.sum() + energy.sum()) - max(delay.sum() - 0.5, 0) - max(b.sum() / physics.bandwidth - 1, 0) + 2
    assert out.rewards[0] == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(out.info["latency"][0], delay, rtol=1e-6)


def test_bandwidth_overuse_is_penalised():
    env = _env(2, seed=0)
    both = np.array([1, 1, 1, -1, 1, 1, 1, -1], dtype=np.float32)  # each UTD asks for the whole band
    out = env.evaluate(both[None])
    assert out.info["bandwidth_excess"][0] == pytest.approx(1.0, abs=1e-5)


def test_served_objective_grants_over_asking_offloaders_their_share_of_the_band():
    env = _env(3, seed=2)
    # UTD0 and UTD1 offload asking for 90 % and 60 % of B (1.5 B in all); UTD2 is local
    asking = np.array([1, 0.8, 0.2, -1,   1, 0.2, 0.6, -1,   -1, -1, -1, 0.3], dtype=np.float32)
    out = env.evaluate(asking[None])
    assert out.info["bandwidth_excess"][0] > 0.4
    granted = asking.copy()
    granted[[1, 5]] = 2.0 * (np.array([0.9, 0.6]) / 1.5) - 1.0  # the same shares scaled to sum to B
    fits = env.evaluate(granted[None])
    assert fits.info["bandwidth_excess"][0] == 0.0
    assert out.info["served_objective"][0] == pytest.approx(fits.info["objective"][0], rel=1e-6)
    assert out.info["served_objective"][0] > out.info["objective"][0]  # less band than asked: slower
    assert fits.info["served_objective"][0] == fits.info["objective"][0]
    # local devices' bandwidth is not served (they do not transmit): only the offloaders' requests count
    local_asks = granted.copy()
    local_asks[9] = 1.0
    assert env.evaluate(local_asks[None]).info["served_objective"][0] == pytest.approx(fits.info["objective"][0])


def test_best_objective_tracks_the_episode():
    env = _env(4, seed=2)
    tem = env.optimum()
    env.step(np.zeros(16, dtype=np.float32))
    _, _, _, _, info = env.step(tem.action)
    assert info["best_objective"] == pytest.approx(tem.info["objective"], rel=1e-6)
    _, _, _, _, info = env.step(-np.ones(16, dtype=np.float32))
    assert info["best_objective"] == pytest.approx(tem.info["objective"], rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(action=st.lists(st.floats(-1, 1), min_size=12, max_size=12),
       distance=st.lists(st.floats(1.0, 3000.0), min_size=3, max_size=3))
def test_no_nan_or_inf_for_any_action_and_distance(action, distance):
    env = gym.make("OFDMA-Consistency-v0", num_devices=3).unwrapped
    obs, _ = env.reset(seed=0, options={"state": {"distance": np.array(distance)}})
    out = env.evaluate(np.array([action]))
    assert np.isfinite(out.rewards).all() and all(np.isfinite(v).all() for v in info_arrays(out.info))
    obs, reward, *_ = env.step(np.array(action, dtype=np.float32))
    assert env.observation_space.contains(obs) and np.isfinite(reward)


def test_bad_action_and_config_raise():
    env = _env(3)
    before = env.state
    with pytest.raises(ValueError, match="action"):
        env.step(np.full(12, 1.5, dtype=np.float32))
    with pytest.raises(ValueError, match="shape"):
        env.step(np.zeros(11, dtype=np.float32))
    assert all(np.array_equal(before[k], env.state[k]) for k in before)
    for start in (np.full(3, 3), np.zeros(7), np.array([0.0, np.nan, 1.0])):
        with pytest.raises(ValueError, match="start"):
            env.optimum(method="cd", start=start)
    for bad, field in [({"num_devices": 0}, "num_devices"), ({"deadlines": "firm"}, "deadlines"),
                       ({"bandwidth": -1.0}, "bandwidth"), ({"data_size_kb": (400, 200)}, "data_size_kb")]:
        with pytest.raises(ValueError, match=field):
            gym.make("OFDMA-Consistency-v0", **bad)


def test_best_objective_ignores_decisions_beyond_the_band():
    env = _env(2, seed=0)
    start = env.state["best_objective"]
    greedy = np.array([1, 1, 1, -1, 1, 1, 1, -1], dtype=np.float32)  # each UTD takes the whole band
    _, _, _, _, info = env.step(greedy)
    assert info["bandwidth_excess"] > 0 and info["best_objective"] == start
    state = env.state
    work = state["data_bits"] * state["cycles_per_bit"]
    all_local_at_fmax = np.sum(work / state["local_cpu"] + 1e-28 * work * state["local_cpu"] ** 2)
    assert start == pytest.approx(all_local_at_fmax, rel=1e-12)


def _slsqp_hard_objective(env, offload) -> float:
    """Least objective with every T_n <= tau by multistart SLSQP (inf when no start is feasible)."""
    state, physics = env.state, env.physics
    n, off = len(offload), offload.astype(bool)

    def outcome(x):  # x: shares of B, P_max and f_max, three per UTD
        b = np.where(off, x[:n] * physics.bandwidth, 0.0)
        p = np.where(off, x[n:2 * n] * physics.max_power, 0.0)
        f = np.where(off, 0.0, x[2 * n:] * state["local_cpu"])
        return score(state, physics, off[None], b[None], p[None], f[None])

    constraints = [{"type": "ineq", "fun": lambda x: 1.0 - x[:n][off].sum()},
                   {"type": "ineq", "fun": lambda x: physics.deadline - outcome(x)["latency"][0]}]
    rng, best = np.random.default_rng(0), np.inf
    for _ in range(12):
        x0 = rng.uniform(0.05, 1.0, 3 * n)
        x0[:n] *= 0.99 / max(1, off.sum())
        result = minimize(lambda x: outcome(x)["objective"][0], x0, method="SLSQP", bounds=[(1e-6, 1.0)] * (3 * n),
                          constraints=constraints, options={"maxiter": 500, "ftol": 1e-12})
        delays = outcome(result.x)["latency"][0]
        if result.success and (delays <= physics.deadline + 1e-7).all() and result.x[:n][off].sum() <= 1 + 1e-7:
            best = min(best, result.fun)
    return best


def test_hard_deadline_oracle_agrees_with_slsqp_and_meets_every_deadline():
    binding = feasible = 0
    for seed in range(4):
        soft = gym.make("OFDMA-Consistency-v0", num_devices=3).unwrapped
        soft.reset(seed=seed)
        for offload in (np.array([1, 1, 1]), np.array([0, 1, 1])):
            # a deadline just below the soft optimum's longest delay, so that it binds
            tau = 0.97 * soft.evaluate_offloading(offload[None]).info["latency"][0].max()
            env = gym.make("OFDMA-Consistency-v0", num_devices=3, deadline=tau, deadlines="hard").unwrapped
            env.reset(seed=seed)
            info = env.evaluate_offloading(offload[None]).info
            reference = _slsqp_hard_objective(env, offload)
            if not info["feasible"][0]:
                assert reference == np.inf  # nothing SLSQP finds meets the deadlines either
                continue
            feasible += 1
            assert (info["latency"][0] <= tau * (1 + 1e-9)).all()
            assert info["bandwidth"][0].sum() <= env.physics.bandwidth * (1 + 1e-9)
            assert info["objective"][0] <= reference * (1 + 1e-9)
            assert abs(info["objective"][0] - reference) <= 1e-6 * reference
            binding += int(np.isclose(info["latency"][0], tau, rtol=1e-6).any())
    assert feasible >= 4 and binding >= 4  # the comparison covered deadline-bound allocations


def test_hard_tem_picks_the_best_feasible_vector_and_reports_infeasible_frames():
    env = gym.make("OFDMA-Consistency-v0", num_devices=3, deadline=1.5, deadlines="hard").unwrapped
    env.reset(seed=1)
    vectors = np.array(np.meshgrid(*[[0, 1]] * 3)).reshape(3, -1).T
    info = env.evaluate_offloading(vectors).info
    best = env.optimum()
    assert best.info["feasible"]
    assert best.info["objective"] == pytest.approx(info["objective"][info["feasible"]].min(), rel=1e-12)
    step_info = env.evaluate(best.action[None]).info
    assert step_info["feasible"][0] and step_info["deadline_misses"][0] == 0
    tight = gym.make("OFDMA-Consistency-v0", num_devices=6, deadlines="hard").unwrapped  # SPEC: none at N >= 5
    tight.reset(seed=0)
    assert not tight.optimum().info["feasible"]
    assert not tight.evaluate_offloading(np.ones((1, 6), int)).info["feasible"][0]


# ----- bandwidth decoding (issue 17) ------------------------------------------------------------
def test_shares_decoding_keeps_every_random_action_within_the_band():
    env = _env(6, seed=1, bandwidth_decoding="shares")
    actions = np.random.default_rng(0).uniform(-1, 1, (10_000, 24))
    actions[:100] = 1.0  # every UTD asks for the whole band
    _, bandwidth, _, _ = env.decode(actions)
    B = env.config.bandwidth
    assert np.all(bandwidth.sum(axis=1) <= B * (1 + 1e-12))
    info = env.evaluate(actions).info
    assert np.all(info["bandwidth_excess"] == 0)
    np.testing.assert_allclose(info["served_objective"], info["objective"], rtol=1e-12)  # nothing to scale down
    # the same actions decoded absolutely: most ask for more than the band
    assert np.mean(_env(6, seed=1).evaluate(actions).info["bandwidth_excess"] > 0) > 0.5


def test_shares_decoding_by_hand_and_within_band_requests_untouched():
    env = _env(3, bandwidth_decoding="shares")
    u = np.array([0.6, 0.0, 0.9])  # UTD 1 computes locally and asks for nothing (consistent)
    action = np.stack([[1.0, -1.0, 1.0], 2 * u - 1, np.zeros(3), np.zeros(3)], axis=-1).reshape(1, -1)
    _, bandwidth, _, _ = env.decode(action)
    np.testing.assert_allclose(bandwidth[0], env.config.bandwidth * u / 1.5, rtol=1e-15)  # SPEC.md's B u / sum u
    small = np.stack([[1.0, -1.0, 1.0], 2 * (u / 3) - 1, np.zeros(3), np.zeros(3)], axis=-1).reshape(1, -1)
    np.testing.assert_array_equal(env.decode(small)[1], _env(3).decode(small)[1])  # sum u <= 1: as absolute


@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_tem_is_the_same_under_both_decodings(n):
    for seed in range(3):
        absolute, shares = _env(n, seed), _env(n, seed, bandwidth_decoding="shares")
        a, s = absolute.optimum(), shares.optimum()
        np.testing.assert_array_equal(a.info["offloading"], s.info["offloading"])
        assert a.info["objective"] == s.info["objective"]
        np.testing.assert_array_equal(a.action, s.action)
        # its decision is in the band, so the shares decoding rescales it by float32 rounding at most
        assert s.reward == pytest.approx(a.reward, rel=1e-6)
        assert shares.evaluate(s.action[None]).info["bandwidth_excess"][0] == 0


def test_bandwidth_decoding_must_be_a_known_name():
    with pytest.raises(ValueError, match=r"bandwidth_decoding must be one of \['absolute', 'shares'\]; got 'relative'"):
        gym.make("OFDMA-Consistency-v0", bandwidth_decoding="relative")


@pytest.mark.parametrize("share", [1.0, 0.5])
def test_bound_holds_when_the_resource_floor_covers_a_small_bandwidth_request(share):
    """The delays see a request floored at min_resource_share x B, the band-excess term the request
    itself: offloaders asking for almost no bandwidth (consistent: b > 0) pay no band excess yet
    transmit as if granted the floor. Every offloading vector with such requests, at several powers,
    stays below optimum().bound (the bound once charged b / B for a request it could not see)."""
    n = 4
    env = gym.make("OFDMA-Consistency-v0", num_devices=n, min_resource_share=share).unwrapped
    for seed in range(4):
        env.reset(seed=seed)
        best = env.optimum()
        actions = []
        for vector in range(1 << n):
            offload = np.array([(vector >> i) & 1 for i in range(n)], dtype=bool)
            for request in (1e-6, 0.01, 1.0 / n):
                for power in (0.1, 1.0):
                    actions.append(env.encode(offload, np.where(offload, request * env.config.bandwidth, 0.0),
                                              np.where(offload, power * env.config.max_power, 0.0),
                                              np.where(offload, 0.0, env.state["local_cpu"])))
        rewards = env.evaluate(np.array(actions)).rewards
        assert rewards.max() <= best.bound + 1e-9 * abs(best.bound), (seed, rewards.max(), best.bound)


def test_zero_delay_weight_is_refused_at_make():
    """With lambda1 = 0 a local UTD's cost-minimising CPU is f -> 0 (an infinite delay): the oracle's
    objectives were NaN and optimum() failed with a TypeError; make() refuses it, naming the field."""
    with pytest.raises(ValueError, match="delay_weight"):
        gym.make("OFDMA-Consistency-v0", delay_weight=0.0)
    env = gym.make("OFDMA-Consistency-v0", num_devices=3, delay_weight=1e-3, energy_weight=1.0).unwrapped
    env.reset(seed=0)
    best = env.optimum()
    assert np.isfinite(best.reward) and np.isfinite(best.bound) and best.reward <= best.bound + 1e-9 * abs(best.bound)
