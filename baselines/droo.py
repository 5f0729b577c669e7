"""DROO: deep reinforcement learning-based online offloading (Huang, Bi, Zhang, IEEE TMC 2020).

One readable file, hyper-parameters at the top in one dataclass. Each frame: the actor (a small
DNN with sigmoid outputs) maps the observation to a relaxed decision m in [0, 1]^N; a quantiser
turns m into K binary candidates; the environment's oracle scores all K at once
(``env.unwrapped.evaluate``) and the best (by ``info["surrogate"]``, the per-slot drift-plus-penalty
objective that is LyDROO's critic, where the env reports one; else by the reward) is executed with ``env.step`` and stored with its input;
every ``training_interval`` frames one Adam step on the binary cross-entropy between the actor's
output and stored best decisions. K adapts to the index of the best candidate.

Works on any environment with a MultiBinary action space and a batched oracle (WPMEC-v0; with the
queue-aware observation and the NOP quantiser it is the LyDROO actor for PQC-NOMA-v0).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from gymnasium import spaces

from baselines.common.scoring import scoring_env
from baselines.common.memory import ReplayMemory
from baselines.common.networks import mlp, seed_torch, torch_threads
from baselines.common.normalization import RunningStandardiser
from baselines.common.persistence import load_checkpoint, save_checkpoint
from baselines.common.quantizers import k_nearest, noisy_order_preserving, order_preserving

QUANTIZERS = ("op", "knn", "nop")


@dataclass
class DROOConfig:
    """The paper's hyper-parameters (DROO, N = 10) as defaults."""

    hidden: tuple[int, ...] = (120, 80)  # actor: N -> 120 -> 80 -> N
    learning_rate: float = 0.01  # Adam
    adam_betas: tuple[float, float] = (0.09, 0.999)  # as the authors' PyTorch code
    weight_decay: float = 1e-4  # as the authors' PyTorch code
    memory_size: int = 1024
    batch_size: int = 128
    training_interval: int = 10  # frames between training steps (LyDROO: 20)
    quantizer: str = "op"  # "op", "knn" or "nop" (LyDROO)
    adaptive_k: bool = True
    k_update_interval: int = 32  # Delta: K = min(max best index over the last Delta frames + 2, N)
    initial_k: int | None = None  # None: N
    track_optimum: bool = False  # also record the normalised rate (over optimum().reference per frame:
    #                              the certified optimum, else the proven bound)
    normalize_input: bool = False  # standardise the input by running mean and variance (LyDROO)
    torch_threads: int | None = 1  # intra-op threads while learning / predicting (None: torch's setting)

    @classmethod
    def lydroo(cls, **overrides) -> DROOConfig:
        """LyDROO's actor (Bi, Huang, Wang, Zhang 2021) for queue-aware envs: input (h, Q, Y),
        3N -> 256 -> 128 -> N, NOP quantiser, a training step every 20 frames."""
        return cls(**{"hidden": (256, 128), "quantizer": "nop", "training_interval": 20, "normalize_input": True,
                      **overrides})

    def __post_init__(self):
        if self.quantizer not in QUANTIZERS:
            raise ValueError(f"quantizer must be one of {list(QUANTIZERS)}; got {self.quantizer!r}")
        self._check_loop()

    def _check_loop(self) -> None:
        """The checks shared with subclasses' configs (QAROO)."""
        for name in ("memory_size", "batch_size", "training_interval", "k_update_interval"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be an integer >= 1; got {getattr(self, name)}")
        if self.torch_threads is not None and int(self.torch_threads) < 1:
            raise ValueError(f"torch_threads must be None or an integer >= 1; got {self.torch_threads}")


class DROO:
    """DROO trainer: ``DROO(env, config, seed).learn(frames)``; ``predict(obs)`` scores the
    actor's candidates through the oracle of ``env`` on its current state.

    Subclasses (QAROO) change the network (``_build_actor``), its input (``_network_input``, called
    once per frame) and the quantiser (``_quantize``)."""

    config_class = DROOConfig

    def __init__(self, env, config: DROOConfig | None = None, seed: int = 0):
        if not isinstance(env.unwrapped.action_space, spaces.MultiBinary):
            raise ValueError(f"{type(self).__name__} needs a MultiBinary action space; got {env.unwrapped.action_space}")
        self.env, self.config, self.seed = env, config or self.config_class(), seed
        cfg = self.config
        self.n = int(np.prod(env.unwrapped.action_space.shape))
        self.observation_size = int(np.prod(env.observation_space.shape))
        input_size = self._input_size()
        seed_torch(seed)
        self.rng = np.random.default_rng(seed)
        self.actor = self._build_actor(input_size)
        self.optimizer = torch.optim.Adam(self.actor.parameters(), lr=cfg.learning_rate, betas=cfg.adam_betas,
                                          weight_decay=cfg.weight_decay)
        self.memory = ReplayMemory(cfg.memory_size, inputs=((input_size,), np.float32), targets=((self.n,), np.float32))
        self.k = cfg.initial_k or self.n
        self.history: dict[str, list[float]] = {"reward": [], "k": [], "loss": [], "normalized_rate": [],
                                                "seconds": []}
        self._best_indices: list[int] = []
        self._observation = None
        self.scaler = RunningStandardiser(input_size)  # LyDROO's input standardisation

    # ----- hooks -------------------------------------------------------------------------------
    def _input_size(self) -> int:
        return self.observation_size

    def _build_actor(self, input_size: int) -> torch.nn.Module:
        return mlp([input_size, *self.config.hidden, self.n])

    def _network_input(self, observation) -> np.ndarray:
        """The actor's input for this frame, flat float32 (called once per frame)."""
        return np.asarray(observation, dtype=np.float32).reshape(-1)

    def _quantize(self, m: np.ndarray) -> np.ndarray:
        if self.config.quantizer == "op":
            return order_preserving(m, self.k)
        if self.config.quantizer == "knn":
            return k_nearest(m, self.k)
        return noisy_order_preserving(m, self.k, self.rng)

    # ----- acting ------------------------------------------------------------------------------
    def _standardise(self, inputs: np.ndarray) -> np.ndarray:
        return self.scaler(inputs) if self.config.normalize_input else inputs

    def _relaxed_from_input(self, network_input: np.ndarray) -> np.ndarray:
        x = self._standardise(network_input.reshape(1, -1))
        self.actor.eval()
        with torch.no_grad():
            return self.actor(torch.as_tensor(x, dtype=torch.float32))[0].numpy().astype(np.float64)

    def relaxed(self, observation) -> np.ndarray:
        """The actor's relaxed decision m in [0, 1]^N for an observation."""
        return self._relaxed_from_input(self._network_input(observation))

    def candidates(self, observation) -> np.ndarray:
        return self._quantize(self.relaxed(observation))

    def _choose(self, network_input: np.ndarray, env=None) -> tuple[np.ndarray, int]:
        candidates = self._quantize(self._relaxed_from_input(network_input))
        evaluation = (self.env.unwrapped if env is None else env).evaluate(candidates)
        index = int(np.argmax(evaluation.info.get("surrogate", evaluation.rewards)))
        return candidates[index], index

    def predict(self, observation, env=None) -> np.ndarray:
        """The best of the actor's K candidates, scored by the oracle of ``env`` (default: the
        training env), which must be the env ``observation`` comes from (else ValueError)."""
        scorer = scoring_env(observation, env, self.env)
        with torch_threads(self.config.torch_threads):
            return self._choose(self._network_input(observation), scorer)[0]

    act = predict  # the leaderboard's agent interface

    # ----- learning ----------------------------------------------------------------------------
    def _train_step(self) -> float:
        batch = self.memory.sample(self.config.batch_size, self.rng)
        inputs, targets = batch["inputs"], batch["targets"]
        self.actor.train()
        prediction = self.actor(torch.as_tensor(self._standardise(inputs), dtype=torch.float32))
        loss = torch.nn.functional.binary_cross_entropy(prediction, torch.as_tensor(targets))
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def learn(self, total_frames: int, callback: Callable[[dict[str, Any]], None] | None = None) -> DROO:
        with torch_threads(self.config.torch_threads):
            return self._learn(total_frames, callback)

    def _learn(self, total_frames: int, callback: Callable[[dict[str, Any]], None] | None) -> DROO:
        cfg = self.config
        if self._observation is None:
            self._observation, _ = self.env.reset(seed=self.seed)
        observation = self._observation
        for _ in range(total_frames):
            optimum = self.env.unwrapped.optimum().reference if cfg.track_optimum else None
            start = time.perf_counter()
            network_input = self._network_input(observation)
            if cfg.normalize_input:
                self.scaler.update(network_input)
            action, index = self._choose(network_input)
            next_observation, reward, terminated, truncated, _ = self.env.step(action)
            self.memory.add(inputs=network_input, targets=action)
            self._best_indices.append(index)
            frame = len(self.history["reward"])
            loss = float("nan")
            if frame % cfg.training_interval == 0 and len(self.memory) >= cfg.batch_size:
                loss = self._train_step()
            if cfg.adaptive_k and frame > 0 and frame % cfg.k_update_interval == 0:
                self.k = min(max(self._best_indices[-cfg.k_update_interval:]) + 2, self.n)
            self.history["seconds"].append(time.perf_counter() - start)
            self.history["reward"].append(float(reward))
            self.history["k"].append(self.k)
            self.history["loss"].append(loss)
            if optimum is not None:
                self.history["normalized_rate"].append(float(reward / optimum) if optimum else 1.0)
            if callback is not None:
                callback({key: values[-1] for key, values in self.history.items() if values})
            observation = next_observation
            if terminated or truncated:
                observation, _ = self.env.reset()
        self._observation = observation
        return self

    def learn_offline(self, observations: np.ndarray, decisions: np.ndarray, train_steps: int) -> DROO:
        """Train the actor on a fixed data set alone (no env step, no oracle call): ``train_steps``
        Adam steps of the binary cross-entropy on batches drawn from the (M, obs) observations and
        their (M, N) binary decisions, e.g. a Minari dataset's (``benchmarks.datasets``)."""
        inputs = np.stack([self._network_input(o) for o in observations]).astype(np.float32)
        targets = np.asarray(decisions, dtype=np.float32).reshape(len(inputs), self.n)
        if self.config.normalize_input:
            for row in inputs:
                self.scaler.update(row)
        self.memory = ReplayMemory(len(inputs), inputs=((inputs.shape[1],), np.float32), targets=((self.n,), np.float32))
        self.memory.extend(inputs=inputs, targets=targets)
        with torch_threads(self.config.torch_threads):
            for _ in range(train_steps):
                self.history["loss"].append(self._train_step())
        return self

    # ----- persistence -------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        save_checkpoint(path, self.config, self.seed, k=self.k, actor=self.actor.state_dict(),
                        scaler=self.scaler.state_dict())

    @classmethod
    def load(cls, path: str | Path, env) -> DROO:
        saved, config = load_checkpoint(path, cls.config_class)
        agent = cls(env, config, seed=saved["seed"])
        agent.actor.load_state_dict(saved["actor"])
        agent.k = saved["k"]
        agent.scaler.load_state_dict(saved["scaler"])
        return agent
