"""MultiServerIoT-v0: many IoT devices, priced edge servers (seed 003)."""

from mec_gym.envs.multiserver_iot.config import MultiServerIoTConfig
from mec_gym.envs.multiserver_iot.env import MultiServerIoTEnv

__all__ = ["MultiServerIoTConfig", "MultiServerIoTEnv"]
