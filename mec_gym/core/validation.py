"""Checks that turn bad input into a ValueError naming the field and the allowed range.

Used by every config dataclass (at construction, so at ``gym.make`` time) and by the action
validation of the environment base (before anything in the environment changes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium import spaces


def require_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    """Return ``value`` as an int in [low, high] (high None: unbounded)."""
    bounds = f"[{low}, {'inf' if high is None else high}]"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer in {bounds}; got {value!r}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer in {bounds}; got {value}")
    return int(value)


def require_float(
    name: str,
    value: Any,
    low: float = -np.inf,
    high: float = np.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a finite Python float in the interval given (open ends on request).

    Only real numbers pass: Python int / float and NumPy integer / floating scalars; bool, str,
    None, arrays and complex numbers raise ValueError."""
    bounds = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a finite number in {bounds}; got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond the float range
        raise ValueError(f"{name} must be a finite number in {bounds}; got {value!r}") from None
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number in {bounds}; got {value!r}")
    too_low = number <= low if low_open else number < low
    too_high = number >= high if high_open else number > high
    if too_low or too_high:
        raise ValueError(f"{name} must be a finite number in {bounds}; got {number}")
    return number


def require_range(
    name: str,
    value: Any,
    low: float,
    high: float = np.inf,
    *,
    integer: bool = False,
    low_open: bool = False,
) -> tuple[Any, Any]:
    """Return ``value``, a (low, high) pair within [low, high] with low <= high, as a tuple of
    Python ints (``integer``) or floats; ``low_open`` excludes ``low`` (floats only)."""
    kind = "integers" if integer else "numbers"
    bounds = f"{'(' if low_open else '['}{low}, {high}]"
    message = f"{name} must be a pair (low, high) of {kind} in {bounds} with low <= high; got {value!r}"
    if integer and low_open:
        raise TypeError("require_range: low_open is for float pairs; give integer pairs a closed low")
    one_axis = isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim == 1)
    if not one_axis or len(value) != 2:
        raise ValueError(message)
    try:
        if integer:
            pair = tuple(require_int(name, v, low, None if high == np.inf else high) for v in value)
        else:
            pair = tuple(require_float(name, v, low, high, low_open=low_open) for v in value)
    except ValueError:
        raise ValueError(message) from None
    if pair[0] > pair[1]:
        raise ValueError(message)
    return pair


def require_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of the strings ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}; got {value!r}")
    return value


def require_array(
    name: str,
    value: Any,
    shape: tuple[int | None, ...],
    low: float = -np.inf,
    high: float = np.inf,
    *,
    low_open: bool = False,
) -> np.ndarray:
    """Return ``value`` as a finite float64 array of ``shape`` (None: any length) within bounds.

    Entries must be real numbers (int or float, Python or NumPy); bool, str, None and complex
    entries, and ragged nestings, raise ValueError."""
    try:
        given = np.asarray(value)
    except (TypeError, ValueError):  # ragged nesting
        given = None
    if given is None or given.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be a numeric array of shape {shape}; got {value!r}")
    array = given.astype(np.float64)  # a copy: the caller's array is never shared
    if array.ndim != len(shape) or any(
        want is not None and got != want for got, want in zip(array.shape, shape)
    ):
        raise ValueError(f"{name} must have shape {shape}; got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; got NaN or inf")
    bad_low = array <= low if low_open else array < low
    if np.any(bad_low) or np.any(array > high):
        bounds = f"{'(' if low_open else '['}{low}, {high}]"
        raise ValueError(
            f"{name} must lie in {bounds}; got values from {array.min()} to {array.max()}"
        )
    return array


