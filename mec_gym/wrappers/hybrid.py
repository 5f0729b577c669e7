"""Wrappers that turn the hybrid Dict(fraction=Box(0,1,(N,)), target=MultiBinary(N)) action of
MEQC-GaussMarkov-v0 into spaces that standard agents take."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces


def _hybrid_size(env: gym.Env) -> int:
    space = env.action_space
    if not (isinstance(space, spaces.Dict) and set(space.spaces) == {"fraction", "target"}):
        raise ValueError(f"a hybrid action space Dict(fraction, target) is needed; got {space}")
    return int(space["fraction"].shape[0])


class FlattenHybridAction(gym.ActionWrapper, gym.utils.RecordConstructorArgs):
    """Box(-1, 1, (2N,)) for SB3 and DDPG: the first N entries map linearly to the fractions
    ((x + 1) / 2), the last N to the targets (x > 0: QPU)."""

    def __init__(self, env: gym.Env):
        gym.utils.RecordConstructorArgs.__init__(self)
        gym.ActionWrapper.__init__(self, env)
        self.n = _hybrid_size(env)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(2 * self.n,), dtype=np.float32)

    def action(self, action):
        action = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
        return {"fraction": ((action[: self.n] + 1.0) / 2.0).astype(np.float32),
                "target": (action[self.n:] > 0).astype(np.int8)}


class DiscretizeHybridAction(gym.ActionWrapper, gym.utils.RecordConstructorArgs):
    """MultiDiscrete([1 + 2 levels] * N) for DQN-style agents: per device 0 = local, 1..levels =
    the CPU with fraction l / levels, levels + 1..2 levels = the QPU with fraction l / levels."""

    def __init__(self, env: gym.Env, levels: int = 4):
        if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 1:
            raise ValueError(f"levels must be an integer >= 1; got {levels!r}")
        gym.utils.RecordConstructorArgs.__init__(self, levels=int(levels))
        gym.ActionWrapper.__init__(self, env)
        self.n, self.levels = _hybrid_size(env), int(levels)
        self.action_space = spaces.MultiDiscrete([1 + 2 * self.levels] * self.n)

    def action(self, action):
        choice = np.asarray(action, dtype=np.int64)
        qpu = choice > self.levels
        level = np.where(qpu, choice - self.levels, choice)
        return {"fraction": (level / self.levels).astype(np.float32), "target": qpu.astype(np.int8)}
