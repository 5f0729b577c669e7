"""Lyapunov-DQN/DDPG: the two-stage learner of the hybrid MEQC paper (seed 001) for MEQC-GaussMarkov-v0.

Outer loop (Lyapunov): the environment's virtual queues Z_i and its per-slot drift-plus-penalty
surrogate -(V sum_i cost_i + sum_i Z_i (alpha_bar - alpha_i)) (``info["device_objective"]``, whatever
the env's ``reward`` mode); nothing of it is recomputed here. Inner loop,
two cooperating learners, one decision per device (the paper's "fully cooperative multi-agent"
view; devices do not interact in the env, so each device is an agent with its own reward term):

- a DQN picks the mode m_i in {local, CPU, QPU}: Q(s_i, m) with one network shared by all devices
  (chosen: the devices are exchangeable, and sharing gives N transitions per slot);
- a DDPG picks the fraction: an actor mu(s_i) in [0, 1]^2 (one output per target, sigmoid) and a
  critic Q(s_i, y_i, alpha_i), both with three fully connected hidden layers (paper). Local mode
  is alpha = 0 (the critic sees it as alpha = 0 with the CPU target, which costs the same).

Per-device state s_i (12 numbers): the device's 11 observation features with Z_i / 10 replaced by
Z_i / V, then the slot's physical error. The observation clips Z / 10 at 10, and with V = 100 the
queues pass 100, so Z comes from ``env.unwrapped.state`` (the state the observation describes;
``predict`` assumes the env sits at that state, as DROO's does). Per-device reward: the env's
DPP term ``-info["device_objective"][i] / (V reward_scale)``: dividing the DPP term by V leaves
cost_i + (Z_i / V)(alpha_bar - alpha_i), so one set of hyper-parameters serves every V (V = 0 and
``reward="cost"`` divide by 1).
Both learners bootstrap from the DQN's target network, max_m Q'(s'_i, m) (the joint policy's
value at the next state): y = r + gamma max_m Q'(s'_i, m).

Inputs are standardised by their running mean and std (Z / V is kept as is): the env scales the
channel feature to a std of 0.05, and without this the greedy cost at V = 10, seed 0 after 500 slots
was 63 against 43 with it (oracle-fraction 37).

Exploration: with probability epsilon a device draws its mode uniformly, and independently with
probability epsilon its fraction (otherwise Gaussian noise on the actor's fraction); both decay
linearly over ``exploration_frames`` slots, from 0.3 (chosen short and light: the paper's metric is
the time-average cost of the online run, exploration included). The critic learns from every
transition; the DQN only from those whose fraction came from the actor, so that it values each mode
under the fraction the actor would give it (drawn fractions undervalue the QPU, whose fixed circuit
time and cooling energy punish small fractions).
The paper gives three hidden layers for DDPG; its unit counts, discount and learning rate were lost
in extraction: 64 units, gamma = 0.9 and 1e-3 (chosen, as BASELINES.md asks). Discount 0 (the
per-slot drift-plus-penalty alone, which is what the Lyapunov outer loop asks to minimise) is the
``gamma=0.0`` variant.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from baselines.common.scoring import scoring_env
from baselines.common.memory import ReplayMemory
from baselines.common.networks import mlp, seed_torch, soft_update, torch_threads
from baselines.common.normalization import RunningStandardiser
from baselines.common.persistence import load_checkpoint, save_checkpoint
from mec_gym.core.validation import require_float, require_int
from mec_gym.envs.meqc.env import DEVICE_FEATURES as MEQC_DEVICE_FEATURES

DEVICE_FEATURES = len(MEQC_DEVICE_FEATURES)  # per-device observation features of MEQC-GaussMarkov-v0
QUEUE_FEATURE = MEQC_DEVICE_FEATURES.index("Z")  # where Z / 10 sits among them
INPUT_SIZE = DEVICE_FEATURES + 1  # plus the slot's physical error rate
MODES = 3  # local, CPU, QPU


@dataclass
class LyapunovDRLConfig:
    """Paper's values where it gives them; "chosen" otherwise."""

    dqn_hidden: tuple[int, ...] = (64, 64)  # DQN hidden layers (chosen: not given)
    ddpg_hidden: tuple[int, ...] = (64, 64, 64)  # actor and critic: three FC layers (paper; units chosen)
    gamma: float = 0.9  # discount (lost in extraction; BASELINES.md: 0.9)
    learning_rate: float = 1e-3  # Adam, all three networks (lost in extraction; BASELINES.md: 1e-3)
    batch_size: int = 128  # device transitions per update (chosen)
    buffer_size: int = 100_000  # device transitions (chosen)
    learning_starts: int = 512  # device transitions stored before the first update (chosen)
    updates_per_frame: int = 1  # gradient steps of each network per slot (chosen)
    tau: float = 0.01  # soft update of the DQN target network (chosen)
    epsilon_start: float = 0.3  # chance of a uniform mode (and, apart, fraction) per device, first frame
    epsilon_end: float = 0.02  # ... after exploration_frames
    noise_start: float = 0.3  # std of the Gaussian noise on the actor's fraction, first frame
    noise_end: float = 0.02  # ... after exploration_frames
    exploration_frames: int = 500  # slots of linear decay (chosen: the time-average counts exploration)
    reward_scale: float = 1.0  # learners see -device_objective / (V reward_scale)
    standardize_inputs: bool = True  # running mean / std of the inputs except Z / V (chosen: the channel
    #                                  feature has std 0.05 as the env scales it)
    torch_threads: int | None = 1  # intra-op threads while learning / predicting (None: torch's setting)

    def __post_init__(self):
        for name in ("dqn_hidden", "ddpg_hidden"):
            sizes = getattr(self, name)
            if not isinstance(sizes, (tuple, list)) or not sizes:
                raise ValueError(f"{name} must be a non-empty tuple of integers in [1, 4096]; got {sizes!r}")
            for i, size in enumerate(sizes):
                require_int(f"{name}[{i}]", size, 1, 4096)
        require_float("gamma", self.gamma, 0.0, 1.0, high_open=True)
        require_float("learning_rate", self.learning_rate, 0.0, 1.0, low_open=True)
        require_float("tau", self.tau, 0.0, 1.0, low_open=True)
        require_float("reward_scale", self.reward_scale, 0.0, low_open=True)
        for name in ("epsilon_start", "epsilon_end"):
            require_float(name, getattr(self, name), 0.0, 1.0)
        for name in ("noise_start", "noise_end"):
            require_float(name, getattr(self, name), 0.0, 1.0)
        for name in ("batch_size", "buffer_size", "updates_per_frame", "exploration_frames"):
            require_int(name, getattr(self, name), 1)
        require_int("learning_starts", self.learning_starts, 0)
        if self.torch_threads is not None:
            require_int("torch_threads", self.torch_threads, 1)