def validate_batch(space: spaces.Space, actions: Any, name: str = "action") -> Any:
    """Check a batch of actions (leading axis K) against ``space``; return it as numpy arrays.

    MultiBinary and MultiDiscrete batches come back as int64, Box batches as float64, Dict
    batches as a dict of such arrays with a common K. Raises ValueError naming the problem.
    """
    if isinstance(space, spaces.Dict):
        if not isinstance(actions, dict) or set(actions) != set(space.spaces):
            raise ValueError(f"{name} must be a dict with keys {sorted(space.spaces)}")
        batch = {key: validate_batch(sub, actions[key], f"{name}[{key!r}]") for key, sub in space.spaces.items()}
        sizes = {len(value) for value in batch.values()}
        if len(sizes) != 1:
            raise ValueError(f"{name}: every key must hold the same number of candidates; got {sizes}")
        return batch
    if isinstance(space, (spaces.MultiBinary, spaces.MultiDiscrete, spaces.Discrete)):
        return _validate_integer_batch(space, actions, name)
    if isinstance(space, spaces.Box):
        array = _numeric(actions, name)
        _check_shape(array, space.shape, name)
        if ((array >= space.low) & (array <= space.high) & np.isfinite(array)).all():
            return array.astype(np.float64)  # the common case, checked at once
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite; got NaN or inf")
        if np.any(array < space.low) or np.any(array > space.high):
            raise ValueError(
                f"{name} must lie in [{space.low.min()}, {space.high.max()}]; "
                f"got values from {array.min()} to {array.max()}"
            )
        return array.astype(np.float64)
    raise TypeError(f"validate_batch does not handle {type(space).__name__}")


def validate_action(space: spaces.Space, action: Any, name: str = "action") -> Any:
    """Check ONE action against ``space``; return it as a batch of one (leading axis 1), typed as
    :func:`validate_batch` types batches. Shape errors speak of one action: "action must have
    shape (10,); got (5,)"."""
    if isinstance(space, spaces.Dict):
        if not isinstance(action, dict) or set(action) != set(space.spaces):
            raise ValueError(f"{name} must be a dict with keys {sorted(space.spaces)}")
        return {key: validate_action(sub, action[key], f"{name}[{key!r}]") for key, sub in space.spaces.items()}
    array = _numeric(action, name)
    shape = () if isinstance(space, spaces.Discrete) else tuple(space.shape)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {array.shape}")
    return validate_batch(space, array[None], name)


def _numeric(actions: Any, name: str) -> np.ndarray:
    try:
        array = np.asarray(actions)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric array; got {actions!r}") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a numeric array; got dtype {array.dtype}")
    return array


def _check_shape(array: np.ndarray, shape: tuple[int, ...], name: str) -> None:
    if array.ndim != len(shape) + 1 or array.shape[1:] != tuple(shape) or array.shape[0] < 1:
        raise ValueError(f"{name} batch must have shape (K, {', '.join(map(str, shape))}) with K >= 1; got {array.shape}")


def _validate_integer_batch(space: spaces.Space, actions: Any, name: str) -> np.ndarray:
    array = _numeric(actions, name)
    if isinstance(space, spaces.Discrete):
        shape, lower, upper = (), space.start, space.start + space.n - 1
    elif isinstance(space, spaces.MultiDiscrete):
        shape, lower, upper = space.shape, space.start, space.nvec - 1 + space.start
    else:
        shape, lower, upper = space.shape, 0, 1
    _check_shape(array, shape, name)
    if array.dtype.kind in "biu":  # the common case: integers, checked at once
        if ((array >= lower) & (array <= upper)).all():
            return array.astype(np.int64)
    elif array.dtype.kind == "f":
        if not np.isfinite(array).all():
            raise ValueError(f"{name} must be finite; got NaN or inf")
        if (array != np.round(array)).any():
            raise ValueError(f"{name} must hold integers; got non-integer values")
    # the range is checked on the values given: a cast first would wrap huge values into int64
    if (array < lower).any() or (array > upper).any():
        low, high = np.min(lower), np.max(upper)
        kind = "binary (0 or 1)" if isinstance(space, spaces.MultiBinary) else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be {kind}; got values from {array.min()} to {array.max()}")
    return array.astype(np.int64)
