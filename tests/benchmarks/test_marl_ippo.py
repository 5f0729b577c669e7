"""Independent PPO on the multi-agent MultiServerIoT-v0 learns below random's cost (smoke-sized)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("pettingzoo")

from benchmarks.marl_ippo import IPPOConfig, run  # noqa: E402


def test_independent_ppo_learns_below_random_cost():
    result = run(IPPOConfig(num_devices=6, iterations=12, slots_per_batch=8, eval_slots=20), seed=1)
    assert result["ippo_cost"] < 0.8 * result["random_cost"]
