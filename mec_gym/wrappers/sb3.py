"""``SB3VecEnv``: a Gymnasium vector env (mec-gym's native one) as a Stable-Baselines3 ``VecEnv``.

``PPO("MlpPolicy", SB3VecEnv(gym.make_vec("WPMEC-v0", num_envs=64)))`` trains on the batched env:
one call steps all 64 envs. SB3 wants the same-step autoreset (a finished env's observation is
already the next episode's, the last one in ``infos[i]["terminal_observation"]``), so the adapter
switches a native env to it. This module imports stable_baselines3 (and so torch): ``import
mec_gym`` does not; ``mec_gym.wrappers.SB3VecEnv`` loads it on first use.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode
from stable_baselines3.common.vec_env.base_vec_env import VecEnv


class SB3VecEnv(VecEnv):
    """Stable-Baselines3 view of a Gymnasium vector env with same-step autoreset.

    Per-env infos hold only what SB3 reads (``terminal_observation``, ``TimeLimit.truncated``);
    the step's batched info arrays are in ``last_info`` (Gymnasium's layout: key -> (B, ...))."""

    def __init__(self, env):
        unwrapped = env.unwrapped
        mode = unwrapped.metadata.get("autoreset_mode")
        if mode != AutoresetMode.SAME_STEP:
            if not hasattr(unwrapped, "autoreset_mode"):
                raise ValueError(f"SB3VecEnv needs a vector env with same-step autoreset; got {mode}")
            unwrapped.autoreset_mode = AutoresetMode.SAME_STEP
            unwrapped.metadata = {**unwrapped.metadata, "autoreset_mode": AutoresetMode.SAME_STEP}
        self.env = env
        self.last_info: dict[str, Any] = {}
        self._actions = None
        super().__init__(env.num_envs, env.single_observation_space, env.single_action_space)

    def reset(self):
        seeds = None if all(seed is None for seed in self._seeds) else self._seeds
        observations, self.last_info = self.env.reset(seed=seeds)
        self._reset_seeds()
        self._reset_options()
        return observations

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self):
        observations, rewards, terminated, truncated, info = self.env.step(self._actions)
        self.last_info = info
        dones = terminated | truncated
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        for i in np.flatnonzero(dones):
            infos[i]["terminal_observation"] = info["final_obs"][i]
            infos[i]["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
        return observations, rewards.astype(np.float32), dones, infos

    def close(self) -> None:
        self.env.close()

    def get_attr(self, attr_name: str, indices=None) -> list[Any]:
        value = getattr(self.env.unwrapped, attr_name)
        return [value for _ in self._indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices=None) -> None:
        setattr(self.env.unwrapped, attr_name, value)

    def env_method(self, method_name: str, *method_args, indices=None, **method_kwargs) -> list[Any]:
        result = getattr(self.env.unwrapped, method_name)(*method_args, **method_kwargs)
        return [result for _ in self._indices(indices)]

    def env_is_wrapped(self, wrapper_class, indices=None) -> list[bool]:
        return [False for _ in self._indices(indices)]

    def get_images(self):
        return [None for _ in range(self.num_envs)]

    def _indices(self, indices) -> list[int]:
        if indices is None:
            return list(range(self.num_envs))
        return [indices] if isinstance(indices, int) else list(indices)
