"""Physics and machinery shared by the scenarios (no RL, no scenario imports)."""

from mec_gym.core.base import EnvConfig, Evaluation, MECEnv, Optimum

__all__ = ["EnvConfig", "Evaluation", "MECEnv", "Optimum"]
