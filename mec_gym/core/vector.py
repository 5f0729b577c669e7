"""The native vector env: B copies of one scenario stepped by its batched functions in one call.

``gym.make_vec(ID, num_envs=B)`` returns it (each id registers a ``vector_entry_point``). Env i has
its own random generator, seeded like a single env (``reset(seed=s)``: env i gets s + i; a list
gives each env its own), and draws in the same order as the single env, so env i seeded s_i runs
exactly the trajectory of ``gym.make(ID)`` seeded s_i, across autoresets too. Autoreset modes are
Gymnasium 1.x's: next-step (default), same-step (``autoreset_mode="SameStep"``: the final
observation and info in ``info["final_obs"]`` / ``info["final_info"]``) and disabled.

Constructing one asks glibc to keep freed heap memory for reuse across steps
(:mod:`mec_gym.core.memory`; ``MEC_GYM_MALLOC_TOP_PAD=0`` leaves malloc alone).
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import numpy as np
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from mec_gym.core.base import EnvConfig, MECEnv, Optimum
from mec_gym.core.memory import keep_freed_heap
from mec_gym.core.scenario import Batch, env_slice, scale_rewards
from mec_gym.core.validation import require_int, validate_batch


class MECVectorEnv(VectorEnv):
    """B envs of one scenario in one batched state (subclasses set ``env_class``)."""

    env_class: ClassVar[type[MECEnv]]
    metadata = {"render_modes": [], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(self, num_envs: int = 1, config: EnvConfig | None = None,
                 autoreset_mode: str | AutoresetMode = AutoresetMode.NEXT_STEP, render_mode: str | None = None,
                 **overrides: Any):
        self.num_envs = require_int("num_envs", num_envs, 1)
        if render_mode is not None:
            raise ValueError(f"render_mode must be None for a vector env; got {render_mode!r}")
        try:
            self.autoreset_mode = AutoresetMode(autoreset_mode)
        except ValueError:
            allowed = [mode.value for mode in AutoresetMode]
            raise ValueError(f"autoreset_mode must be one of {allowed}; got {autoreset_mode!r}") from None
        self.render_mode = None
        keep_freed_heap()  # the steps reuse their large temporaries' memory instead of faulting it in again
        self.metadata = {**self.metadata, "autoreset_mode": self.autoreset_mode}
        # a single env sharing the config and scenario: optimum() per env and state checks run on it
        self.single_env = self.env_class(config, **overrides)
        self.config, self.scenario = self.single_env.config, self.single_env.scenario
        self.single_observation_space = self.scenario.observation_space
        self.single_action_space = self.scenario.action_space
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self._rngs: list[np.random.Generator | None] = [None] * self.num_envs
        self._streams: list[tuple] = [()] * self.num_envs  # the scenario's extra generators per env
        self._state: dict[str, np.ndarray] | None = None
        self._steps = np.zeros(self.num_envs, dtype=np.int64)
        self._autoreset = np.zeros(self.num_envs, dtype=bool)

    # ----- random streams ----------------------------------------------------------------------
    def _rng(self, index: int, seed: int | None = None) -> np.random.Generator:
        if seed is not None or self._rngs[index] is None:  # as gymnasium.Env.reset does
            self._rngs[index] = seeding.np_random(seed)[0]
        return self._rngs[index]

    @property
    def np_random(self) -> tuple[np.random.Generator, ...]:
        """The envs' generators (env i's is the one a single env seeded like it would hold)."""
        return tuple(self._rng(i) for i in range(self.num_envs))

    # ----- the VectorEnv API -------------------------------------------------------------------
    def reset(self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None):
        """Reset every env (or those of ``options["reset_mask"]``); ``options["state"]`` sets state
        fields as in the single env, each value given per env (B, ...) or once for all."""
        options = {} if options is None else dict(options)
        unknown = sorted(set(options) - {"state", "reset_mask"})
        if unknown:
            raise ValueError(f"unknown reset option(s) {unknown}; allowed: ['reset_mask', 'state']")
        if seed is None:
            seeds = [None] * self.num_envs
        elif isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
            seeds = [int(seed) + i for i in range(self.num_envs)]
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError(f"seed must be None, an int or a list of {self.num_envs} seeds; got {len(seeds)}")
        mask = options.get("reset_mask")
        if mask is None:
            mask = np.ones(self.num_envs, dtype=bool)
        else:
            mask = np.asarray(mask)
            if mask.shape != (self.num_envs,) or mask.dtype != np.bool_ or not mask.any():
                raise ValueError(f"options['reset_mask'] must be a bool array of shape ({self.num_envs},) with a True")
            if self._state is None and not mask.all():
                raise ValueError("the first reset must reset every env (reset_mask all True)")
        index = np.flatnonzero(mask)
        overrides = self._check_overrides(options.get("state", {}), index)
        fresh = self._generate(index, seeds)
        for name, values in overrides.items():
            fresh[name] = values
        self._set(index, self.scenario.after_reset(fresh))
        self._steps[index] = 0
        self._autoreset[index] = False
        return self.scenario.observe(self._state), {}

    def step(self, actions: Any):
        self._require_reset()
        batch = validate_batch(self.single_action_space, actions, "actions")
        if _length(batch) != self.num_envs:
            raise ValueError(f"actions must hold one action per env ({self.num_envs}); got {_length(batch)}")
        rewards = np.zeros(self.num_envs, dtype=np.float64)
        terminated = np.zeros(self.num_envs, dtype=bool)
        truncated = np.zeros(self.num_envs, dtype=bool)
        resetting = self._autoreset if self.autoreset_mode == AutoresetMode.NEXT_STEP else np.zeros_like(self._autoreset)
        if self.autoreset_mode == AutoresetMode.DISABLED and self._autoreset.any():
            raise RuntimeError("autoreset is disabled: reset the finished envs with options={'reset_mask': ...}")
        index = np.flatnonzero(~resetting)
        info: dict[str, Any] = {}
        if len(index):
            everyone = len(index) == self.num_envs
            state = self._state if everyone else env_slice(self._state, index)
            acting = batch if everyone else env_slice_any(batch, index)
            result = self.scenario.oracle(state, _add_candidate_axis(acting))
            scaled_rewards, scaled_info = scale_rewards(result.rewards, result.info, self.config.reward_scale)
            step_info = env_slice(scaled_info, (slice(None), 0))
            rngs, streams = (self._rngs, self._streams) if everyone else ([self._rngs[i] for i in index],
                                                                          [self._streams[i] for i in index])
            new = self.scenario.transition(state, acting, step_info, rngs, self._steps[index], streams)
            self._steps[index] += 1
            self._set(index, new)
            rewards[index] = scaled_rewards[:, 0]
            truncated[index] = (self._steps[index] >= self.config.episode_length) | self.scenario.episode_over(
                new, self._steps[index])
            info = _masked_info(step_info, index, self.num_envs)
        reset_now = np.flatnonzero(resetting)
        if len(reset_now):
            self._set(reset_now, self._generate(reset_now))
            self._steps[reset_now] = 0
        observations = self.scenario.observe(self._state)
        done = terminated | truncated
        if self.autoreset_mode == AutoresetMode.SAME_STEP and done.any():
            finished = np.flatnonzero(done)
            final_obs = np.full(self.num_envs, None, dtype=object)
            for i in finished:
                final_obs[i] = observations[i]
            info["final_obs"], info["_final_obs"] = final_obs, done.copy()
            info["final_info"] = _masked_info({k: v for k, v in info.items() if not k.startswith("_")}, finished,
                                              self.num_envs, source_full=True)
            info["_final_info"] = done.copy()
            self._set(finished, self._generate(finished))
            self._steps[finished] = 0
            observations = self.scenario.observe(self._state)
        self._autoreset = done
        return observations, rewards, terminated, truncated, info

    def close_extras(self, **kwargs: Any) -> None:
        self.single_env.close()

    # ----- mec-gym's contract, per env ---------------------------------------------------------
    @property
    def state(self) -> dict[str, np.ndarray]:
        """A copy of the batched state (leading env axis)."""
        self._require_reset()
        return copy.deepcopy(self._state)

    def evaluate(self, actions: Any, state: dict[str, np.ndarray] | None = None) -> Batch:
        """Score K candidate decisions per env, actions with leading axes (B, K), in the current
        state (or the batched ``state`` given), without touching the envs."""
        if state is None:
            self._require_reset()
            state = self._state
        flat, (b, k) = _flatten_candidates(actions)
        if b != _length(next(iter(state.values()))):
            raise ValueError(f"actions must have a leading axis of {self.num_envs} envs; got {b}")
        batch = validate_batch(self.single_action_space, flat, "actions")
        result = self.scenario.oracle(state, _unflatten(batch, b, k))
        return Batch(*scale_rewards(result.rewards, result.info, self.config.reward_scale))

    def optimum(self, **kwargs: Any) -> list[Optimum]:
        """The single env's ``optimum()`` in each env's state."""
        self._require_reset()
        return [self.env_optimum(i, **kwargs) for i in range(self.num_envs)]

    def env_optimum(self, index: int, **kwargs: Any) -> Optimum:
        single = self.single_env
        single._state = {key: value.copy() for key, value in env_slice(self._state, index).items()}
        single._steps = int(self._steps[index])
        return single.optimum(**kwargs)

    # ----- helpers -----------------------------------------------------------------------------
    def _generate(self, index: np.ndarray, seeds: list | None = None) -> dict[str, np.ndarray]:
        """Fresh states for the envs of ``index``, as a single env's reset draws them."""
        rngs = [self._rng(i, None if seeds is None else seeds[i]) for i in index]
        for i, rng in zip(index, rngs):
            self._streams[i] = self.scenario.fork_streams(rng, self._streams[i])
        fresh = self.scenario.generate(rngs, [self._streams[i] for i in index])
        return fresh if seeds is not None else self.scenario.after_reset(fresh)

    def _set(self, index: np.ndarray, values: dict[str, np.ndarray]) -> None:
        if self._state is None or len(index) == self.num_envs:
            self._state = values
            return
        for key, value in values.items():
            if not self._state[key].flags.writeable:
                self._state[key] = self._state[key].copy()
            self._state[key][index] = value

    def _check_overrides(self, overrides: Any, index: np.ndarray) -> dict[str, np.ndarray]:
        if not isinstance(overrides, dict):
            raise ValueError("options['state'] must be a dict of arrays")
        shapes = self.single_env._state_shapes()
        per_env = []
        for i in range(len(index)):
            chosen = {}
            for name, value in overrides.items():
                value = np.asarray(value)
                if name in shapes and value.shape == (self.num_envs, *shapes[name]):
                    value = value[index[i]]
                chosen[name] = value
            per_env.append(self.single_env._check_state_overrides(chosen))
        return {name: np.stack([checked[name] for checked in per_env]) for name in overrides}

    def _require_reset(self) -> None:
        if self._state is None:
            raise RuntimeError("call reset() before using the environment")


