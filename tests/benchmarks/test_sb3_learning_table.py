"""benchmarks.sb3_learning's table names its reference by what it is (issue 16)."""

from __future__ import annotations

from benchmarks import sb3_learning
from benchmarks.registry import env_metrics


def _records(grid, certified_envs):
    records = []
    for spec in grid:
        frames = 10
        records.append({"env": spec.env, "method": spec.method, "seed": spec.seed, "frames": spec.frames,
                        "eval_frames": spec.eval_frames, "env_config": {}, "method_config": {}, "error": None,
                        "wall_time_s": 1.0, "metrics": {env_metrics(spec.env).headline: 2.0 if spec.method == "sb3-ppo" else 1.0},
                        "reference": {"frames": frames, "certified": frames if spec.env in certified_envs else 3,
                                      "methods": ["cd-multistart(3)"]}})
    return records


def test_an_uncertified_reference_is_printed_as_best_known():
    grid = sb3_learning.specs(0.01)
    text = sb3_learning.table(_records(grid, {"WPMEC-v0"}), grid)
    wpmec, pqc = text.split("PQC-NOMA-v0:")[0], text.split("PQC-NOMA-v0:")[1].split("MultiServerIoT-v0:")[0]
    assert "  optimum " in wpmec and "PPO / optimum = 2.0000" in wpmec
    assert "optimum" not in pqc.replace("best-known", "")
    assert "  best-known (cd-multistart(3)) " in pqc and "PPO / best-known (cd-multistart(3)) = 2.0000" in pqc
