"""The leaderboard's runs: record permissions, failures (exit code, retry on resume), grid-file
checks, and a run's identity (its configuration) in resume and in the report."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from baselines import heuristics
from benchmarks import runner
from benchmarks.cli import main as cli_main
from benchmarks.presets import load_grid
from benchmarks.registry import METHODS, Method, PolicyAgent
from benchmarks.report import summarise
from benchmarks.runner import RunSpec, execute, read_records, run_grid, run_identity, write_record

ROOT = Path(__file__).resolve().parents[2]


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
    ('frames = {"*" = 10, "WPMEC-V0" = 50}\n', "WPMEC-V0", "WPMEC-v0"),  # a budget table's typo
    ('eval_frames = {"PQC-NOMA-v0" = 5}\n', "PQC-NOMA-v0", "WPMEC-v0"),
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


BASE = RunSpec("WPMEC-v0", "random", 0, frames=0, eval_frames=3, env_config={"num_devices": 4, "episode_length": 50})
CHANGED = {"env_config": replace(BASE, env_config={"num_devices": 5, "episode_length": 50}),
           "method_config": replace(BASE, method_config={"unused": 1}),
           "frames": replace(BASE, frames=1), "eval_frames": replace(BASE, eval_frames=4)}


def test_a_records_name_and_identity_follow_its_configuration_not_the_order_of_its_fields(tmp_path):
    reordered = replace(BASE, env_config={"episode_length": 50, "num_devices": 4})
    assert reordered.record_path(tmp_path) == BASE.record_path(tmp_path)
    paths = {spec.record_path(tmp_path) for spec in [BASE, *CHANGED.values(), replace(BASE, seed=1)]}
    assert len(paths) == 6
    record = execute(BASE)
    assert record["config_id"] in BASE.record_path(tmp_path).name
    assert run_identity(record) == BASE.identity
    # the same name in a fresh interpreter with another hash seed (Python's hash() is salted per process)
    code = ("from pathlib import Path; from benchmarks.runner import RunSpec; "
            "print(RunSpec('WPMEC-v0', 'random', 0, 0, 3, env_config={'num_devices': 4, 'episode_length': 50})"
            ".record_path(Path('.')).name)")
    other = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert other.stdout.strip() == BASE.record_path(tmp_path).name


@pytest.mark.parametrize("changed_field", sorted(CHANGED))
def test_resume_reruns_a_run_whose_configuration_changed_and_keeps_both_records(tmp_path, monkeypatch,
                                                                               changed_field):
    run_grid([BASE], tmp_path)
    executed = _count_executions(monkeypatch)
    run_grid([BASE], tmp_path, resume=True)
    assert executed == []
    records = run_grid([CHANGED[changed_field]], tmp_path, resume=True)
    assert executed == [("WPMEC-v0", "random", 0)]
    assert sorted(run_identity(r) for r in records) == sorted([BASE.identity, CHANGED[changed_field].identity])


def _record(num_devices: int, seed: int, rate: float) -> dict:
    return {"env": "WPMEC-v0", "method": "random", "seed": seed, "env_config": {"num_devices": num_devices},
            "method_config": {}, "frames": 0, "eval_frames": 3, "error": None, "time_per_frame_ms": 1.0,
            "metrics": {"normalized_rate": rate}, "curve": [rate]}


def test_the_report_keeps_runs_of_different_configurations_in_separate_labelled_rows():
    rows = summarise([_record(6, 0, 0.5), _record(6, 1, 0.7), _record(12, 0, 0.9)])["WPMEC-v0"]
    assert [(row["label"], row["seeds"], row["metrics"]["normalized_rate"][0]) for row in rows] == [
        ("random (env.num_devices=12)", 1, 0.9), ("random (env.num_devices=6)", 2, pytest.approx(0.6))]
    only_one = summarise([_record(6, 0, 0.5), _record(6, 1, 0.7)])["WPMEC-v0"]
    assert [row["label"] for row in only_one] == ["random"]  # one configuration: the method's name alone
    both = {**_record(6, 0, 0.5), "method_config": {"x": 1}, "eval_frames": 5}
    assert [row["label"] for row in summarise([_record(6, 0, 0.5), both])["WPMEC-v0"]] == [
        "random (eval_frames=3, method.x=default)", "random (eval_frames=5, method.x=1)"]  # a tie: by label


def test_changing_the_grid_reruns_and_the_leaderboard_shows_both_configurations(tmp_path, capsys):
    out = tmp_path / "out"
    text = 'envs = ["WPMEC-v0"]\nmethods = ["random", "droo"]\nseeds = [0]\nframes = 0\neval_frames = 3\n'
    grid = _grid_file(tmp_path, text + '[env_configs."WPMEC-v0"]\nnum_devices = 4\n[method_configs.droo]\nnope = 1\n')
    assert cli_main(["bench", "--grid", str(grid), "--out", str(out), "--no-progress"]) == 1
    grid = _grid_file(tmp_path, text + '[env_configs."WPMEC-v0"]\nnum_devices = 5\n')
    # the failed droo record has another configuration: it is no run of this grid
    assert cli_main(["bench", "--grid", str(grid), "--out", str(out), "--no-progress", "--resume"]) == 0
    leaderboard = (out / "leaderboard.md").read_text()
    for label in ("random (env.num_devices=4)", "random (env.num_devices=5)",
                  "droo (env.num_devices=5, method.nope=default)", "droo (env.num_devices=4, method.nope=1)"):
        assert f"| {label} |" in leaderboard
    assert len(read_records(out)) == 4


def test_a_record_named_before_configurations_counts_as_its_run(tmp_path, monkeypatch):
    record = execute(BASE)
    del record["config_id"]
    legacy = tmp_path / "runs" / "WPMEC-v0" / "random" / "seed0.json"
    write_record(legacy, record)
    executed = _count_executions(monkeypatch)
    assert run_grid([BASE], tmp_path, resume=True) == [record] and executed == []
    run_grid([BASE], tmp_path)  # a rerun replaces it
    assert executed == [("WPMEC-v0", "random", 0)] and not legacy.exists()
    assert [run_identity(r) for r in read_records(tmp_path)] == [BASE.identity]
