"""The scenarios and their registration table.

Adding a scenario is one row in ``ENVIRONMENTS``: (id, "module:Class"); a scenario on the batched
protocol (``mec_gym.core.scenario``) also names its native vector env in ``VECTOR_ENVIRONMENTS``,
which ``gym.make_vec(id, num_envs=B)`` then returns. Registration happens when ``mec_gym`` is
imported and is idempotent.
"""

from __future__ import annotations

import gymnasium as gym

ENVIRONMENTS: list[tuple[str, str]] = [
    ("WPMEC-v0", "mec_gym.envs.wpmec.env:WPMECEnv"),
    ("MEQC-GaussMarkov-v0", "mec_gym.envs.meqc.env:MEQCEnv"),
    ("PQC-NOMA-v0", "mec_gym.envs.pqc_noma.env:PQCNOMAEnv"),
    ("MultiServerIoT-v0", "mec_gym.envs.multiserver_iot.env:MultiServerIoTEnv"),
    ("OFDMA-Consistency-v0", "mec_gym.envs.ofdma_consistency.env:OFDMAConsistencyEnv"),
]

VECTOR_ENVIRONMENTS: dict[str, str] = {
    "WPMEC-v0": "mec_gym.envs.wpmec.env:WPMECVectorEnv",
    "PQC-NOMA-v0": "mec_gym.envs.pqc_noma.env:PQCNOMAVectorEnv",
    "MEQC-GaussMarkov-v0": "mec_gym.envs.meqc.env:MEQCVectorEnv",
    "MultiServerIoT-v0": "mec_gym.envs.multiserver_iot.env:MultiServerIoTVectorEnv",
    "OFDMA-Consistency-v0": "mec_gym.envs.ofdma_consistency.env:OFDMAConsistencyVectorEnv",
}


def register_all() -> None:
    """Register every id of ``ENVIRONMENTS`` with Gymnasium (skipping ids already registered)."""
    for env_id, entry_point in ENVIRONMENTS:
        if env_id not in gym.registry:
            # Truncation is the env's own (config episode_length), so no TimeLimit wrapper here (gym.make's
            # max_episode_steps never reaches an env: it only adds a TimeLimit, which can shorten episodes);
            # disable_env_checker because tests run the full checker explicitly.
            gym.register(id=env_id, entry_point=entry_point, vector_entry_point=VECTOR_ENVIRONMENTS.get(env_id),
                         disable_env_checker=True)
