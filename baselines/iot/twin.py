"""Digital twin of MultiServerIoT-v0 (seed 003, DT-MEC, eq. 21): a small recurrent forecaster of
each device's next-slot workload (ln D, ln C) and channels (ln gain to each server).

The twin keeps the slots it has seen (read from the env's observations only) and a GRU, shared by
all devices, reads a device's last ``window`` slots. Per slot its input is x_t = [ln D, ln C,
ln g_1..M] and the device's running mean of x since the episode began (the synchronised state
estimate of the paper's DT; the env's workloads are AR(1) around a per-device mean and its fading
is redrawn every slot, so that mean is what a forecaster needs). The GRU's last output, through a
linear head, is the change x_{t+1} - x_t (standardised), so an untrained twin starts near the
persistence forecast "next = current". Episodes are told apart by the devices' CPU speeds, which
the env redraws at every reset and keeps within an episode.

``DigitalTwin(env).learn(frames)`` rolls the env (all-local actions: neither workload nor
channels depend on the decisions) and fits the GRU on that warm-up; ``update(obs)`` synchronises
with a new slot, ``forecast()`` predicts the next one, ``fit(steps)`` trains online on what was
seen. Adam, learning rate 1e-3 (the paper's).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from baselines.common.networks import seed_torch, torch_threads
from baselines.common.persistence import load_checkpoint, save_checkpoint
from baselines.iot.common import split_observation
from mec_gym.core.validation import require_float, require_int


@dataclass
class TwinConfig:
    hidden: int = 32  # GRU units
    window: int = 16  # slots of history the GRU reads
    learning_rate: float = 1e-3  # Adam (the paper's)
    batch_size: int = 256  # device windows per Adam step
    train_steps: int = 400  # Adam steps of ``learn`` after the warm-up rollout
    memory_slots: int = 4000  # slots kept (oldest episodes dropped first)
    torch_threads: int | None = 1

    def __post_init__(self):
        for name, low in (("hidden", 1), ("window", 1), ("batch_size", 1), ("train_steps", 0), ("memory_slots", 2)):
            require_int(name, getattr(self, name), low)
        require_float("learning_rate", self.learning_rate, 0.0, low_open=True)
        if self.torch_threads is not None:
            require_int("torch_threads", self.torch_threads, 1)


class _Forecaster(nn.Module):
    def __init__(self, features: int, hidden: int):
        super().__init__()
        self.gru = nn.GRU(2 * features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, features)
        nn.init.zeros_(self.head.weight)  # start at persistence: predicted change 0
        nn.init.zeros_(self.head.bias)

    def forward(self, windows: torch.Tensor) -> torch.Tensor:  # (B, L, 2F) -> (B, F)
        output, _ = self.gru(windows)
        return self.head(output[:, -1])


class DigitalTwin:
    """GRU forecaster of next-slot ln D, ln C and ln gain per device (see the module docstring)."""

    config_class = TwinConfig

    def __init__(self, env, config: TwinConfig | None = None, seed: int = 0):
        self.env, self.config, self.seed = env, config or TwinConfig(), seed
        self.num_servers = env.unwrapped.config.num_servers
        self.features = 2 + self.num_servers
        seed_torch(seed)
        self.rng = np.random.default_rng(seed)
        self.model = _Forecaster(self.features, self.config.hidden)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=self.config.learning_rate)
        self.episodes: list[list[np.ndarray]] = []  # per episode, per slot: x (N, F)
        self._cpu = None
        self.stats: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # x mean, x std, change std
        self.history: dict[str, list[float]] = {"loss": []}

    # ----- synchronising -----------------------------------------------------------------------
    def slot_features(self, observation) -> np.ndarray:
        """x_t (N, 2 + M): ln D (bits), ln C (cycles), ln gain per server."""
        task, _ = split_observation(observation, self.env.unwrapped.config)
        return np.column_stack([np.log(task["data_bits"]), np.log(task["cycles"]), np.log(task["gain"])])

    def update(self, observation) -> None:
        """Synchronise with the slot shown by ``observation`` (a new episode when the CPUs change)."""
        task, _ = split_observation(observation, self.env.unwrapped.config)
        if self._cpu is None or self._cpu.shape != task["device_cpu"].shape or not np.allclose(self._cpu, task["device_cpu"]):
            self.episodes.append([])
            self._cpu = task["device_cpu"]
        self.episodes[-1].append(self.slot_features(observation))
        while sum(map(len, self.episodes)) > self.config.memory_slots and len(self.episodes) > 1:
            self.episodes.pop(0)

    # ----- forecasting -------------------------------------------------------------------------
    def _windows(self, series: np.ndarray, times: np.ndarray, devices: np.ndarray) -> np.ndarray:
        """Standardised GRU inputs (B, L, 2F) ending at ``times`` for ``devices`` of one episode
        ``series`` (T, N, F); slots before the first are the first slot repeated."""
        mean, std, _ = self.stats
        running = np.cumsum(series, axis=0) / np.arange(1, len(series) + 1)[:, None, None]
        index = np.clip(times[:, None] - self.config.window + 1 + np.arange(self.config.window), 0, None)
        x, m = series[index, devices[:, None]], running[index, devices[:, None]]
        return np.concatenate([(x - mean) / std, (m - mean) / std], axis=-1).astype(np.float32)

    def forecast(self) -> dict[str, np.ndarray]:
        """Next slot's {"log_data" (N,), "log_cycles" (N,), "log_gain" (N, M)} for the current episode
        (persistence until the twin has been fitted)."""
        series = np.asarray(self.episodes[-1])
        last = series[-1]
        if self.stats is not None:
            n = series.shape[1]
            windows = self._windows(series, np.full(n, len(series) - 1), np.arange(n))
            with torch_threads(self.config.torch_threads), torch.no_grad():
                self.model.eval()
                change = self.model(torch.as_tensor(windows)).numpy().astype(np.float64)
            last = last + change * self.stats[2]
        return {"log_data": last[:, 0], "log_cycles": last[:, 1], "log_gain": last[:, 2:]}

    def predict(self, observation) -> np.ndarray:
        """Synchronise with ``observation``, then the next slot's x (N, 2 + M)."""
        self.update(observation)
        forecast = self.forecast()
        return np.column_stack([forecast["log_data"], forecast["log_cycles"], forecast["log_gain"]])

    # ----- learning ----------------------------------------------------------------------------
    def _episodes(self) -> list[np.ndarray]:
        return [np.asarray(slots) for slots in self.episodes if len(slots) >= 2]

    def fit(self, steps: int) -> float:
        """``steps`` Adam steps on the slots seen so far; the mean loss (nan if nothing to learn from)."""
        episodes = self._episodes()
        if not episodes or steps <= 0:
            return float("nan")
        if self.stats is None:
            x = np.concatenate([e.reshape(-1, self.features) for e in episodes])
            change = np.concatenate([np.diff(e, axis=0).reshape(-1, self.features) for e in episodes])
            self.stats = (x.mean(axis=0), x.std(axis=0) + 1e-6, change.std(axis=0) + 1e-6)
        weights = np.array([len(e) - 1 for e in episodes], dtype=np.float64)
        losses = []
        with torch_threads(self.config.torch_threads):
            self.model.train()
            for _ in range(steps):
                episode = episodes[self.rng.choice(len(episodes), p=weights / weights.sum())]
                size = self.config.batch_size
                times = self.rng.integers(0, len(episode) - 1, size=size)
                devices = self.rng.integers(0, episode.shape[1], size=size)
                inputs = torch.as_tensor(self._windows(episode, times, devices))
                target = (episode[times + 1, devices] - episode[times, devices]) / self.stats[2]
                loss = nn.functional.mse_loss(self.model(inputs), torch.as_tensor(target, dtype=torch.float32))
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                losses.append(loss.item())
        self.history["loss"].extend(losses)
        return float(np.mean(losses))

    def learn(self, total_frames: int, callback=None) -> DigitalTwin:
        """Warm-up: roll the env ``total_frames`` slots (all-local), then ``train_steps`` Adam steps."""
        observation, _ = self.env.reset(seed=self.seed)
        zeros = np.zeros(self.env.unwrapped.config.num_devices, dtype=np.int64)
        for _ in range(total_frames):
            self.update(observation)
            observation, _, terminated, truncated, _ = self.env.step(zeros)
            if terminated or truncated:
                observation, _ = self.env.reset()
        self.fit(self.config.train_steps)
        if callback is not None:
            callback({"loss": self.history["loss"][-1] if self.history["loss"] else float("nan")})
        return self

    # ----- persistence -------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        save_checkpoint(path, self.config, self.seed, model=self.model.state_dict(), stats=self.stats)

    @classmethod
    def load(cls, path: str | Path, env) -> DigitalTwin:
        saved, config = load_checkpoint(path, cls.config_class)
        twin = cls(env, config, seed=saved["seed"])
        twin.model.load_state_dict(saved["model"])
        twin.stats = saved["stats"]
        return twin
