"""The scenario protocol's public seams (issue 19): the observation codec inverts the observation,
the info schema names every info key, ``evaluate(actions, state=...)`` is pure, trainers score on the
env an observation comes from, and nothing outside a scenario reaches into its state or its
observation layout."""

from __future__ import annotations

import pathlib
import re

import gymnasium as gym
import numpy as np
import pytest

import mec_gym
from mec_gym.core.scenario import QUANTITIES

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(params=mec_gym.ENV_IDS)
def env(request):
    env = gym.make(request.param).unwrapped
    env.reset(seed=3)
    env.action_space.seed(3)
    return env


def test_codec_decodes_the_observation_into_its_sources(env):
    """decode(obs) gives each feature's source quantity back (up to float32 and the clipping),
    computed independently here from the state."""
    codec, state = env.scenario.codec, env.state
    decoded = codec.decode(env.observe())
    sources = env.scenario.features(env.scenario.stack([state]))
    for feature in codec:
        source = np.asarray(sources[feature.name], dtype=np.float64).reshape(-1)
        encoded = feature.encode(source)
        inside = (encoded > feature.low) & (encoded < feature.high) & np.isfinite(encoded)
        # float32 keeps ~6e-8 of the encoded value; through 10^(-x) that is ~1e-5 of a gain
        rtol = 1e-4 if feature.transform == "neglog10" else 1e-6
        assert np.allclose(decoded[feature.name].reshape(-1)[inside], source[inside], rtol=rtol, atol=0), feature.name
    assert codec.dim == env.observation_space.shape[0]


def test_info_schema_names_every_info_key_with_a_known_vocabulary(env):
    _, _, _, _, info = env.step(env.action_space.sample())
    schema = env.scenario.schema()
    assert len(schema) == len(env.scenario.info_schema), "an info key declared twice"
    assert set(info) <= set(schema), sorted(set(info) - set(schema))
    for entry in schema.values():
        assert entry.quantity is None or entry.quantity in QUANTITIES
        if entry.quantity in ("delay", "energy"):
            assert entry.unit == QUANTITIES[entry.quantity] and entry.higher_is_better is False, entry.key
        if entry.quantity == "rate":
            assert entry.unit == "bit/s" and entry.higher_is_better is True, entry.key


# the word a key measuring each shared quantity carries in its name (one vocabulary across the envs)
QUANTITY_WORDS = {"delay": ("latency",), "energy": ("energy",), "rate": ("rate",), "cost": ("cost",),
                  "objective": ("objective", "surrogate")}


def test_one_info_key_name_means_one_unit_and_direction_across_the_envs():
    """A key that several envs report has the same unit, direction and granularity everywhere (and the
    same shared quantity where both declare one); a key measuring a shared quantity is named by its word
    (the delay is ``latency`` in every env, never ``delay``)."""
    seen: dict[str, tuple] = {}
    for env_id in mec_gym.ENV_IDS:
        for entry in gym.make(env_id).unwrapped.scenario.info_schema:
            if entry.quantity is not None:
                assert any(word in entry.key for word in QUANTITY_WORDS[entry.quantity]), (env_id, entry.key)
            if entry.key not in seen:
                seen[entry.key] = (env_id, entry)
                continue
            first_id, first = seen[entry.key]
            for field in ("unit", "higher_is_better", "per"):
                assert getattr(entry, field) == getattr(first, field), (entry.key, field, first_id, env_id)
            if None not in (entry.quantity, first.quantity):
                assert entry.quantity == first.quantity, (entry.key, first_id, env_id)


def test_evaluate_in_a_given_state_is_pure_and_matches_a_reset_into_that_state(env):
    actions = np.stack([env.action_space.sample() for _ in range(3)]) if not isinstance(
        env.action_space, gym.spaces.Dict) else {k: np.stack([env.action_space.sample()[k] for _ in range(3)])
                                                 for k in env.action_space.spaces}
    other = gym.make(env.spec.id).unwrapped
    other.reset(seed=11)
    before = env.state
    scored = env.evaluate(actions, state=other.state)
    after = env.state
    assert all(np.array_equal(before[key], after[key]) for key in before)
    assert np.array_equal(scored.rewards, other.evaluate(actions).rewards)
    with pytest.raises(ValueError, match="missing"):
        env.evaluate(actions, state={key: value for key, value in other.state.items() if key != next(iter(before))})


