"""WPMEC-v0: the oracle against the authors' data, a general-purpose convex solver, and properties."""

from __future__ import annotations

import math
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

import mec_gym  # noqa: F401
from mec_gym.envs.wpmec import oracle
from mec_gym.envs.wpmec.env import WPMECEnv
from mec_gym.envs.wpmec.oracle import offload_ratio, solve_p2
from tests.support import info_arrays

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def _reference(name):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the DROO reference data live in shared/ beside the checkout")
    return np.load(path)


@pytest.mark.parametrize("name", ["droo_N10.npz", "droo_N10_alt.npz"])
def test_oracle_reproduces_the_authors_optimal_values(name):
    data = _reference(name)
    weights = data["weights"] if "weights" in data.files else None
    env = WPMECEnv(weights=weights)
    env.reset(seed=0)
    values = np.array([
        solve_p2(h, mode[None], env.config.weights, env.constants)["objective"][0]
        for h, mode in zip(data["h"], data["mode"])
    ])
    assert np.max(np.abs(values - data["obj"]) / data["obj"]) <= 1e-5


@pytest.mark.parametrize("name", ["droo_N10.npz", "droo_N10_alt.npz"])
def test_optimum_recovers_the_stored_decision_on_every_row(name):
    data = _reference(name)
    weights = data["weights"] if "weights" in data.files else None
    env = gym.make("WPMEC-v0", weights=weights).unwrapped
    for h, mode, obj in zip(data["h"], data["mode"], data["obj"]):
        env.reset(options={"state": {"h": h}})
        best = env.optimum()
        assert best.method == "enumeration"
        np.testing.assert_array_equal(best.action, mode)
        assert abs(best.reward - obj) / obj <= 1e-5


def _scipy_p2(h, x, weights, constants):
    """P2 by SLSQP on (a, tau) for the offloaders: an independent, general-purpose solve."""
    off = np.flatnonzero(x)
    loc = np.flatnonzero(x == 0)
    local_coef = weights[loc] * constants.eta1 * np.cbrt(h[loc] / constants.energy_coefficient)
    c = constants.eta2 * h[off] ** 2

    def negative_rate(y):
        a, tau = y[0], y[1:]
        local = local_coef.sum() * np.cbrt(max(a, 0.0))
        tau_safe = np.maximum(tau, 1e-300)
        offload = constants.eps * np.sum(weights[off] * tau_safe * np.log1p(c * max(a, 0.0) / tau_safe))
        return -(local + offload) / 1e6

    best = np.inf
    for start_a in (0.2, 0.5, 0.8):
        y0 = np.concatenate([[start_a], np.full(len(off), (1 - start_a) / max(len(off), 1))])
        result = minimize(
            negative_rate, y0, method="SLSQP", bounds=[(1e-12, 1.0)] * len(y0),
            constraints=[{"type": "ineq", "fun": lambda y: 1.0 - y.sum()}],
            options={"ftol": 1e-15, "maxiter": 2000},
        )
        feasible = np.clip(result.x, 1e-300, 1.0) / max(1.0, result.x.sum())  # SLSQP may overshoot by ~1e-9
        best = min(best, negative_rate(feasible))
    return -best * 1e6


@pytest.mark.parametrize("n", [10, 20, 30])
def test_oracle_agrees_with_a_general_purpose_solver(n):
    env = gym.make("WPMEC-v0", num_devices=n).unwrapped
    rng = np.random.default_rng(n)
    for frame in range(3):
        env.reset(seed=frame)
        h = env.state["h"]
        decisions = np.vstack([np.zeros(n), np.ones(n), rng.integers(0, 2, (2, n))]).astype(int)
        ours = env.evaluate(decisions).rewards
        for x, value in zip(decisions, ours):
            reference = _scipy_p2(h, x, env.config.weights, env.constants)
            assert value >= reference * (1 - 1e-9)  # never beaten by the general solver
            assert abs(value - reference) / reference <= 1e-6


def test_allocation_is_optimal_against_perturbations():
    """Moving time between a and any tau_j, or between two offloaders, never helps (to 1e-9)."""
    env = gym.make("WPMEC-v0").unwrapped
    env.reset(seed=5)
    x = np.array([[1, 0, 1, 1, 0, 0, 1, 0, 1, 0]])
    out = env.evaluate(x)
    a, tau = out.info["a"][0], out.info["tau"][0]
    h, w, k = env.state["h"], env.config.weights, env.constants

    def rate(a, tau):
        off = x[0] == 1
        local = np.sum(w[~off] * k.eta1 * np.cbrt(h[~off] / k.energy_coefficient)) * np.cbrt(a)
        t = tau[off]
        return local + k.eps * np.sum(w[off] * t * np.log1p(k.eta2 * h[off] ** 2 * a / t))

    best = rate(a, tau)
    assert abs(best - out.rewards[0]) <= 1e-9 * best
    for j in np.flatnonzero(x[0]):
        for delta in np.array([1e-3, -1e-3]) * min(tau[j], a):  # stays feasible
            moved = tau.copy()
            moved[j] += delta
            assert rate(a - delta, moved) <= best * (1 + 1e-12)


