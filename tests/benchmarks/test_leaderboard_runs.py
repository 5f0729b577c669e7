"""The leaderboard's runs: record permissions, failures (exit code, retry on resume), grid-file
checks, and a run's identity (its configuration) in resume and in the report."""

from __future__ import annotations

import os

from benchmarks.runner import write_record


def test_a_record_is_readable_by_everyone_as_the_umask_allows(tmp_path):
    previous = os.umask(0o022)
    try:
        write_record(tmp_path / "runs" / "record.json", {"error": None})
    finally:
        os.umask(previous)
    assert (tmp_path / "runs" / "record.json").stat().st_mode & 0o777 == 0o644
