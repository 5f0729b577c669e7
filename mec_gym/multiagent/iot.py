"""MultiServerIoT-v0 as a PettingZoo ParallelEnv: every device is an agent, optionally every server
a pricing agent (the MARL setting of seed 003). All agents act at once; the episode truncates with
the underlying env (``episode_length``).

| agent | observation | action | reward | info |
|---|---|---|---|---|
| ``device_i`` | Box(0, 10, (3 + 3M,)): its task (D in Mbit, C in Gcycles, f_local in GHz), its channel to each server (-log10 gain / 20), the servers' loads in the last slot (share of devices), their prices | Discrete(M + 1): 0 local, j server j | N x its ``info["device_rewards"]`` entry = minus its own cost (times ``reward_scale``) | ``cost``, ``latency`` (s), ``energy`` (J), ``choice`` (its action), ``uplink_rate`` (bit/s) |
| ``server_j`` (``pricing_agents=True``) | Box(0, 10, (2M,)): the loads and the prices | Discrete(len(price_grid)): its price for the slot | its utility (revenue - lambda E - mu latency) | ``load`` (devices), ``utility``, ``price`` |

``state()`` (for centralised critics): Box(0, 10, (N (3 + M) + M + M,)): the single env's
observation (every device's task and channels, then the prices) followed by the last slot's loads.
"""

from __future__ import annotations

import functools

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from mec_gym.envs.multiserver_iot.env import OBSERVATION_HIGH, MultiServerIoTEnv


class MultiServerIoTParallelEnv(ParallelEnv):
    metadata = {"name": "multiserver_iot_v0", "render_modes": []}

    def __init__(self, pricing_agents: bool = False, **config):
        self.env = MultiServerIoTEnv(**config)
        cfg = self.env.config
        self.pricing_agents = pricing_agents
        self.devices = [f"device_{i}" for i in range(cfg.num_devices)]
        self.servers = [f"server_{j}" for j in range(cfg.num_servers)] if pricing_agents else []
        self.possible_agents = self.devices + self.servers
        self.agents: list[str] = []
        self._load = np.zeros(cfg.num_servers)

    @functools.lru_cache(maxsize=None)  # noqa: B019  (one space object per agent, as PettingZoo expects)
    def observation_space(self, agent):
        m = self.env.config.num_servers
        size = 3 + 3 * m if agent.startswith("device") else 2 * m  # own task and channels, then loads and prices
        return spaces.Box(0.0, OBSERVATION_HIGH, shape=(size,), dtype=np.float32)

    @functools.cached_property
    def state_space(self) -> spaces.Box:
        size = self.env.observation_space.shape[0] + self.env.config.num_servers
        return spaces.Box(0.0, OBSERVATION_HIGH, shape=(size,), dtype=np.float32)

    def state(self) -> np.ndarray:
        """The global state for a centralised critic: the single env's observation, then the loads."""
        observation = self.env.observe()
        loads = np.clip(self._load / self.env.config.num_devices, 0.0, OBSERVATION_HIGH)
        return np.concatenate([observation, loads]).astype(np.float32)

    @functools.lru_cache(maxsize=None)  # noqa: B019
    def action_space(self, agent):
        if agent.startswith("device"):
            return spaces.Discrete(self.env.config.num_servers + 1)
        return spaces.Discrete(len(self.env.config.price_grid))

    def _observations(self):
        state, task = self.env.state, self.env.task()
        shared = np.concatenate([self._load / self.env.config.num_devices, state["prices"]])
        own = np.column_stack([state["data_bits"] / 1e6, state["cycles"] / 1e9, state["device_cpu"] / 1e9,
                               -np.log10(np.maximum(task["gain"], 1e-300)) / 20.0])
        observations = {agent: np.clip(np.concatenate([own[i], shared]), 0, OBSERVATION_HIGH).astype(np.float32)
                        for i, agent in enumerate(self.devices)}
        observations.update({agent: np.clip(shared, 0, OBSERVATION_HIGH).astype(np.float32) for agent in self.servers})
        return observations

    def reset(self, seed=None, options=None):
        # only "state" means something to the env; other option names are ignored, as PettingZoo envs do
        self.env.reset(seed=seed, options={key: value for key, value in (options or {}).items() if key == "state"})
        self.agents = list(self.possible_agents)
        self._load = np.zeros(self.env.config.num_servers)
        return self._observations(), {agent: {} for agent in self.agents}

    def _action(self, actions, agent):
        if agent not in actions:
            raise ValueError(f"actions must hold one action per live agent; {agent!r} is missing")
        value = np.asarray(actions[agent])
        space = self.action_space(agent)
        if value.shape != () or not np.issubdtype(value.dtype, np.integer) or not 0 <= int(value) < space.n:
            raise ValueError(f"action of {agent!r} must be an integer in [0, {space.n - 1}]; got {actions[agent]!r}")
        return int(value)

    def step(self, actions):
        # every action is checked before anything changes: a bad one leaves the state untouched
        assignment = np.array([self._action(actions, agent) for agent in self.devices], dtype=np.int64)
        prices = [self._action(actions, agent) for agent in self.servers]
        if self.pricing_agents:
            # the leaders' move for this slot (the env's own Stackelberg pricing, if configured,
            # sets the next slot's prices, which these actions then override)
            self.env.override_state({"prices": np.asarray(self.env.config.price_grid, dtype=np.float64)[prices]})
        _, _, _, truncated, info = self.env.step(assignment)
        self._load = np.asarray(info["server_load"], dtype=np.float64)
        n = len(self.devices)
        rewards = {agent: float(n * info["device_rewards"][i]) for i, agent in enumerate(self.devices)}
        rewards.update({agent: float(info["server_utility"][j]) for j, agent in enumerate(self.servers)})
        observations = self._observations()
        terminations = {agent: False for agent in self.agents}
        truncations = {agent: bool(truncated) for agent in self.agents}
        infos = {agent: {"cost": float(info["cost"][i]), "latency": float(info["latency"][i]),
                         "energy": float(info["energy"][i]), "choice": int(assignment[i]),
                         "uplink_rate": float(info["uplink_rate"][i])} for i, agent in enumerate(self.devices)}
        infos.update({agent: {"load": float(info["server_load"][j]), "utility": float(info["server_utility"][j]),
                              "price": float(info["prices"][j])} for j, agent in enumerate(self.servers)})
        if truncated:
            self.agents = []
        return observations, rewards, terminations, truncations, infos
