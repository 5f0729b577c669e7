"""DRL for MultiServerIoT-v0 (seed 003, DRL-FGSO, eqs. 1-6): a DQN over per-device decisions with
one Q-network shared by all devices (per-device features -> M + 1 Q-values: local, server 1..M).

Each device is an agent rewarded by its own cost c_i = alpha L_i + beta E_i + gamma price_i (eq. 3,
the env's ``info["cost"]``), taken relative to its local cost c_i^loc (one oracle call on
all-local) and clipped: R_i = -min(c_i / c_i^loc, ``cost_clip``). Dividing by a constant of the
device's slot keeps each device's best action and puts devices on one scale (raw costs run from
0.001 to over 10 when a weak channel uploads a large task, which made the squared TD loss explode
in a first try); Huber loss for the same reason. The transitions of
all devices go to one replay memory and train the one network (the federated average of eq. 7
over identical local models is that shared network). Targets y = R + discount max_a' Q(s', a';
theta^-) with a target network copied every ``target_update`` frames; epsilon-greedy per device.
The paper's learning rate 1e-3, discount 0.9 and epsilon 0.1 are the defaults. Devices decide at
once, so a device's Q-values price in the congestion the others' current policy causes (a
mean-field view); the next slot's workload does not depend on the decision under fixed pricing,
so the discount only adds the value of the next state to every action alike.

``QLearner`` is the network, memory and update alone (the unified method feeds it richer
features); ``IoTDQN`` is the trainer with the repo's shape.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from baselines.common.memory import ReplayMemory
from baselines.common.networks import mlp, seed_torch, torch_threads
from baselines.common.persistence import load_checkpoint, save_checkpoint
from baselines.iot.common import advance, device_features, feature_size, record_frame
from mec_gym.core.validation import require_float, require_int


@dataclass
class DQNConfig:
    hidden: tuple[int, ...] = (64, 64)  # shared Q-network: features -> 64 -> 64 -> M + 1
    learning_rate: float = 1e-3  # Adam (the paper's)
    discount: float = 0.9  # the paper's
    epsilon: float = 0.1  # exploration per device (the paper's)
    memory_size: int = 50_000  # device transitions
    batch_size: int = 256
    train_steps_per_frame: int = 1
    target_update: int = 50  # frames between target-network copies
    cost_clip: float = 5.0  # R = -min(cost / local cost, cost_clip)
    torch_threads: int | None = 1

    def __post_init__(self):
        for name, low in (("memory_size", 1), ("batch_size", 1), ("train_steps_per_frame", 0), ("target_update", 1)):
            require_int(name, getattr(self, name), low)
        require_float("learning_rate", self.learning_rate, 0.0, low_open=True)
        require_float("discount", self.discount, 0.0, 1.0, high_open=True)
        require_float("epsilon", self.epsilon, 0.0, 1.0)
        require_float("cost_clip", self.cost_clip, 1.0)
        if self.torch_threads is not None:
            require_int("torch_threads", self.torch_threads, 1)


def device_rewards(cost, local_cost, clip: float) -> np.ndarray:
    """R_i = -min(c_i / c_i^loc, clip): each device's cost relative to computing locally."""
    return -np.minimum(np.asarray(cost) / np.asarray(local_cost), clip)


