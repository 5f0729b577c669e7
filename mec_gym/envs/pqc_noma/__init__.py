"""PQC-NOMA-v0: quantum-secure NOMA uplink with data and energy queues (LyDROO framework)."""

from mec_gym.envs.pqc_noma.config import PQCNOMAConfig
from mec_gym.envs.pqc_noma.env import PQCNOMAEnv

__all__ = ["PQCNOMAConfig", "PQCNOMAEnv"]
