"""MEQC-GaussMarkov-v0: hybrid mobile edge-quantum computing with mobility (seed 001)."""

from mec_gym.envs.meqc.config import MEQCConfig
from mec_gym.envs.meqc.env import MEQCEnv

__all__ = ["MEQCConfig", "MEQCEnv"]
