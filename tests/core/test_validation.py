"""The input checks of ``mec_gym.core.validation``: what counts as a number, the messages, and that
the range of an integer action is checked on the values given (not on a wrapped int64 cast)."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

import mec_gym  # noqa: F401
from mec_gym.core.validation import (
    require_array,
    require_choice,
    require_float,
    require_int,
    require_range,
    validate_batch,
)

# all within [0, 5] if read as numbers, so only the type check can reject them
NOT_NUMBERS = ["3", b"3", None, True, np.bool_(True), [3.0], (3.0,), np.array([3.0]), np.array(3.0), 3 + 0j, object()]


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
def test_require_float_rejects_what_is_not_a_real_number(value):
    with pytest.raises(ValueError, match=r"speed must be a finite number in \[0\.0, 5\.0\]"):
        require_float("speed", value, 0.0, 5.0)


@pytest.mark.parametrize("value", [3, 3.0, np.int8(3), np.uint64(3), np.int64(3), np.float32(3.0), np.float64(3.0)],
                         ids=repr)
def test_require_float_accepts_ints_and_numpy_scalars_and_returns_a_python_float(value):
    result = require_float("speed", value, 0.0, 5.0)
    assert type(result) is float and result == 3.0


@pytest.mark.parametrize("value", [10**400, -(10**400), float("inf"), float("nan"), np.float32("inf")],
                         ids=["10**400", "-10**400", "inf", "nan", "float32 inf"])
def test_require_float_rejects_non_finite_and_overflowing_values(value):
    with pytest.raises(ValueError, match="speed must be a finite number"):
        require_float("speed", value)


def test_require_float_bounds_in_the_message():
    with pytest.raises(ValueError, match=r"rate must be a finite number in \(0\.0, 1\.0\); got 1\.0"):
        require_float("rate", 1, 0.0, 1.0, low_open=True, high_open=True)
    assert require_float("rate", 1, 0.0, 1.0) == 1.0


@pytest.mark.parametrize("value", ["3", 3.0, np.float64(3.0), True, None], ids=repr)
def test_require_int_rejects_what_is_not_an_integer(value):
    with pytest.raises(ValueError, match=r"count must be an integer in \[1, 9\]"):
        require_int("count", value, 1, 9)


@pytest.mark.parametrize("value", [("1", "2"), (1.0, None), (True, False), ((1.0, 2.0), 3.0), (1 + 0j, 2.0), "12"],
                         ids=repr)
def test_require_array_rejects_non_numeric_entries(value):
    with pytest.raises(ValueError, match=r"pair must be a numeric array"):
        require_array("pair", value, (2,), 0.0)


def test_require_array_accepts_ints_and_numpy_values():
    np.testing.assert_array_equal(require_array("pair", (1, np.float32(2.5)), (2,), 0.0), [1.0, 2.5])
    assert require_array("pair", np.array([1, 2], np.int16), (2,)).dtype == np.float64


def test_require_range_returns_python_pairs():
    pair = require_range("n", np.array([7, 9], np.int16), 5, 30, integer=True)
    assert pair == (7, 9) and all(type(v) is int for v in pair)
    pair = require_range("p", [np.float32(0.5), 1], 0.0, 1.0, low_open=True)
    assert pair == (0.5, 1.0) and all(type(v) is float for v in pair)
    assert require_range("p", (2.0, 2.0), 0.0) == (2.0, 2.0)  # low == high: a constant


@pytest.mark.parametrize("value", [7, (7,), (7, 8, 9), np.array(7), np.array([[7, 8]]), (7.0, 8), (8, 7), (4, 8),
                                   (7, 31), "78", None], ids=repr)
def test_require_range_rejects_anything_but_an_ordered_pair_in_range(value):
    with pytest.raises(ValueError, match=r"^n must be a pair \(low, high\) of integers in \[5, 30\] with low <= high"):
        require_range("n", value, 5, 30, integer=True)


def test_require_range_open_low_end():
    with pytest.raises(ValueError, match=r"^p must be a pair \(low, high\) of numbers in \(0\.0, 1\.0\]"):
        require_range("p", (0.0, 0.5), 0.0, 1.0, low_open=True)


@pytest.mark.parametrize("value", [np.array(["dpp"]), None, 1, b"dpp"], ids=repr)
def test_require_choice_rejects_what_is_not_one_of_the_strings(value):
    with pytest.raises(ValueError, match=r"reward must be one of \['dpp', 'cost'\]"):
        require_choice("reward", value, ("dpp", "cost"))


# Every scenario's config must reject a number given as a string at gym.make, naming the field
# (before the fix they passed construction and crashed inside step, or with an obscure TypeError).
@pytest.mark.parametrize("env_id, field", [
    ("PQC-NOMA-v0", "V"), ("MEQC-GaussMarkov-v0", "V"), ("OFDMA-Consistency-v0", "deadline"),
    ("MultiServerIoT-v0", "latency_weight"), ("WPMEC-v0", "ap_power"),
])
def test_a_number_given_as_a_string_is_rejected_at_make(env_id, field):
    with pytest.raises(ValueError, match=rf"^{field} must be a finite number in"):
        gym.make(env_id, **{field: "20"})


@pytest.mark.parametrize("space, bad, shown", [
    (spaces.MultiBinary(3), [[0.0, 1e20, 1.0]], "1e+20"),
    (spaces.MultiBinary(3), [[0.0, -1e20, 1.0]], "-1e+20"),
    (spaces.MultiDiscrete([3, 3]), [[0.0, 1e19]], "1e+19"),
    (spaces.Discrete(4), [2.0**70], "1.1805916207174113e+21"),
    (spaces.MultiDiscrete([3, 3]), np.array([[0, 2**64 - 1]], np.uint64), str(2**64 - 1)),
])
def test_a_huge_integer_action_is_reported_as_given_without_a_cast_warning(space, bad, shown):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning from an overflowing cast fails the test
        with pytest.raises(ValueError, match="action must be") as caught:
            validate_batch(space, bad)
    assert f"to {shown}" in str(caught.value) or f"from {shown}" in str(caught.value)


def test_integer_actions_in_range_come_back_as_int64():
    out = validate_batch(spaces.MultiDiscrete([3, 3]), [[0.0, 2.0], [1, 1]])
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, [[0, 2], [1, 1]])
