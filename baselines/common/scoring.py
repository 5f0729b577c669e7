"""Which env's oracle scores a trainer's candidates for an observation."""

from __future__ import annotations

import numpy as np


def scoring_env(observation, env, default):
    """The unwrapped env whose oracle scores candidates for ``observation``: ``env`` when given
    (e.g. an evaluation env), else ``default`` (the training env). Raises ValueError when
    ``observation`` is not that env's current observation: its oracle would score the candidates
    in another state than the one the observation describes."""
    target = (default if env is None else env).unwrapped
    current = target.observe()
    given = np.asarray(observation)
    if given.shape != current.shape or not np.array_equal(given.astype(current.dtype), current):
        which = "the env given" if env is not None else "the training env (pass env=the env that produced it)"
        raise ValueError(f"the observation is not the current observation of {which}: its oracle would score the "
                         "candidates in another state")
    return target
