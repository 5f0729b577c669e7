"""The leaderboard's runs: record permissions, failures (exit code, retry on resume), grid-file
checks, and a run's identity (its configuration) in resume and in the report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from baselines import heuristics
from benchmarks import runner
from benchmarks.cli import main as cli_main
from benchmarks.presets import load_grid
from benchmarks.registry import METHODS, Method, PolicyAgent
from benchmarks.runner import RunSpec, execute, read_records, run_grid, write_record


def test_a_record_is_readable_by_everyone_as_the_umask_allows(tmp_path):
    previous = os.umask(0o022)
    try:
        write_record(tmp_path / "runs" / "record.json", {"error": None})
    finally:
        os.umask(previous)
    assert (tmp_path / "runs" / "record.json").stat().st_mode & 0o777 == 0o644


def _grid_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "grid.toml"
    path.write_text(text)
    return path


def test_bench_exits_1_when_a_run_failed_after_writing_the_leaderboard(tmp_path, capsys):
    grid = _grid_file(tmp_path, 'envs = ["WPMEC-v0"]\nmethods = ["random", "droo"]\nseeds = [0, 1]\nframes = 0\n'
                                'eval_frames = 3\n[env_configs."WPMEC-v0"]\nnum_devices = 4\n'
                                '[method_configs.droo]\nno_such_field = 1\n')  # droo refuses the field
    out = tmp_path / "out"
    assert cli_main(["bench", "--grid", str(grid), "--out", str(out), "--no-progress"]) == 1
    assert "2 of 4 run(s) failed" in capsys.readouterr().err
    assert sorted((r["method"], r["error"] is None) for r in read_records(out)) == [
        ("droo", False), ("droo", False), ("random", True), ("random", True)]
    assert "| droo |" in (out / "leaderboard.md").read_text() and (out / "leaderboard.csv").exists()


def _count_executions(monkeypatch) -> list[tuple[str, str, int]]:
    executed = []

    def counting(spec, show_progress=False):
        executed.append((spec.env, spec.method, spec.seed))
        return execute(spec, show_progress)

    monkeypatch.setattr(runner, "execute", counting)
    return executed


def test_resume_reruns_a_failed_run_and_skips_a_successful_one(tmp_path, monkeypatch):
    attempts = []

    def fails_once(env, seed, config):
        attempts.append(seed)
        if len(attempts) == 1:
            raise RuntimeError("transient failure")
        return PolicyAgent(env, heuristics.random_policy, seed)

    monkeypatch.setitem(METHODS, "flaky", Method("flaky", "fixed", fails_once, lambda env: True, trains=False))
    specs = [RunSpec("WPMEC-v0", method, 0, 0, 3, env_config={"num_devices": 4}) for method in ("random", "flaky")]
    first = run_grid(specs, tmp_path)
    assert {r["method"]: r["error"] is None for r in first} == {"random": True, "flaky": False}
    executed = _count_executions(monkeypatch)
    second = run_grid(specs, tmp_path, resume=True)
    assert executed == [("WPMEC-v0", "flaky", 0)]
    assert all(r["error"] is None for r in second) and len(second) == 2


@pytest.mark.parametrize(("overrides", "bad_key", "a_valid_key"), [
    ('[env_configs."WPMEC-V0"]\nnum_devices = 6\n', "WPMEC-V0", "WPMEC-v0"),  # wrong case
    ('[env_configs."PQC-NOMA-v0"]\nnum_devices = 3\n', "PQC-NOMA-v0", "WPMEC-v0"),  # an env the grid does not run
    ('[method_configs.radnom]\nx = 1\n', "radnom", "random"),
])
def test_a_grid_file_refuses_config_keys_that_name_nothing_in_the_grid(tmp_path, capsys, overrides, bad_key,
                                                                        a_valid_key):
    grid = _grid_file(tmp_path, f'envs = ["WPMEC-v0"]\nmethods = ["random", "droo"]\n{overrides}')
    with pytest.raises(ValueError, match=bad_key) as error:
        load_grid(grid)
    assert a_valid_key in str(error.value)
    assert cli_main(["bench", "--grid", str(grid), "--out", str(tmp_path / "out")]) == 2
    assert bad_key in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_a_grid_without_env_or_method_lists_accepts_config_keys_for_any_known_one(tmp_path):
    grid = load_grid(_grid_file(tmp_path, '[env_configs."PQC-NOMA-v0"]\nnum_devices = 3\n[method_configs.droo]\n'
                                          'learning_rate = 0.01\n'))
    assert grid.preset.env_configs == {"PQC-NOMA-v0": {"num_devices": 3}}
    with pytest.raises(ValueError, match="nope.*allowed: .*sb3-ppo"):
        load_grid(_grid_file(tmp_path, "[method_configs.nope]\nx = 1\n"))