def _length(batch: Any) -> int:
    return len(next(iter(batch.values()))) if isinstance(batch, dict) else len(batch)


def env_slice_any(batch: Any, index) -> Any:
    return env_slice(batch, index) if isinstance(batch, dict) else batch[index]


def _add_candidate_axis(batch: Any) -> Any:
    if isinstance(batch, dict):
        return {key: value[:, None] for key, value in batch.items()}
    return batch[:, None]


def _flatten_candidates(actions: Any):
    if isinstance(actions, dict):
        arrays = {key: np.asarray(value) for key, value in actions.items()}
        first = next(iter(arrays.values()))
        if first.ndim < 2:
            raise ValueError("actions must have leading axes (B, K)")
        shape = first.shape[:2]
        return {key: value.reshape(-1, *value.shape[2:]) for key, value in arrays.items()}, shape
    array = np.asarray(actions)
    if array.ndim < 2:
        raise ValueError(f"actions must have leading axes (B, K); got shape {array.shape}")
    return array.reshape(-1, *array.shape[2:]), array.shape[:2]


def _unflatten(batch: Any, b: int, k: int) -> Any:
    if isinstance(batch, dict):
        return {key: value.reshape(b, k, *value.shape[1:]) for key, value in batch.items()}
    return batch.reshape(b, k, *batch.shape[1:])


def _masked_info(values: dict[str, np.ndarray], index: np.ndarray, num_envs: int, source_full: bool = False):
    """Gymnasium's vector info layout: each key an array over all envs (zero where absent) and a
    boolean ``_key`` mask. ``values`` holds rows for ``index`` only, or all envs (``source_full``)."""
    everyone = len(index) == num_envs
    mask = np.zeros(num_envs, dtype=bool)
    mask[index] = True
    info: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):  # reward_terms: each term laid out alike, one mask for the dict
            nested = _masked_info(value, index, num_envs, source_full)
            info[key] = {name: item for name, item in nested.items() if not name.startswith("_")}
            info["_" + key] = mask.copy()
            continue
        value = np.asarray(value)
        if everyone:
            full = value
        else:
            full = np.zeros((num_envs, *value.shape[1:]), dtype=value.dtype)
            full[index] = value[index] if source_full else value
        info[key], info["_" + key] = full, mask.copy()
    return info
