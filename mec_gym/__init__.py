"""mec-gym: Gymnasium environments for task offloading in mobile edge computing.

``import mec_gym`` registers every environment id (see ``mec_gym.envs.ENVIRONMENTS``); then
``gymnasium.make("WPMEC-v0")`` or, in a spawned worker, ``gymnasium.make("mec_gym:WPMEC-v0")``.
"""

from mec_gym.core.base import Evaluation, Optimum
from mec_gym.envs import ENVIRONMENTS, register_all

__version__ = "0.1.0"
ENV_IDS = [env_id for env_id, _ in ENVIRONMENTS]

register_all()

__all__ = ["ENV_IDS", "Evaluation", "Optimum", "__version__"]
