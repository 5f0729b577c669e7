"""The environment base shared by every scenario: config handling, seeding, action validation,
and the ``evaluate`` / ``step`` / ``optimum`` / ``state`` contract of SPEC.md.

A scenario declares its model once as pure batched functions (:class:`mec_gym.core.scenario.Scenario`,
set as ``scenario_class``): the single env is then the batch of one over them and the native vector
env (:mod:`mec_gym.core.vector`) the batch of B. Without a ``scenario_class`` a subclass fills in
five hooks instead:

- ``_make_spaces()`` -> (observation_space, action_space)
- ``_draw_state()`` -> the state dict of a fresh episode (all randomness from ``self.np_random``)
- ``_evaluate(state, batch)`` -> :class:`Evaluation` (the pure, batched reward oracle)
- ``_transition(state, action, info)`` -> the next state, given one validated action and its info
- ``_observe(state)`` -> float32 observation

and, where the defaults do not fit, ``_scene(state, info)`` (the picture of ``render_mode="rgb_array"``,
see :mod:`mec_gym.rendering`), ``_state_bounds()`` (which state fields may be overridden
through ``reset(options={"state": ...})`` and their ranges), ``_episode_over()``, ``optimum()`` and
``_search_values()`` (what ``optimum()`` maximises, when it is not the reward).

Every ``_evaluate`` puts ``info["reward_terms"]`` (named (K,) arrays summing to the rewards) and, where
the reward is a sum or mean over devices, ``info["device_rewards"]`` ((K, N), summing to the rewards);
the base applies the config's ``reward_scale`` to all three.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from mec_gym.core import search
from mec_gym.core.scenario import Scenario, batch_of_one, env_slice, scale_rewards
from mec_gym.core.validation import (
    require_array,
    require_choice,
    require_float,
    require_int,
    validate_action,
    validate_batch,
)


@dataclass(frozen=True)
class Evaluation:
    """Result of scoring K candidate decisions without advancing time.

    rewards: float64 array (K,); info: dict of arrays with leading axis K (allocations, metrics),
    among them ``info["reward_terms"]``, a dict of named (K,) arrays whose sum is ``rewards``.
    """

    rewards: np.ndarray
    info: dict[str, Any]

    def __len__(self) -> int:
        return len(self.rewards)

    def best(self) -> int:
        """Index of the highest-reward candidate (first one on ties)."""
        return int(np.argmax(self.rewards))

    def take(self, index: int) -> dict[str, Any]:
        """The info of one candidate, leading axis removed (nested dicts too: reward terms as floats)."""
        return {key: _take(value, index) for key, value in self.info.items()}


def _take(value: Any, index: int) -> Any:
    if isinstance(value, dict):
        return {key: _take(item, index) for key, item in value.items()}
    item = value[index]
    return float(item) if isinstance(item, np.floating) else item


CERTIFY_RTOL = 1e-9  # reward within this of the bound (relative): the optimum is proven


@dataclass(frozen=True)
class Optimum:
    """Best decision known for the current state, with a proven bound.

    ``reward``: the reward of ``action`` (higher is better); ``method``: what was run, from the
    vocabulary ``mec_gym.core.search.METHODS``; ``bound``: a proven upper bound on the reward of
    ANY decision in this state (derived in the scenario's oracle.py); ``certified`` (computed): the
    reward equals the bound to ``CERTIFY_RTOL`` relative, so ``action`` is an optimum. Otherwise the
    reference is "best-known" and ``gap`` = (bound - reward) / |bound| bounds how far it can be off.
    """

    action: Any
    reward: float
    method: str
    bound: float
    info: dict[str, Any] = field(default_factory=dict)
    certified: bool = field(init=False)

    def __post_init__(self) -> None:
        slack = CERTIFY_RTOL * max(abs(self.bound), abs(self.reward))
        if not self.reward <= self.bound + slack:
            raise ValueError(f"optimum reward {self.reward!r} exceeds its bound {self.bound!r} ({self.method})")
        object.__setattr__(self, "certified", bool(self.reward >= self.bound - slack))

    @property
    def reference(self) -> float:
        """What a normalised metric divides by: the reward when certified, else the bound (a ratio
        to it is then a certified lower bound of the ratio to the unknown optimum)."""
        return self.reward if self.certified else self.bound

    @property
    def gap(self) -> float:
        """(bound - reward) / |bound|: 0 when certified, an upper bound on the relative shortfall."""
        if self.certified:
            return 0.0
        return float((self.bound - self.reward) / abs(self.bound)) if self.bound != 0 else float("inf")


@dataclass(frozen=True)
class EnvConfig:
    """Fields every scenario has. Subclasses add theirs and extend ``validate``."""

    # Frames per episode before the env truncates. SPEC.md calls it max_episode_steps, but gym.make
    # keeps that keyword for itself (it only adds a TimeLimit, which can shorten an episode, never
    # lengthen it), so under that name a longer episode could not reach the env.
    episode_length: int = 1000
    # Multiplies the reward, info["reward_terms"] and info["device_rewards"] in every reward mode
    # (> 0; 1 keeps the scenario's own units). A learner's knob: the oracle's choices do not change.
    reward_scale: float = 1.0

    # The scenario's reward modes (its ``reward`` field's choices, the default first); () for one mode.
    reward_modes: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        for spec in dataclasses.fields(self):  # numpy scalars as Python numbers (gymnasium's spaces want int)
            value = getattr(self, spec.name)
            if isinstance(value, (np.integer, np.floating)) and not isinstance(value, np.bool_):
                self._normalise(spec.name, value.item())
        self.validate()

    def validate(self) -> None:
        require_int("episode_length", self.episode_length, 1)
        require_float("reward_scale", self.reward_scale, 0.0, low_open=True)
        if self.reward_modes:
            require_choice("reward", self.reward, self.reward_modes)

    def _normalise(self, name: str, value: Any) -> None:
        """Store a normalised value in the frozen dataclass (for use inside ``validate``)."""
        object.__setattr__(self, name, value)


def make_config(config_class: type[EnvConfig], config: EnvConfig | None, overrides: dict) -> EnvConfig:
    """Build a config from a base instance and keyword overrides.

    An unknown keyword raises TypeError, Python's convention for an unexpected keyword argument, in
    Python's own words ("got an unexpected keyword argument 'x'") followed by the allowed fields:
    RL libraries probe optional keywords (TorchRL's ``frameskip``) and fall back only on that error."""
    known = {f.name for f in dataclasses.fields(config_class)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        what = f"an unexpected keyword argument {names}" if len(unknown) == 1 else f"unexpected keyword arguments {names}"
        raise TypeError(f"{config_class.__name__}() got {what}; allowed config fields: {sorted(known)}")
    if config is None:
        return config_class(**overrides)
    if not isinstance(config, config_class):
        raise TypeError(f"config must be a {config_class.__name__}; got {type(config).__name__}")
    return dataclasses.replace(config, **overrides) if overrides else config


class MECEnv(gym.Env):
    """Base of every mec-gym environment (see the module docstring for the hooks)."""

    config_class: ClassVar[type[EnvConfig]] = EnvConfig
    # relative error bound of the reward oracle (an iterative inner solve): enumeration's bound is
    # reward x (1 + oracle_rtol), so that the bound stays proven for oracles solved to a tolerance
    oracle_rtol: ClassVar[float] = 0.0
    scenario_class: ClassVar[type[Scenario] | None] = None
    metadata = {"render_modes": ["ansi", "rgb_array", "human"], "render_fps": 4}

    def __init__(self, config: EnvConfig | None = None, render_mode: str | None = None, **overrides: Any):
        self.config = make_config(self.config_class, config, overrides)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']}; got {render_mode!r}")
        self.render_mode = render_mode
        self.scenario = None if self.scenario_class is None else self.scenario_class(self.config)
        self._streams: tuple = ()  # the scenario's extra generators of this env (fork_streams)
        self.observation_space, self.action_space = self._make_spaces()
        # The state is kept as a batch of one (``_batched``, what the scenario's functions take) and
        # as its per-env view (``_single``, what the hooks and subclasses read as ``_state``); either
        # is derived from the other when first needed, and assigning ``_state`` replaces both.
        self._single: dict[str, np.ndarray] | None = None
        self._batched: dict[str, np.ndarray] | None = None
        self._steps = 0
        self._last_info: dict[str, Any] = {}
        self._last_reward: float | None = None
        self._decided_batch: dict[str, np.ndarray] | None = None  # the state the last step's decision faced
        # the single env steps the scenario's functions on its batch of one directly unless a
        # subclass replaced one of the per-env hooks
        self._scenario_step = self.scenario is not None and all(
            getattr(type(self), hook) is getattr(MECEnv, hook) for hook in _STEP_HOOKS)
        # a scenario oracle that scores one state alone (``squeeze_single``): called on it directly
        self._single_oracle = None if self.scenario is None else getattr(type(self.scenario).oracle, "single_state", None)
        # whether the scenario ends episodes besides the step limit (else step skips asking it)
        self._ends_episodes = self.scenario is not None and self.scenario.ends_episodes()
        self._canvas = None  # mec_gym.rendering.Canvas, made on the first rgb_array / human frame
        self._window = None

    # ----- hooks (default: the scenario's batched functions on a batch of one) ------------------
    def _make_spaces(self) -> tuple[spaces.Space, spaces.Space]:
        if self.scenario is None:
            raise NotImplementedError
        return self.scenario.observation_space, self.scenario.action_space

    def _draw_state(self) -> dict[str, np.ndarray]:
        if self.scenario is None:
            raise NotImplementedError
        self._streams = self.scenario.fork_streams(self.np_random, self._streams)
        return env_slice(self.scenario.generate([self.np_random], [self._streams]), 0)

    def _evaluate(self, state: dict[str, np.ndarray], batch: Any) -> Evaluation:
        if self.scenario is None:
            raise NotImplementedError
        result = self.scenario.oracle(batch_of_one(state), _add_batch_axis(batch))
        return Evaluation(rewards=result.rewards[0], info=env_slice(result.info, 0))

    def _transition(self, state: dict[str, np.ndarray], action: Any, info: dict[str, Any]) -> dict[str, np.ndarray]:
        if self.scenario is None:
            raise NotImplementedError
        new = self.scenario.transition(batch_of_one(state), _add_batch_axis(action), batch_of_one(info),
                                       [self.np_random], np.array([self._steps]), [self._streams])
        return env_slice(new, 0)

    def _observe(self, state: dict[str, np.ndarray]) -> np.ndarray:
        if self.scenario is None:
            raise NotImplementedError
        return self.scenario.observe(batch_of_one(state))[0]

    def _scene(self, state: dict[str, np.ndarray], info: dict[str, Any]):
        """The current frame as a :class:`mec_gym.rendering.Scene` (``info``: the last step's, empty
        after reset); drawn by ``render()`` for ``render_mode="rgb_array"`` / ``"human"``."""
        raise NotImplementedError(f"{type(self).__name__} has no picture; use render_mode='ansi'")

    def _state_bounds(self) -> dict[str, tuple[float, float]]:
        """State fields that ``reset(options={"state": ...})`` may set, with their [low, high]."""
        if self.scenario is None:
            return {}
        return {name: (f.low, f.high) for name, f in self.scenario.state_fields().items() if f.settable}

    def _reward_bound(self, state: dict[str, np.ndarray], incumbent: np.ndarray | None = None) -> float:
        """A proven upper bound on the reward of any decision in ``state`` (derived per scenario
        in its oracle.py; ``incumbent``, the best decision found, may guide it but never makes it
        invalid); the default +inf proves nothing."""
        return float("inf")

    def _episode_over(self) -> bool:
        """True when the episode must truncate after the current step (besides the step limit)."""
        if self.scenario is None:
            return False
        return bool(self.scenario.episode_over(batch_of_one(self._state), np.array([self._steps]))[0])

    # ----- the state, per env and as a batch of one ----------------------------------------------
    @property
    def _state(self) -> dict[str, np.ndarray] | None:
        """The current state, per env (views into the batch of one when that is the newer)."""
        if self._single is None and self._batched is not None:
            self._single = env_slice(self._batched, 0)
        return self._single

    @_state.setter
    def _state(self, value: dict[str, np.ndarray] | None) -> None:
        self._single, self._batched = value, None

    def _batch_state(self) -> dict[str, np.ndarray]:
        """The current state as a batch of one (views)."""
        if self._batched is None:
            self._batched = batch_of_one(self._single)
        return self._batched

    def _set_batch_state(self, batched: dict[str, np.ndarray]) -> None:
        self._single, self._batched = None, batched

    @property
    def _decided_state(self) -> dict[str, np.ndarray] | None:
        """The state the last step's decision faced (None after reset)."""
        return None if self._decided_batch is None else env_slice(self._decided_batch, 0)

    # ----- the contract ------------------------------------------------------------------------
    @property
    def state(self) -> dict[str, np.ndarray]:
        """A copy of the current state (SI units) as a dict of arrays."""
        self._require_reset()
        return copy.deepcopy(self._state)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        options = {} if options is None else dict(options)
        unknown = sorted(set(options) - {"state"})
        if unknown:
            raise ValueError(f"unknown reset option(s) {unknown}; allowed: ['state']")
        overrides = self._check_state_overrides(options.get("state", {}))
        super().reset(seed=seed)
        state = self._draw_state()
        state.update(overrides)
        if self.scenario is not None:
            self._set_batch_state(self.scenario.after_reset(batch_of_one(state)))
        else:
            self._state = state
        self._steps = 0
        self._last_info, self._last_reward, self._decided_batch = {}, None, None
        if self.render_mode == "human":
            self.render()
        return self._current_observation(), {}

    def evaluate(self, actions: Any, state: dict[str, np.ndarray] | None = None) -> Evaluation:
        """Score a batch of K candidate decisions (leading axis K) in the current state, or in
        ``state`` (a dict with every field of ``env.state``, e.g. ``{**env.state, "prices": p}``).

        Pure: the env's state, step count and random generator are untouched.
        """
        if state is None:
            self._require_reset()
            state = self._state
        else:
            state = self._check_full_state(state)
        batch = validate_batch(self.action_space, actions, "actions")
        return self._score(state, batch)

    def observe(self, state: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """The observation of the current state (or of ``state``), as ``reset`` / ``step`` return it."""
        if state is None:
            self._require_reset()
            return self._current_observation()
        return self._observe(state)

    def override_state(self, fields: dict[str, np.ndarray]) -> np.ndarray:
        """Set settable state fields mid-episode (checked like ``reset(options={"state": ...})``;
        a bad field raises ValueError and leaves the env untouched); returns the new observation."""
        self._require_reset()
        checked = self._check_state_overrides(fields)
        self._state = {**self._state, **checked}
        return self._observe(self._state)

    def step(self, action: Any):
        self._require_reset()
        batch = validate_action(self.action_space, action, "action")
        if not self._scenario_step:
            return self._step_hooks(batch)
        # the scenario's functions on the batch of one, as the vector env runs them on B envs
        if self._single_oracle is not None:  # the oracle squeezes a batch of one: scored as the state alone
            result = self._single_oracle(self.scenario, self._state, batch)
            rewards, candidate_info = scale_rewards(result.rewards, result.info, self.config.reward_scale)
            step_info, info = _first_candidate(candidate_info, env_axis=False)
            reward = float(rewards[0])
        else:
            result = self.scenario.oracle(self._batch_state(), _add_candidate_axis(batch))
            rewards, batch_info = scale_rewards(result.rewards, result.info, self.config.reward_scale)
            step_info, info = _first_candidate(batch_info)  # (1, ...) for the transition; the env's info
            reward = float(rewards[0, 0])
        state = self._batch_state()
        new = self.scenario.transition(state, batch, step_info, [self.np_random], np.array([self._steps]),
                                       [self._streams])
        self._decided_batch = state
        self._set_batch_state(new)
        self._steps += 1
        truncated = self._steps >= self.config.episode_length or (self._ends_episodes and bool(
            self.scenario.episode_over(new, np.array([self._steps]))[0]))
        self._last_info, self._last_reward = info, reward
        if self.render_mode == "human":
            self.render()
        return self.scenario.observe(new)[0], reward, False, truncated, info

    def _step_hooks(self, batch: Any):
        """``step`` through the per-env hooks (a subclass that replaced one of them)."""
        evaluation = self._score(self._state, batch)
        info = evaluation.take(0)
        single = {k: v[0] for k, v in batch.items()} if isinstance(batch, dict) else batch[0]
        self._decided_batch = batch_of_one(self._state)
        self._state = self._transition(self._state, single, info)
        self._steps += 1
        truncated = bool(self._steps >= self.config.episode_length or self._episode_over())
        self._last_info, self._last_reward = info, float(evaluation.rewards[0])
        if self.render_mode == "human":
            self.render()
        return self._observe(self._state), float(evaluation.rewards[0]), False, truncated, info

    def optimum(self, method: str = "auto", start: Any = None) -> Optimum:
        """Best decision for the current state, with a proven bound (see :class:`Optimum`).

        For discrete action spaces: ``"enumeration"`` of every decision (batched in chunks;
        auto-chosen when there are at most 2^16; certified up to the oracle's own precision
        ``oracle_rtol``), else ``"multistart"`` (auto above 2^16: ``search.multistart_descent``,
        ``MULTISTART_STARTS`` seeded descents, about that many times the cost of one) or ``"cd"``
        (one coordinate descent from ``start``, default all zeros: the cheapest). Above 2^16 the
        bound is the scenario's ``_reward_bound``. Scenarios with continuous decisions override this.
        """
        self._require_reset()
        nvec = search.discrete_sizes(self.action_space)
        if method == "auto":
            method = "enumeration" if search.count_decisions(nvec) <= search.MAX_ENUMERATION else "multistart"
        if start is not None:
            start = validate_action(self.action_space, start, "start")[0]
        if method == "enumeration":
            action, reward = search.exhaustive_search(self._search_values, nvec)
            name = search.method_name("enumeration")
        elif method == "multistart":
            action, reward = search.multistart_descent(self._search_values, nvec, start=start)
            name = search.method_name("cd-multistart", search.MULTISTART_STARTS)
        elif method == "cd":
            action, reward = search.coordinate_descent(self._search_values, nvec, start)
            name = search.method_name("cd")
        else:
            raise ValueError(f"method must be one of ['auto', 'enumeration', 'multistart', 'cd']; got {method!r}")
        # the reward as step() scores this decision alone: an iterative oracle's batch results agree
        # with single evaluations only to ~1e-15 relative, and step(optimum().action) should match exactly
        reward = float(self._score(self._state, action[None]).rewards[0])
        if name == "enumeration" and type(self)._search_values is MECEnv._search_values:  # the reward was searched
            bound = reward + self.oracle_rtol * abs(reward)
        else:
            bound = self._scaled_bound(self._state, action)  # Optimum refuses a reward above it (1e-9)
        return Optimum(action=action.astype(self.action_space.dtype), reward=reward, method=name, bound=bound)

    def render(self) -> str | np.ndarray | None:
        """``"ansi"``: the state as text; ``"rgb_array"``: the picture as a uint8 (H, W, 3) array;
        ``"human"``: the picture in a window where a display exists (returns None)."""
        if self.render_mode is None or self._state is None:
            return None
        if self.render_mode == "ansi":
            lines = [f"{type(self).__name__} step {self._steps}"]
            lines += [f"  {key}: {np.array2string(np.asarray(value), precision=4)}" for key, value in self._state.items()]
            return "\n".join(lines)
        from mec_gym import rendering  # matplotlib only when a picture is asked for

        if self._canvas is None:
            self._canvas = rendering.Canvas()
        name = self.spec.id if self.spec is not None else type(self).__name__
        if self._decided_state is None:  # after reset: the state, no decision yet
            scene, title = self._scene(self.state, {}), f"{name}  after reset"
        else:  # the last decision with the state it faced
            scene = self._scene(copy.deepcopy(self._decided_state), dict(self._last_info))
            title = f"{name}  step {self._steps}: the decision and the state it faced"
        term_keys = () if self.scenario is None else tuple(
            key for key, entry in self.scenario.schema().items() if entry.reward_term)
        scene = dataclasses.replace(scene, title=title,
                                    terms=rendering.reward_terms(self._last_info, self._last_reward, term_keys))
        frame = self._canvas.draw(scene)
        if self.render_mode == "rgb_array":
            return frame
        if rendering.has_display():
            if self._window is None:
                self._window = rendering.Window(name)
            self._window.show(frame, self.metadata["render_fps"])
        return None

    def close(self) -> None:
        if self._window is not None:
            self._window.close()
            self._window = None
        super().close()

    # ----- helpers -----------------------------------------------------------------------------
    def _current_observation(self) -> np.ndarray:
        if self._scenario_step:
            return self.scenario.observe(self._batch_state())[0]
        return self._observe(self._state)

    def _score(self, state: dict[str, np.ndarray], batch: Any) -> Evaluation:
        """``_evaluate`` with ``reward_scale`` applied: what ``evaluate`` and ``step`` report."""
        return self._scaled(self._evaluate(state, batch))

    def _scaled(self, evaluation: Evaluation) -> Evaluation:
        """``evaluation`` with its rewards, reward terms and device rewards times ``reward_scale``."""
        rewards, info = scale_rewards(evaluation.rewards, evaluation.info, self.config.reward_scale)
        return evaluation if rewards is evaluation.rewards else Evaluation(rewards=rewards, info=info)

    def _scaled_bound(self, state: dict[str, np.ndarray], incumbent: np.ndarray | None = None) -> float:
        """``_reward_bound`` times ``reward_scale`` (> 0: still a bound on the scaled reward)."""
        return self.config.reward_scale * self._reward_bound(state, incumbent)

    def _search_values(self, batch: np.ndarray) -> np.ndarray:
        """What ``optimum()`` maximises over decisions in the current state: the reward (unscaled),
        unless a scenario says otherwise (the Lyapunov envs: the per-slot surrogate)."""
        return self._evaluate(self._state, batch).rewards

    def _require_reset(self) -> None:
        if self._single is None and self._batched is None:
            raise RuntimeError("call reset() before using the environment")

    def _check_full_state(self, state: Any) -> dict[str, np.ndarray]:
        """A caller's state for ``evaluate``: a dict with exactly the env's state fields."""
        self._require_reset()
        if not isinstance(state, dict):
            raise ValueError("state must be a dict of arrays (as env.state returns)")
        missing, unknown = sorted(set(self._state) - set(state)), sorted(set(state) - set(self._state))
        if missing or unknown:
            raise ValueError(f"state must hold exactly the fields {sorted(self._state)}; missing {missing}, unknown {unknown}")
        return {key: np.asarray(value) for key, value in state.items()}

    def _check_state_overrides(self, overrides: Any) -> dict[str, np.ndarray]:
        if not isinstance(overrides, dict):
            raise ValueError("options['state'] must be a dict of arrays")
        bounds = self._state_bounds()
        unknown = sorted(set(overrides) - set(bounds))
        if unknown:
            raise ValueError(f"unknown state field(s) {unknown}; settable: {sorted(bounds)}")
        shapes = self._state_shapes()
        return {
            name: require_array(f"state[{name!r}]", value, shapes[name], *bounds[name])
            for name, value in overrides.items()
        }

    def _state_shapes(self) -> dict[str, tuple[int, ...]]:
        """Shapes of the settable state fields; default: the scenario's, else one value per device."""
        if self.scenario is not None:
            return {name: f.shape for name, f in self.scenario.state_fields().items()}
        return {name: (self.config.num_devices,) for name in self._state_bounds()}


_STEP_HOOKS = ("_evaluate", "_transition", "_observe", "_episode_over")  # what a batch-of-one step replaces


def _add_candidate_axis(batch: Any) -> Any:
    """Decisions (B, ...) as (B, K = 1, ...) (views)."""
    if isinstance(batch, dict):
        return {key: value[:, None] for key, value in batch.items()}
    return batch[:, None]


def _first_candidate(info: dict[str, Any], env_axis: bool = True) -> tuple[Mapping[str, Any], dict[str, Any]]:
    """A batch of one's info arrays (1, K, ...) (``env_axis=False``: one state's, (K, ...)) at the
    first candidate: as (1, ...) views, what the transition takes (made when it reads a key), and as
    the env's info (views without the env axis, floating scalars as Python floats, as
    ``Evaluation.take`` gives them); nested dicts alike."""
    return _FirstCandidate(info, env_axis), _first_candidate_info(info, env_axis)


def _first_candidate_info(info: dict[str, Any], env_axis: bool) -> dict[str, Any]:
    single = {}
    for key, value in info.items():
        if isinstance(value, dict):
            single[key] = _first_candidate_info(value, env_axis)
        else:
            item = value[0, 0] if env_axis else value[0]
            single[key] = float(item) if isinstance(item, np.floating) else item
    return single


class _FirstCandidate(Mapping):
    """The first candidate's info as (1, ...) views, each made when read (a transition reads a few keys)."""

    def __init__(self, info: dict[str, Any], env_axis: bool):
        self._info, self._env_axis = info, env_axis

    def __getitem__(self, key: str) -> Any:
        value = self._info[key]
        if isinstance(value, dict):
            return _FirstCandidate(value, self._env_axis)
        return value[:, 0] if self._env_axis else value[:1]

    def __iter__(self):
        return iter(self._info)

    def __len__(self) -> int:
        return len(self._info)


def _add_batch_axis(action: Any) -> Any:
    if isinstance(action, dict):
        return {key: np.asarray(value)[None] for key, value in action.items()}
    return np.asarray(action)[None]