def test_offload_ratio_solves_its_equation_over_many_scales():
    s = np.logspace(-6, 2.5, 200)
    z, L = offload_ratio(s)
    assert np.allclose(np.log1p(z) - z / (1 + z), s, rtol=1e-9, atol=0)
    assert np.allclose(L, np.log1p(z), rtol=1e-12)
    tiny = np.logspace(-16, -10, 20)  # there the equation reads L^2/2 - L^3/6 = s to ~1e-16
    q = np.sqrt(2 * tiny)
    assert np.allclose(offload_ratio(tiny)[1], q + q**2 / 6, rtol=1e-9, atol=0)


def test_all_local_has_the_closed_form():
    env = gym.make("WPMEC-v0").unwrapped
    env.reset(seed=0)
    h, w, k = env.state["h"], env.config.weights, env.constants
    value = env.evaluate(np.zeros((1, 10), dtype=int)).rewards[0]
    assert value == pytest.approx(np.sum(w * k.eta1 * np.cbrt(h / k.energy_coefficient)), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    log_h=st.lists(st.floats(-12, -2), min_size=6, max_size=6),
    decision=st.lists(st.integers(0, 1), min_size=6, max_size=6),
    device=st.integers(0, 5),
    factor=st.floats(1.0, 100.0),
)
def test_properties_finite_feasible_monotone(log_h, decision, device, factor):
    env = gym.make("WPMEC-v0", num_devices=6).unwrapped
    h = 10.0 ** np.array(log_h)
    env.reset(seed=0, options={"state": {"h": h}})
    x = np.array([decision])
    out = env.evaluate(x)
    assert np.isfinite(out.rewards).all() and all(np.isfinite(v).all() for v in info_arrays(out.info))
    assert out.info["a"][0] + out.info["tau"][0].sum() <= 1 + 1e-12
    assert np.all(out.info["tau"][0] >= 0) and 0 <= out.info["a"][0] <= 1
    stronger = h.copy()
    stronger[device] = min(stronger[device] * factor, 1.0)
    env.reset(seed=0, options={"state": {"h": stronger}})
    assert env.evaluate(x).rewards[0] >= out.rewards[0] * (1 - 1e-12)
    obs = env._observe(env._state)
    assert np.isfinite(obs).all() and env.observation_space.contains(obs)


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.array([0, 1, 2, 0, 0, 0, 0, 0, 0, 0]), "binary"),
        (np.array([0, 1, np.nan, 0, 0, 0, 0, 0, 0, 0]), "finite"),
        (np.zeros(9), "shape"),
        (np.array([0, 0.5, 0, 0, 0, 0, 0, 0, 0, 0]), "integers"),
    ],
)
def test_bad_action_raises_and_leaves_state_untouched(bad, match):
    env = gym.make("WPMEC-v0")
    env.reset(seed=0)
    before = env.unwrapped.state
    with pytest.raises(ValueError, match=match):
        env.step(bad)
    after = env.unwrapped.state
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert env.unwrapped._steps == 0


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"num_devices": 0}, "num_devices"),
        ({"weights": [1.0, -1.0] * 5}, "weights"),
        ({"weights": [1.0] * 3}, "weights"),
        ({"channel_trace": np.full((4, 9), 1e-6)}, "channel_trace"),
        ({"distances": "nowhere"}, "distances"),
        ({"harvesting_efficiency": 1.5}, "harvesting_efficiency"),
        ({"episode_length": 0}, "episode_length"),
    ],
)
def test_invalid_config_raises_at_make_time(overrides, field):
    with pytest.raises(ValueError, match=field):
        gym.make("WPMEC-v0", **overrides)


def test_channel_trace_is_replayed_and_truncates_at_its_end():
    trace = np.random.default_rng(0).uniform(1e-7, 1e-5, (3, 4))
    env = gym.make("WPMEC-v0", num_devices=4, channel_trace=trace)
    obs, _ = env.reset(seed=0)
    seen, truncated = [obs], False
    while not truncated:
        obs, _, _, truncated, _ = env.step(np.zeros(4, dtype=np.int8))
        seen.append(obs)
    assert len(seen) == 4  # three frames scored, then the episode ends
    np.testing.assert_allclose(np.array(seen[:3]), (trace * 1e6).astype(np.float32))


