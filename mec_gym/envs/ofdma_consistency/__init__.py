"""OFDMA-Consistency-v0: one server, binary offloading with bandwidth, power and CPU (CPDRL)."""

from mec_gym.envs.ofdma_consistency.config import OFDMAConfig
from mec_gym.envs.ofdma_consistency.env import OFDMAConsistencyEnv

__all__ = ["OFDMAConfig", "OFDMAConsistencyEnv"]
