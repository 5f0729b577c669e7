"""Env-steps per second of the native vector envs (issue 19), every ratio measured side by side.

1. Native vector env vs ``SyncVectorEnv`` of the same single envs, B = 256, every id (random actions).
2. WPMEC-v0 N = 10 at B = 1024: native env-steps/s, and the ratio to one single env.
3. Single env steps/s before / after the refactor: "before" runs the code of the commit just before
   that env moved onto the scenario protocol (``BEFORE``), exported by ``git archive`` into a
   temporary directory; before and after run in alternating subprocesses, best of ``--repeats``.
4. PPO wall time for ``--ppo-steps`` steps: ``SB3VecEnv(64 native envs)`` vs SB3's ``DummyVecEnv``
   of 64 single envs (same PPO settings, same seed).

``python -m benchmarks.env_speed`` (OMP_NUM_THREADS=1 recommended; ``--help`` for the budgets).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import gymnasium as gym
import numpy as np

import mec_gym
from mec_gym.core import draws, memory
from mec_gym.envs.wpmec import exact_math

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
# the last commit before each env's refactor onto the scenario protocol landed (its parent)
BEFORE = {
    "WPMEC-v0": "4577673",
    "PQC-NOMA-v0": "41b32d0",
    "MEQC-GaussMarkov-v0": "349ccf6",
    "MultiServerIoT-v0": "452354a",
    "OFDMA-Consistency-v0": "b743db1",
}
# Config keywords under which the current code runs the model the BEFORE commit ran by default
# (the one home of these; tests/test_fingerprint.py restores the recorded model with them): issue 18
# made the realised drift-plus-penalty the default reward of these two after their refactor (the
# reward the BEFORE commits computed, "dpp" then, is "surrogate" now), and issue 17 made MEQC's
# deadlines hard (the penalty per miss was the model before). Part 3 prints "after" both with these
# and with the current defaults.
SAME_MODEL = {
    "PQC-NOMA-v0": {"reward": "surrogate"},
    "MEQC-GaussMarkov-v0": {"deadline_mode": "penalty", "reward": "surrogate"},
}
SINGLE_RATE = """
import json, sys, time, gymnasium as gym, mec_gym
env_id, seconds = sys.argv[1], float(sys.argv[2])
env = gym.make(env_id, **json.loads(sys.argv[3]))
env.reset(seed=0)
env.action_space.seed(0)
actions = [env.action_space.sample() for _ in range(64)]
for action in actions[:5]:
    env.step(action)
start, steps = time.perf_counter(), 0
while time.perf_counter() - start < seconds:
    env.step(actions[steps % 64])
    steps += 1
