"""QAROO: DROO with a recurrent or quantum actor and uncertainty-guided quantisation (seed 000).

Variants are configurations of one trainer (``QAROOConfig``):

| actor               | network                                                                  |
|---------------------|--------------------------------------------------------------------------|
| ``"dnn"``           | DROO's N -> 120 -> 80 -> N                                               |
| ``"rnn"``           | 2-layer GRU (128 units, dropout 0.1) over the last ``sequence_length``    |
|                     | observations, batch normalisation, a linear layer, sigmoid               |
| ``"quantum_dnn"``   | linear -> 8 features -> QuantumLayer (8 qubits) -> 64 -> N               |
| ``"quantum_attention"`` | linear -> QuantumLayer -> 4-head self-attention over the 8 expectations |
|                     | (each a token embedded in 8 = 4 x 2 dimensions) -> 64 -> N               |

and ``quantizer`` ``"op"`` (DROO's) or ``"ugq"`` (uncertainty-guided: the 0.5 threshold first, then
thresholds at the most uncertain entries perturbed by U(-0.1, 0.1), duplicates replaced by flipping
the most uncertain dimensions). Paper variants: DNN+OP, DNN+UGQ, RNN+OP, RNN+UGQ; Quantum+DNN vs
Quantum+Attention. Adam lr 1e-3, memory 1024, training every 10 frames with batch 128, BCE.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from baselines.common.networks import mlp
from baselines.common.qnn import QuantumLayer
from baselines.common.quantizers import order_preserving, uncertainty_guided
from baselines.droo import DROO, DROOConfig

ACTORS = ("dnn", "rnn", "quantum_dnn", "quantum_attention")


@dataclass
class QAROOConfig(DROOConfig):
    actor: str = "rnn"
    quantizer: str = "ugq"  # "op" or "ugq"
    learning_rate: float = 1e-3
    adam_betas: tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 0.0
    sequence_length: int = 4  # observations the RNN sees
    gru_units: int = 128
    dropout: float = 0.1
    threshold_noise: float = 0.1  # UGQ's uniform perturbation of the pivot thresholds
    qnn_backend: str = "torch"
    qubits: int = 8

    def __post_init__(self):
        if self.actor not in ACTORS:
            raise ValueError(f"actor must be one of {list(ACTORS)}; got {self.actor!r}")
        if self.quantizer not in ("op", "ugq"):
            raise ValueError(f"quantizer must be 'op' or 'ugq'; got {self.quantizer!r}")
        if int(self.sequence_length) < 1:
            raise ValueError(f"sequence_length must be an integer >= 1; got {self.sequence_length}")
        self._check_loop()


class _RecurrentActor(nn.Module):
    def __init__(self, n: int, sequence_length: int, units: int, dropout: float, observation_size: int):
        super().__init__()
        self.sequence_length, self.observation_size = sequence_length, observation_size
        self.gru = nn.GRU(observation_size, units, num_layers=2, dropout=dropout, batch_first=True)
        self.norm = nn.BatchNorm1d(units)
        self.head = nn.Linear(units, n)

    def forward(self, x):
        sequence = x.reshape(len(x), self.sequence_length, self.observation_size)
        output, _ = self.gru(sequence)
        return torch.sigmoid(self.head(self.norm(output[:, -1])))


class _QuantumActor(nn.Module):
    def __init__(self, input_size: int, n: int, qubits: int, backend: str, attention: bool):
        super().__init__()
        self.encode = nn.Linear(input_size, qubits)
        self.quantum = QuantumLayer(n_qubits=qubits, backend=backend)
        self.attention = nn.MultiheadAttention(8, num_heads=4, batch_first=True) if attention else None
        self.embed = nn.Linear(1, 8) if attention else None
        width = qubits * 8 if attention else qubits
        self.head = mlp([width, 64, n])

    def forward(self, x):
        features = self.quantum(torch.tanh(self.encode(x)).to(torch.float64)).to(torch.float32)
        if self.attention is not None:
            tokens = self.embed(features[..., None])  # (B, qubits, 8)
            attended, _ = self.attention(tokens, tokens, tokens)
            features = (tokens + attended).reshape(len(x), -1)
        return self.head(features)


class QAROO(DROO):
    """The QAROO trainer: DROO's loop with the configured actor and quantiser."""

    config_class = QAROOConfig

    def __init__(self, env, config: QAROOConfig | None = None, seed: int = 0):
        self._recent: deque = deque(maxlen=(config or QAROOConfig()).sequence_length)
        super().__init__(env, config or QAROOConfig(), seed)

    def _input_size(self) -> int:
        return self.observation_size * (self.config.sequence_length if self.config.actor == "rnn" else 1)

    def _build_actor(self, input_size: int) -> nn.Module:
        cfg = self.config
        if cfg.actor == "dnn":
            return mlp([input_size, 120, 80, self.n])
        if cfg.actor == "rnn":
            return _RecurrentActor(self.n, cfg.sequence_length, cfg.gru_units, cfg.dropout, self.observation_size)
        return _QuantumActor(input_size, self.n, cfg.qubits, cfg.qnn_backend, attention=cfg.actor == "quantum_attention")

    def _network_input(self, observation) -> np.ndarray:
        current = np.asarray(observation, dtype=np.float32).reshape(-1)
        if self.config.actor != "rnn":
            return current
        self._recent.append(current)
        while len(self._recent) < self.config.sequence_length:  # pad the start with the first frame
            self._recent.appendleft(current)
        return np.concatenate(list(self._recent))

    def _quantize(self, m: np.ndarray) -> np.ndarray:
        if self.config.quantizer == "op":
            return order_preserving(m, self.k)
        return uncertainty_guided(m, self.k, self.rng, self.config.threshold_noise)
