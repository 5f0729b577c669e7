"""Run a grid of (environment x method x seed) and write one JSON record per run.

A run builds the method's agent on a fresh environment, lets it learn for ``frames`` frames (fixed
policies skip this), then evaluates it for ``eval_frames`` further frames on the same environment
and summarises them with the environment's headline metrics. Records are written atomically
(temporary file + rename) when a run finishes, so killing the grid at any moment leaves only whole
records; ``resume`` skips runs whose record holds a success (a failed run is retried); a failing
run records its error and the grid goes on.

A run is identified by its env id, method, seed and configuration (env config, method config,
frames, eval frames; ``config_id`` hashes it): its record is ``runs/<env>/<method>/seed<S>-<config
id>.json`` and holds ``config_id``, so changing the configuration makes new runs, never reuses old
records. Records named ``seed<S>.json`` (before configurations had ids) are read and recognised
by their contents; a rerun replaces them. Backends: ``local`` (``workers`` processes) or ``ray``
(one Ray task per run).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import secrets
import time
import traceback
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

CURVE_POINTS = 100  # learning-curve points kept per run
CONFIG_FIELDS = ("env_config", "method_config", "frames", "eval_frames")  # a run's configuration


def config_id(run: Mapping[str, Any]) -> str:
    """A short stable hash of a run's configuration (the canonical JSON of its ``CONFIG_FIELDS``);
    ``run`` is a record or ``spec_dict(spec)``. The seeds of one configuration share it."""
    configuration = {name: _to_builtin(run[name]) for name in CONFIG_FIELDS}
    canonical = json.dumps(configuration, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def run_identity(run: Mapping[str, Any]) -> tuple[str, str, int, str]:
    """What makes two runs (records or spec dicts) the same run: env id, method, seed, configuration."""
    return run["env"], run["method"], run["seed"], config_id(run)


@dataclass(frozen=True)
class RunSpec:
    env: str
    method: str
    seed: int
    frames: int  # learning frames (0 for fixed policies)
    eval_frames: int
    env_config: dict[str, Any] = field(default_factory=dict)
    method_config: dict[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> tuple[str, str, int, str]:
        return run_identity(spec_dict(self))

    def record_path(self, out: Path) -> Path:
        return out / "runs" / self.env / self.method / f"seed{self.seed}-{config_id(spec_dict(self))}.json"


class RewardRecorder(gym.Wrapper):
    """Keeps every reward the agent sees while it learns (the learning curve); ticks an optional
    progress bar on every step (learning and evaluation alike)."""

    def __init__(self, env: gym.Env, bar=None):
        super().__init__(env)
        self.rewards: list[float] = []
        self.infos: list[dict] = []  # the infos of the same steps (for the headline metric's learning curve)
        self.bar = bar

    def step(self, action):
        result = super().step(action)
        self.record(float(result[1]), result[4])
        return result

    def record(self, reward: float, info: dict) -> None:
        """One step's reward and info; also what a learner on a vector env reports of its env 0."""
        self.rewards.append(reward)
        self.infos.append(info)
        if self.bar is not None:
            self.bar.update(1)


def _versions() -> dict[str, str]:
    names = ("mec-gym", "numpy", "scipy", "gymnasium", "torch", "stable-baselines3")
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def _downsample(values: list[float], points: int = CURVE_POINTS) -> list[float]:
    if not values:
        return []
    chunks = np.array_split(np.asarray(values, dtype=np.float64), min(points, len(values)))
    return [float(chunk.mean()) for chunk in chunks]


def headline_curve(summary, rewards: list[float], infos: list[dict], reference: float | None, frames: int,
                   points: int = CURVE_POINTS) -> list[list[float]]:
    """The headline metric while learning: [learning frames so far, metric over that chunk of the
    recorded frames] for up to ``points`` chunks. Metrics that need a per-frame reference (the
    optimum) get the evaluation's mean reference for every frame (``reference``); the x axis counts
    ``frames`` (all the learner's envs) in proportion to the recorded env's frames."""
    scale = frames / len(rewards) if frames else 1.0
    curve = []
    for chunk in np.array_split(np.arange(len(rewards)), min(points, len(rewards))):
        optima = None if reference is None else np.full(len(chunk), reference)
        value = summary.summarise(np.asarray(rewards)[chunk], [infos[i] for i in chunk], optima)[summary.headline]
        curve.append([float((chunk[-1] + 1) * scale), float(value)])
    return curve


