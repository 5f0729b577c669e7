"""Frames per second of ``render_mode="rgb_array"`` on every id at the default sizes (issue 21 asks
for at least 10): random decisions, the time of ``render()`` alone over ``--frames`` steps, after one
warm-up frame (the figure's first draw).

    python -m benchmarks.render_speed [--frames 50]
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np

import mec_gym


def frames_per_second(env_id: str, frames: int, seed: int = 0) -> tuple[float, tuple[int, ...]]:
    """Mean rendering rate (frames/s) over ``frames`` random steps, and the frame's shape."""
    env = gym.make(env_id, render_mode="rgb_array")
    env.reset(seed=seed)
    env.action_space.seed(seed)
    env.step(env.action_space.sample())
    frame = env.render()  # warm-up: the figure's layout and first full draw
    elapsed = 0.0
    for _ in range(frames):
        env.step(env.action_space.sample())
        start = time.perf_counter()
        frame = env.render()
        elapsed += time.perf_counter() - start
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
    return frames / elapsed, frame.shape


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=50)
    args = parser.parse_args(argv)
    print(f"{'id':<24} {'frame (H, W, 3)':<16} {'frames/s':>9}  (>= 10 asked)")
    for env_id in mec_gym.ENV_IDS:
        fps, shape = frames_per_second(env_id, args.frames)
        print(f"{env_id:<24} {str(shape):<16} {fps:9.1f}  {'ok' if fps >= 10 else 'BELOW 10'}")


if __name__ == "__main__":
    main()
