"""Action wrappers for agents that cannot take a scenario's native action space."""

from mec_gym.wrappers.hybrid import DiscretizeHybridAction, FlattenHybridAction

__all__ = ["DiscretizeHybridAction", "FlattenHybridAction"]
