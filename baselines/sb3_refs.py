"""Stable-Baselines3 references on every mec-gym environment.

``SB3Agent(env, algo, seed)`` wraps the environment so that SB3 can take its action space, trains an
SB3 model on it and acts greedily (``deterministic=True``). It trains through the recommended
wrappers (``mec_gym.wrappers`` docstring): SB3's ``VecNormalize`` (running mean / std of the
observations, and of the discounted return to scale the rewards). Without it PPO saw WPMEC's 2e6
bits/s rewards raw and learned less than random (SPEC.md, issue 18). PPO / A2C on an env whose
action space they take as is train on the native vector env, ``SB3VecEnv(gym.make_vec(id,
num_envs=N_ENVS[algo]))`` (one call steps all copies; 5-8x DummyVecEnv's frames per second,
``benchmarks/env_speed.py``); env 0's steps are reported to the env given (its ``record(reward,
info)`` where it has one, e.g. the leaderboard's recorder) for the learning curve. Otherwise
(off-policy methods, action wrappers) a ``DummyVecEnv`` over the env given and ``N_ENVS[algo] - 1``
copies from its spec. Hyper-parameters: SB3's defaults, then ``SB3Config.defaults(algo)``, then the
per-env ``ENV_SETTINGS`` (why, in its comments), then the caller's. Action-space wrappers:

| native action space   | PPO / A2C              | DQN                                   | SAC / TD3              |
|-----------------------|------------------------|---------------------------------------|------------------------|
| MultiBinary(N)        | as is                  | ``MultiBinaryAsDiscrete`` (N <= 12)   | -                      |
| MultiDiscrete         | as is                  | -                                     | -                      |
| Box                   | as is                  | -                                     | as is                  |
| Dict (hybrid)         | ``FlattenHybridAction``| ``DiscretizeHybridAction`` then       | ``FlattenHybridAction``|
|                       |                        | ``MultiDiscreteAsDiscrete`` if small  |                        |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

ALGORITHMS = ("ppo", "a2c", "dqn", "sac", "td3")
N_ENVS = {"ppo": 16, "a2c": 16, "dqn": 1, "sac": 1, "td3": 1}  # parallel envs per algorithm
# Per-env hyper-parameters of the on-policy methods (over SB3Config.defaults), measured with
# benchmarks/sb3_learning.py. gamma = 0 where the decision does not change the next state, so a
# slot's reward is all its action earns (a contextual bandit: discounting only adds the noise of
# later slots): WPMEC-v0 (fresh channels each frame) and MultiServerIoT-v0 with its default fixed
# prices (workloads and fading evolve on their own). PQC-NOMA-v0: the default reward is the realised
# one-slot drift-plus-penalty, whose per-slot maximiser is Lyapunov's policy (the myopic argmax of
# that reward over all 1,024 decisions served 36.1 Mbps weighted on seed 0's first 150 evaluation
# frames, the per-slot optimum 36.1 too), and PPO at gamma 0.99 / 0.9 served 25.7 / 26.0 Mbps at 60k
# frames, below random's 28.2, at gamma 0 27.8 (the long-horizon return adds every later arrival's
# noise to the advantage): so gamma = 0 there too. With stackelberg pricing MultiServerIoT's
# decisions set the next prices, and gamma = 0 would be wrong: set it per call.
# MultiServerIoT-v0's 50 categorical heads: PPO clips the ratio of the joint probability, a product
# over the heads, and at clip_range 0.2 clipped 73 % of the samples (learning rate 1e-3, 8k frames),
# so each head moved by a few thousandths per update; clip_range 0.5 and learning rate 1e-3 reached a
# cost of 0.76 at 131k frames on seed 2 where 0.2 and SB3's 3e-4 ended at 2.06 (random: 1.89).
ENV_SETTINGS: dict[tuple[str, str], dict[str, Any]] = {
    **{(algo, env_id): {"gamma": 0.0}
       for algo in ("ppo", "a2c") for env_id in ("WPMEC-v0", "PQC-NOMA-v0", "MultiServerIoT-v0")},
    ("ppo", "MultiServerIoT-v0"): {"gamma": 0.0, "clip_range": 0.5, "learning_rate": 1e-3},
}
MAX_DISCRETE_ACTIONS = 4096  # DQN only where the flattened discrete action set is at most this big


class MultiBinaryAsDiscrete(gym.ActionWrapper):
    """Discrete(2^N) over a MultiBinary(N) action: action k is the binary code of k (bit 0 first)."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self._n = int(np.prod(env.action_space.shape))
        self.action_space = spaces.Discrete(2**self._n)

    def action(self, action):
        return ((int(action) >> np.arange(self._n)) & 1).astype(np.int8)


