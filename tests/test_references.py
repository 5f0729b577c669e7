"""Acceptance of issue 16 on every id: ``optimum().bound`` is an upper bound on the reward of any
decision, ``optimum().reward <= bound``, and a certified optimum is beaten by no decision. States
are the envs' own draws with magnitudes rescaled by hypothesis over ten orders of magnitude (as far
as each field's settable range allows); 1,000 random decisions per state, plus the optimum's
single changes (the decisions nearest to it)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mec_gym  # noqa: F401

RTOL = 1e-9
DECISIONS = 1000

# env id, config, {state field: (exponent low, exponent high)}: the field is multiplied by 10^e
CASES = {
    "WPMEC-v0 N=5": ("WPMEC-v0", {"num_devices": 5}, {"h": (-5, 5)}),
    "WPMEC-v0 N=18": ("WPMEC-v0", {"num_devices": 18}, {"h": (-5, 5)}),
    "PQC-NOMA-v0 N=5": ("PQC-NOMA-v0", {"num_devices": 5}, {"Q": (-5, 5), "h": (-3, 3), "Y": (-2, 8)}),
    "PQC-NOMA-v0 rate": ("PQC-NOMA-v0", {"num_devices": 5, "reward": "rate"}, {"Q": (-5, 5), "h": (-3, 3)}),
    "MultiServerIoT-v0 N=5": ("MultiServerIoT-v0", {"num_devices": 5}, {"data_bits": (-5, 5), "cycles": (-5, 5)}),
    "MultiServerIoT-v0 N=9": ("MultiServerIoT-v0", {"num_devices": 9}, {"data_bits": (-5, 5), "fading": (-5, 5)}),
    "MEQC-GaussMarkov-v0": ("MEQC-GaussMarkov-v0", {"num_devices": 6}, {"data_bits": (-5, 5), "Z": (-5, 5)}),
    "OFDMA-Consistency-v0": ("OFDMA-Consistency-v0", {"num_devices": 4}, {"data_bits": (-5, 5), "local_cpu": (-5, 5)}),
}


def _random_decisions(env, rng, best_action):
    space = env.action_space
    if isinstance(space, gym.spaces.Dict):  # MEQC: fractions and targets
        n = env.config.num_devices
        fraction = rng.uniform(0.0, 1.0, size=(DECISIONS, n)).astype(np.float32)
        fraction[: DECISIONS // 4] = np.round(fraction[: DECISIONS // 4])  # the ends too
        target = rng.integers(0, 2, size=(DECISIONS, n)).astype(np.int8)
        # near the optimum: its fractions moved by a few float32 steps or a little noise, same targets
        steps = rng.integers(-3, 4, size=(DECISIONS // 4, n))
        near = best_action["fraction"][None].repeat(DECISIONS // 4, axis=0)
        for _ in range(3):
            near = np.where(steps > 0, np.nextafter(near, np.float32(2)), np.where(steps < 0, np.nextafter(near, np.float32(-1)), near))
            steps = steps - np.sign(steps)
        near[: DECISIONS // 8] += rng.normal(0.0, 1e-3, size=(DECISIONS // 8, n)).astype(np.float32)
        fraction[DECISIONS // 4: DECISIONS // 2] = np.clip(near, 0.0, 1.0)
        target[DECISIONS // 4: DECISIONS // 2] = best_action["target"]
        return {"fraction": fraction, "target": target}
    if isinstance(space, gym.spaces.Box):  # OFDMA: raw actions, half of them near the optimum's
        actions = rng.uniform(-1.0, 1.0, size=(DECISIONS,) + space.shape)
        near = np.clip(best_action + rng.normal(0.0, 0.05, size=actions.shape), -1.0, 1.0)
        actions[: DECISIONS // 2] = near[: DECISIONS // 2]
        return actions.astype(np.float32)
    high = (np.full(space.shape, 2) if isinstance(space, gym.spaces.MultiBinary) else space.nvec)
    decisions = rng.integers(0, high, size=(DECISIONS,) + space.shape)
    flips = rng.integers(0, space.shape[0], size=DECISIONS // 4)  # single changes of the optimum
    decisions[: DECISIONS // 4] = best_action
    decisions[np.arange(DECISIONS // 4), flips] = rng.integers(0, high[flips])
    return decisions


def _check(case: str, seed: int, exponents: dict[str, float]):
    env_id, config, fields = CASES[case]
    env = gym.make(env_id, **config).unwrapped
    env.reset(seed=seed)
    bounds, state = env._state_bounds(), env.state
    override = {}
    for name in fields:
        low, high = bounds[name]
        override[name] = np.clip(np.asarray(state[name], dtype=np.float64) * 10.0 ** exponents[name], low, high)
        if name == "Y":  # an energy queue starts at 0: give it a magnitude
            override[name] = np.clip(np.full_like(override[name], 10.0 ** exponents[name]), low, high)
    env.reset(seed=seed, options={"state": override})
    best = env.optimum()
    rng = np.random.default_rng(seed)
    rewards = env.evaluate(_random_decisions(env, rng, best.action)).rewards
    scale = max(abs(best.bound), abs(best.reward), 1e-300)
    assert np.isfinite(best.bound)
    assert best.reward <= best.bound + RTOL * scale
    assert rewards.max() <= best.bound + RTOL * scale, (case, rewards.max(), best.bound)
    if best.certified:
        assert rewards.max() <= best.reward + RTOL * scale, (case, rewards.max(), best.reward)
    return best


def _exponents(case):
    fields = CASES[case][2]
    return st.fixed_dictionaries({name: st.floats(*span) for name, span in fields.items()})


def _property(case: str, examples: int):
    @settings(max_examples=examples, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(seed=st.integers(0, 2**31 - 1), exponents=_exponents(case))
    def check(seed, exponents):
        _check(case, seed, exponents)

    return check


test_wpmec_small = _property("WPMEC-v0 N=5", 25)
test_wpmec_descent = _property("WPMEC-v0 N=18", 6)
test_pqc_noma = _property("PQC-NOMA-v0 N=5", 25)
test_pqc_noma_rate = _property("PQC-NOMA-v0 rate", 15)
test_iot_small = _property("MultiServerIoT-v0 N=5", 20)
test_iot_descent = _property("MultiServerIoT-v0 N=9", 6)
test_meqc = _property("MEQC-GaussMarkov-v0", 25)
test_ofdma = _property("OFDMA-Consistency-v0", 20)


def test_enumeration_certifies_on_default_states():
    """Enumeration is exact, so its optimum is certified (WPMEC N <= 16, IoT (M+1)^N <= 2^16)."""
    for case in ("WPMEC-v0 N=5", "MultiServerIoT-v0 N=5"):
        for seed in range(3):
            assert _check(case, seed, {name: 0.0 for name in CASES[case][2]}).certified
