"""`mec-gym dataset`: Minari datasets that round-trip, with the oracle's reference per step."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("minari")
pytest.importorskip("h5py")

import minari  # noqa: E402

from benchmarks.cli import main  # noqa: E402


@pytest.fixture(autouse=True)
def datasets_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "datasets"))


def _replay_optimum(env_id: str, episodes: int, steps: int, seed: int = 0):
    """Observations and actions of the optimum policy, recorded here without Minari."""
    env = gym.make(env_id, episode_length=steps)
    recorded = []
    for e in range(episodes):
        observation, _ = env.reset(seed=seed + e)
        observations, actions, rewards = [observation], [], []
        for _ in range(steps):
            action = env.unwrapped.optimum().action
            observation, reward, _, truncated, _ = env.step(action)
            observations.append(observation)
            actions.append(action)
            rewards.append(reward)
        assert truncated
        recorded.append((np.array(observations), actions, np.array(rewards)))
    return recorded


def test_ten_wpmec_episodes_round_trip():
    assert main(["dataset", "WPMEC-v0", "--episodes", "10", "--steps", "4", "--out", "mec-gym/wpmec-optimum-v0"]) == 0
    dataset = minari.load_dataset("mec-gym/wpmec-optimum-v0")
    assert dataset.total_episodes == 10 and dataset.total_steps == 40
    for episode, (observations, actions, rewards) in zip(dataset, _replay_optimum("WPMEC-v0", 10, 4)):
        np.testing.assert_array_equal(episode.observations, observations)
        np.testing.assert_array_equal(episode.actions, np.array(actions))
        np.testing.assert_array_equal(episode.rewards, rewards)
        infos = episode.infos
        # the optimum policy earns the oracle's reward in every state it acts in; N = 10 is enumerated: certified
        np.testing.assert_array_equal(infos["oracle_reward"][:-1], rewards)
        np.testing.assert_array_equal(infos["oracle_action"][:-1], np.array(actions))
        assert infos["oracle_certified"].all() and len(infos["oracle_reward"]) == len(observations)
        np.testing.assert_allclose(infos["oracle_bound"], infos["oracle_reward"], rtol=1e-9)


def test_other_policies_carry_the_oracle_reference():
    """A random policy's rewards never beat the oracle's, and the labels are the states' optima."""
    assert main(["dataset", "PQC-NOMA-v0", "--policy", "random", "--episodes", "2", "--steps", "5",
                 "--out", "mec-gym/pqc-random-v0"]) == 0
    dataset = minari.load_dataset("mec-gym/pqc-random-v0")
    env = gym.make("PQC-NOMA-v0", episode_length=5)
    for index, episode in enumerate(dataset):
        assert (episode.rewards <= episode.infos["oracle_reward"][:-1] + 1e-9).all()
        observation, _ = env.reset(seed=index)
        np.testing.assert_array_equal(observation, episode.observations[0])
        assert env.unwrapped.optimum().reward == episode.infos["oracle_reward"][0]


def test_dict_actions_round_trip():
    assert main(["dataset", "MEQC-GaussMarkov-v0", "--episodes", "1", "--steps", "3",
                 "--out", "mec-gym/meqc-optimum-v0"]) == 0
    episode = next(iter(minari.load_dataset("mec-gym/meqc-optimum-v0")))
    (observations, actions, _), = _replay_optimum("MEQC-GaussMarkov-v0", 1, 3)
    np.testing.assert_array_equal(episode.observations, observations)
    for key in ("fraction", "target"):
        np.testing.assert_array_equal(episode.actions[key], np.array([a[key] for a in actions]))
        np.testing.assert_array_equal(episode.infos["oracle_action"][key][:-1], np.array([a[key] for a in actions]))


def test_bad_requests_are_refused(capsys):
    assert main(["dataset", "WPMEC-v0", "--policy", "droo", "--episodes", "1", "--out", "mec-gym/x-v0"]) == 2
    assert "allowed" in capsys.readouterr().err  # trainers would record their own learning
    assert main(["dataset", "WPMEC-V0", "--episodes", "1", "--out", "mec-gym/x-v0"]) == 2
    assert main(["dataset", "WPMEC-v0", "--episodes", "0", "--out", "mec-gym/x-v0"]) == 2
    assert main(["dataset", "WPMEC-v0", "--episodes", "1", "--steps", "2", "--out", "mec-gym/y-v0"]) == 0
    assert main(["dataset", "WPMEC-v0", "--episodes", "1", "--steps", "2", "--out", "mec-gym/y-v0"]) == 2


def test_offline_droo_learns_from_the_dataset_alone():
    """DROO.learn_offline fits the oracle's decisions without touching the env: its actor's
    rounding matches most of the dataset's decisions after a few hundred steps."""
    from baselines.droo import DROO, DROOConfig

    assert main(["dataset", "WPMEC-v0", "--episodes", "4", "--steps", "50", "--out", "mec-gym/w-v0"]) == 0
    dataset = minari.load_dataset("mec-gym/w-v0")
    observations = np.concatenate([e.observations[:-1] for e in dataset])
    actions = np.concatenate([e.actions for e in dataset])
    env = gym.make("WPMEC-v0")
    agent = DROO(env, DROOConfig(), seed=0)
    before = np.mean([(agent.relaxed(o) > 0.5) == a for o, a in zip(observations, actions)])
    agent.learn_offline(observations, actions, train_steps=300)
    after = np.mean([(agent.relaxed(o) > 0.5) == a for o, a in zip(observations, actions)])
    assert after > max(before, 0.85)
    with pytest.raises(RuntimeError):  # the env was never reset: no oracle call could have happened
        _ = env.unwrapped.state
