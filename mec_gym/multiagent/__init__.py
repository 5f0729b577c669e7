"""PettingZoo variants of the scenarios (needs the [multiagent] extra: pettingzoo)."""

from mec_gym.multiagent.iot import MultiServerIoTParallelEnv

__all__ = ["MultiServerIoTParallelEnv"]