def test_random_distances_change_per_episode_and_fixed_default_matches_spec():
    fixed = gym.make("WPMEC-v0").unwrapped
    fixed.reset(seed=0)
    np.testing.assert_allclose(fixed.state["distances"], 2.5 + 0.3 * np.arange(10))
    random = gym.make("WPMEC-v0", distances="random").unwrapped
    random.reset(seed=0)
    first = random.state["distances"]
    random.reset(seed=1)
    assert not np.allclose(first, random.state["distances"])
    assert np.all((first >= 2.5) & (first <= 5.2))


def test_cd_never_beats_enumeration_and_accepts_a_start():
    env = gym.make("WPMEC-v0").unwrapped
    for seed in range(5):
        env.reset(seed=seed)
        exact = env.optimum()
        cd = env.optimum(method="cd", start=exact.action)
        assert cd.reward == pytest.approx(exact.reward, rel=1e-12)
        assert env.optimum(method="cd").reward <= exact.reward * (1 + 1e-12)


def test_large_n_uses_multistart_descent_under_the_dual_bound():
    env = gym.make("WPMEC-v0", num_devices=20).unwrapped
    rng = np.random.default_rng(0)
    for seed in range(3):
        env.reset(seed=seed)
        best = env.optimum()
        assert best.method == "cd-multistart(3)" and best.action.shape == (20,)
        assert best.reward >= env.optimum(method="cd").reward  # its first start is the single descent
        rewards = env.evaluate(rng.integers(0, 2, size=(1000, 20))).rewards
        assert rewards.max() <= best.bound and best.reward <= best.bound and not best.certified


def test_normalized_reward_is_the_rate_over_the_best_decision_by_brute_force():
    """reward="normalized": each decision's rate over the best of all 2^N decisions' rates (scored one
    at a time in the default mode); the optimum earns exactly 1, any other decision at most 1."""
    n = 6
    decisions = np.array(np.meshgrid(*[[0, 1]] * n)).reshape(n, -1).T
    rate = gym.make("WPMEC-v0", num_devices=n).unwrapped
    normalized = gym.make("WPMEC-v0", num_devices=n, reward="normalized").unwrapped
    for seed in range(3):
        rate.reset(seed=seed)
        normalized.reset(seed=seed)
        best = max(rate.evaluate(d[None]).rewards[0] for d in decisions)
        evaluation = normalized.evaluate(decisions)
        np.testing.assert_allclose(evaluation.rewards, rate.evaluate(decisions).rewards / best, rtol=1e-12)
        assert evaluation.rewards.max() <= 1 + 1e-12
        np.testing.assert_allclose(evaluation.info["device_rewards"].sum(axis=1), evaluation.rewards, rtol=1e-12)
        optimum = normalized.optimum()
        assert optimum.reward == 1.0 and normalized.step(optimum.action)[1] == 1.0


def test_normalized_reward_needs_an_exact_optimum():
    with pytest.raises(ValueError, match="num_devices <= 16"):
        gym.make("WPMEC-v0", num_devices=17, reward="normalized")


def test_batched_exp_and_log_are_the_python_floats_ones_bit_for_bit():
    """A batch of envs with one candidate each must reproduce the single env's Python-float price
    iteration exactly: the vectorised exp / log are checked against math.exp / math.log, over
    every magnitude and the ranges where the complex-libm shortcut does not apply."""
    rng = np.random.default_rng(7)
    exponents = [rng.uniform(-700, 700, 20_000), rng.uniform(-1, 1, 20_000), np.array([-745.0, 705.0, 0.0])]
    magnitudes = [10.0 ** rng.uniform(-307, 307, 20_000), rng.uniform(0.4, 2.1, 20_000), np.array([5e-324, 1e-310, 0.5, 2.0])]
    for values in exponents:
        assert np.array_equal(oracle._python_exp(values), [math.exp(v) for v in values.tolist()])
    for values in magnitudes + [np.array([0.0, -1.0, 3.0])]:
        expected = [math.log(v) if v > 0 else -math.inf for v in values.tolist()]
        assert np.array_equal(oracle._python_log(values), expected)


