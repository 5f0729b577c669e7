"""The leaderboard: records, resume after SIGKILL, the Ray backend and the SB3 references."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import mec_gym
from benchmarks import cli as cli_module
from benchmarks.cli import main as cli_main
from benchmarks.registry import METHODS, methods_for
from benchmarks.report import summarise
from benchmarks.runner import RunSpec, execute, read_records, run_grid, write_record

ROOT = Path(__file__).resolve().parents[2]
GRID = ["bench", "--env", "WPMEC-v0", "--method", "random", "all-local", "all-offload", "optimum",
        "--seeds", "0", "1", "2", "--frames", "0", "--eval-frames", "15", "--no-progress"]


def _table(out: Path):
    return {env: [(row["method"], row["metrics"]) for row in rows] for env, rows in summarise(read_records(out)).items()}


def test_record_has_the_documented_keys_and_a_correct_normalised_rate(tmp_path):
    spec = RunSpec("WPMEC-v0", "optimum", seed=0, frames=0, eval_frames=5)
    record = execute(spec)
    for key in ("env", "env_config", "method", "method_config", "seed", "frames", "versions",
                "wall_time_s", "time_per_frame_ms", "metrics", "curve", "error"):
        assert key in record
    assert record["error"] is None
    assert record["metrics"]["normalized_rate"] == pytest.approx(1.0, abs=1e-12)
    random = execute(RunSpec("WPMEC-v0", "random", seed=0, frames=0, eval_frames=20))
    assert 0.3 < random["metrics"]["normalized_rate"] < 0.99  # random is far from the optimum
    write_record(spec.record_path(tmp_path), record)
    assert json.loads(spec.record_path(tmp_path).read_text()) == record


def test_failing_run_is_recorded_and_the_grid_goes_on(tmp_path):
    specs = [RunSpec("WPMEC-v0", "random", 0, 0, 3, env_config={"num_devices": 4}),
             RunSpec("WPMEC-v0", "optimum", 0, 0, 3, env_config={"no_such_field": 1})]
    records = run_grid(specs, tmp_path)
    errors = {r["method"]: r["error"] for r in records}
    assert errors["random"] is None and "no_such_field" in errors["optimum"]


def test_sigkill_mid_grid_then_resume_equals_an_uninterrupted_run(tmp_path):
    interrupted, clean = tmp_path / "interrupted", tmp_path / "clean"
    command = [sys.executable, "-m", "benchmarks.cli", *GRID, "--out", str(interrupted)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((interrupted / "runs").rglob("seed*.json"))) < 3:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial = list((interrupted / "runs").rglob("seed*.json"))
    assert 3 <= len(partial) < 12, "the kill must land mid-grid"
    for path in partial:
        json.loads(path.read_text())  # every record left behind parses
    # a kill between a record's temporary file and its rename leaves the file behind: make one
    (partial[0].parent / ".killed-writer.tmp").write_text('{"half": ')
    assert cli_main([*GRID, "--out", str(interrupted), "--resume"]) == 0
    assert cli_main([*GRID, "--out", str(clean)]) == 0
    records = read_records(interrupted)
    keys = [(r["env"], r["method"], r["seed"]) for r in records]
    assert len(keys) == len(set(keys)) == 12
    assert not list(interrupted.rglob("*.tmp"))
    assert _table(interrupted) == _table(clean)
    assert "| 1 | optimum |" in (interrupted / "leaderboard.md").read_text()  # timings differ, ranks do not
    assert (interrupted / "plots" / "WPMEC-v0.png").stat().st_size > 0


def test_ray_backend_gives_the_same_metrics_as_local(tmp_path):
    pytest.importorskip("ray")  # the [ray] extra; `make test` installs it
    specs = [RunSpec("WPMEC-v0", "random", seed, 0, 5, env_config={"num_devices": 6}) for seed in (0, 1)]
    local = run_grid(specs, tmp_path / "local")
    remote = run_grid(specs, tmp_path / "ray", backend="ray")
    assert [r["metrics"] for r in local] == [r["metrics"] for r in remote]


def test_unknown_env_or_method_is_refused(capsys):
    assert cli_main(["bench", "--env", "Nope-v0"]) == 2
    assert "unknown env id" in capsys.readouterr().err
    assert cli_main(["bench", "--method", "nope"]) == 2


@pytest.mark.parametrize("env_id", mec_gym.ENV_IDS)
def test_sb3_references_train_on_every_environment(env_id):
    for name in [m for m in methods_for(env_id) if METHODS[m].family == "sb3"]:
        record = execute(RunSpec(env_id, name, seed=0, frames=150, eval_frames=5))
        assert record["error"] is None, record["error"]
        assert np.isfinite(list(record["metrics"].values())).all()
        assert len(record["curve"]) > 0


def test_list_names_every_env_and_method(capsys):
    assert cli_main(["list"]) == 0
    text = capsys.readouterr().out
    assert all(env_id in text for env_id in mec_gym.ENV_IDS)
    assert all(name in text for name in METHODS)
    assert "sb3-sac" in text and "sb3-ppo" in methods_for("WPMEC-v0")
    assert gym.make("WPMEC-v0") is not None


def test_ofdma_headline_scores_in_band_decisions_raw_and_the_rest_as_all_local():
    from benchmarks.registry import ENV_METRICS

    # the second decision asks for more than the band: its objective 1.0 (below TEM) is not what it
    # would get; in-band scoring gives it the all-local objective 7.0, served (its requests scaled
    # into the band) it costs 5.0
    infos = [{"objective": 3.0, "served_objective": 3.0, "bandwidth_excess": 0.0, "consistency_count": 5},
             {"objective": 1.0, "served_objective": 5.0, "bandwidth_excess": 0.4, "consistency_count": 3}]
    references = np.array([[2.0, 7.0], [2.0, 7.0]])  # (TEM, all-local) per frame
    metrics = ENV_METRICS["OFDMA-Consistency-v0"].summarise(np.array([-1.0, -2.0]), infos, references)
    assert ENV_METRICS["OFDMA-Consistency-v0"].headline == "objective_in_band"
    assert metrics["objective_in_band"] == (3.0 / 2.0 + 7.0 / 2.0) / 2
    assert metrics["served_objective"] == (3.0 / 2.0 + 5.0 / 2.0) / 2
    assert metrics["in_band"] == 0.5 and metrics["consistency"] == 4.0 and metrics["objective"] == 2.0


def test_a_custom_grid_file_runs_what_it_lists(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text('envs = ["WPMEC-v0"]\nmethods = ["random", "optimum"]\nseeds = [0, 1]\nframes = 0\n'
                    'eval_frames = {"*" = 4}\n[env_configs."WPMEC-v0"]\nnum_devices = 6\n')
    assert cli_main(["bench", "--grid", str(grid), "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    records = read_records(tmp_path / "out")
    assert sorted((r["method"], r["seed"]) for r in records) == [("optimum", 0), ("optimum", 1), ("random", 0),
                                                                 ("random", 1)]
    assert all(r["env_config"] == {"num_devices": 6} and r["eval_frames"] == 4 for r in records)
    assert all(abs(r["metrics"]["normalized_rate"] - 1.0) < 1e-12 for r in records if r["method"] == "optimum")
    grid.write_text('seeds = [0]\nepisodes = 3\n')
    assert cli_main(["bench", "--grid", str(grid), "--out", str(tmp_path / "bad"), "--no-progress"]) == 2
    assert "episodes" in capsys.readouterr().err


# ----- issue 18: CLI cases, help, plots and single-seed cells ------------------------------------
def test_empty_grid_is_an_error_naming_what_was_dropped(tmp_path, capsys):
    assert cli_main(["bench", "--env", "PQC-NOMA-v0", "--method", "droo", "--out", str(tmp_path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "left out droo on PQC-NOMA-v0: it applies only to WPMEC-v0" in err and "nothing to run" in err
    assert not (tmp_path / "runs").exists()


def test_partly_inapplicable_grid_warns_and_runs_the_rest(tmp_path, capsys):
    code = cli_main(["bench", "--env", "WPMEC-v0", "PQC-NOMA-v0", "--method", "droo", "random", "--frames", "0",
                     "--eval-frames", "2", "--out", str(tmp_path), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 0 and "left out droo on PQC-NOMA-v0" in err and "WPMEC-v0" not in err.split("left out droo on")[0]
    ran = sorted(path.parent.name + "/" + path.parent.parent.name for path in (tmp_path / "runs").glob("*/*/*.json"))
    assert ran == ["droo/WPMEC-v0", "random/PQC-NOMA-v0", "random/WPMEC-v0"]


def test_bench_help_documents_every_option_and_default(capsys):
    with pytest.raises(SystemExit):
        cli_main(["bench", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    options = [a.option_strings[-1] for a in cli_module._parser()._subparsers._group_actions[0].choices["bench"]._actions]
    for option in options:
        assert option in text
    for default in ("(default: quick)", "(default: results)", "default: 1", "default: local", "sb3-ppo=131072"):
        assert default in text


def test_single_seed_cells_omit_the_spread():
    from benchmarks.report import _cell

    assert _cell((0.91234, 0.0), 1) == "0.9123" and _cell((0.91234, 0.01), 3) == "0.9123 +- 0.01"


def test_plot_shows_the_headline_against_learning_frames_with_the_reference(tmp_path):
    pytest.importorskip("matplotlib")
    from benchmarks.report import plot_curves

    curve = [[100.0 * (i + 1), 0.5 + 0.004 * i] for i in range(100)]
    records = [{"env": "WPMEC-v0", "method": method, "seed": 0, "frames": frames, "eval_frames": 5, "env_config": {},
                "method_config": {}, "error": None, "metrics": {"normalized_rate": value}, "curve": [1.0],
                "headline_curve": hc, "reference": None}
               for method, frames, value, hc in (("sb3-ppo", 10_000, 0.9, curve), ("random", 0, 0.7, None),
                                                  ("optimum", 0, 1.0, None))]
    import matplotlib.pyplot as plt

    captured = {}
    original = plt.Figure.savefig

    def spy(self, *args, **kwargs):
        axis = self.axes[0]
        captured.update(xlabel=axis.get_xlabel(), ylabel=axis.get_ylabel(),
                        lines=[line.get_xydata() for line in axis.get_lines()],
                        levels=[c.get_segments()[0][0][1] for c in axis.collections])
        return original(self, *args, **kwargs)

    plt.Figure.savefig = spy
    try:
        paths = plot_curves(records, tmp_path)
    finally:
        plt.Figure.savefig = original
    assert paths and paths[0].exists()
    assert captured["xlabel"] == "learning frames" and captured["ylabel"].startswith("normalized_rate")
    smoothed = captured["lines"][0]
    assert smoothed[-1, 0] == 10_000.0  # x: learning frames
    assert smoothed[-1, 1] == pytest.approx(np.mean([0.5 + 0.004 * i for i in range(95, 100)]))  # 5-point average
    assert sorted(captured["levels"]) == [0.7, 1.0]  # random's level and the reference line


def test_readme_option_writes_the_tables_between_the_markers_and_refuses_a_file_without_them(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("head\n<!-- leaderboard:start -->\nstale table\n<!-- leaderboard:end -->\ntail\n")
    args = ["bench", "--env", "WPMEC-v0", "--method", "random", "optimum", "--seeds", "0", "--frames", "0",
            "--eval-frames", "3", "--no-progress", "--readme", str(readme)]
    assert cli_main([*args, "--out", str(tmp_path / "out")]) == 0
    text = readme.read_text()
    board = (tmp_path / "out" / "leaderboard.md").read_text()
    assert text.startswith("head\n") and text.endswith("tail\n") and "stale table" not in text
    assert "# mec-gym leaderboard" not in text and "### WPMEC-v0" in text and "\n## " not in text
    for line in board.splitlines():  # every row of the generated tables, verbatim
        if line.startswith("| "):
            assert line in text
    bare = tmp_path / "BARE.md"
    bare.write_text("no markers\n")
    capsys.readouterr()
    assert cli_main([*args[:-1], str(bare), "--out", str(tmp_path / "refused")]) == 2
    assert "leaderboard:start" in capsys.readouterr().err and not (tmp_path / "refused").exists()
    assert bare.read_text() == "no markers\n"
