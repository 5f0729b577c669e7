"""What the leaderboard can run: methods (one registry entry each) and each environment's headline
metrics.

A method builds an *agent* for an environment: an object with ``env`` (the env it steps, possibly
wrapped), ``learn(total_frames)`` and ``act(observation) -> action``. Fixed policies learn nothing;
trainers learn on ``env`` for the frame budget. Adding a method is one entry in ``METHODS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
from gymnasium.envs.registration import load_env_creator
import numpy as np
from gymnasium import spaces

from baselines import heuristics
from mec_gym.core.metrics import normalized_rate


class PolicyAgent:
    """A fixed policy ``policy(env, rng) -> action`` in the agent shape."""

    def __init__(self, env: gym.Env, policy: heuristics.Policy, seed: int):
        self.env, self.policy, self.rng = env, policy, np.random.default_rng(seed)

    def learn(self, total_frames: int) -> PolicyAgent:
        return self

    def act(self, observation):
        return self.policy(self.env, self.rng)


@dataclass(frozen=True)
class Method:
    """``build(env, seed, config) -> agent``; ``applies(env)`` says whether it runs on that env."""

    name: str
    family: str  # "fixed", "paper" (the papers' trainers) or "sb3"
    build: Callable[[gym.Env, int, dict], Any]
    applies: Callable[[gym.Env], bool]
    trains: bool


def _discrete(env: gym.Env) -> bool:
    return isinstance(env.unwrapped.action_space, (spaces.MultiBinary, spaces.MultiDiscrete))


def _fixed(name: str, policy, applies=_discrete) -> Method:
    return Method(name, "fixed", lambda env, seed, config: PolicyAgent(env, policy, seed), applies, trains=False)


def _droo(env, seed, config):
    from baselines.droo import DROO, DROOConfig

    return DROO(env, DROOConfig(**config), seed)


def _lydroo(env, seed, config):
    from baselines.droo import DROO, DROOConfig

    return DROO(env, DROOConfig.lydroo(**config), seed)


def _qaroo(env, seed, config):
    from baselines.qaroo import QAROO, QAROOConfig

    return QAROO(env, QAROOConfig(**config), seed)


def _iot_drl(env, seed, config):
    from baselines.iot.drl import DQNConfig, IoTDQN

    return IoTDQN(env, DQNConfig(**config), seed)


def _iot_unified(env, seed, config):
    from baselines.iot.unified import UnifiedConfig, UnifiedIoT

    return UnifiedIoT(env, UnifiedConfig(**config), seed)  # with MARL, its env is the leaders' market


def _lyapunov_drl(env, seed, config):
    from baselines.lyapunov_drl import LyapunovDRL, LyapunovDRLConfig

    return LyapunovDRL(env, LyapunovDRLConfig(**config), seed)


def _cpdrl(env, seed, config):
    from baselines.cpdrl import CPDRL, CPDRLConfig

    return CPDRL(env, CPDRLConfig.variant(config.pop("variant", "cpdrl"), **config), seed)


def _qio_policy(proposal=None):
    from baselines.qio import QIOPolicy  # numpy only

    return QIOPolicy(proposal=proposal)


def _on(*env_ids):
    return lambda env: env.spec is not None and env.spec.id in env_ids


def _sb3(algo: str) -> Method:
    def build(env, seed, config):
        from baselines.sb3_refs import SB3Agent, SB3Config

        return SB3Agent(env, algo, seed, SB3Config(config))

    def applies(env):
        from baselines.sb3_refs import wrap_for

        try:
            return wrap_for(algo, env) is not None
        except ImportError:  # a wrapper the scenario that needs it has not shipped
            return False

    return Method(f"sb3-{algo}", "sb3", build, applies, trains=True)


METHODS: dict[str, Method] = {
    "random": _fixed("random", heuristics.random_policy, applies=lambda env: True),
    "all-local": _fixed("all-local", heuristics.all_local_policy),
    "all-offload": _fixed("all-offload", heuristics.all_offload_policy),
    "coordinate-descent": _fixed("coordinate-descent", heuristics.coordinate_descent_policy),
    "optimum": _fixed("optimum", heuristics.optimum_policy, applies=lambda env: True),
    **{name: _fixed(name, policy, applies=_on("OFDMA-Consistency-v0")) for name, policy in heuristics.OFDMA_POLICIES.items()},
    **{name: _fixed(name, policy, applies=_on("MultiServerIoT-v0")) for name, policy in heuristics.IOT_POLICIES.items()},
    **{name: _fixed(name, policy, applies=_on("MEQC-GaussMarkov-v0")) for name, policy in heuristics.MEQC_POLICIES.items()},
    "qio": _fixed("qio", _qio_policy(), applies=_on("WPMEC-v0", "PQC-NOMA-v0", "MultiServerIoT-v0")),
    # seed 003's QIO refinement of a policy's proposal: from uniform angles QIO cannot search (M + 1)^N
    "qio-refine": _fixed("qio-refine", _qio_policy(heuristics.best_response_policy), applies=_on("MultiServerIoT-v0")),
    "droo": Method("droo", "paper", _droo, _on("WPMEC-v0"), trains=True),
    "lydroo": Method("lydroo", "paper", _lydroo, _on("PQC-NOMA-v0"), trains=True),
    "qaroo": Method("qaroo", "paper", _qaroo, _on("WPMEC-v0"), trains=True),  # RNN + UGQ
    "cpdrl": Method("cpdrl", "paper", _cpdrl, _on("OFDMA-Consistency-v0"), trains=True),  # STE + masks + loss
    "lyapunov-drl": Method("lyapunov-drl", "paper", _lyapunov_drl, _on("MEQC-GaussMarkov-v0"), trains=True),
    "iot-drl": Method("iot-drl", "paper", _iot_drl, _on("MultiServerIoT-v0"), trains=True),  # shared-network DQN
    "iot-unified": Method("iot-unified", "paper", _iot_unified, _on("MultiServerIoT-v0"), trains=True),  # Alg. 2
    **{f"sb3-{algo}": _sb3(algo) for algo in ("ppo", "a2c", "dqn", "sac", "td3")},
}


# ----- headline metrics per environment ----------------------------------------------------------
@dataclass(frozen=True)
class EnvMetrics:
    """How to summarise an evaluation: ``summarise(rewards, infos, references) -> {metric: value}``;
    ``headline`` ranks the table (``higher_is_better`` says which way); ``reference(env, best)``,
    when given, turns the frame's ``optimum()`` (``best``, computed before every evaluation step)
    into the value the metric compares with; ``reference_note`` says in the table what that is."""

    headline: str
    higher_is_better: bool
    summarise: Callable[[np.ndarray, list[dict], np.ndarray | None], dict[str, float]]
    reference: Callable[[gym.Env, Any], float] | None = None
    reference_note: str = ""


def _wpmec(rewards, infos, optima):
    return {"normalized_rate": float(np.mean(normalized_rate(rewards, optima))), "reward": float(np.mean(rewards))}


def _ofdma_reference(env, best) -> tuple[float, float]:
    """TEM's objective, and the best all-local decision's (what a decision outside the band scores)."""
    local = env.unwrapped.evaluate_offloading(np.zeros((1, env.unwrapped.config.num_devices), dtype=np.int8))
    return best.info["objective"], float(local.info["objective"][0])


def _ofdma(rewards, infos, references):
    """Headline ``objective_in_band``: the raw objective of a decision within the band (sum b <= B), a
    decision outside it scoring the best all-local decision's (a server cannot grant it), over TEM's.
    Secondary: ``served_objective`` (over TEM: offloaders asking for more than B get their requests
    scaled into it, the env's ``served_objective``) and ``in_band``, the share of decisions within it."""
    references = np.asarray(references, dtype=float).reshape(len(infos), 2)
    tem, local = references[:, 0], references[:, 1]
    objective = np.array([info["objective"] for info in infos])
    served = np.array([info["served_objective"] for info in infos])
    in_band = np.array([info["bandwidth_excess"] == 0 for info in infos])
    return {"objective_in_band": float(np.mean(np.where(in_band, objective, local) / tem)),
            "served_objective": float(np.mean(served / tem)), "in_band": float(in_band.mean()),
            "objective": float(np.mean([info["objective"] for info in infos])),
            "consistency": float(np.mean([info["consistency_count"] for info in infos])), "reward": float(np.mean(rewards))}


def scenario_class(env_id: str):
    """The scenario class (``mec_gym.core.scenario.Scenario``) behind a registered id."""
    return load_env_creator(gym.spec(env_id).entry_point).scenario_class


def schema_metrics(env_id: str) -> dict:
    """The headline info keys of the scenario's info schema, each averaged over the frames (and
    over devices / servers for per-device keys): {key: InfoKey}."""
    return {entry.key: entry for entry in scenario_class(env_id).info_schema if entry.headline}


def _schema_summariser(env_id: str, extra=None):
    """Mean of every headline info key (``schema_metrics``) and the mean reward, plus ``extra``'s
    metrics (the reference-based ones) where given."""
    keys = list(schema_metrics(env_id))

    def summarise(rewards, infos, references):
        metrics = {key: float(np.mean([np.mean(info[key]) for info in infos])) for key in keys if key in infos[0]}
        metrics["reward"] = float(np.mean(rewards))
        if extra is not None:
            metrics.update(extra(rewards, infos, references))
        return metrics

    return summarise


def _ranked_by_schema(env_id: str) -> EnvMetrics:
    """Ranked by the scenario's ``headline_key``, in the direction its info schema gives."""
    key = scenario_class(env_id).headline_key
    return EnvMetrics(key, bool(schema_metrics(env_id)[key].higher_is_better), _schema_summariser(env_id))


ENV_METRICS: dict[str, EnvMetrics] = {
    **{env_id: _ranked_by_schema(env_id) for env_id in ("MEQC-GaussMarkov-v0", "MultiServerIoT-v0", "PQC-NOMA-v0")},
    "WPMEC-v0": EnvMetrics("normalized_rate", True, _schema_summariser("WPMEC-v0", _wpmec), reference=lambda env, best: best.reference,
                           reference_note="`normalized_rate` = reward / the certified optimum where certified, "
                                          "else / the bound (then a certified lower bound of the true ratio)"),
    "OFDMA-Consistency-v0": EnvMetrics("objective_in_band", False, _schema_summariser("OFDMA-Consistency-v0", _ofdma), reference=_ofdma_reference,
                                       reference_note="`objective_in_band` = the objective of decisions within the "
                                                      "band (outside it: the best all-local decision's), "
                                                      "`served_objective` = served objective, each / TEM's, the exact "
                                                      "least soft-deadline objective over offloading vectors with "
                                                      "their optimal resources (so the ratio is >= 1)"),
}


def default_metrics(rewards, infos, optima):
    return {"reward": float(np.mean(rewards))}


def env_metrics(env_id: str) -> EnvMetrics:
    return ENV_METRICS.get(env_id, EnvMetrics("reward", True, default_metrics))


def methods_for(env_id: str, env_config: dict | None = None) -> list[str]:
    """Names of the methods that apply to ``env_id``."""
    env = gym.make(env_id, **(env_config or {}))
    return [name for name, method in METHODS.items() if method.applies(env)]
