"""Wrappers for agents and libraries that cannot take a scenario as it is.

- ``FlattenHybridAction`` / ``DiscretizeHybridAction``: MEQC's hybrid Dict action as a Box (SB3, DDPG)
  or a MultiDiscrete (DQN-style agents).
- ``MultiBinaryAsMultiDiscrete``: MultiBinary(N) as MultiDiscrete([2] * N), for RLlib.
- ``EpisodeMetrics``: a finished episode's return, length, mean info metrics and reward-term sums
  in ``info["episode_metrics"]``, for loggers.
- ``SB3VecEnv``: Stable-Baselines3's view of a native vector env (loaded on first use, since it
  imports stable_baselines3 and torch, which ``import mec_gym`` never does).

Normalisation (recommended for every learner): the rewards span units from 1e6 bits/s (WPMEC) to
a cost of ~1 (MultiServerIoT), and PPO on raw WPMEC rewards learned less than random. Use SB3's
``VecNormalize`` (observations and rewards: running mean / std, the return's std for the rewards)
when training with SB3, as ``baselines/sb3_refs.py`` does, or Gymnasium's ``NormalizeObservation``
then ``NormalizeReward`` on a single env for other libraries (``normalize`` below builds that
pair). Keep the statistics frozen at evaluation (``VecNormalize.training = False``; Gymnasium's
``update_running_mean = False``). Alternatively, fixed scales: the config's ``reward_scale``, and
on WPMEC ``reward="normalized"`` (the reward over the exact optimum's, 1 at best).
"""

from __future__ import annotations

import gymnasium as gym

from mec_gym.wrappers.hybrid import DiscretizeHybridAction, FlattenHybridAction
from mec_gym.wrappers.learning import EpisodeMetrics, MultiBinaryAsMultiDiscrete


def normalize(env: gym.Env, gamma: float = 0.99) -> gym.Env:
    """Gymnasium's ``NormalizeReward`` (scaled by the discounted return's running std, ``gamma``) then
    ``NormalizeObservation`` (running mean / std per entry): the recommended pair outside SB3."""
    return gym.wrappers.NormalizeObservation(gym.wrappers.NormalizeReward(env, gamma=gamma))


__all__ = ["DiscretizeHybridAction", "EpisodeMetrics", "FlattenHybridAction", "MultiBinaryAsMultiDiscrete",
           "SB3VecEnv", "normalize"]


def __getattr__(name: str):
    if name == "SB3VecEnv":
        from mec_gym.wrappers.sb3 import SB3VecEnv

        return SB3VecEnv
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