class QLearner:
    """Shared Q-network over per-device features (N, F) -> (N, A), replay memory and DQN update."""

    def __init__(self, input_size: int, num_actions: int, config: DQNConfig, rng: np.random.Generator):
        self.config, self.rng, self.num_actions = config, rng, num_actions
        self.network = mlp([input_size, *config.hidden, num_actions], output_activation=None)
        self.target = copy.deepcopy(self.network)
        self.optimizer = torch.optim.Adam(self.network.parameters(), lr=config.learning_rate)
        self.memory = ReplayMemory(config.memory_size, features=((input_size,), np.float32),
                                   next_features=((input_size,), np.float32), action=((), np.int64), reward=((), np.float32))

    def q_values(self, features: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self.network(torch.as_tensor(features, dtype=torch.float32)).numpy()

    def act(self, features: np.ndarray, explore: bool) -> np.ndarray:
        actions = np.argmax(self.q_values(features), axis=1)
        if explore:
            flip = self.rng.random(len(actions)) < self.config.epsilon
            actions = np.where(flip, self.rng.integers(0, self.num_actions, len(actions)), actions)
        return actions.astype(np.int64)

    def store(self, features, actions, rewards, next_features) -> None:
        self.memory.extend(features=features, next_features=next_features, action=actions, reward=rewards)

    def train_step(self) -> float:
        if len(self.memory) < self.config.batch_size:
            return float("nan")
        batch = {name: torch.as_tensor(value) for name, value in self.memory.sample(self.config.batch_size, self.rng).items()}
        with torch.no_grad():
            target = batch["reward"] + self.config.discount * self.target(batch["next_features"]).max(dim=1).values
        q = self.network(batch["features"]).gather(1, batch["action"][:, None])[:, 0]
        loss = nn.functional.smooth_l1_loss(q, target)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def sync_target(self) -> None:
        self.target.load_state_dict(self.network.state_dict())


class IoTDQN:
    """DQN trainer on MultiServerIoT-v0: ``IoTDQN(env, config, seed).learn(frames)``;
    ``predict(obs)`` is each device's greedy choice."""

    config_class = DQNConfig

    def __init__(self, env, config: DQNConfig | None = None, seed: int = 0):
        self.env, self.config, self.seed = env, config or DQNConfig(), seed
        self.env_config = env.unwrapped.config
        seed_torch(seed)
        self.rng = np.random.default_rng(seed)
        self.learner = QLearner(feature_size(self.env_config.num_servers), self.env_config.num_servers + 1,
                                self.config, self.rng)
        self.history: dict[str, list[float]] = {"reward": [], "loss": [], "latency_ms": [], "energy_j": []}
        self._observation = None

    def features(self, observation) -> np.ndarray:
        return device_features(observation, self.env_config)

    def predict(self, observation) -> np.ndarray:
        with torch_threads(self.config.torch_threads):
            return self.learner.act(self.features(observation), explore=False)

    act = predict  # the leaderboard's agent interface

    def learn(self, total_frames: int, callback=None) -> IoTDQN:
        cfg = self.config
        with torch_threads(cfg.torch_threads):
            if self._observation is None:
                self._observation, _ = self.env.reset(seed=self.seed)
            observation = self._observation
            for _ in range(total_frames):
                features = self.features(observation)
                actions = self.learner.act(features, explore=True)
                local = self.env.unwrapped.evaluate(np.zeros((1, len(actions)), dtype=np.int64)).info["cost"][0]
                following, reward, terminated, truncated, info = self.env.step(actions)
                self.learner.store(features, actions, device_rewards(info["cost"], local, cfg.cost_clip),
                                   self.features(following))
                losses = [self.learner.train_step() for _ in range(cfg.train_steps_per_frame)]
                if len(self.history["reward"]) % cfg.target_update == 0:
                    self.learner.sync_target()
                record_frame(self.history, {"reward": reward, "loss": np.mean(losses) if losses else np.nan,
                                            "latency_ms": info["latency_ms"], "energy_j": info["energy_j"]}, callback)
                observation = advance(self.env, following, terminated, truncated)
            self._observation = observation
        return self

    def save(self, path: str | Path) -> None:
        save_checkpoint(path, self.config, self.seed, network=self.learner.network.state_dict())

    @classmethod
    def load(cls, path: str | Path, env) -> IoTDQN:
        saved, config = load_checkpoint(path, cls.config_class)
        agent = cls(env, config, seed=saved["seed"])
        agent.learner.network.load_state_dict(saved["network"])
        agent.learner.sync_target()
        return agent