class MultiDiscreteAsDiscrete(gym.ActionWrapper):
    """Discrete(prod(nvec)) over a MultiDiscrete(nvec) action (mixed radix, coordinate 0 last)."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self._nvec = env.action_space.nvec.astype(np.int64)
        self.action_space = spaces.Discrete(int(np.prod(self._nvec)))

    def action(self, action):
        digits, rest = [], int(action)
        for size in self._nvec:
            digits.append(rest % size)
            rest //= size
        return np.array(digits, dtype=self.env.action_space.dtype)


def _hybrid(env: gym.Env, discrete: bool) -> gym.Env:
    from mec_gym import wrappers  # the hybrid-action wrappers of the MEQC scenario

    return wrappers.DiscretizeHybridAction(env) if discrete else wrappers.FlattenHybridAction(env)


def wrap_for(algo: str, env: gym.Env) -> gym.Env | None:
    """The env as ``algo`` can train on it, or None where the algorithm does not apply."""
    space = env.action_space
    if algo in ("ppo", "a2c"):
        return _hybrid(env, discrete=False) if isinstance(space, spaces.Dict) else env
    if algo in ("sac", "td3"):
        if isinstance(space, spaces.Dict):
            return _hybrid(env, discrete=False)
        return env if isinstance(space, spaces.Box) else None
    if algo == "dqn":
        if isinstance(space, spaces.Dict):
            env = _hybrid(env, discrete=True)
            space = env.action_space
        if isinstance(space, spaces.MultiBinary) and 2 ** int(np.prod(space.shape)) <= MAX_DISCRETE_ACTIONS:
            return MultiBinaryAsDiscrete(env)
        if isinstance(space, spaces.MultiDiscrete) and np.prod(space.nvec.astype(float)) <= MAX_DISCRETE_ACTIONS:
            return MultiDiscreteAsDiscrete(env)
        return None
    raise ValueError(f"algo must be one of {list(ALGORITHMS)}; got {algo!r}")


@dataclass
class SB3Config:
    """Hyper-parameters passed to the SB3 constructor (SB3's defaults otherwise), kept small so
    that the leaderboard's frame budgets (thousands of frames) see several updates."""

    kwargs: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def defaults(algo: str) -> dict[str, Any]:
        return {
            "ppo": {"n_steps": 64, "batch_size": 256},  # x 16 envs: 1,024 frames per update
            "a2c": {"n_steps": 5},
            "dqn": {"learning_starts": 100, "buffer_size": 10_000, "train_freq": 4, "target_update_interval": 250},
            "sac": {"learning_starts": 100, "buffer_size": 10_000},
            "td3": {"learning_starts": 100, "buffer_size": 10_000},
        }[algo]


def _env_slice(info: dict, index: int) -> dict:
    """Env ``index``'s info from a vector env's batched info (key -> (B, ...); "_key" masks dropped)."""
    return {key: _env_slice(value, index) if isinstance(value, dict) else value[index]
            for key, value in info.items() if not key.startswith("_")}


class SB3Agent:
    """An SB3 model trained on ``env`` (wrapped as :func:`wrap_for` says) through ``VecNormalize``
    on ``n_envs`` copies (default ``N_ENVS[algo]``); ``total_frames`` counts frames of all copies."""

    def __init__(self, env: gym.Env, algo: str, seed: int = 0, config: SB3Config | None = None,
                 n_envs: int | None = None):
        import stable_baselines3 as sb3
        from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize

        wrapped = wrap_for(algo, env)
        if wrapped is None:
            raise ValueError(f"{algo} does not apply to the action space {env.action_space}")
        self.env = wrapped
        spec = env.unwrapped.spec  # the registered id and the config overrides, without outer wrappers
        n_envs = n_envs or N_ENVS[algo]
        kwargs = {**SB3Config.defaults(algo), **ENV_SETTINGS.get((algo, spec.id if spec else None), {}),
                  **(config.kwargs if config else {})}
        if algo in ("ppo", "a2c") and wrapped is env and spec is not None:
            from mec_gym.wrappers import SB3VecEnv

            vec = SB3VecEnv(gym.make_vec(spec.id, num_envs=n_envs, **spec.kwargs))
        else:
            copies = [wrap_for(algo, gym.make(spec.id, **spec.kwargs)) for _ in range(n_envs - 1)] \
                if spec is not None else []
            vec = DummyVecEnv([lambda e=e: e for e in [wrapped, *copies]])
        self.vec = VecNormalize(vec, gamma=kwargs.get("gamma", 0.99))
        model_class = getattr(sb3, algo.upper())
        self.model = model_class("MlpPolicy", self.vec, seed=seed, device="cpu", verbose=0, **kwargs)

    def _callback(self):
        """Reports env 0's steps of the native vector env to the env given (``record``), if it listens."""
        from stable_baselines3.common.callbacks import BaseCallback

        try:
            record = self.env.get_wrapper_attr("record")
        except AttributeError:
            return None
        source = self.vec.venv
        if not hasattr(source, "last_info"):  # a DummyVecEnv: the env given steps itself
            return None

        class Report(BaseCallback):
            def _on_step(self) -> bool:
                record(float(self.training_env.get_original_reward()[0]), _env_slice(source.last_info, 0))
                return True

        return Report()

    def learn(self, total_frames: int) -> SB3Agent:
        if total_frames > 0:
            self.model.learn(total_timesteps=total_frames, progress_bar=False, callback=self._callback())
        self.vec.training = False  # acting: the observation statistics stay as learned
        return self

    def act(self, observation):
        action, _ = self.model.predict(self.vec.normalize_obs(observation), deterministic=True)
        return action
