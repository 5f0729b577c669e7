"""MEQC-GaussMarkov-v0: the quantum model by hand, the optimal fraction against a dense grid, the
costs against a per-device recomputation, wrappers, bad actions and properties."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mec_gym  # noqa: F401
from mec_gym.core.scenario import env_slice
from mec_gym.envs.meqc import quantum
from tests.support import info_arrays


def test_quantum_model_by_hand():
    np.testing.assert_array_equal(quantum.logical_qubits([7, 8, 9, 10]), [9, 13, 17, 22])
    model = quantum.QPUModel(threshold_error=1e-2, shots=50, two_qubit_time=100e-9, measurement_time=1e-6,
                             gate_energy=1e-11, cooling_power=1.2e4, code_size=7, max_level=3, success_threshold=2 / 3)
    # n_q = 9, L = 17, p = 1e-3: P_s(k) = 1 - 153 p_L(k), p_L = 1e-2 (0.1)^(2^k)
    expected = [1 - 153 * 1e-3, 1 - 153 * 1e-4, 1 - 153 * 1e-6, 1 - 153 * 1e-10]
    np.testing.assert_allclose(quantum.success_probability(9, 17, 1e-3, np.arange(4), model), expected)
    # n_q = 22, L = 43, p = 2e-3: k = 0 -> 1 - 946 * 2e-3 < 0, k = 1 -> 1 - 946 * 4e-4 = 0.6216, k = 2 -> 0.985
    assert quantum.concatenation_level(22, 43, 2e-3, model) == 2
    assert quantum.concatenation_level(9, 17, 1e-3, model) == 0
    assert quantum.concatenation_level(22, 43, 9.9e-3, model) == -1  # p near threshold: nothing reaches 2/3
    time, energy = quantum.execution(9, 17, 0, model)
    assert time == pytest.approx(50 * (17 * 100e-9 + 1e-6))
    assert energy == pytest.approx(50 * 9 * 17 * 1e-11 + 1.2e4 * time)
    time, energy = quantum.execution(22, 43, 2, model)  # level 2: 49 physical steps per logical one
    assert time == pytest.approx(50 * (43 * 49 * 100e-9 + 1e-6))
    assert energy == pytest.approx(50 * 22 * 43 * 49 * 1e-11 + 1.2e4 * time)
    assert quantum.feasible(22, 2, 1078, model) and not quantum.feasible(22, 2, 1077, model)
    assert not quantum.feasible(9, -1, 500, model)


def _env(seed=0, **config):
    env = gym.make("MEQC-GaussMarkov-v0", **config).unwrapped
    env.reset(seed=seed)
    return env


@pytest.mark.parametrize("reward, deadline_mode, qpu_partial", [
    ("surrogate", "hard", "whole"), ("cost", "hard", "whole"), ("surrogate", "penalty", "whole"), ("cost", "penalty", "whole"),
    ("surrogate", "hard", "scaled"), ("cost", "penalty", "scaled")])
def test_optimal_fraction_matches_a_dense_grid(reward, deadline_mode, qpu_partial):
    grid = np.linspace(0, 1, 10_001)
    step = grid[1]
    for seed in range(4):
        rng = np.random.default_rng(seed)
        env = _env(seed, reward=reward, deadline_mode=deadline_mode, qpu_partial=qpu_partial)
        # random queues, and tight deadlines on half the seeds so the deadline breakpoints bind
        state = {"Z": rng.uniform(0, 20, 15)}
        if seed % 2:
            state["deadline"] = rng.uniform(0.05, 1.0, 15)
        env.reset(seed=seed, options={"state": state})
        for target in (np.zeros(15, int), np.ones(15, int), rng.integers(0, 2, 15)):
            ours, reported = env.optimal_fraction(target, return_objective=True)
            # the objective it reports recomputes from the allocation, through the float32 action
            recomputed = env.evaluate({"fraction": ours.astype(np.float32)[None], "target": target[None]})
            np.testing.assert_allclose(reported, recomputed.info["device_objective"][0], rtol=1e-12, atol=1e-12)
            dense = env.evaluate({"fraction": np.repeat(grid[:, None], 15, axis=1),
                                  "target": np.repeat(target[None], len(grid), 0)}).info["device_objective"]
            grid_best, grid_arg = dense.min(axis=0), grid[dense.argmin(axis=0)]
            # no grid point beats it (up to the float32 rounding of a deadline breakpoint, <= 6e-8 in alpha)
            assert np.all(reported <= grid_best + 1e-6 * np.abs(grid_best) + 1e-12)
            # and the grid's best lies within one grid step of it, or is a tie in value
            near = np.abs(grid_arg - ours) <= step + 1e-9
            tie = grid_best - reported <= 1e-6 * np.abs(reported) + 1e-12
            assert np.all(near | tie), (seed, target, ours[~(near | tie)], grid_arg[~(near | tie)])


def test_optimal_fraction_survives_float32_actions():
    """A fraction on a deadline breakpoint must still meet the deadline once the action is float32."""
    env = _env(0)
    for seed in range(40):
        env.reset(seed=seed)
        for target in (np.zeros(15, int), np.ones(15, int)):
            fraction = env.optimal_fraction(target)
            assert np.array_equal(fraction, fraction.astype(np.float32).astype(np.float64))
            misses = env.evaluate({"fraction": fraction[None], "target": target[None]}).info["deadline_misses"][0]
            # the margin the deadline-meeting rounding left is not lost through step's float32 action
            state = env.state
            _, _, _, _, info = env.step({"fraction": fraction.astype(np.float32), "target": target.astype(np.int8)})
            assert info["deadline_misses"] == misses
            env.reset(seed=seed, options={"state": state})


def test_infeasible_qpu_requests_are_reported_and_cost_the_penalty():
    # 10 amino acids: n_q = 22, L = 43; with p = 1.5e-3 level 1 is the smallest (P_s = 1 - 946 * 2.25e-4 = 0.787),
    # needing 22 * 7 = 154 physical qubits. Leases 153 (too small) and 154 (enough).
    n = 4
    state = {"amino_acids": np.full(n, 10.0), "leased_qubits": np.array([153.0, 154.0, 500.0, 50.0]),
             "physical_error": np.array([1.5e-3])}
    env = gym.make("MEQC-GaussMarkov-v0", num_devices=n, reward="cost").unwrapped
    env.reset(seed=0, options={"state": state})
    out = env.evaluate({"fraction": np.ones((1, n)), "target": np.ones((1, n), int)}).info
    assert out["infeasible_qpu"][0] == 2
    local = env.evaluate({"fraction": np.zeros((1, n)), "target": np.ones((1, n), int)}).info["cost"][0]
    np.testing.assert_allclose(out["cost"][0, [0, 3]], local[[0, 3]] + env.config.infeasible_penalty)
    # p = 1.9e-3: level 1 gives 1 - 946 * 3.61e-4 = 0.658 < 2/3, level 2 needs 22 * 49 = 1078 > 500: all infeasible
    env.reset(seed=0, options={"state": dict(state, physical_error=np.array([1.9e-3]))})
    out = env.evaluate({"fraction": np.full((1, n), 0.5), "target": np.ones((1, n), int)}).info
    assert out["infeasible_qpu"][0] == n
    # local decisions are never infeasible, and the optimal QPU fraction falls back to local
    assert env.evaluate({"fraction": np.zeros((1, n)), "target": np.ones((1, n), int)}).info["infeasible_qpu"][0] == 0
    np.testing.assert_array_equal(env.optimal_fraction(np.ones(n, int)), 0.0)


def test_an_infeasible_qpu_request_buys_no_queue_credit():
    n = 2
    env = gym.make("MEQC-GaussMarkov-v0", num_devices=n, reward="surrogate")
    state = {"amino_acids": np.full(n, 10.0), "leased_qubits": np.array([100.0, 500.0]),
             "physical_error": np.array([1.5e-3]), "Z": np.array([50.0, 50.0])}
    env.reset(seed=0, options={"state": state})
    action = {"fraction": np.ones(n, np.float32), "target": np.ones(n, np.int8)}
    # device 0 needs 154 physical qubits and leases 100: nothing runs, the fraction counts as 0
    out = env.unwrapped.evaluate({k: v[None] for k, v in action.items()})
    cost = out.info["cost"][0]
    local = env.unwrapped.evaluate({"fraction": np.zeros((1, n)), "target": np.ones((1, n), int)}).info["cost"][0]
    assert cost[0] == pytest.approx(local[0] + env.unwrapped.config.infeasible_penalty)
    assert out.rewards[0] == pytest.approx(-(10 * cost.sum() + 50.0 * 0.3 + 50.0 * (0.3 - 1.0)))
    _, _, _, _, info = env.step(action)
    np.testing.assert_array_equal(info["offloaded"], [0.0, 1.0])
    np.testing.assert_allclose(env.unwrapped.state["Z"], [50.3, 49.3])


@pytest.mark.parametrize("qpu_partial", ["whole", "scaled"])
def test_costs_recompute_device_by_device(qpu_partial):
    rejected = 0
    scaled = qpu_partial == "scaled"
    for seed in range(6):
        env = _env(seed, deadline_mode="penalty", qpu_partial=qpu_partial)
        rng = np.random.default_rng(seed)
        fraction, target = rng.uniform(0, 1, 15), rng.integers(0, 2, 15)
        fraction[:3] = 0.0  # some local decisions too
        info = env.evaluate({"fraction": fraction[None], "target": target[None]}).info
        task, cfg = env.task(), env.config
        for i in range(15):
            D, c, a = task["data_bits"][i], task["cycles_per_bit"][i], fraction[i]
            penalty = 0.0
            if target[i] and a > 0 and not task["qpu_ok"][i]:  # rejected: the whole task runs locally
                a, penalty, rejected = 0.0, cfg.infeasible_penalty, rejected + 1
            local_time = (1 - a) * D * c / task["local_cpu"][i]
            upload = a * D / task["uplink_rate"][i]
            download = a * 0.01 * D / 10e6
            if target[i] and scaled:  # the circuit's work in proportion to the fraction
                remote_time = upload + download + a * task["qpu_time"][i]
                server = a * task["qpu_energy"][i]
            elif target[i]:
                remote_time = upload + download + (task["qpu_time"][i] if a > 0 else 0.0)
                server = task["qpu_energy"][i] if a > 0 else 0.0
            else:
                remote_time = upload + a * D * c / task["leased_cpu"][i] + download
                server = 1e-29 * a * D * c * task["leased_cpu"][i] ** 2
            energy = (1 - a) * 1e-27 * D * c * task["local_cpu"][i] ** 2 + task["transmit_power"][i] * upload + server
            latency = max(local_time, remote_time)
            cost = 0.5 * latency + 0.5 * energy + 1.0 * (latency > task["deadline"][i]) + penalty
            assert info["cost"][0, i] == pytest.approx(cost, rel=1e-10)
            assert info["latency"][0, i] == pytest.approx(latency, rel=1e-10)
    assert rejected > 0  # the rejected-request branch was exercised


def test_optimum_beats_every_fixed_choice_and_dpp_reward_has_the_queue_term():
    env = _env(4, reward="surrogate")
    env._state["Z"] = np.full(15, 5.0)
    best = env.optimum()
    batch = lambda f, t: {"fraction": np.full((1, 15), f), "target": np.full((1, 15), t)}  # noqa: E731
    for fraction, target in ((0.0, 0), (1.0, 0), (1.0, 1), (0.5, 0), (0.5, 1)):
        assert best.reward >= env.evaluate(batch(fraction, target)).rewards[0] - 1e-6
    out = env.evaluate(batch(0.5, 0))
    assert out.rewards[0] == pytest.approx(-(10 * out.info["cost"].sum() + (5.0 * (0.3 - 0.5)) * 15))


def test_virtual_queues_follow_the_fraction():
    env = gym.make("MEQC-GaussMarkov-v0")
    env.reset(seed=0)
    fraction = np.linspace(0, 1, 15).astype(np.float32)
    env.step({"fraction": fraction, "target": np.zeros(15, dtype=np.int8)})
    np.testing.assert_allclose(env.unwrapped.state["Z"], np.maximum(0.3 - fraction.astype(np.float64), 0))


@pytest.mark.parametrize("bad, match", [
    ({"fraction": np.full(15, np.nan, np.float32), "target": np.zeros(15, np.int8)}, "finite"),
    ({"fraction": np.full(15, 1.5, np.float32), "target": np.zeros(15, np.int8)}, "fraction"),
    ({"fraction": np.zeros(14, np.float32), "target": np.zeros(15, np.int8)}, "shape"),
    ({"fraction": np.zeros(15, np.float32), "target": np.zeros(15, np.int8), "extra": 1}, "keys"),
    ({"fraction": np.zeros(15, np.float32), "target": np.full(15, 1e20)}, r"binary \(0 or 1\); got values from 1e\+20"),
])
def test_bad_actions_raise_and_leave_the_state_untouched(bad, match):
    env = gym.make("MEQC-GaussMarkov-v0")
    env.reset(seed=0)
    before = env.unwrapped.state
    with pytest.raises(ValueError, match=match):
        env.step(bad)
    assert all(np.array_equal(before[k], env.unwrapped.state[k]) for k in before)


@settings(max_examples=30, deadline=None)
@given(fraction=st.lists(st.floats(0, 1), min_size=4, max_size=4), target=st.lists(st.integers(0, 1), min_size=4, max_size=4),
       fading=st.lists(st.floats(1e-9, 1e3), min_size=4, max_size=4), z=st.floats(0, 1e6))
def test_no_nan_or_inf(fraction, target, fading, z):
    env = gym.make("MEQC-GaussMarkov-v0", num_devices=4).unwrapped
    env.reset(seed=0, options={"state": {"fading": np.array(fading), "Z": np.full(4, z)}})
    out = env.evaluate({"fraction": np.array([fraction]), "target": np.array([target])})
    assert np.isfinite(out.rewards).all() and all(np.isfinite(v).all() for v in info_arrays(out.info))
    assert np.isfinite(env.optimal_fraction(np.array(target))).all()
    obs, reward, *_ = env.step({"fraction": np.array(fraction, np.float32), "target": np.array(target, np.int8)})
    assert env.observation_space.contains(obs) and np.isfinite(reward)


@pytest.mark.parametrize("field, value", [("num_devices", 0), ("alpha_bar", 1.5), ("V", -1.0), ("reward", "lyapunov"),
                                          ("data_mbit", (5.0, 1.0)), ("success_threshold", 2.0), ("shots", 0),
                                          ("threshold_error", 0.0), ("amino_acids", (7, 40))])
def test_bad_config_names_the_field(field, value):
    with pytest.raises(ValueError, match=field.split("_")[0]):
        gym.make("MEQC-GaussMarkov-v0", **{field: value})


@pytest.mark.parametrize("field, value, allowed", [
    ("amino_acids", 7, r"a pair \(low, high\) of integers in \[5, 30\]"),
    ("amino_acids", (7,), r"a pair \(low, high\) of integers in \[5, 30\]"),
    ("amino_acids", (7, 8, 9), r"a pair \(low, high\) of integers in \[5, 30\]"),
    ("amino_acids", (7.5, 10), r"a pair \(low, high\) of integers in \[5, 30\]"),
    ("amino_acids", ("7", "10"), r"a pair \(low, high\) of integers in \[5, 30\]"),
    ("amino_acids", (10, 7), r"with low <= high"),
    ("leased_qubits", 100, r"a pair \(low, high\) of integers in \[1, 10000000\]"),
    ("leased_qubits", (0, 100), r"a pair \(low, high\) of integers in \[1, 10000000\]"),
    ("physical_error", (0.5, 2.0), r"a pair \(low, high\) of numbers in \(0\.0, 1\.0\]"),
    ("physical_error", (1e-3,), r"a pair \(low, high\) of numbers in \(0\.0, 1\.0\]"),
    ("deadline", "12", r"a pair \(low, high\) of numbers in \(0\.0, inf\]"),
    ("local_cpu_levels", (), r"at least one frequency"),
    ("local_cpu_levels", ("1e9",), r"numeric array"),
    ("V", "20", r"finite number in \[0\.0, inf\]"),
])
def test_bad_config_shapes_and_ranges_raise_at_make_naming_the_field(field, value, allowed):
    with pytest.raises(ValueError, match=rf"^{field} must .*{allowed}"):
        gym.make("MEQC-GaussMarkov-v0", **{field: value})


def test_the_config_stores_python_numbers_whatever_numeric_type_was_given():
    env = gym.make("MEQC-GaussMarkov-v0", num_devices=np.int64(3), V=np.float32(20.0), area_size=400,
                   amino_acids=np.array([7, 8]), physical_error=[np.float32(1e-3), 2e-3],
                   local_cpu_levels=np.array([1e9, 2e9])).unwrapped
    cfg = env.config
    assert type(cfg.num_devices) is int and type(cfg.V) is float and type(cfg.area_size) is float
    assert cfg.amino_acids == (7, 8) and all(type(v) is int for v in cfg.amino_acids)
    assert cfg.physical_error == (float(np.float32(1e-3)), 2e-3) and all(type(v) is float for v in cfg.physical_error)
    assert cfg.local_cpu_levels == (1e9, 2e9) and all(type(v) is float for v in cfg.local_cpu_levels)
    hash(cfg)  # a frozen config with array fields would not hash
    env.reset(seed=0)
    assert set(env.state["local_cpu"]) <= {1e9, 2e9}
    assert set(env.state["amino_acids"]) <= {7.0, 8.0}


@pytest.mark.parametrize("field, value", [("amino_acids", 7.6), ("leased_qubits", 100.3), ("amino_acids", 7 + 1e-9)])
def test_a_fractional_count_in_a_given_state_is_rejected_and_the_env_left_untouched(field, value):
    env = _env(0, num_devices=3)
    env.step({"fraction": np.full(3, 0.5, np.float32), "target": np.zeros(3, np.int8)})
    before, steps, rng = env.state, env._steps, env.np_random.bit_generator.state
    with pytest.raises(ValueError, match=rf"state\['{field}'\] must hold integers"):
        env.reset(seed=123, options={"state": {field: np.array([value, 8.0, 9.0])}})
    after = env.state
    assert all(np.array_equal(before[k], after[k]) for k in before) and env._steps == steps
    assert env.np_random.bit_generator.state == rng  # not reseeded, nothing drawn
    # a float that is exactly an integer is a count
    env.reset(seed=0, options={"state": {field: np.array([9.0, 8.0, 10.0])}})
    np.testing.assert_array_equal(env.state[field], [9.0, 8.0, 10.0])


def test_the_qpu_constants_come_from_the_config():
    # n_a = 7: n_q = 9, L = 17, level 0 at p = 1e-3; time S (L t_2q + t_meas), energy S n_q L E_g + P_cool time
    state = {"amino_acids": np.full(2, 7.0), "physical_error": np.array([1e-3])}
    env = _env(0, num_devices=2, shots=20, two_qubit_time=1e-6, cooling_power=100.0)
    env.reset(seed=0, options={"state": state})
    task = env.task()
    time = 20 * (17 * 1e-6 + 1e-6)
    np.testing.assert_allclose(task["qpu_time"], time)
    np.testing.assert_allclose(task["qpu_energy"], 20 * 9 * 17 * 1e-11 + 100.0 * time)


def test_mode_counts_by_hand():
    n = 4
    state = {"amino_acids": np.full(n, 10.0), "leased_qubits": np.array([100.0, 500.0, 500.0, 500.0]),
             "physical_error": np.array([1.5e-3])}
    env = _env(0, num_devices=n)
    env.reset(seed=0, options={"state": state})
    # device 0: rejected QPU request (counts local), 1: QPU, 2: CPU partial, 3: local
    info = env.evaluate({"fraction": np.array([[1.0, 0.5, 0.2, 0.0]]), "target": np.array([[1, 1, 0, 1]])}).info
    np.testing.assert_array_equal(info["mode_counts"][0], [2, 1, 1])
    assert info["infeasible_qpu"][0] == 1


# ----- deadlines as a hard constraint (issue 17) ------------------------------------------------
TINY = float(np.nextafter(np.float32(0), np.float32(1)))
GRID = np.concatenate([[0.0, TINY], np.linspace(0, 1, 4_001)[1:]]).astype(np.float32)


def _grid_outcomes(env):
    """Per target (0 CPU, 1 QPU): the latency (G, N) of every grid fraction, from evaluate."""
    n = env.config.num_devices
    fraction = np.repeat(GRID[:, None], n, axis=1)
    return [env.evaluate({"fraction": fraction, "target": np.full(fraction.shape, t)}).info for t in (0, 1)]


def test_hard_mode_optimum_misses_only_deadlines_no_decision_meets_over_300_slots():
    env = _env(0)
    assert env.config.deadline_mode == "hard"
    misses = unmeetable = 0
    for _ in range(300):
        best = env.optimum()
        info = env.evaluate({k: v[None] for k, v in best.action.items()}).info
        assert info["avoidable_misses"][0] == 0
        missed = info["latency"][0] > env.state["deadline"] * (1 + 1e-12)
        meets = np.zeros(env.config.num_devices, bool)  # some grid fraction and target meets the deadline
        for outcome in _grid_outcomes(env):
            meets |= (outcome["latency"] <= env.state["deadline"] * (1 + 1e-12)).any(axis=0)
        assert not np.any(missed & meets), np.flatnonzero(missed & meets)
        misses += int(missed.sum())
        unmeetable += int((~meets).sum())
        _, _, _, _, step_info = env.step(best.action)
        assert step_info["deadline_misses"] == missed.sum() and step_info["avoidable_misses"] == 0
    assert misses == unmeetable > 0  # every unmeetable deadline is missed, and there are some


def test_penalty_mode_optimum_misses_deadlines_a_decision_would_meet():
    """The first release's flat penalty: the optimum trades deadlines for cost (issue 17's numbers)."""
    env = _env(0, deadline_mode="penalty")
    misses = avoidable = 0
    for _ in range(60):
        _, _, _, _, info = env.step(env.optimum().action)
        misses, avoidable = misses + info["deadline_misses"], avoidable + info["avoidable_misses"]
    assert avoidable > misses / 2 > 10


@pytest.mark.parametrize("reward, qpu_partial", [("surrogate", "whole"), ("cost", "whole"), ("surrogate", "scaled")])
def test_hard_penalty_puts_every_avoidable_miss_below_every_meeting_decision(reward, qpu_partial):
    for seed in range(3):
        rng = np.random.default_rng(seed)
        state = {"Z": rng.uniform(0, 20, 15), "deadline": rng.uniform(0.05, 1.5, 15)}
        env = _env(seed, reward=reward, qpu_partial=qpu_partial)
        free = _env(seed, reward=reward, qpu_partial=qpu_partial, deadline_mode="penalty", deadline_penalty=0.0)
        env.reset(seed=seed, options={"state": state})
        free.reset(seed=seed, options={"state": state})
        hard, plain = _grid_outcomes(env), _grid_outcomes(free)
        objective = np.concatenate([o["device_objective"] for o in hard])  # (2G, N)
        free_objective = np.concatenate([o["device_objective"] for o in plain])
        meeting = np.concatenate([o["latency"] for o in hard]) <= env.state["deadline"] * (1 + 1e-12)
        meetable = meeting.any(axis=0)
        missing = ~meeting & meetable
        assert meetable.any() and missing.any() and (~meetable).any()  # all three kinds of device occur
        worst_meeting = np.where(meeting, objective, -np.inf).max(axis=0)
        best_missing = np.where(missing, objective, np.inf).min(axis=0)
        scale = env.config.V if reward == "surrogate" else 1.0
        assert np.all(best_missing[meetable] >= worst_meeting[meetable] + scale * env.config.deadline_penalty * (1 - 1e-9))
        # the penalty is the grid's (worst meeting - best) objective gap / V' + margin, to the grid's resolution
        gap = np.where(meeting, free_objective, -np.inf).max(axis=0) - free_objective.min(axis=0)
        penalty = np.concatenate([o["deadline_penalty"] for o in hard])
        charged = np.where(missing, penalty, np.nan)
        expected = gap / scale + env.config.deadline_penalty
        for i in np.flatnonzero(missing.any(axis=0)):
            assert np.nanmax(charged[:, i]) == np.nanmin(charged[:, i])  # one penalty per device
            assert np.nanmax(charged[:, i]) == pytest.approx(expected[i], rel=1e-3, abs=1e-6)
        # unmeetable deadlines cost nothing extra, and a deadline met costs nothing
        assert np.all(penalty[:, ~meetable] == 0) and np.all(penalty[meeting] == 0)


def test_qpu_scaled_fraction_scales_the_circuit():
    state = {"amino_acids": np.full(2, 7.0), "physical_error": np.array([1e-3]), "leased_qubits": np.full(2, 500.0)}
    whole, scaled = _env(0, num_devices=2, reward="cost"), _env(0, num_devices=2, reward="cost", qpu_partial="scaled")
    for env in (whole, scaled):
        env.reset(seed=0, options={"state": state})
    batch = {"fraction": np.array([[0.25, 1.0]]), "target": np.ones((1, 2), int)}
    w, s = whole.evaluate(batch).info, scaled.evaluate(batch).info
    task = whole.task()
    np.testing.assert_allclose(w["server_energy"][0], task["qpu_energy"])
    np.testing.assert_allclose(s["server_energy"][0], [0.25 * task["qpu_energy"][0], task["qpu_energy"][1]])
    assert s["latency"][0, 1] == w["latency"][0, 1]  # the whole task: the same either way


@pytest.mark.parametrize("config, match", [
    ({"deadline_mode": "soft"}, r"deadline_mode must be one of \['hard', 'penalty'\]"),
    ({"qpu_partial": "half"}, r"qpu_partial must be one of \['whole', 'scaled'\]"),
    ({"deadline_penalty": 0.0}, r"deadline_penalty must be > 0 with deadline_mode='hard'"),
    ({"V": 0.0}, r"V must be > 0 with deadline_mode='hard' and a DPP reward"),
])
def test_bad_deadline_configs_name_the_field_and_the_allowed_values(config, match):
    with pytest.raises(ValueError, match=match):
        gym.make("MEQC-GaussMarkov-v0", **config)
    if set(config) <= {"deadline_penalty", "V"}:  # both are fine with the flat penalty
        gym.make("MEQC-GaussMarkov-v0", deadline_mode="penalty", **config)


@pytest.mark.parametrize("mode", ["hard", "penalty"])
def test_a_device_without_uplink_scores_local_and_the_optimum_stays_finite(mode):
    """fading = 0 (settable) gives a zero uplink rate: offloading takes forever (-inf reward), while
    computing locally does not use the channel, so the all-local reward is that of the same state with
    a working channel (it was NaN: 0 x inf), and optimum() is finite with every decision below its bound."""
    env = gym.make("MEQC-GaussMarkov-v0", num_devices=3, deadline_mode=mode, reward="cost").unwrapped
    local = {"fraction": np.zeros((1, 3), np.float32), "target": np.zeros((1, 3), np.int8)}
    rewards = []
    for fading in (1.0, 0.0):
        env.reset(seed=0, options={"state": {"fading": np.array([fading, 1.0, 1.0]), "deadline": np.full(3, 1e6)}})
        rewards.append(env.evaluate(local).rewards[0])
    assert np.isfinite(rewards[1]) and rewards[1] == pytest.approx(rewards[0], rel=1e-12)
    best = env.optimum()
    assert np.isfinite(best.bound) and best.action["fraction"][0] == 0.0
    rng = np.random.default_rng(0)
    batch = {"fraction": rng.uniform(0, 1, (200, 3)).astype(np.float32), "target": rng.integers(0, 2, (200, 3)).astype(np.int8)}
    assert env.evaluate(batch).rewards.max() <= best.bound + 1e-9 * abs(best.bound)


def test_no_float64_decision_beats_the_bound():
    """evaluate() scores fractions as float64: the exact real breakpoints (the optimum over real
    fractions, oracle.optimal_fraction(float32=False)) beat the best float32 decision by ~1e-8, so
    the bound must cover them (it was the float32 optimum's own objective, 'certified', and lower)."""
    from mec_gym.envs.meqc import oracle

    env = gym.make("MEQC-GaussMarkov-v0", num_devices=6).unwrapped
    for seed in range(10):
        env.reset(seed=seed)
        best = env.optimum()
        terms, objective, reference = env._oracle(env.state)
        exact = [oracle.optimal_fraction(terms, np.full(6, target), env.weights, objective, reference.miss_penalty,
                                         float32=False) for target in (False, True)]
        qpu = exact[1][1] < exact[0][1]
        decision = {"fraction": np.where(qpu, exact[1][0], exact[0][0])[None], "target": qpu[None].astype(np.int8)}
        reward = env.evaluate(decision).rewards[0]
        assert reward <= best.bound + 1e-9 * abs(best.bound), (seed, reward, best.bound)
        if best.certified:
            assert reward <= best.reward + 1e-9 * abs(best.reward)


def test_drift_plus_penalty_reward_is_the_realised_queue_drift_and_telescopes():
    """Each slot: -V total cost - (L(Z(t+1)) - L(Z(t))), L = sum Z^2 / 2; over an episode the rewards
    sum to -V x total cost - L at its end (Z(0) = 0), read from the final queues."""
    env = _env(5)
    rng = np.random.default_rng(5)
    total, cost = 0.0, 0.0
    for _ in range(80):
        before = env.state["Z"]
        action = {"fraction": rng.uniform(0, 1, 15).astype(np.float32), "target": rng.integers(0, 2, 15).astype(np.int8)}
        _, reward, _, _, info = env.step(action)
        after = np.maximum(before + 0.3 - info["offloaded"], 0.0)
        assert reward == pytest.approx(-10 * info["total_cost"] - 0.5 * (after**2 - before**2).sum(), rel=1e-12)
        total, cost = total + reward, cost + info["total_cost"]
    assert total == pytest.approx(-10 * cost - 0.5 * (env.state["Z"] ** 2).sum(), rel=1e-9)


def test_drift_plus_penalty_optimum_is_the_surrogate_optimum():
    drift, surrogate = _env(6), _env(6, reward="surrogate")
    for a, b in zip(drift.optimum().action.values(), surrogate.optimum().action.values()):
        np.testing.assert_array_equal(a, b)
    decision = {"fraction": np.full((1, 15), 0.4), "target": np.ones((1, 15), int)}
    assert drift.evaluate(decision).info["surrogate"][0] == surrogate.evaluate(decision).rewards[0]


def test_default_return_is_not_raised_by_never_offloading():
    """Issue 18's check on MEQC: over 600 slots never offloading (its queues grow by alpha_bar a
    slot) earns a lower mean reward than the per-slot optimum policy."""
    means = {}
    for policy in ("never", "optimum"):
        env = _env(0, num_devices=5)
        local = {"fraction": np.zeros(5, np.float32), "target": np.zeros(5, np.int8)}
        means[policy] = np.mean([env.step(local if policy == "never" else env.optimum().action)[1] for _ in range(600)])
        if policy == "never":
            np.testing.assert_allclose(env.state["Z"], 600 * 0.3)
    assert means["never"] < means["optimum"]


@pytest.mark.parametrize("reward, deadline_mode, qpu_partial", [
    ("drift_plus_penalty", "hard", "whole"), ("surrogate", "penalty", "scaled"), ("cost", "hard", "scaled")])
def test_optimum_beats_a_dense_grid_per_device_on_both_targets(reward, deadline_mode, qpu_partial):
    """optimum() scores both targets' candidates in one batch: per device, its term of what optimum()
    minimises (``device_objective``) is at most every fraction of a dense grid on either target, and
    the bound (-V min cost + queue drift for drift-plus-penalty) covers the grid's best reward."""
    grid = np.linspace(0, 1, 2_001)
    n = 12
    for seed in range(3):
        rng = np.random.default_rng(seed)
        env = _env(seed, num_devices=n, reward=reward, deadline_mode=deadline_mode, qpu_partial=qpu_partial)
        state = {"Z": rng.uniform(0, 20, n)}
        if seed % 2:
            state["deadline"] = rng.uniform(0.05, 1.0, n)
        env.reset(seed=seed, options={"state": state})
        best = env.optimum()
        ours = env.evaluate({k: v[None] for k, v in best.action.items()}).info["device_objective"][0]
        dense = np.concatenate([env.evaluate({"fraction": np.repeat(grid[:, None], n, axis=1),
                                              "target": np.full((len(grid), n), target)}).info["device_objective"]
                                for target in (0, 1)])
        assert np.all(ours <= dense.min(axis=0) + 1e-6 * np.abs(dense.min(axis=0)) + 1e-12), seed
        if reward != "drift_plus_penalty":  # the reward is minus the sum of the device terms
            assert -dense.min(axis=0).sum() <= best.bound + 1e-9 * abs(best.bound)
        grid_rewards = np.concatenate([env.evaluate({"fraction": np.repeat(grid[:, None], n, axis=1),
                                                     "target": np.full((len(grid), n), target)}).rewards
                                       for target in (0, 1)])
        assert grid_rewards.max() <= best.bound + 1e-9 * abs(best.bound) and best.reward <= best.bound


@pytest.mark.parametrize("reward", ["drift_plus_penalty", "surrogate", "cost"])
def test_offloading_over_a_dead_uplink_scores_minus_infinity_not_nan(reward):
    """With fading = 0 an offloaded share takes forever: its latency term is -inf and so is the reward
    in every mode; the rejected-QPU term stays 0 (it was inf - inf = NaN, which made the DPP reward NaN)."""
    env = gym.make("MEQC-GaussMarkov-v0", num_devices=3, reward=reward).unwrapped
    env.reset(seed=0, options={"state": {"fading": np.array([0.0, 1.0, 1.0])}})
    offload = {"fraction": np.array([[1.0, 0.0, 0.0]], np.float32), "target": np.zeros((1, 3), np.int8)}
    result = env.evaluate(offload)
    terms = result.info["reward_terms"]
    assert result.rewards[0] == -np.inf
    assert not any(np.isnan(value).any() for value in terms.values())
    assert abs(terms["infeasible"][0]) < 1e-9 and terms["latency"][0] == -np.inf  # the others: rounding


@pytest.mark.parametrize("deadline_mode", ["hard", "penalty"])
def test_lazy_deadline_reference_scores_what_the_full_one_scores(deadline_mode):
    """A large batch's oracle computes the deadline reference only for the devices a candidate
    misses; its rewards and every info array equal those scored with the reference of every device."""
    vec = gym.make_vec("MEQC-GaussMarkov-v0", num_envs=24, deadline_mode=deadline_mode)
    vec.reset(seed=3)
    scenario, rng = vec.unwrapped.scenario, np.random.default_rng(5)
    for _ in range(5):
        vec.step(vec.action_space.sample())
        state, n = vec.unwrapped.state, scenario.config.num_devices
        for k in (1, 4):
            decisions = {"fraction": rng.random((24, k, n)).astype(np.float32).astype(np.float64),
                         "target": rng.integers(0, 2, (24, k, n))}
            decisions["fraction"][:, :, ::3] = 0.0  # some local devices, which never miss through offloading
            lazy = scenario.score(state, decisions, scenario.terms(state, reference=False))
            full = scenario.score(state, decisions, scenario.terms(state))
            assert np.array_equal(lazy.rewards, full.rewards)
            lazy_info, full_info = env_slice(lazy.info, slice(None)), env_slice(full.info, slice(None))
            assert lazy_info.keys() == full_info.keys()
            for key, value in full_info.items():
                if isinstance(value, dict):
                    assert all(np.array_equal(lazy_info[key][name], item) for name, item in value.items()), key
                else:
                    assert np.array_equal(lazy_info[key], value), key
            assert full.info["deadline_misses"].sum() > 0  # the case the lazy path is for
