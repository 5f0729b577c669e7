"""Independent PPO on the MultiServerIoT-v0 ParallelEnv (``mec_gym.multiagent``): a smoke run that
shows the multi-agent variant is learnable (issue 18).

Every device agent runs the same small policy (parameter sharing, as is usual for independent PPO
with exchangeable agents) on its own observation and learns from its own reward (minus its own
cost). A slot's cost depends only on that slot's decisions (fixed prices), so the return is the
one-step reward (gamma = 0) and the advantage is the reward minus the batch's mean reward. PPO's
clipped surrogate, a few epochs per batch. Prints the mean device cost of the greedy learned
policy against random choices on the same evaluation slots, and the wall time.

    python -m benchmarks.marl_ippo
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np


@dataclass
class IPPOConfig:
    num_devices: int = 10
    iterations: int = 30  # PPO batches
    slots_per_batch: int = 16  # slots (each with every device's transition) per batch
    epochs: int = 4
    clip: float = 0.2
    learning_rate: float = 3e-3
    hidden: int = 32
    eval_slots: int = 40


def _mean_cost(env, act, slots: int, seed: int) -> float:
    observations, _ = env.reset(seed=seed)
    costs = []
    for _ in range(slots):
        observations, rewards, *_ = env.step(act(observations))
        costs.append(-np.mean([rewards[agent] for agent in env.devices]))
    return float(np.mean(costs))


def run(config: IPPOConfig | None = None, seed: int = 0) -> dict[str, float]:
    """Train, then evaluate the greedy policy and random choices on the same slots (seeded env)."""
    import torch

    config = config or IPPOConfig()
    from mec_gym.multiagent import MultiServerIoTParallelEnv

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    env = MultiServerIoTParallelEnv(num_devices=config.num_devices, episode_length=10**6)
    size = env.observation_space("device_0").shape[0]
    choices = env.action_space("device_0").n
    policy = torch.nn.Sequential(torch.nn.Linear(size, config.hidden), torch.nn.Tanh(),
                                 torch.nn.Linear(config.hidden, choices))
    optimiser = torch.optim.Adam(policy.parameters(), lr=config.learning_rate)
    observations, _ = env.reset(seed=seed)
    start = time.perf_counter()
    for _ in range(config.iterations):
        inputs, actions, old_logp, rewards = [], [], [], []
        for _ in range(config.slots_per_batch):
            x = torch.as_tensor(np.stack([observations[a] for a in env.devices]))
            with torch.no_grad():
                dist = torch.distributions.Categorical(logits=policy(x))
                action = dist.sample()
            observations, reward, *_ = env.step({a: int(action[i]) for i, a in enumerate(env.devices)})
            inputs.append(x)
            actions.append(action)
            old_logp.append(dist.log_prob(action))
            rewards.append(torch.as_tensor([reward[a] for a in env.devices], dtype=torch.float32))
        x, action, old_logp, reward = (torch.cat(v) for v in (inputs, actions, old_logp, rewards))
        advantage = (reward - reward.mean()) / (reward.std() + 1e-8)
        for _ in range(config.epochs):
            logp = torch.distributions.Categorical(logits=policy(x)).log_prob(action)
            ratio = torch.exp(logp - old_logp)
            loss = -torch.min(ratio * advantage, torch.clamp(ratio, 1 - config.clip, 1 + config.clip) * advantage).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    seconds = time.perf_counter() - start

    def greedy(obs):
        with torch.no_grad():
            logits = policy(torch.as_tensor(np.stack([obs[a] for a in env.devices])))
        return {a: int(logits[i].argmax()) for i, a in enumerate(env.devices)}

    def uniform(obs):
        return {a: int(rng.integers(choices)) for a in env.devices}

    return {"ippo_cost": _mean_cost(env, greedy, config.eval_slots, 10_000 + seed),
            "random_cost": _mean_cost(env, uniform, config.eval_slots, 10_000 + seed),
            "train_seconds": seconds,
            "frames": config.iterations * config.slots_per_batch}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)
    config = IPPOConfig()
    print(f"independent PPO, {config.num_devices} device agents, {config.iterations} batches x "
          f"{config.slots_per_batch} slots; mean device cost on {config.eval_slots} evaluation slots")
    for seed in args.seeds:
        result = run(config, seed)
        print(f"seed {seed}: IPPO {result['ippo_cost']:.4f}  random {result['random_cost']:.4f}  "
              f"ratio {result['ippo_cost'] / result['random_cost']:.3f}  ({result['train_seconds']:.1f} s training)")


if __name__ == "__main__":
    main()