@pytest.mark.parametrize("episode_length", [5, 150])
@pytest.mark.parametrize("distances", ["linspace", "random"])
def test_iid_channel_stream_is_one_draw_per_frame_from_the_envs_generator(episode_length, distances):
    """The gains a vector env and a single env observe are, frame by frame, those of a hand-rolled
    stream: per episode, the distances (when random) and then N standard exponentials per frame,
    all from the env's generator, across block boundaries (64 frames) and autoresets (same-step mode:
    an episode's final frame is drawn, then the reset's)."""
    seeds, steps = [3, 4], 320
    kwargs = {"episode_length": episode_length, "distances": distances}
    cfg = WPMECEnv(**kwargs).config
    n, scale = cfg.num_devices, 1e6

    def expected(seed):
        rng, frames = np.random.default_rng(seed), []
        while len(frames) <= steps:
            d = rng.uniform(*cfg.distance_range, size=n) if distances == "random" else np.linspace(*cfg.distance_range, n)
            gain = cfg.antenna_gain * (3e8 / (4 * np.pi * cfg.carrier_frequency * d)) ** cfg.path_loss_exponent
            # the reset's frame, then one per step (the last step's frame ends the episode unseen)
            episode = [np.minimum(gain * rng.standard_exponential(n), 1.0) * scale for _ in range(episode_length + 1)]
            frames += episode[:episode_length]
        return np.array(frames[:steps + 1], dtype=np.float32)

    vec = gym.make_vec("WPMEC-v0", num_envs=len(seeds), autoreset_mode=gym.vector.AutoresetMode.SAME_STEP, **kwargs)
    single = gym.make("WPMEC-v0", **kwargs)
    obs, _ = vec.reset(seed=seeds)
    single_obs, _ = single.reset(seed=seeds[0])
    seen, single_seen = [obs], [single_obs]
    for _ in range(steps):
        obs = vec.step(np.ones((len(seeds), n), dtype=np.int8))[0]
        seen.append(obs)
        single_obs, _, _, single_truncated, _ = single.step(np.ones(n, dtype=np.int8))
        if single_truncated:
            single_obs, _ = single.reset()
        single_seen.append(single_obs)
    seen = np.array(seen)
    for i, seed in enumerate(seeds):
        assert np.allclose(seen[:, i], expected(seed), rtol=1e-6, atol=0)
    assert np.allclose(np.array(single_seen), expected(seeds[0]), rtol=1e-6, atol=0)


@pytest.mark.parametrize("candidates", [1, 3, 40])  # 40 x 10 devices: the Newton path with warm starts
def test_batch_of_states_solves_each_state_as_it_alone_bit_for_bit(candidates):
    """solve_p2_batch stops each state on its own (finished states leave the working arrays in
    groups): every state's result is the one solve_p2 gives it alone, whatever the batch."""
    env = WPMECEnv()
    env.reset(seed=0)
    rng = np.random.default_rng(candidates)
    h = rng.exponential(1.0, (60, 10)) * env.scenario.average_gain(env.scenario._config_distances())
    h[::7] *= rng.uniform(1e-3, 1e3, (9, 1))  # states that converge early or late
    h[5] = 0.0  # nothing to gain
    decisions = rng.integers(0, 2, (60, candidates, 10))
    batch = oracle.solve_p2_batch(h, decisions, env.config.weights, env.constants)
    for i in range(len(h)):
        alone = solve_p2(h[i], decisions[i], env.config.weights, env.constants)
        for key, value in alone.items():
            assert np.array_equal(batch[key][i].view(np.int64), np.asarray(value).view(np.int64)), (i, key)


def test_range_check_is_false_for_any_nan_or_out_of_range_entry_wherever_it_sits():
    rng = np.random.default_rng(9)
    for size in (1, 2, 10, 33, 100):
        for _ in range(200):
            values = rng.uniform(0.5, 2.0, size)
            spoil = rng.integers(4)
            if spoil:
                values[rng.integers(size)] = [np.nan, np.inf, 0.1][spoil - 1]
            expected = all(1.0 <= v <= 1.9 for v in values.tolist())  # NaN compares False
            assert oracle._all_within(values.reshape(1, -1), 1.0, 1.9) == expected
    assert not oracle._all_within(np.empty((0,)), 1.0, 1.9)


@pytest.mark.parametrize("compiled", [True, False])
def test_decisions_in_any_memory_layout_score_the_same_bits(monkeypatch, compiled):
    """(Without the compiled sums, NumPy's sums over devices follow the array's layout.)"""
    from mec_gym.envs.wpmec import exact_math

    if not compiled:
        monkeypatch.setattr(exact_math, "_kernels", {})
    env = WPMECEnv()
    env.reset(seed=1)
    decisions = (np.random.default_rng(2).random((10, 64)) < 0.5).T  # (64, 10), Fortran-ordered
    assert not decisions.flags.c_contiguous
    by_layout = [env.evaluate(decisions).rewards, env.evaluate(np.ascontiguousarray(decisions)).rewards]
    assert np.array_equal(by_layout[0].view(np.int64), by_layout[1].view(np.int64))
