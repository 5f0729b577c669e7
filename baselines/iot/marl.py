"""Stackelberg MARL for MultiServerIoT-v0 (seed 003, TSG-MARL, eqs. 15-17) on the PettingZoo
variant ``MultiServerIoTParallelEnv(pricing_agents=True)``: the servers lead with learned prices,
the devices follow.

Leaders (chosen): each server is an independent learner over the env's price grid (every
``price_stride``-th price) maximising its utility U_j = revenue - lambda E_j - mu D_j (eq. 15, the
env's server reward). Eq. 17 with one state: the slot's tasks and channels are redrawn
independently of the price, so a leader's Q-value per price is its expected utility; estimates
move by a constant step ``learning_rate`` (the other leaders keep moving), prices never tried are
tried first, then epsilon-greedy (the paper's epsilon 0.1).
Followers: every slot the leaders move first; the devices then answer the announced prices,
through any fixed policy ``policy(view, rng)`` run on the env seen at those prices
(``PricedView``): ``"best-response"`` (each device in turn lowers its own cost, eq. 16 myopically;
the default), ``"local-search"`` (the oracle's coordinate descent on the mean cost), or a callable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import gymnasium as gym
import numpy as np

from baselines import heuristics
from baselines.common.persistence import load_checkpoint, save_checkpoint
from baselines.iot.common import PricedView, advance, record_frame
from mec_gym.core.validation import require_choice, require_float, require_int
from mec_gym.envs.multiserver_iot.env import OBSERVATION_HIGH

FOLLOWERS: dict[str, Callable] = {
    "best-response": heuristics.best_response_policy,
    "local-search": lambda view, rng: view.optimum_action(),
}


@dataclass
class MARLConfig:
    learning_rate: float = 0.1  # step of each leader's utility estimate per price
    epsilon: float = 0.1  # leaders' exploration (the paper's)
    price_stride: int = 1  # leaders use every k-th price of the env's price_grid
    follower: str = "best-response"  # the devices' answer to announced prices (see FOLLOWERS)

    def __post_init__(self):
        require_float("learning_rate", self.learning_rate, 0.0, 1.0, low_open=True)
        require_float("epsilon", self.epsilon, 0.0, 1.0)
        require_int("price_stride", self.price_stride, 1)
        require_choice("follower", self.follower, tuple(FOLLOWERS))


class PriceLeaders:
    """Independent epsilon-greedy learners, one per server, over grid indices (M leaders x G prices)."""

    def __init__(self, num_servers: int, grid: np.ndarray, config: MARLConfig, rng: np.random.Generator):
        self.indices = np.arange(0, len(grid), config.price_stride)  # positions in the env's grid
        self.grid, self.config, self.rng = np.asarray(grid, dtype=np.float64), config, rng
        self.values = np.zeros((num_servers, len(self.indices)))
        self.counts = np.zeros((num_servers, len(self.indices)), dtype=np.int64)

    def choose(self, explore: bool) -> np.ndarray:
        """Each leader's choice (M,) as a position in the env's price grid."""
        best = np.argmax(np.where(self.counts > 0, self.values, -np.inf), axis=1)
        if explore:
            untried = self.counts == 0
            for j in np.flatnonzero(untried.any(axis=1)):
                best[j] = self.rng.choice(np.flatnonzero(untried[j]))
            flip = (self.rng.random(len(best)) < self.config.epsilon) & ~untried.any(axis=1)
            best = np.where(flip, self.rng.integers(0, len(self.indices), len(best)), best)
        return self.indices[best]

    def prices(self, choice: np.ndarray) -> np.ndarray:
        return self.grid[choice]

    def update(self, choice: np.ndarray, utilities: np.ndarray) -> None:
        arm, servers = np.searchsorted(self.indices, choice), np.arange(len(choice))
        first = self.counts[servers, arm] == 0
        step = np.where(first, 1.0, self.config.learning_rate)
        self.values[servers, arm] += step * (np.asarray(utilities) - self.values[servers, arm])
        self.counts[servers, arm] += 1


class LeaderMarket(gym.Env):
    """MultiServerIoT-v0 with learning leaders, in the gym shape devices know: the action is the
    devices' assignment, the observation the flat one of MultiServerIoT-v0 whose prices are the
    ones the leaders announce for the coming slot (Stackelberg: leaders first). Built on
    ``MultiServerIoTParallelEnv(pricing_agents=True)``; ``unwrapped`` is its MultiServerIoT env
    (``evaluate`` there uses the previous slot's prices: evaluate through ``PricedView(env,
    announced)``). ``info`` is the oracle's for the slot at the announced prices. While
    ``learning`` the leaders explore and update from their utilities; otherwise they are greedy."""

    metadata = {"render_modes": []}

    def __init__(self, parallel_env, leaders: PriceLeaders, learning: bool = True):
        if not getattr(parallel_env, "pricing_agents", False):
            raise ValueError("LeaderMarket needs MultiServerIoTParallelEnv(pricing_agents=True)")
        self.parallel, self.leaders, self.learning = parallel_env, leaders, learning
        self.observation_space, self.action_space = parallel_env.env.observation_space, parallel_env.env.action_space
        self.choice = None

    @property
    def unwrapped(self):
        return self.parallel.env

    @property
    def announced(self) -> np.ndarray:
        """The prices (M,) of the coming slot."""
        return self.leaders.prices(self.choice)

    def _flat(self, observations) -> np.ndarray:
        m = self.parallel.env.config.num_servers
        own = [observations[agent][:3 + m] for agent in self.parallel.devices]
        return np.concatenate([*own, np.clip(self.announced, 0.0, OBSERVATION_HIGH)]).astype(np.float32)

    def reset(self, *, seed=None, options=None):
        observations, _ = self.parallel.reset(seed=seed, options=options)
        self.choice = self.leaders.choose(explore=self.learning)
        return self._flat(observations), {}

    def step(self, action):
        assignment = np.asarray(action, dtype=np.int64)
        info = PricedView(self.parallel.env, self.announced).evaluate(assignment[None]).take(0)
        info["prices"] = self.announced
        actions = {**dict(zip(self.parallel.devices, map(int, assignment))),
                   **dict(zip(self.parallel.servers, map(int, self.choice)))}
        observations, rewards, _, truncations, _ = self.parallel.step(actions)
        if self.learning:
            self.leaders.update(self.choice, np.array([rewards[agent] for agent in self.parallel.servers]))
        self.choice = self.leaders.choose(explore=self.learning)
        return self._flat(observations), -float(info["mean_cost"]), False, bool(any(truncations.values())), info


class StackelbergMARL:
    """Learning leaders and answering followers on ``MultiServerIoTParallelEnv(pricing_agents=True)``:
    ``StackelbergMARL(parallel_env, config, seed).learn(frames)``; ``predict()`` gives every agent's
    action for the current slot (greedy prices, the followers' answer); ``market`` is the same game
    in the gym shape (``LeaderMarket``)."""

    config_class = MARLConfig

    def __init__(self, env, config: MARLConfig | None = None, seed: int = 0, follower: Callable | None = None):
        if not getattr(env, "pricing_agents", False):
            raise ValueError("StackelbergMARL needs MultiServerIoTParallelEnv(pricing_agents=True)")
        self.env, self.config, self.seed = env, config or MARLConfig(), seed
        self.rng = np.random.default_rng(seed)
        self.follower = follower or FOLLOWERS[self.config.follower]
        cfg = env.env.config
        self.leaders = PriceLeaders(cfg.num_servers, np.asarray(cfg.price_grid), self.config, self.rng)
        self.market = LeaderMarket(env, self.leaders)
        self.history: dict[str, list[float]] = {"utility": [], "mean_cost": [], "mean_price": []}
        self._started = False

    def answer(self, prices) -> np.ndarray:
        """The followers' assignment at announced ``prices`` (M,) on the current slot."""
        return np.asarray(self.follower(PricedView(self.env.env, prices), self.rng), dtype=np.int64)

    def predict(self, observations=None) -> dict[str, int]:
        """Every agent's action for the env's current slot (the leaders greedy)."""
        choice = self.leaders.choose(explore=False)
        assignment = self.answer(self.leaders.prices(choice))
        return {**dict(zip(self.env.devices, map(int, assignment))), **dict(zip(self.env.servers, map(int, choice)))}

    def learn(self, total_frames: int, callback=None) -> StackelbergMARL:
        self.market.learning = True
        if not self._started:
            self.market.reset(seed=self.seed)
            self._started = True
        for _ in range(total_frames):
            prices = self.market.announced
            following, _, terminated, truncated, info = self.market.step(self.answer(prices))
            record_frame(self.history, {"utility": np.sum(info["server_utility"]), "mean_cost": info["mean_cost"],
                                        "mean_price": np.mean(prices)}, callback)
            advance(self.market, following, terminated, truncated)
        self.market.learning = False
        return self

    def save(self, path: str | Path) -> None:
        save_checkpoint(path, self.config, self.seed, values=self.leaders.values, counts=self.leaders.counts)

    @classmethod
    def load(cls, path: str | Path, env, follower: Callable | None = None) -> StackelbergMARL:
        saved, config = load_checkpoint(path, cls.config_class)
        agent = cls(env, config, seed=saved["seed"], follower=follower)
        agent.leaders.values, agent.leaders.counts = saved["values"], saved["counts"]
        return agent
