"""Action wrappers for agents that cannot take a scenario's native action space, and
``SB3VecEnv`` (Stable-Baselines3's view of a vector env; loaded on first use, since it imports
stable_baselines3 and torch, which ``import mec_gym`` never does)."""

from mec_gym.wrappers.hybrid import DiscretizeHybridAction, FlattenHybridAction

__all__ = ["DiscretizeHybridAction", "FlattenHybridAction", "SB3VecEnv"]


def __getattr__(name: str):
    if name == "SB3VecEnv":
        from mec_gym.wrappers.sb3 import SB3VecEnv

        return SB3VecEnv
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