print(steps / (time.perf_counter() - start))
"""


def _actions(space, count: int, seed: int = 0) -> list:
    space.seed(seed)
    return [space.sample() for _ in range(count)]


def steps_per_second(env, seconds: float) -> float:
    """Env-steps per second of ``env`` (single or vector) under random actions, after a warm-up."""
    env.reset(seed=0)
    actions = _actions(env.action_space, 16)
    batch = getattr(env, "num_envs", 1)
    for action in actions[:2]:
        env.step(action)
    start, steps = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        env.step(actions[steps % len(actions)])
        steps += 1
    return steps * batch / (time.perf_counter() - start)


def best_rate(make, seconds: float, repeats: int) -> float:
    env = make()
    rate = max(steps_per_second(env, seconds) for _ in range(repeats))
    env.close()
    return rate


def vector_vs_sync(env_ids, batch: int, seconds: float, repeats: int) -> None:
    print(f"\n1. native vector env vs SyncVectorEnv, B = {batch}, env-steps/s (best of {repeats} x {seconds:g} s)")
    print(f"{'id':<22} {'native':>10} {'sync':>10} {'ratio':>7}")
    for env_id in env_ids:
        rates = {"native": [], "sync": []}
        for _ in range(repeats):  # alternate, so that the machine's load hits both alike
            rates["native"].append(best_rate(lambda: gym.make_vec(env_id, num_envs=batch), seconds, 1))
            rates["sync"].append(best_rate(lambda: gym.make_vec(env_id, num_envs=batch, vectorization_mode="sync"),
                                           seconds, 1))
        native, sync = max(rates["native"]), max(rates["sync"])
        print(f"{env_id:<22} {native:>10.0f} {sync:>10.0f} {native / sync:>6.1f}x", flush=True)


def wpmec_large(batch: int, seconds: float, repeats: int) -> None:
    print(f"\n2. WPMEC-v0 N = 10: native vector env at B = {batch} vs one single env (best of {repeats} x {seconds:g} s)")
    native, single = [], []
    for _ in range(repeats):
        native.append(best_rate(lambda: gym.make_vec("WPMEC-v0", num_envs=batch, num_devices=10), seconds, 1))
        single.append(best_rate(lambda: gym.make("WPMEC-v0", num_devices=10), seconds, 1))
    print(f"native {max(native):.0f} env-steps/s, single {max(single):.0f} steps/s, ratio {max(native) / max(single):.1f}x")


def _single_rate(path: str, env_id: str, seconds: float, kwargs: dict | None = None) -> float:
    env = {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    out = subprocess.run([sys.executable, "-c", SINGLE_RATE, env_id, str(seconds), json.dumps(kwargs or {})], env=env,
                         capture_output=True, text=True, check=True, cwd=path)
    return float(out.stdout.split()[-1])


def single_before_after(env_ids, seconds: float, repeats: int) -> None:
    print(f"\n3. single env steps/s, before (the commit before its refactor) / after (this tree); "
          f"alternating subprocesses, best of {repeats} x {seconds:g} s; 'same model': after with SAME_MODEL's "
          f"keywords (the model the commit before ran), where the default changed since")
    print(f"{'id':<22} {'commit':>8} {'before':>8} {'after':>8} {'after/before':>13} {'same model':>11} "
          f"{'same/before':>12}")
    with tempfile.TemporaryDirectory() as temporary:
        for env_id in env_ids:
            commit = BEFORE[env_id]
            old = pathlib.Path(temporary) / commit
            if not old.exists():
                old.mkdir()
                archive = subprocess.run(["git", "-C", str(REPOSITORY), "archive", commit, "mec_gym"],
                                         capture_output=True, check=True).stdout
                subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            before, after, same = [], [], []
            for _ in range(repeats):
                before.append(_single_rate(str(old), env_id, seconds))
                after.append(_single_rate(str(REPOSITORY), env_id, seconds))
                if env_id in SAME_MODEL:
                    same.append(_single_rate(str(REPOSITORY), env_id, seconds, SAME_MODEL[env_id]))
            line = f"{env_id:<22} {commit:>8} {max(before):>8.0f} {max(after):>8.0f} {max(after) / max(before):>12.2f}x"
            if same:
                line += f" {max(same):>11.0f} {max(same) / max(before):>11.2f}x"
            print(line, flush=True)


def ppo_wall_time(env_ids, steps: int, envs: int) -> None:
    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import DummyVecEnv

    from mec_gym.wrappers import SB3VecEnv

    print(f"\n4. PPO wall time for {steps} steps, {envs} envs (n_steps 32, batch 512, 4 epochs, seed 0)")
    print(f"{'id':<22} {'SB3VecEnv native':>17} {'DummyVecEnv':>12} {'ratio':>7}")
    for env_id in env_ids:
        times = {}
        for name, make in (("native", lambda: SB3VecEnv(gym.make_vec(env_id, num_envs=envs))),
                           ("dummy", lambda: DummyVecEnv([lambda: gym.make(env_id)] * envs))):
            venv = make()
            model = PPO("MlpPolicy", venv, n_steps=32, batch_size=512, n_epochs=4, seed=0, device="cpu")
            start = time.perf_counter()
            model.learn(total_timesteps=steps)
            times[name] = time.perf_counter() - start
            venv.close()
        print(f"{env_id:<22} {times['native']:>16.1f}s {times['dummy']:>11.1f}s {times['dummy'] / times['native']:>6.1f}x",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", action="append", help="only these ids (default: all)")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--large-batch", type=int, default=1024)
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ppo-steps", type=int, default=200_000, help="0 skips the PPO timing")
    parser.add_argument("--ppo-env", action="append", help="ids for the PPO timing (default: PQC-NOMA-v0, WPMEC-v0)")
    parser.add_argument("--parts", default="1234", help="which parts to run, e.g. 13")
    args = parser.parse_args()
    env_ids = args.env or mec_gym.ENV_IDS
    # the native vector env applies the padding at construction; applied here first, the Sync
    # baselines measured in this process run with it too (it is process-wide)
    print(f"numpy {np.__version__}, gymnasium {gym.__version__}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
          f"glibc heap top pad {memory.keep_freed_heap() // 2**20} MiB (mec_gym.core.memory), "
          f"WPMEC exact math: {exact_math.implementation()} (mec_gym.envs.wpmec.exact_math), "
          f"per-env draws: {draws.implementation()} (mec_gym.core.draws)")
    if "1" in args.parts:
        vector_vs_sync(env_ids, args.batch, args.seconds, args.repeats)
    if "2" in args.parts:
        wpmec_large(args.large_batch, args.seconds, args.repeats)
    if "3" in args.parts:
        single_before_after(env_ids, args.seconds, args.repeats)
    if "4" in args.parts and args.ppo_steps:
        ppo_wall_time(args.ppo_env or ["PQC-NOMA-v0", "WPMEC-v0"], args.ppo_steps, 64)


if __name__ == "__main__":
    main()
