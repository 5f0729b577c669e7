"""The scenario protocol: one scenario's model as pure functions over a batch of B states.

Every state field carries a leading env axis B; decisions a leading (B, K) (K candidates per env).
The single env (:class:`mec_gym.core.base.MECEnv`) is the batch of one over these functions, the
native vector env (:class:`mec_gym.core.vector.MECVectorEnv`) the batch of B. All randomness comes
from one ``numpy.random.Generator`` per env, drawn in the same order in both, so env i of a vector
env seeded s_i follows the single env seeded s_i bit for bit.

A scenario declares

- ``state_fields()``: name -> :class:`Field` (per-env shape, unit, the range ``reset(options=
  {"state": ...})`` accepts; ``settable=False`` for derived fields);
- ``fork_streams(rng, previous)``: extra per-env generators or draw buffers a scenario derives from
  an env's generator at each reset (default none), given what the env's last reset forked (a buffer
  that drew ahead of the generator rewinds it there, before the reset draws); they reach
  ``generate`` and ``transition`` as ``streams``;
- ``generate(rngs, streams)``: B fresh states (one generator per env), completed by
  ``after_reset(state)`` once a caller's ``reset(options={"state": ...})`` overrides are in;
- ``oracle(state, decisions)``: :class:`Batch` of rewards (B, K) and info arrays (B, K, ...);
- ``transition(state, actions, info, rngs, steps, streams)``: the next states given one decision per env
  (B, ...) and its info (B, ...);
- ``codec``: the :class:`ObservationCodec` (named features with units and scales);
- ``info_schema``: the :class:`InfoKey` of every info key (unit, direction, reward term, and the
  shared quantity it measures, if any, from ``QUANTITIES``);
- ``episode_over(state, steps)``: (B,) truncation besides the step limit (``ends_episodes()``:
  whether it can be true at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces

# One vocabulary for the quantities several scenarios report (``InfoKey.quantity``):
# name -> unit. A scenario's own key names stay; the schema says which shared quantity a key is.
QUANTITIES = {
    "delay": "s",  # task completion time (latency)
    "energy": "J",  # energy spent per frame / slot
    "rate": "bit/s",  # computation or transmission rate
    "cost": "1",  # a weighted cost the scenario minimises
    "objective": "1",  # the quantity the oracle optimises (see ``higher_is_better``)
}


@dataclass(frozen=True)
class Field:
    """One state field: per-env ``shape`` (tuple; ints, or config-derived sizes), SI ``unit``, and
    the [low, high] range accepted when a caller sets it (``settable=False``: derived, not set)."""

    shape: tuple[int, ...]
    unit: str
    low: float = -np.inf
    high: float = np.inf
    settable: bool = True
    doc: str = ""


@dataclass(frozen=True)
class Feature:
    """A group of observation entries: ``obs = clip(transform(value) * scale or / divisor, low, high)``.

    ``source`` is the state field (or the scenario's derived quantity) it encodes, ``unit`` that of
    the source. ``scale`` multiplies, then ``divisor`` divides (either may be None), as the
    scenario's published observation does, so the encoding is bit-exact. ``transform`` is
    "identity" or "neglog10" (-log10 of the value, floored at 1e-300)."""

    name: str
    source: str
    unit: str
    size: int
    scale: float | None = None
    divisor: float | None = None
    low: float = 0.0
    high: float = np.inf
    transform: str = "identity"
    columns: int = 1  # in an interleaved table: entries per row (size = rows x columns)

    def encode(self, value: np.ndarray) -> np.ndarray:
        if self.transform == "neglog10":
            value = -np.log10(np.maximum(value, 1e-300))
        if self.scale is not None:
            value = value * self.scale
        if self.divisor is not None:
            value = value / self.divisor
        return value

    def decode(self, obs: np.ndarray) -> np.ndarray:
        value = np.asarray(obs, dtype=np.float64)
        if self.divisor is not None:
            value = value * self.divisor
        if self.scale is not None:
            value = value / self.scale
        if self.transform == "neglog10":
            value = 10.0 ** (-value)
        return value

    @property
    def per_unit(self) -> float:
        """Observation units per source unit (after the transform)."""
        return (1.0 if self.scale is None else self.scale) / (1.0 if self.divisor is None else self.divisor)


class ObservationCodec:
    """The observation layout of a scenario: named features in order, each a block of ``size``
    float32 entries, optionally interleaved per device (``interleave``: the features listed there
    form an (N, F) table flattened row by row, as several scenarios publish them).

    ``encode(values)`` maps a dict feature-name -> (B, size) arrays to (B, dim) float32;
    ``decode(obs)`` gives back feature-name -> (B, size) in the source unit (exact up to the
    float32 rounding and the clipping)."""

    def __init__(self, features: Sequence[Feature], interleave: Sequence[str] = (), clip_nan: bool = False):
        self.features = tuple(features)
        self.interleave = tuple(interleave)
        self.clip_nan = clip_nan  # nan -> 0 (and +-inf to the float limits) before clipping
        names = [f.name for f in self.features]
        if len(set(names)) != len(names):
            raise ValueError(f"feature names must be unique; got {names}")
        self._by_name = {f.name: f for f in self.features}
        rows = {self._by_name[name].size // self._by_name[name].columns for name in self.interleave}
        if len(rows) > 1:
            raise ValueError("interleaved features must have one number of rows")
        self.slices: dict[str, Any] = {}
        self._blocks: list[tuple[slice, list[Feature]]] = []  # where encode writes each feature, or the table
        offset, table_done = 0, False
        for feature in self.features:
            if feature.name in self.interleave:
                if table_done:
                    continue
                table_done = True
                table = [self._by_name[name] for name in self.interleave]
                width, count = sum(f.columns for f in table), feature.size // feature.columns
                column = 0
                for f in table:
                    index = offset + np.arange(count)[:, None] * width + column + np.arange(f.columns)[None, :]
                    self.slices[f.name] = index.reshape(-1)
                    column += f.columns
                self._blocks.append((slice(offset, offset + width * count), table))
                offset += width * count
            else:
                self.slices[feature.name] = slice(offset, offset + feature.size)
                self._blocks.append((self.slices[feature.name], [feature]))
                offset += feature.size
        self.dim = offset
        # the clipping bounds (float32 values, in float64): scalars when one range holds for every
        # entry (NumPy's clip to scalars keeps -0.0, to per-entry bounds it gives +0.0)
        low, high = self.bounds()
        low, high = low.astype(np.float64), high.astype(np.float64)
        uniform = np.unique(low).size == 1 and np.unique(high).size == 1
        self._clip = (float(low[0]), float(high[0])) if uniform else (low, high)
        self._nan_values = np.clip(np.zeros(self.dim), *self._clip)  # what clip_nan makes of a NaN entry

    def __iter__(self):
        return iter(self.features)

    def __getitem__(self, name: str) -> Feature:
        return self._by_name[name]

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        low, high = np.empty(self.dim, np.float32), np.empty(self.dim, np.float32)
        for feature in self.features:
            low[self.slices[feature.name]], high[self.slices[feature.name]] = feature.low, feature.high
        return low, high

    def space(self) -> spaces.Box:
        low, high = self.bounds()
        return spaces.Box(low, high, dtype=np.float32)

    def encode(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """(B, dim) float32 from feature-name -> (B, size) source values.

        The features are encoded into their places of one float64 array (the interleaved ones as one
        (B, N, F) table), which is clipped to the bounds once and rounded to float32."""
        batch = len(values[self.features[0].name])
        vector = np.empty((batch, self.dim))
        for place, group in self._blocks:
            if len(group) == 1 and group[0].name not in self.interleave:
                vector[:, place] = group[0].encode(values[group[0].name])
            else:  # the per-device table: each feature's columns side by side, row by row, written in place
                rows = group[0].size // group[0].columns
                table = vector[:, place].reshape(batch, rows, -1)  # a view: each row's entries are contiguous
                column = 0
                for f in group:
                    table[..., column:column + f.columns] = f.encode(values[f.name]).reshape(batch, rows, f.columns)
                    column += f.columns
        vector.clip(*self._clip, out=vector)
        if self.clip_nan:  # NaN counts as 0 (clipped): nan_to_num before the clip would give the same
            missing = np.isnan(vector)
            if missing.any():
                vector[missing] = np.broadcast_to(self._nan_values, vector.shape)[missing]
        return vector.astype(np.float32)

    def decode(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        """feature-name -> (..., size) values in the source unit, from observations (..., dim)."""
        obs = np.asarray(obs)
        if obs.shape[-1] != self.dim:
            raise ValueError(f"observation must have {self.dim} entries in its last axis; got shape {obs.shape}")
        return {f.name: f.decode(obs[..., self.slices[f.name]]) for f in self.features}

    def describe(self) -> list[str]:
        lines = []
        for f in self.features:
            how = " ".join(part for part in (f"x {f.scale:g}" if f.scale is not None else "",
                                             f"/ {f.divisor:g}" if f.divisor is not None else "") if part)
            if f.transform == "neglog10":
                how = f"-log10(.) {how}"
            lines.append(f"{f.name:<18} {f.size:>4} x  {f.source} [{f.unit}] {how}, clipped to [{f.low:g}, {f.high:g}]")
        return lines


@dataclass(frozen=True)
class InfoKey:
    """One info key: its unit, whether higher is better (None: neither, e.g. an allocation), whether
    it is a term of the reward, and the shared quantity of ``QUANTITIES`` it measures (if any).
    ``per`` says what the leading axes are beyond (B, K): "" (one value per decision), "device",
    "server" or "mode"; ``headline`` marks the keys a leaderboard reports by default."""

    key: str
    unit: str
    higher_is_better: bool | None = None
    reward_term: bool = False
    quantity: str | None = None
    per: str = ""
    headline: bool = False
    doc: str = ""

    def __post_init__(self):
        if self.quantity is not None and self.quantity not in QUANTITIES:
            raise ValueError(f"quantity must be one of {sorted(QUANTITIES)}; got {self.quantity!r}")


@dataclass(frozen=True)
class Batch:
    """Scores of K candidate decisions in each of B states: ``rewards`` (B, K) float64 and
    ``info`` arrays with leading axes (B, K)."""

    rewards: np.ndarray
    info: dict[str, np.ndarray]


class Scenario:
    """Base of a scenario's pure batched functions (see the module docstring)."""

    info_schema: ClassVar[tuple[InfoKey, ...]] = ()
    headline_key: ClassVar[str | None] = None  # the headline info key that ranks a leaderboard (if any)

    def __init__(self, config):
        self.config = config
        self.codec = self.make_codec()
        self.observation_space = self.codec.space()
        self.action_space = self.make_action_space()

    # ----- declarations ----------------------------------------------------------------------
    def make_codec(self) -> ObservationCodec:
        raise NotImplementedError

    def make_action_space(self) -> spaces.Space:
        raise NotImplementedError

    def state_fields(self) -> dict[str, Field]:
        raise NotImplementedError

    # ----- the model ---------------------------------------------------------------------------
    def fork_streams(self, rng: np.random.Generator, previous: tuple = ()) -> tuple:
        return ()

    def generate(self, rngs: Sequence[np.random.Generator], streams: Sequence[tuple]) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def after_reset(self, state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Derived fields of fresh states once the caller's overrides are in (default: none)."""
        return state

    def oracle(self, state: dict[str, np.ndarray], decisions: Any) -> Batch:
        raise NotImplementedError

    def transition(self, state, actions, info, rngs, steps, streams) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def features(self, state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """feature-name -> (B, size) source values of the observation."""
        raise NotImplementedError

    def observe(self, state: dict[str, np.ndarray]) -> np.ndarray:
        """(B, dim) float32 observations."""
        return self.codec.encode(self.features(state))

    def episode_over(self, state: dict[str, np.ndarray], steps: np.ndarray) -> np.ndarray:
        """(B,) True where an episode must truncate after this step besides the step limit."""
        return np.zeros(len(steps), dtype=bool)

    def ends_episodes(self) -> bool:
        """Whether ``episode_over`` can be True (else the single env does not ask it); default:
        whether the scenario overrides it."""
        return type(self).episode_over is not Scenario.episode_over

    # ----- helpers -----------------------------------------------------------------------------
    def schema(self) -> dict[str, InfoKey]:
        return {entry.key: entry for entry in self.info_schema}

    @staticmethod
    def stack(states: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
        """One batched state from per-env states (dicts of arrays without the env axis)."""
        if len(states) == 1:
            return {key: np.asarray(value)[None] for key, value in states[0].items()}
        return {key: np.stack([s[key] for s in states]) for key in states[0]}


def squeeze_single(oracle):
    """Decorate a scenario's ``oracle`` whose code handles any leading axes: a batch of one state is
    scored as the state alone (the same elementwise operations on arrays with fewer axes, which
    NumPy runs faster), its results given the env axis back."""

    def wrapped(self, state, decisions):
        if len(next(iter(state.values()))) != 1:
            return oracle(self, state, decisions)
        result = oracle(self, env_slice(state, 0), env_slice(decisions, 0) if isinstance(decisions, dict)
                        else decisions[0])
        return Batch(rewards=result.rewards[None], info=_with_env_axis(result.info))

    wrapped.__doc__, wrapped.__name__ = oracle.__doc__, oracle.__name__
    wrapped.single_state = oracle  # what a single env may call on its one state directly
    return wrapped


def _with_env_axis(info: dict[str, Any]) -> dict[str, Any]:
    return {key: _with_env_axis(value) if isinstance(value, dict) else value[None] for key, value in info.items()}


def batch_of_one(state: dict[str, Any]) -> dict[str, Any]:
    """The state (or info / decision dict) of one env as a batch of one (views, no copies)."""
    return {key: np.asarray(value)[None] for key, value in state.items()}


def env_slice(state: dict[str, np.ndarray], index) -> dict[str, np.ndarray]:
    """Env ``index`` (int: views without the env axis, 0-d arrays for scalars; array: a sub-batch)
    of a batched dict (nested dicts, such as info's ``reward_terms``, sliced alike)."""
    sliced = {}
    for key, value in state.items():
        item = env_slice(value, index) if isinstance(value, dict) else value[index]
        sliced[key] = np.asarray(item) if isinstance(item, np.generic) else item
    return sliced


REWARD_TERMS = InfoKey("reward_terms", "1", True, reward_term=True,
                       doc="the reward's named terms, a dict summing to the reward (see the env's Rewards)")
DEVICE_REWARDS = InfoKey("device_rewards", "1", True, per="device", doc="each device's share of the reward")
SCALED_INFO = ("reward_terms", "device_rewards")  # info entries that add up to the reward (SPEC.md "Reward terms")


def scale_rewards(rewards: np.ndarray, info: dict[str, Any], scale: float) -> tuple[np.ndarray, dict[str, Any]]:
    """Rewards and info with the config's ``reward_scale`` applied to the rewards and to the
    entries of ``SCALED_INFO`` (``reward_terms`` is a dict of arrays); the inputs when scale is 1."""
    if scale == 1.0:
        return rewards, info
    info = dict(info)
    if "reward_terms" in info:
        info["reward_terms"] = {name: value * scale for name, value in info["reward_terms"].items()}
    if "device_rewards" in info:
        info["device_rewards"] = info["device_rewards"] * scale
    return rewards * scale, info


def describe(scenario: Scenario) -> str:
    """Human-readable listing of a scenario's state fields, observation features and info schema."""
    lines = ["state fields:"]
    for name, f in scenario.state_fields().items():
        bounds = f" settable in [{f.low:g}, {f.high:g}]" if f.settable else " (derived)"
        lines.append(f"  {name:<18} shape {f.shape!s:<10} [{f.unit}]{bounds}")
    lines.append(f"observation ({scenario.codec.dim} float32):")
    lines += ["  " + line for line in scenario.codec.describe()]
    lines.append("info:")
    for k in scenario.info_schema:
        direction = {True: "higher is better", False: "lower is better", None: ""}[k.higher_is_better]
        extras = [x for x in (direction, "reward term" if k.reward_term else "",
                              f"quantity={k.quantity}" if k.quantity else "", f"per {k.per}" if k.per else "",
                              "headline" if k.headline else "") if x]
        lines.append(f"  {k.key:<20} [{k.unit}] {', '.join(extras)}")
    return "\n".join(lines)
