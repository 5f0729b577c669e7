"""CPDRL: the straight-through estimator, the masks of eq. (11), and a smoke run."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

import mec_gym  # noqa: F401
from baselines.cpdrl import CPDRL, CPDRLConfig, shape_action, straight_through
from baselines.heuristics import random_policy


def test_straight_through_is_binary_forward_and_sigmoid_backward():
    score = torch.tensor([-2.0, -0.1, 0.3, 1.5], requires_grad=True)
    out = straight_through(score, sharpness=2.0)
    assert out.tolist() == [0.0, 0.0, 1.0, 1.0]
    out.sum().backward()
    soft = torch.sigmoid(2.0 * score.detach())
    assert torch.allclose(score.grad, 2.0 * soft * (1 - soft))


def test_masks_zero_exactly_the_fields_of_eq_11():
    raw = torch.tensor([[0.7, 0.2, -0.4, 0.9, -0.3, 0.5, 0.6, 0.1]])  # UTD0 offloads, UTD1 stays local
    action, consistency = shape_action(raw, CPDRLConfig.variant("aste-ddpg"))
    fields = action.reshape(2, 4)
    assert fields[0, 0] == 1.0 and fields[0, 3] == -1.0  # offloader: no CPU
    assert fields[1, 0] == -1.0 and fields[1, 1] == -1.0 and fields[1, 2] == -1.0  # local: no band, no power
    assert fields[0, 1] > -1.0 and fields[0, 2] > -1.0 and fields[1, 3] > -1.0
    assert consistency.item() == 0.0
    unmasked, penalty = shape_action(raw, CPDRLConfig.variant("ste-ddpg"))
    assert penalty.item() > 0.0 and unmasked.reshape(2, 4)[0, 3] > -1.0


def test_variant_flags_and_a_bad_name():
    assert CPDRLConfig.variant("cpdrl").consistency_loss and not CPDRLConfig.variant("ddpg").ste
    with pytest.raises(ValueError, match="variant"):
        CPDRLConfig.variant("td3")


@pytest.mark.parametrize("field, value", [("gamma", 1.0), ("tau", 0.0), ("tau", 1.5), ("actor_lr", -1e-4),
                                          ("noise_std", -0.1), ("batch_size", 0), ("hidden", ()),
                                          ("torch_threads", 0)])
def test_bad_config_names_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        CPDRLConfig(**{field: value})


def test_smoke_learns_beats_random_and_round_trips(tmp_path):
    env = gym.make("OFDMA-Consistency-v0", num_devices=3, episode_length=10_000)
    config = CPDRLConfig.variant("cpdrl", learning_starts=32, batch_size=32, actor_lr=1e-3, critic_lr=1e-3)
    agent = CPDRL(env, config, seed=0).learn(400)
    losses = np.array([x for x in agent.history["critic_loss"] if np.isfinite(x)])
    assert losses[-50:].mean() < losses[:50].mean()
    probe = gym.make("OFDMA-Consistency-v0", num_devices=3)
    obs, _ = probe.reset(seed=0)
    rng = np.random.default_rng(0)
    learned = probe.unwrapped.evaluate(agent.predict(obs)[None]).rewards[0]
    random = probe.unwrapped.evaluate(np.stack([random_policy(probe, rng) for _ in range(50)])).rewards.mean()
    assert learned > random
    assert np.mean(agent.history["consistency"][-100:]) > 1.5  # most UTDs consistent (of 3)
    agent.save(tmp_path / "cpdrl.pt")
    loaded = CPDRL.load(tmp_path / "cpdrl.pt", env)
    np.testing.assert_array_equal(loaded.predict(obs), agent.predict(obs))
    # the soft-updated targets come back too, so learning can go on from the checkpoint
    for name in ("actor_target", "critic_target"):
        for saved, restored in zip(getattr(agent, name).parameters(), getattr(loaded, name).parameters()):
            assert torch.equal(saved, restored)