def _to_builtin(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _to_builtin(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_builtin(v) for v in value]
    return value


def reference_summary(certificates: list) -> dict[str, Any]:
    """What the evaluated frames' ``optimum()`` was: its methods, the frames certified, and the
    mean and worst gap (bound - reward) / |bound| (0 on certified frames)."""
    gaps = [best.gap for best in certificates]
    return {"methods": sorted({best.method for best in certificates}), "frames": len(certificates),
            "certified": sum(best.certified for best in certificates),
            "mean_gap": float(np.mean(gaps)), "worst_gap": float(np.max(gaps))}


def execute(spec: RunSpec, show_progress: bool = False) -> dict[str, Any]:
    """Run one (env, method, seed) and return its record (never raises: errors are recorded).
    ``show_progress`` draws a bar over the run's frames (in-process runs only)."""
    import mec_gym  # noqa: F401  (registers the ids in spawned workers)
    from benchmarks.registry import METHODS, env_metrics

    record: dict[str, Any] = {
        "env": spec.env, "env_config": spec.env_config, "method": spec.method,
        "method_config": spec.method_config, "seed": spec.seed, "frames": spec.frames,
        "eval_frames": spec.eval_frames, "versions": _versions(), "wall_time_s": None,
        "time_per_frame_ms": None, "metrics": {}, "curve": [], "error": None, "reference": None,
        "config_id": config_id(spec_dict(spec)),
    }
    start = time.perf_counter()
    bar = None
    try:
        method = METHODS[spec.method]
        if show_progress:
            from tqdm.auto import tqdm

            total = (spec.frames if method.trains else 0) + spec.eval_frames
            bar = tqdm(total=total, desc=f"{spec.env} {spec.method} seed{spec.seed}", unit="frame", leave=False)
        recorder = RewardRecorder(gym.make(spec.env, **spec.env_config), bar)
        recorder.reset(seed=spec.seed)
        agent = method.build(recorder, spec.seed, dict(spec.method_config))
        agent.learn(spec.frames if method.trains else 0)
        learned, learned_infos = list(recorder.rewards), list(recorder.infos)
        summary = env_metrics(spec.env)
        env = agent.env
        observation, _ = env.reset(seed=10_000 + spec.seed)
        rewards, infos, optima, certificates = [], [], [], []
        act_seconds = 0.0
        track = summary.reference is not None or spec.method == "optimum"  # the rows that need optimum()
        for _ in range(spec.eval_frames):
            if track:
                best = env.unwrapped.optimum()
                certificates.append(best)
                if summary.reference is not None:
                    optima.append(summary.reference(env, best))
            tic = time.perf_counter()
            action = agent.act(observation)
            act_seconds += time.perf_counter() - tic
            observation, reward, terminated, truncated, info = env.step(action)
            rewards.append(reward)
            infos.append(info)
            if terminated or truncated:
                observation, _ = env.reset()
        record["metrics"] = summary.summarise(np.asarray(rewards), infos, np.asarray(optima) if optima else None)
        if certificates:
            record["reference"] = reference_summary(certificates)
        record["curve"] = _downsample(learned if learned and method.trains else rewards)
        if learned and method.trains:
            reference = float(np.mean(optima)) if optima else None
            try:  # a metric that cannot be summarised per chunk (needs per-frame references) gets no curve
                record["headline_curve"] = headline_curve(summary, learned, learned_infos, reference, spec.frames)
            except (KeyError, TypeError, ValueError, IndexError):
                record["headline_curve"] = []
        record["time_per_frame_ms"] = 1e3 * act_seconds / max(spec.eval_frames, 1)
    except Exception:  # a failing run is recorded, and the grid goes on
        record["error"] = traceback.format_exc(limit=20)
    if bar is not None:
        bar.close()
    record["wall_time_s"] = time.perf_counter() - start
    return _to_builtin(record)


def write_record(path: Path, record: dict[str, Any]) -> None:
    """Write ``record`` to ``path`` atomically: a temporary file in the same folder, then rename.
    The file gets mode 0666 less the umask (like any file the user writes; mkstemp's is 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.stem}.{secrets.token_hex(6)}.tmp"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(record, stream, indent=1)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _record_paths(out: Path) -> list[Path]:
    return sorted((out / "runs").glob("*/*/seed*.json"))  # temporary files start with "." and end in .tmp


def read_records(out: Path) -> list[dict[str, Any]]:
    """Every finished record under ``out/runs``."""
    return [json.loads(path.read_text()) for path in _record_paths(out)]


def run_grid(
    specs: Iterable[RunSpec],
    out: Path,
    *,
    resume: bool = False,
    workers: int = 1,
    backend: str = "local",
    ray_address: str | None = None,
    progress: bool = False,
) -> list[dict[str, Any]]:
    """Run every spec (when ``resume``, skipping those with a record of the same identity that holds
    a success), writing records as they finish; return every record under ``out``."""
    specs = list(specs)
    if resume:  # a writer killed between its temporary file and the rename leaves the file behind
        for stale in (out / "runs").glob("*/*/.*.tmp"):
            stale.unlink()
    recorded: dict[tuple, list[tuple[Path, bool]]] = defaultdict(list)  # identity -> [(path, succeeded)]
    for path in _record_paths(out):
        record = json.loads(path.read_text())
        recorded[run_identity(record)].append((path, record["error"] is None))
    todo = [spec for spec in specs if not (resume and any(ok for _, ok in recorded[spec.identity]))]
    bar = _progress(len(specs), len(specs) - len(todo)) if progress else None  # the grid's bar
    for spec, record in _dispatch(todo, workers, backend, ray_address, progress):
        path = spec.record_path(out)
        write_record(path, record)
        for older, _ in recorded[spec.identity]:  # the same run under a name without its config id
            if older != path:
                older.unlink(missing_ok=True)
        if bar is not None:
            bar.set_postfix_str(f"{spec.env} {spec.method} seed{spec.seed}")
            bar.update(1)
    if bar is not None:
        bar.close()
    return read_records(out)


def _progress(total: int, done: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=done, desc="grid", unit="run")


def _dispatch(todo: list[RunSpec], workers: int, backend: str, ray_address: str | None, progress: bool = False):
    if backend == "ray":
        yield from _dispatch_ray(todo, ray_address)
    elif backend != "local":
        raise ValueError(f"backend must be 'local' or 'ray'; got {backend!r}")
    elif workers <= 1:
        for spec in todo:
            yield spec, execute(spec, show_progress=progress)
    else:
        import concurrent.futures
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = {pool.submit(execute, spec): spec for spec in todo}
            for future in concurrent.futures.as_completed(futures):
                yield futures[future], future.result()


def _dispatch_ray(todo: list[RunSpec], address: str | None):
    import ray

    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH")]))}})
    try:
        remote = ray.remote(execute)
        pending = {remote.remote(spec): spec for spec in todo}
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for reference in done:
                yield pending.pop(reference), ray.get(reference)
    finally:
        if started_here:
            ray.shutdown()


def spec_dict(spec: RunSpec) -> dict[str, Any]:
    return asdict(spec)