def test_droo_predicts_on_the_env_given_and_refuses_a_foreign_observation():
    from baselines.droo import DROO, DROOConfig

    train, evaluation = gym.make("WPMEC-v0"), gym.make("WPMEC-v0")
    agent = DROO(train, DROOConfig(memory_size=64, batch_size=16, training_interval=4), seed=0)
    agent.learn(20)
    train.reset(seed=1)
    observation, _ = evaluation.reset(seed=2)
    with pytest.raises(ValueError, match="training env"):
        agent.predict(observation)
    action = agent.predict(observation, env=evaluation)
    candidates = agent.candidates(observation)
    rewards = evaluation.unwrapped.evaluate(candidates).rewards  # the evaluation env's own scores
    assert np.array_equal(action, candidates[np.argmax(rewards)])


def test_override_state_checks_fields_and_leaves_the_env_untouched_on_error():
    env = gym.make("MultiServerIoT-v0").unwrapped
    env.reset(seed=0)
    before = env.state
    with pytest.raises(ValueError, match="prices"):
        env.override_state({"prices": np.array([1.0, -2.0, 1.0])})
    assert all(np.array_equal(before[key], env.state[key]) for key in before)
    observation = env.override_state({"prices": np.array([0.3, 0.2, 0.1])})
    assert np.array_equal(env.state["prices"], [0.3, 0.2, 0.1])
    assert np.allclose(env.scenario.codec.decode(observation)["prices"], [0.3, 0.2, 0.1])


# a consumer reading another object's private state, or an observation by position
PRIVATE_STATE = re.compile(r"\b(?:env|unwrapped|base|parallel|self\.env)\._state\b")
FEATURE_INDEX = re.compile(r"\b(?:obs|observation|flat)\[(?:-?\d+|:?-?\d*\s*\*?\s*self\.n|-?\s*self\.m:?|:-?m\])")


@pytest.mark.parametrize("folder", ["baselines", "benchmarks", "mec_gym/multiagent"])
def test_no_consumer_reaches_into_state_or_observation_layout(folder):
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if PRIVATE_STATE.search(line) or FEATURE_INDEX.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_grep_catches_what_it_forbids():
    assert PRIVATE_STATE.search('self.env._state["prices"] = p') and PRIVATE_STATE.search("env.unwrapped._state")
    assert FEATURE_INDEX.search("view = f(observation[-self.m:])") and FEATURE_INDEX.search("x = flat[-1]")
    assert not PRIVATE_STATE.search("self._state = {}") and not FEATURE_INDEX.search("obs[slices['Z']]")


def test_leaderboard_headline_metrics_come_from_the_info_schema():
    """The summary of a few PQC-NOMA frames is the mean of each headline info key, computed here by hand."""
    from benchmarks.registry import env_metrics

    env = gym.make("PQC-NOMA-v0")
    env.reset(seed=0)
    env.action_space.seed(0)
    rewards, infos = [], []
    for _ in range(5):
        _, reward, _, _, info = env.step(env.action_space.sample())
        rewards.append(reward)
        infos.append(info)
    spec = env_metrics("PQC-NOMA-v0")
    metrics = spec.summarise(np.array(rewards), infos, None)
    assert spec.headline == "weighted_rate_mbps" and spec.higher_is_better
    assert metrics["weighted_rate_mbps"] == np.mean([info["weighted_rate_mbps"] for info in infos])
    assert metrics["energy"] == np.mean([info["energy"].mean() for info in infos])
    assert metrics["data_queue"] == np.mean([info["data_queue"].mean() for info in infos])
    for env_id in ("MEQC-GaussMarkov-v0", "MultiServerIoT-v0"):  # ranked by a cost: lower is better
        assert not env_metrics(env_id).higher_is_better


def test_list_env_prints_the_schema(capsys):
    from benchmarks.cli import main

    assert main(["list", "--env", "MultiServerIoT-v0"]) == 0
    out = capsys.readouterr().out
    env = gym.make("MultiServerIoT-v0").unwrapped
    for name in (*env.scenario.state_fields(), *(f.name for f in env.scenario.codec), *env.scenario.schema()):
        assert name in out
    assert main(["list", "--env", "WPMEC-V0"]) == 2
