"""Frames per second of ``render_mode="rgb_array"`` on every id at the default sizes (issue 21 asks
for at least 10): random decisions, the time of ``render()`` alone over ``--frames`` steps, after one
warm-up frame (the figure's first draw).

    python -m benchmarks.render_speed [--frames 50]
"""

from __future__ import annotations

import argparse
import os
import time

import gymnasium as gym
import numpy as np

import mec_gym


def frames_per_second(env_id: str, frames: int, seed: int = 0) -> tuple[float, float, tuple[int, ...]]:
    """Rendering rate over ``frames`` random steps by the wall clock and by this process's CPU time
    (the one a loaded, shared machine does not distort), frames/s, and the frame's shape."""
    env = gym.make(env_id, render_mode="rgb_array")
    env.reset(seed=seed)
    env.action_space.seed(seed)
    env.step(env.action_space.sample())
    frame = env.render()  # warm-up: the figure's layout and first full draw
    elapsed = cpu = 0.0
    for _ in range(frames):
        env.step(env.action_space.sample())
        start, start_cpu = time.perf_counter(), time.process_time()
        frame = env.render()
        elapsed += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
    return frames / elapsed, frames / cpu, frame.shape


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=50)
    args = parser.parse_args(argv)
    print(f"{'id':<24} {'frame (H, W, 3)':<16} {'frames/s':>9} {'per CPU s':>10}  (>= 10 asked; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for env_id in mec_gym.ENV_IDS:
        fps, cpu_fps, shape = frames_per_second(env_id, args.frames)
        print(f"{env_id:<24} {str(shape):<16} {fps:9.1f} {cpu_fps:10.1f}  {'ok' if fps >= 10 else 'BELOW 10'}")


if __name__ == "__main__":
    main()
