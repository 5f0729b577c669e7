"""The benchmarks' journal: rows appended as they finish, a rerun skips them, a cut line is dropped."""

from __future__ import annotations

import json

import pytest

from benchmarks.journal import Journal


def test_rows_are_appended_once_and_a_rerun_skips_them(tmp_path):
    path, calls = tmp_path / "runs.jsonl", []

    def compute(value):
        calls.append(value)
        return {"cost": value}

    journal = Journal(path, ("n", "method"))
    assert journal.run({"n": 3, "method": "a"}, lambda: compute(1.5)) == {"n": 3, "method": "a", "cost": 1.5}
    journal.run({"n": 4, "method": "a"}, lambda: compute(2.5))
    again = Journal(path, ("n", "method"))
    assert again.run({"n": 3, "method": "a"}, lambda: compute(99.0))["cost"] == 1.5
    assert calls == [1.5, 2.5]
    assert [json.loads(line)["cost"] for line in path.read_text().splitlines()] == [1.5, 2.5]
    Journal(path, ("n", "method"), resume=False).run({"n": 3, "method": "a"}, lambda: compute(7.0))
    assert [json.loads(line)["cost"] for line in path.read_text().splitlines()] == [7.0]


def test_a_line_cut_by_a_kill_is_dropped_and_its_unit_runs_again(tmp_path):
    path = tmp_path / "runs.jsonl"
    path.write_text('{"n": 3, "cost": 1.0}\n{"n": 4, "co')
    journal = Journal(path, ("n",))
    assert journal.get({"n": 4}) is None and journal.get({"n": 3})["cost"] == 1.0
    journal.run({"n": 4}, lambda: {"cost": 2.0})
    assert [json.loads(line) for line in path.read_text().splitlines()] == [{"n": 3, "cost": 1.0},
                                                                          {"n": 4, "cost": 2.0}]
    path.write_text('{"n": 3\n{"n": 4, "cost": 2.0}\n')  # damage before the last line is an error
    with pytest.raises(ValueError, match="line 1"):
        Journal(path, ("n",))
