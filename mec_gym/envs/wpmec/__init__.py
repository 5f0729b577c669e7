"""WPMEC-v0: wireless-powered MEC with binary offloading (DROO / QAROO)."""

from mec_gym.envs.wpmec.config import WPMECConfig
from mec_gym.envs.wpmec.env import WPMECEnv

__all__ = ["WPMECConfig", "WPMECEnv"]