class LyapunovDRL:
    """``LyapunovDRL(gym.make("MEQC-GaussMarkov-v0"), config, seed).learn(frames)``; ``predict(obs)``
    returns the env's Dict action {fraction, target} (greedy mode, the actor's fraction)."""

    def __init__(self, env, config: LyapunovDRLConfig | None = None, seed: int = 0):
        unwrapped = env.unwrapped
        if set(getattr(unwrapped.action_space, "spaces", {})) != {"fraction", "target"}:
            raise ValueError(f"LyapunovDRL needs MEQC-GaussMarkov-v0's Dict(fraction, target) action; "
                             f"got {unwrapped.action_space}")
        self.env, self.config, self.seed = env, config or LyapunovDRLConfig(), seed
        cfg = self.config
        self.n = unwrapped.config.num_devices
        dpp = unwrapped.config.reward != "cost" and unwrapped.config.V > 0
        self.V = float(unwrapped.config.V) if dpp else 1.0  # the divisor of rewards and Z (1: cost reward or V = 0)
        seed_torch(seed)
        self.rng = np.random.default_rng(seed)
        self.q_net = mlp([INPUT_SIZE, *cfg.dqn_hidden, MODES], output_activation=None)
        self.q_target = copy.deepcopy(self.q_net)
        self.actor = mlp([INPUT_SIZE, *cfg.ddpg_hidden, 2])  # sigmoid: fraction for CPU, QPU
        self.critic = mlp([INPUT_SIZE + 2, *cfg.ddpg_hidden, 1], output_activation=None)  # (s, y, alpha)
        self.q_optimizer, self.actor_optimizer, self.critic_optimizer = (
            torch.optim.Adam(net.parameters(), lr=cfg.learning_rate) for net in (self.q_net, self.actor, self.critic))
        # one device transition per row; drawn: the fraction was drawn uniformly (the critic's, not the actor's)
        self.memory = ReplayMemory(cfg.buffer_size, state=((INPUT_SIZE,), np.float32), next_state=((INPUT_SIZE,), np.float32),
                                   mode=((), np.int64), fraction=((), np.float32), reward=((), np.float32),
                                   drawn=((), np.float32))
        self.scaler = RunningStandardiser(INPUT_SIZE, keep=(QUEUE_FEATURE,))
        self.frames = 0
        self.history: dict[str, list[float]] = {key: [] for key in (
            "reward", "cost", "avg_fraction", "queue", "dqn_loss", "critic_loss", "epsilon", "seconds")}
        self._observation = None

    # ----- inputs and acting -------------------------------------------------------------------
    def device_inputs(self, observation, env=None) -> np.ndarray:
        """Per-device network inputs (N, 12) for the current state of ``env`` (default: the
        training env; see the module doc)."""
        env = (self.env if env is None else env).unwrapped
        flat = np.asarray(observation, dtype=np.float32).reshape(-1)
        slices = env.scenario.codec.slices  # the observation's layout, by feature name
        inputs = np.empty((self.n, INPUT_SIZE), dtype=np.float32)
        inputs[:, :DEVICE_FEATURES] = np.stack([flat[slices[name]] for name in MEQC_DEVICE_FEATURES], axis=-1)
        inputs[:, QUEUE_FEATURE] = env.state["Z"] / self.V
        inputs[:, DEVICE_FEATURES] = flat[slices["physical_error"]][0]
        return inputs

    def _schedule(self) -> tuple[float, float]:
        """(epsilon, noise std) at the current frame."""
        cfg = self.config
        progress = min(self.frames / cfg.exploration_frames, 1.0)
        return (cfg.epsilon_start + progress * (cfg.epsilon_end - cfg.epsilon_start),
                cfg.noise_start + progress * (cfg.noise_end - cfg.noise_start))

    def _scale(self, inputs: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(self.scaler(inputs) if self.config.standardize_inputs else inputs)

    def _decide(self, inputs: np.ndarray, explore: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(modes (N,), fractions (N,), drawn (N,): the fraction was drawn uniformly) for per-device inputs."""
        with torch.no_grad():
            x = self._scale(inputs)
            modes = self.q_net(x).argmax(1).numpy()
            fractions = self.actor(x).numpy().astype(np.float64)  # (N, 2)
        drawn = np.zeros(self.n, dtype=bool)
        if explore:
            epsilon, noise = self._schedule()
            fractions = np.clip(fractions + noise * self.rng.standard_normal(fractions.shape), 0.0, 1.0)
            modes = np.where(self.rng.random(self.n) < epsilon, self.rng.integers(0, MODES, self.n), modes)
            drawn = self.rng.random(self.n) < epsilon
            fractions = np.where(drawn[:, None], self.rng.random(fractions.shape), fractions)
        chosen = fractions[np.arange(self.n), np.clip(modes - 1, 0, 1)]
        return modes, np.where(modes == 0, 0.0, chosen).astype(np.float32), drawn & (modes > 0)

    @staticmethod
    def _action(modes: np.ndarray, fractions: np.ndarray) -> dict[str, np.ndarray]:
        return {"fraction": fractions.astype(np.float32), "target": (modes == 2).astype(np.int8)}

    def predict(self, observation, env=None) -> dict[str, np.ndarray]:
        """The greedy decision (no exploration) for the current state of ``env`` (default: the
        training env), which must be the env ``observation`` comes from (else ValueError): the
        queues Z come from its state."""
        scorer = scoring_env(observation, env, self.env)
        with torch_threads(self.config.torch_threads):
            return self._action(*self._decide(self.device_inputs(observation, scorer), explore=False)[:2])

    act = predict  # the leaderboard's agent interface

    # ----- learning ----------------------------------------------------------------------------
    def _update(self) -> tuple[float, float]:
        cfg = self.config
        batch = self.memory.sample(cfg.batch_size, self.rng)
        state, next_state = self._scale(batch["state"]), self._scale(batch["next_state"])
        modes, fraction, reward, drawn = (torch.as_tensor(batch[k]) for k in ("mode", "fraction", "reward", "drawn"))
        fraction = fraction[:, None]
        with torch.no_grad():
            y = reward + cfg.gamma * self.q_target(next_state).max(1).values
        # the DQN values a mode under the actor's fraction: rows with a uniformly drawn fraction are the critic's
        on_policy = 1.0 - drawn
        error = self.q_net(state).gather(1, modes[:, None])[:, 0] - y
        dqn_loss = (on_policy * error ** 2).sum() / on_policy.sum().clamp(min=1.0)
        qpu = (modes == 2).to(state.dtype)[:, None]
        critic_loss = nn.functional.mse_loss(self.critic(torch.cat([state, qpu, fraction], 1))[:, 0], y)
        for optimizer, loss in ((self.q_optimizer, dqn_loss), (self.critic_optimizer, critic_loss)):
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        proposed = self.actor(state)  # the actor climbs the updated critic for both targets
        zeros, ones = torch.zeros_like(qpu), torch.ones_like(qpu)
        actor_loss = -(self.critic(torch.cat([state, zeros, proposed[:, :1]], 1))
                       + self.critic(torch.cat([state, ones, proposed[:, 1:]], 1))).mean()
        self.actor_optimizer.zero_grad()
        actor_loss.backward()
        self.actor_optimizer.step()
        soft_update(self.q_target, self.q_net, cfg.tau)
        return dqn_loss.item(), critic_loss.item()

    def learn(self, total_frames: int, callback: Callable[[dict[str, Any]], None] | None = None) -> LyapunovDRL:
        with torch_threads(self.config.torch_threads):
            return self._learn(total_frames, callback)

    def _learn(self, total_frames: int, callback) -> LyapunovDRL:
        cfg = self.config
        if self._observation is None:
            self._observation, _ = self.env.reset(seed=self.seed)
        scale = self.V * cfg.reward_scale
        for _ in range(total_frames):
            start = time.perf_counter()
            inputs = self.device_inputs(self._observation)
            self.scaler.update(inputs)
            modes, fractions, drawn = self._decide(inputs, explore=True)
            epsilon = self._schedule()[0]
            next_observation, reward, terminated, truncated, info = self.env.step(self._action(modes, fractions))
            next_inputs = self.device_inputs(next_observation)
            rewards = -np.asarray(info["device_objective"], dtype=np.float64) / scale
            self.memory.extend(state=inputs, next_state=next_inputs, mode=modes, fraction=fractions, reward=rewards,
                               drawn=drawn)
            losses = (float("nan"), float("nan"))
            if len(self.memory) >= max(cfg.learning_starts, cfg.batch_size):
                for _ in range(cfg.updates_per_frame):
                    losses = self._update()
            self.frames += 1
            record = {"reward": float(reward), "cost": float(info["total_cost"]),
                      "avg_fraction": float(np.mean(info["offloaded"])), "queue": float(np.mean(info["virtual_queue"])),
                      "dqn_loss": losses[0], "critic_loss": losses[1], "epsilon": epsilon,
                      "seconds": time.perf_counter() - start}
            for key, value in record.items():
                self.history[key].append(value)
            if callback is not None:
                callback(dict(record, info=info))
            self._observation = self.env.reset()[0] if terminated or truncated else next_observation
        return self

    # ----- persistence -------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        save_checkpoint(path, self.config, self.seed, frames=self.frames, scaler=self.scaler.state_dict(),
                        **{name: getattr(self, name).state_dict() for name in ("q_net", "q_target", "actor", "critic")})

    @classmethod
    def load(cls, path: str | Path, env) -> LyapunovDRL:
        saved, config = load_checkpoint(path, LyapunovDRLConfig)
        agent = cls(env, config, seed=saved["seed"])
        for name in ("q_net", "q_target", "actor", "critic"):
            getattr(agent, name).load_state_dict(saved[name])
        agent.frames = saved["frames"]
        agent.scaler.load_state_dict(saved["scaler"])
        return agent
