"""Wrappers for RL libraries and loggers: MultiBinary as MultiDiscrete (RLlib) and an episode-metrics
recorder. The normalisation recommendation is in the package docstring (``mec_gym.wrappers``)."""

from __future__ import annotations

from collections import defaultdict

import gymnasium as gym
import numpy as np
from gymnasium import spaces


class MultiBinaryAsMultiDiscrete(gym.ActionWrapper, gym.utils.RecordConstructorArgs):
    """MultiDiscrete([2] * N) for a MultiBinary(N) action (RLlib rejects MultiBinary): the same
    0 / 1 per device, passed on as the env's int8."""

    def __init__(self, env: gym.Env):
        if not isinstance(env.action_space, spaces.MultiBinary) or len(env.action_space.shape) != 1:
            raise ValueError(f"a MultiBinary(N) action space is needed; got {env.action_space}")
        gym.utils.RecordConstructorArgs.__init__(self)
        gym.ActionWrapper.__init__(self, env)
        self.action_space = spaces.MultiDiscrete(np.full(env.action_space.n, 2))

    def action(self, action):
        return np.asarray(action, dtype=np.int64).astype(self.env.action_space.dtype)


class EpisodeMetrics(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """When an episode ends (terminated or truncated), ``info["episode_metrics"]`` holds its headline
    metrics for a logger: ``return`` (sum of rewards), ``length`` (steps), the per-step mean of every
    scalar numeric info entry (or of ``keys`` only), and the episode sum of each reward term
    (``reward_terms.<name>``, which add up to the return)."""

    def __init__(self, env: gym.Env, keys: tuple[str, ...] | None = None):
        gym.utils.RecordConstructorArgs.__init__(self, keys=keys)
        gym.Wrapper.__init__(self, env)
        self.keys = None if keys is None else tuple(keys)
        self._clear()

    def _clear(self) -> None:
        self._return, self._length = 0.0, 0
        self._sums: dict[str, float] = defaultdict(float)
        self._terms: dict[str, float] = defaultdict(float)

    def reset(self, **kwargs):
        self._clear()
        return super().reset(**kwargs)

    def step(self, action):
        observation, reward, terminated, truncated, info = super().step(action)
        self._return += float(reward)
        self._length += 1
        for key, value in info.items():
            if key == "reward_terms":
                for name, term in value.items():
                    self._terms[name] += float(term)
            elif (self.keys is None or key in self.keys) and np.ndim(value) == 0 \
                    and isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
                self._sums[key] += float(value)
        if terminated or truncated:
            metrics = {"return": self._return, "length": self._length}
            metrics.update({key: total / self._length for key, total in self._sums.items()})
            metrics.update({f"reward_terms.{name}": total for name, total in self._terms.items()})
            info = dict(info, episode_metrics=metrics)
        return observation, reward, terminated, truncated, info
