"""Minari datasets of a policy's episodes, labelled by the oracle (``mec-gym dataset``).

Each episode records the observations, the policy's actions and the rewards (Minari's fields) and,
in ``infos``, the oracle's reference for the state each observation shows: ``infos["oracle_reward"][t]``
is ``optimum().reward`` in the state of ``observations[t]`` (so it sits beside ``actions[t]``; the
last entry belongs to the final observation, where no action follows), ``oracle_action[t]`` its
decision, and ``oracle_bound`` / ``oracle_certified`` / ``oracle_reference`` as ``Optimum`` defines
them. Needs the ``minari`` extra; datasets go where Minari keeps them (``MINARI_DATASETS_PATH``,
default ``~/.minari/datasets``) and load back with ``minari.load_dataset(NAME)``.
"""

from __future__ import annotations

import warnings
from typing import Any

import gymnasium as gym
import numpy as np

from benchmarks.episodes import check_env_id, make_agent


def oracle_labels(env: gym.Env) -> dict[str, Any]:
    """The oracle's reference for the env's current state, as Minari-storable arrays."""
    found = env.unwrapped.optimum()
    action = found.action
    labels = {
        "oracle_reward": np.float64(found.reward),
        "oracle_action": ({key: np.asarray(value) for key, value in action.items()} if isinstance(action, dict)
                          else np.asarray(action)),
    }
    for name in ("bound", "reference"):  # Optimum fields (issue 16); absent on older versions
        value = getattr(found, name, None)
        if value is not None:
            labels[f"oracle_{name}"] = np.float64(value)
    certified = getattr(found, "certified", None)
    if certified is not None:
        labels["oracle_certified"] = np.bool_(certified)
    return labels


def _columns(items: list) -> Any:
    """A list of per-step values as Minari's episode buffers hold them: a dict of lists for dict
    values (recursively), else the list itself."""
    if items and isinstance(items[0], dict):
        return {key: _columns([item[key] for item in items]) for key in items[0]}
    return list(items)


def episode(env: gym.Env, agent, seed: int, index: int):
    """One episode of ``agent`` on ``env`` from ``reset(seed=seed)`` as a Minari ``EpisodeBuffer``."""
    from minari.data_collector import EpisodeBuffer

    observation, _ = env.reset(seed=seed)
    observations, actions, rewards, terminations, truncations = [observation], [], [], [], []
    labels = [oracle_labels(env)]
    done = False
    while not done:
        action = agent.act(observation)
        observation, reward, terminated, truncated, _ = env.step(action)
        observations.append(observation)
        actions.append(action)
        rewards.append(float(reward))
        terminations.append(bool(terminated))
        truncations.append(bool(truncated))
        labels.append(oracle_labels(env))
        done = terminated or truncated
    return EpisodeBuffer(id=index, seed=seed, observations=_columns(observations), actions=_columns(actions),
                         rewards=rewards, terminations=terminations, truncations=truncations, infos=_columns(labels))


def collect(env_id: str, dataset_id: str, policy: str = "optimum", episodes: int = 10, steps: int | None = None,
            seed: int = 0, env_config: dict | None = None, description: str | None = None):
    """Run ``episodes`` episodes of ``policy`` (a fixed method of ``mec-gym list``; episode e resets
    with seed ``seed + e``; ``steps`` sets the env's ``episode_length``) and write them as the Minari
    dataset ``dataset_id``; returns the ``MinariDataset``."""
    import minari

    check_env_id(env_id)
    if episodes < 1:
        raise ValueError(f"episodes must be at least 1; got {episodes}")
    config = dict(env_config or {})
    if steps is not None:
        config["episode_length"] = steps
    env = gym.make(env_id, **config)
    agent = make_agent(env, policy, seed, fixed_only=True)
    buffers = [episode(env, agent, seed + e, e) for e in range(episodes)]
    with warnings.catch_warnings():  # Minari asks for a contact e-mail address, which a generated dataset lacks
        warnings.filterwarnings("ignore", message=".*author_email.*", category=UserWarning)
        return minari.create_dataset_from_buffers(
            dataset_id, buffers, env=env, eval_env=env.spec, algorithm_name=policy, author="mec-gym",
            code_permalink="benchmarks/datasets.py",
            description=description or (f"{episodes} episodes of the {policy!r} policy on {env_id}; infos hold the "
                                        "oracle's reference (optimum()) for the state of each observation"))
