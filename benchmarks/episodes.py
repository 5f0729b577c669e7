"""Episodes of one policy for the ``mec-gym render`` and ``mec-gym dataset`` commands: the policy
(a leaderboard method by name, see ``benchmarks.registry``) acting on an env, frame by frame."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np

import mec_gym


def check_env_id(env_id: str) -> None:
    if env_id not in mec_gym.ENV_IDS:
        raise ValueError(f"unknown env id {env_id!r}; known: {mec_gym.ENV_IDS}")


def make_agent(env: gym.Env, policy: str, seed: int, learn_frames: int = 0, fixed_only: bool = False):
    """The leaderboard method ``policy`` built on ``env`` (after ``learn_frames`` of learning for a
    trainer); ValueError names the methods that apply when ``policy`` does not."""
    from benchmarks.registry import METHODS

    applicable = [name for name, method in METHODS.items()
                  if method.applies(env) and not (fixed_only and method.trains)]
    if policy not in applicable:
        raise ValueError(f"policy {policy!r} does not apply to {env.spec.id if env.spec else env}; "
                         f"allowed: {applicable}")
    method = METHODS[policy]
    agent = method.build(env, seed, {})
    agent.learn(learn_frames if method.trains else 0)
    return agent


def record(env_id: str, policy: str = "random", frames: int = 20, seed: int = 0, learn_frames: int = 0,
           env_config: dict | None = None, still: bool = False) -> list[np.ndarray]:
    """``render_mode="rgb_array"`` frames of ``policy`` on ``env_id``: after reset, then after each of
    ``frames`` steps (a new episode starts when one ends). ``still``: only the last frame, drawn
    alone, so its axes fit its own values (not the episode's so far)."""
    check_env_id(env_id)
    if frames < 1:
        raise ValueError(f"frames must be at least 1; got {frames}")
    env = gym.make(env_id, render_mode="rgb_array", **(env_config or {}))
    agent = make_agent(env, policy, seed, learn_frames)
    observation, _ = agent.env.reset(seed=seed)
    pictures = [] if still else [env.render()]
    for frame in range(frames):
        observation, _, terminated, truncated, _ = agent.env.step(agent.act(observation))
        if not still or frame == frames - 1:
            pictures.append(env.render())
        if terminated or truncated:
            observation, _ = agent.env.reset()
    env.close()
    return pictures


def save_pictures(pictures: list[np.ndarray], path: Path, fps: float = 4.0) -> Path:
    """``.gif``: every frame (Pillow); ``.png``: the last frame."""
    from PIL import Image

    path = Path(path)
    if path.suffix.lower() not in (".gif", ".png"):
        raise ValueError(f"--out must end in .gif or .png; got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    images = [Image.fromarray(picture) for picture in pictures]
    if path.suffix.lower() == ".png":
        images[-1].save(path, optimize=True)
    else:
        images[0].save(path, save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0)
    return path
