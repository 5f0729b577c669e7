"""Trajectory fingerprints of the single environments (issue 19's equivalence record).

For each id, with a given config and seeds 0..7: reset(seed=s), seed the action space with s,
then 300 steps of sampled actions, resetting (without a seed, so the env's stream continues)
whenever an episode ends. Observations, rewards, terminated / truncated flags and every info array
are hashed separately (SHA-256 of dtype, shape and bytes), per seed, so a test can compare exactly
the keys it recorded and report which quantity moved.

``python -m tests.fingerprint --write`` records tests/data/fingerprints.json from the current code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pathlib

import gymnasium as gym
import numpy as np

import mec_gym

PATH = pathlib.Path(__file__).parent / "data" / "fingerprints.json"
SEEDS = tuple(range(8))
STEPS = 300
# (label, kwargs): the default config, and a short episode so that resets happen within 300 steps
CONFIGS = {"default": {}, "episode_length=64": {"episode_length": 64}}


class _Hasher:
    def __init__(self):
        self.hashes: dict[str, hashlib._Hash] = {}

    def add(self, name: str, value) -> None:
        array = np.asarray(value)
        digest = self.hashes.setdefault(name, hashlib.sha256())
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).tobytes())

    def hexdigests(self) -> dict[str, str]:
        return {name: digest.hexdigest()[:16] for name, digest in sorted(self.hashes.items())}


def _add_info(hasher: _Hasher, info: dict, prefix: str = "info.") -> None:
    for key, value in info.items():
        if isinstance(value, dict):
            _add_info(hasher, value, f"{prefix}{key}.")
        else:
            hasher.add(prefix + key, value)


def _add_obs(hasher: _Hasher, obs) -> None:
    if isinstance(obs, dict):
        for key in sorted(obs):
            hasher.add(f"obs.{key}", obs[key])
    else:
        hasher.add("obs", obs)


def trajectory_hashes(env_id: str, seed: int, kwargs: dict, steps: int = STEPS) -> dict[str, str]:
    """Per-quantity hashes of one seeded random-action trajectory of the single env."""
    env = gym.make(env_id, **kwargs)
    hasher = _Hasher()
    obs, info = env.reset(seed=seed)
    env.action_space.seed(seed)
    _add_obs(hasher, obs)
    for _ in range(steps):
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        _add_obs(hasher, obs)
        hasher.add("reward", np.float64(reward))
        hasher.add("done", np.array([terminated, truncated]))
        _add_info(hasher, info)
        if terminated or truncated:
            obs, _ = env.reset()
            _add_obs(hasher, obs)
    env.close()
    return hasher.hexdigests()


def fingerprints(env_ids=None) -> dict:
    env_ids = mec_gym.ENV_IDS if env_ids is None else env_ids
    return {
        env_id: {label: {str(seed): trajectory_hashes(env_id, seed, kwargs) for seed in SEEDS}
                 for label, kwargs in CONFIGS.items()}
        for env_id in env_ids
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {PATH.name}")
    parser.add_argument("--env", action="append", help="only these ids (merged into the existing file)")
    args = parser.parse_args()
    result = fingerprints(args.env)
    if args.write:
        stored = json.loads(PATH.read_text()) if PATH.exists() and args.env else {}
        stored.update(result)
        PATH.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
    else:
        print(json.dumps(result, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
