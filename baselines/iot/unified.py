"""The unified DRL-GAT-MARL-QIO-DT method of seed 003 (Algorithm 2) on MultiServerIoT-v0.

Per slot, with each stage switchable (``use_dt``, ``use_gat``, ``use_marl``, ``use_drl``,
``use_qio``) for the ablation table:

1. DT (``twin.py``): synchronise the twin with the observed slot and forecast the next one;
   the forecast (ln D, ln C, spectral efficiency per server) joins the DRL input. What it can
   add here: the env shows the current slot exactly before the decision and, at fixed prices,
   decisions do not change the future, so the forecast only helps as a denoised channel estimate
   (the running-mean path loss under the Rayleigh fading) - the ablation measures whether it does.
2. GAT (``gat.py``): per-device scores (log-probabilities of local / each server) from the
   device-server graph; they join the DRL input (Alg. 2 step 6) and give a candidate of their own.
3. DRL (``drl.py``): the shared Q-network over [device features, GAT scores, DT forecast] gives
   each device's choice (the proposal) and its runner-up. Without DRL (the paper's "heuristic
   replacement") the GAT's ranking is the proposal, or, without both, greedy best response.
4. MARL (``marl.py``): the servers are learning leaders; the agent's env becomes the
   ``LeaderMarket`` of the given env's config, whose observations carry the announced prices the
   devices answer. Without MARL the env's own (fixed) prices stand.
5. Fusion (eq. 23): among the candidates (DRL proposal, GAT argmax, all-local) the one with the
   lowest w_cost mean cost - w_fairness Jain - w_utility sum of server utilities, scored by the
   oracle at the announced prices; the defaults (1, 0, 0) select by the env's own objective.
6. QIO (``qio.py``) refines the fused decision: one bit for each of the ``qio_devices`` devices
   whose top two choices are closest in value, bit 1 swapping its choice for the other of the two
   (a first version searched every device's bit from a uniform start: its random mixes never beat
   the proposal, so QIO changed nothing); the refined decision replaces the fused one only if the
   fusion objective prefers it.

Learning (``learn``): the twin refits every ``twin_fit_interval`` slots; the GAT imitates the
oracle's local search at the announced prices (unless given pre-trained with ``train_gat=False``);
the DQN learns from the executed fused decision with epsilon exploration per device; the leaders
learn in the market. QIO is skipped while learning (``refine_while_learning``) to save time.

Measured (the former ``benchmarks/iot_tables.py``, now ``mec-gym reproduce iot``; N = 50, seeds 0-2, 400 learning slots, GAT
pre-trained for 300): mean device cost 0.0430 full; without DT 0.0428 and without GAT 0.0457 (no
effect beyond the seeds' spread), without DRL 0.0442 and without QIO 0.0460 (both help), without
MARL 0.0361: the leaders raise prices to ~0.8 per Gcycle, which the devices pay, and lift the
servers' total utility from -0.52 to -0.30. The full method beats all-local (0.0557) on cost at
N = 50, 100, 150 but not the GAT alone at fixed prices (0.0372) - it plays a different game.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from baselines import heuristics
from baselines.common.networks import seed_torch, torch_threads
from baselines.common.persistence import load_checkpoint, save_checkpoint
from baselines.iot.common import PricedView, advance, device_features, feature_size, record_frame, split_observation
from baselines.iot.drl import DQNConfig, QLearner, device_rewards
from baselines.iot.gat import GATConfig, IoTGAT
from baselines.iot.marl import LeaderMarket, MARLConfig, PriceLeaders
from baselines.iot.twin import DigitalTwin, TwinConfig
from baselines.qio import QIOConfig, qio_search
from mec_gym.core.validation import require_float, require_int
from mec_gym.multiagent.iot import MultiServerIoTParallelEnv

MODULES = ("dt", "gat", "marl", "drl", "qio")


@dataclass
class UnifiedConfig:
    use_dt: bool = True
    use_gat: bool = True
    use_marl: bool = True
    use_drl: bool = True
    use_qio: bool = True
    train_gat: bool = True  # False: keep a GAT given pre-trained as it is
    twin_fit_interval: int = 50  # slots between twin refits
    twin_fit_steps: int = 50  # Adam steps per refit
    refine_while_learning: bool = False  # run QIO on the slots used for learning too
    qio_population: int = 30  # the paper's
    qio_iterations: int = 100  # the paper's
    qio_devices: int = 16  # devices QIO may change: those with the smallest gap to their runner-up
    marl_price_stride: int = 1  # the leaders' grid: every k-th price of the env's
    fusion_cost: float = 1.0  # w in eq. 23 on the mean device cost
    fusion_fairness: float = 0.0  # on Jain's index
    fusion_utility: float = 0.0  # on the servers' total utility
    torch_threads: int | None = 1

    def __post_init__(self):
        for name, low in (("twin_fit_interval", 1), ("twin_fit_steps", 0), ("qio_population", 1),
                          ("qio_iterations", 1), ("qio_devices", 1),
                          ("marl_price_stride", 1)):
            require_int(name, getattr(self, name), low)
        for name in ("fusion_cost", "fusion_fairness", "fusion_utility"):
            require_float(name, getattr(self, name), 0.0)
        if self.torch_threads is not None:
            require_int("torch_threads", self.torch_threads, 1)

    @classmethod
    def without(cls, module: str, **overrides) -> UnifiedConfig:
        """The ablation that drops one module ("dt", "gat", "marl", "drl" or "qio")."""
        if module not in MODULES:
            raise ValueError(f"module must be one of {list(MODULES)}; got {module!r}")
        return cls(**{f"use_{module}": False, **overrides})


class UnifiedIoT:
    """``UnifiedIoT(env, config, seed, gat=None, twin=None).learn(frames)``; ``predict(obs)`` runs
    Algorithm 2 on the slot ``obs`` shows. ``env`` is the agent's env (the ``LeaderMarket`` of the
    given env's config when MARL is on)."""

    config_class = UnifiedConfig

    def __init__(self, env, config: UnifiedConfig | None = None, seed: int = 0, gat: IoTGAT | None = None,
                 twin: DigitalTwin | None = None):
        self.config, self.seed = config or UnifiedConfig(), seed
        cfg = self.config
        seed_torch(seed)
        self.rng = np.random.default_rng(seed)
        self.env_config = env.unwrapped.config
        self.m = self.env_config.num_servers
        self.leaders = None
        if cfg.use_marl:
            marl = MARLConfig(price_stride=cfg.marl_price_stride)
            self.leaders = PriceLeaders(self.m, np.asarray(self.env_config.price_grid), marl, self.rng)
            parallel = MultiServerIoTParallelEnv(pricing_agents=True, **dataclasses.asdict(self.env_config))
            env = LeaderMarket(parallel, self.leaders, learning=False)
        self.env = env
        threads = cfg.torch_threads
        self.twin = twin or (DigitalTwin(env, TwinConfig(torch_threads=threads), seed) if cfg.use_dt else None)
        self.gat = gat or (IoTGAT(env, GATConfig(torch_threads=threads), seed) if cfg.use_gat else None)
        self.dqn_config = DQNConfig(torch_threads=threads)
        size = feature_size(self.m) + (self.m + 1 if cfg.use_gat else 0) + (2 + self.m if cfg.use_dt else 0)
        self.learner = QLearner(size, self.m + 1, self.dqn_config, self.rng) if cfg.use_drl else None
        self.qio = QIOConfig(population=cfg.qio_population, iterations=cfg.qio_iterations)
        self.history: dict[str, list[float]] = {"reward": [], "loss": [], "latency_ms": [], "energy_j": [],
                                                "fairness": [], "utility": []}
        self._observation = None

    # ----- the stages --------------------------------------------------------------------------
    def _inputs(self, observation) -> tuple[np.ndarray, np.ndarray | None]:
        """DRL input (N, F) and the GAT scores (N, M + 1) or None (steps 1-2, 4-6)."""
        parts, scores = [device_features(observation, self.env_config)], None
        if self.gat is not None and self.config.use_gat:
            scores = self.gat.scores(observation)
            parts.append(np.maximum(scores, -10.0))
        if self.twin is not None and self.config.use_dt:
            self.twin.update(observation)
            forecast = self.twin.forecast()
            efficiency = np.log2(1.0 + self.env_config.transmit_power * np.exp(forecast["log_gain"])
                                 / self.env_config.noise_power) / 5.0
            parts.append(np.column_stack([forecast["log_data"] - np.log(1e5), forecast["log_cycles"] - np.log(1e7),
                                          efficiency]))
        return np.column_stack(parts).astype(np.float32), scores

    def _ranking(self, inputs, scores, view) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each device's proposal, runner-up and the value gap between them (step 7), from DRL,
        else the GAT, else greedy best response (runner-up local, no gap known)."""
        values = self.learner.q_values(inputs) if self.learner is not None else scores
        if values is None:
            proposal = np.asarray(heuristics.best_response_policy(view, self.rng), dtype=np.int64)
            return proposal, np.zeros_like(proposal), np.zeros(len(proposal))
        order = np.argsort(-values, axis=1, kind="stable")
        rows = np.arange(len(values))
        return order[:, 0], order[:, 1], values[rows, order[:, 0]] - values[rows, order[:, 1]]

    def _fused(self, evaluation) -> np.ndarray:
        """Eq. 23's objective of each candidate (lower is better)."""
        cfg, info = self.config, evaluation.info
        return (cfg.fusion_cost * info["mean_cost"] - cfg.fusion_fairness * info["fairness"]
                - cfg.fusion_utility * info["server_utility"].sum(axis=1))

    def _decide(self, observation, refine: bool) -> tuple[np.ndarray, np.ndarray]:
        """(the fused decision (N,), the DRL input (N, F)) for the slot ``observation`` shows."""
        view = PricedView(self.env, split_observation(observation, self.env.unwrapped.config)[1])
        inputs, scores = self._inputs(observation)
        first, second, gap = self._ranking(inputs, scores, view)
        candidates = [first, np.zeros_like(first)] + ([np.argmax(scores, axis=1)] if scores is not None else [])
        best = self._best(view, np.stack(candidates))
        if refine and self.config.use_qio:
            # QIO over the most uncertain devices: bit 1 swaps the device's choice in ``best``
            # for its other ranked choice
            devices = np.argsort(gap, kind="stable")[:self.config.qio_devices]
            other = np.where(best[devices] == first[devices], second[devices], first[devices])

            def decisions(bits):
                batch = np.repeat(best[None], len(bits), axis=0)
                batch[:, devices] = np.where(bits == 1, other, best[devices])
                return batch

            bits, _ = qio_search(lambda b: view.evaluate(decisions(b)).rewards, np.full(len(devices), 2), self.rng,
                                 self.qio)
            best = self._best(view, np.stack([best, decisions(bits[None])[0]]))
        return best, inputs

    def _best(self, view, candidates: np.ndarray) -> np.ndarray:
        """Step 12: the candidate with the lowest eq. 23 objective."""
        return candidates[int(np.argmin(self._fused(view.evaluate(candidates))))]

    def predict(self, observation) -> np.ndarray:
        with torch_threads(self.config.torch_threads):
            return self._decide(np.asarray(observation), refine=True)[0].astype(np.int64)

    act = predict  # the leaderboard's agent interface

    # ----- learning ----------------------------------------------------------------------------
    def learn(self, total_frames: int, callback=None) -> UnifiedIoT:
        cfg = self.config
        if isinstance(self.env, LeaderMarket):
            self.env.learning = True
        with torch_threads(cfg.torch_threads):
            if self._observation is None:
                self._observation, _ = self.env.reset(seed=self.seed)
            observation = self._observation
            for frame in range(total_frames):
                view = PricedView(self.env, split_observation(observation, self.env.unwrapped.config)[1])
                if self.gat is not None and cfg.use_gat and cfg.train_gat:
                    self.gat.remember(observation, view.optimum_action())
                    for _ in range(self.gat.config.train_steps_per_frame):
                        self.gat.train_step()
                action, inputs = self._decide(observation, refine=cfg.refine_while_learning)
                if self.learner is not None:
                    flip = self.rng.random(len(action)) < self.dqn_config.epsilon
                    action = np.where(flip, self.rng.integers(0, self.m + 1, len(action)), action)
                local = view.evaluate(np.zeros((1, len(action)), dtype=np.int64)).info["cost"][0]
                following, reward, terminated, truncated, info = self.env.step(action)
                loss = float("nan")
                if self.learner is not None:
                    # the next slot's input is built when it is decided; bootstrap from its base features
                    next_inputs = self._next_inputs(following, inputs)
                    self.learner.store(inputs, action, device_rewards(info["cost"], local, self.dqn_config.cost_clip),
                                       next_inputs)
                    loss = self.learner.train_step()
                    if frame % self.dqn_config.target_update == 0:
                        self.learner.sync_target()
                if self.twin is not None and cfg.use_dt and (frame + 1) % cfg.twin_fit_interval == 0:
                    self.twin.fit(cfg.twin_fit_steps)
                record_frame(self.history, {"reward": reward, "loss": loss, "latency_ms": info["latency_ms"],
                                            "energy_j": info["energy_j"], "fairness": info["fairness"],
                                            "utility": np.sum(info["server_utility"])}, callback)
                observation = advance(self.env, following, terminated, truncated)
            self._observation = observation
        if isinstance(self.env, LeaderMarket):
            self.env.learning = False
        return self

    def _next_inputs(self, next_observation, inputs) -> np.ndarray:
        """The next slot's DRL input for bootstrapping: its own base features, the current slot's
        GAT and DT columns (computing them here would advance the twin twice per slot)."""
        base = device_features(next_observation, self.env_config)
        return np.column_stack([base, inputs[:, base.shape[1]:]]).astype(np.float32)

    # ----- persistence -------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        payload = {"gat": self.gat.network.state_dict() if self.gat is not None else None,
                   "twin": (self.twin.model.state_dict(), self.twin.stats) if self.twin is not None else None,
                   "q": self.learner.network.state_dict() if self.learner is not None else None,
                   "leaders": (self.leaders.values, self.leaders.counts) if self.leaders is not None else None}
        save_checkpoint(path, self.config, self.seed, **payload)

    @classmethod
    def load(cls, path: str | Path, env) -> UnifiedIoT:
        saved, config = load_checkpoint(path, cls.config_class)
        agent = cls(env, config, seed=saved["seed"])
        if saved["gat"] is not None:
            agent.gat.network.load_state_dict(saved["gat"])
        if saved["twin"] is not None:
            agent.twin.model.load_state_dict(saved["twin"][0])
            agent.twin.stats = saved["twin"][1]
        if saved["q"] is not None:
            agent.learner.network.load_state_dict(saved["q"])
            agent.learner.sync_target()
        if saved["leaders"] is not None:
            agent.leaders.values, agent.leaders.counts = saved["leaders"]
        return agent
