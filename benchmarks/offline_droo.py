"""DROO trained offline on a Minari dataset of oracle decisions against DROO trained online, with
the same number of frames, on WPMEC-v0 (issue 21).

Offline: ``mec-gym dataset``'s episodes of the ``optimum`` policy (the oracle's exact decisions; the
oracle runs only while the dataset is written), loaded back with ``minari.load_dataset``, then
``DROO.learn_offline`` with as many Adam steps as online DROO takes over the same frames (one per
``training_interval``) and no oracle call. Online: ``DROO.learn(frames)`` (K candidates scored by the
oracle every frame). Both are scored on the same fresh evaluation frames: normalised rate = reward /
``optimum().reference``, once with K candidates as trained (the oracle picks among them, as DROO
acts) and once with K = 1 (the actor's rounding alone, no oracle).

    python -m benchmarks.offline_droo [--frames 2000] [--steps 100] [--eval-frames 300] [--seeds 0 1]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import gymnasium as gym
import numpy as np

import mec_gym  # noqa: F401


def normalised_rates(agent, seed: int, frames: int) -> tuple[float, float]:
    """(mean rate with the agent's K candidates, mean rate with K = 1) over ``frames`` fresh frames."""
    env = gym.make("WPMEC-v0")
    observation, _ = env.reset(seed=10_000 + seed)
    with_k, greedy = [], []
    for _ in range(frames):
        unwrapped = env.unwrapped
        reference = unwrapped.optimum().reference
        rounded = (agent.relaxed(observation) > 0.5).astype(np.int8)
        greedy.append(float(unwrapped.evaluate(rounded[None]).rewards[0]) / reference)
        agent.env = env  # predict() scores its candidates on this env's state
        action = agent.predict(observation)
        observation, reward, terminated, truncated, _ = env.step(action)
        with_k.append(reward / reference)
        if terminated or truncated:
            observation, _ = env.reset()
    return float(np.mean(with_k)), float(np.mean(greedy))


def offline_data(frames: int, steps: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """(observations, oracle decisions) of ``frames // steps`` optimum episodes written as a Minari
    dataset and loaded back, and the seconds it took."""
    import minari

    from benchmarks.datasets import collect

    start = time.perf_counter()
    name = f"mec-gym/wpmec-optimum-s{seed}-v0"
    collect("WPMEC-v0", name, "optimum", episodes=max(frames // steps, 1), steps=steps, seed=seed)
    dataset = minari.load_dataset(name)
    observations = np.concatenate([episode.observations[:-1] for episode in dataset])
    actions = np.concatenate([episode.actions for episode in dataset])
    return observations, actions, time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    from baselines.droo import DROO, DROOConfig

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=2000, help="frames per trainer (online) / in the dataset")
    parser.add_argument("--steps", type=int, default=100, help="frames per dataset episode")
    parser.add_argument("--eval-frames", type=int, default=300)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args(argv)
    config = DROOConfig()
    train_steps = args.frames // config.training_interval
    print(f"WPMEC-v0, N = 10: {args.frames} frames each; offline: {train_steps} Adam steps on the dataset, no "
          f"oracle call; evaluation: {args.eval_frames} fresh frames per seed")
    print(f"{'seed':>4} {'trainer':<8} {'rate (K as trained)':>20} {'K':>3} {'rate (K = 1)':>13} {'train s':>8}")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        os.environ["MINARI_DATASETS_PATH"] = folder
        for seed in args.seeds:
            observations, actions, data_seconds = offline_data(args.frames, args.steps, seed)
            start = time.perf_counter()
            offline = DROO(gym.make("WPMEC-v0"), config, seed).learn_offline(observations, actions, train_steps)
            offline_seconds = time.perf_counter() - start
            start = time.perf_counter()
            online = DROO(gym.make("WPMEC-v0"), config, seed).learn(args.frames)
            online_seconds = time.perf_counter() - start
            for name, agent, seconds in (("offline", offline, offline_seconds), ("online", online, online_seconds)):
                with_k, greedy = normalised_rates(agent, seed, args.eval_frames)
                rows.append((name, with_k, greedy))
                print(f"{seed:>4} {name:<8} {with_k:>20.4f} {agent.k:>3} {greedy:>13.4f} {seconds:>8.1f}")
            print(f"     (dataset of {len(actions)} oracle-labelled frames written and loaded in {data_seconds:.1f} s)")
    for name in ("offline", "online"):
        mine = [row for row in rows if row[0] == name]
        print(f"mean {name:<8} rate (K as trained) {np.mean([r[1] for r in mine]):.4f}, "
              f"rate (K = 1) {np.mean([r[2] for r in mine]):.4f}")


if __name__ == "__main__":
    main()
