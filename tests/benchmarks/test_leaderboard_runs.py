"""The leaderboard's runs: record permissions, failures (exit code, retry on resume), grid-file
checks, and a run's identity (its configuration) in resume and in the report."""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.cli import main as cli_main
from benchmarks.runner import read_records, write_record


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
