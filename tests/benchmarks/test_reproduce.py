"""``mec-gym reproduce``: the verdict rules against hand-worked cases, every paper's quick run (a row
and a verdict per claim, the figures written), and a SIGKILL mid-run then --resume giving the same
report as an uninterrupted run (timings aside)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.reproduce import MODULES, core, paper

ROOT = Path(__file__).resolve().parents[2]


# ----- the verdict rules ----------------------------------------------------------------------------
def test_close_uses_the_stated_tolerances():
    assert core.close([0.99, 1.01], 1.0, 0.05, 0.2).verdict == core.REPRODUCED  # mean 1.00
    assert core.close([1.1], 1.0, 0.05, 0.2).verdict == core.PARTLY  # 10 % off
    assert core.close([1.3], 1.0, 0.05, 0.2).verdict == core.CONTRADICTED  # 30 % off
    judged = core.close([0.95], 0.987, 0.005, 0.015, relative=False)  # 0.037 off, absolute
    assert judged.verdict == core.CONTRADICTED and "0.037" in judged.why
    assert core.close([0.98], 0.987, 0.005, 0.015, relative=False).verdict == core.PARTLY


def test_thresholds_holds_and_ordering():
    assert core.at_least([0.991, 0.995], 0.99, 0.98).verdict == core.REPRODUCED
    assert core.at_least([0.985], 0.99, 0.98).verdict == core.PARTLY
    assert core.at_most([0.09], 0.08, 0.084).verdict == core.CONTRADICTED
    assert core.holds([True, True], "x", "y").verdict == core.REPRODUCED
    assert core.holds([True, False], "x", "y").verdict == core.PARTLY
    assert core.holds([False], "x", "y").verdict == core.CONTRADICTED
    means = {"a": 3.0, "b": 2.0, "c": 1.0}
    assert core.ordering(means, ["a", "b", "c"]).verdict == core.REPRODUCED
    assert core.ordering(means, ["c", "b", "a"], lower_is_better=True).verdict == core.REPRODUCED
    assert core.ordering(means, ["b", "a", "c"]).verdict == core.PARTLY  # 2 of 3 pairs
    assert core.ordering(means, ["c", "b", "a"]).verdict == core.CONTRADICTED  # 0 of 3
    with pytest.raises(ValueError, match="verdict"):
        core.Judged("x", "probably")
    assert core.without_timings({"a": 1, "frame_ms": 2.0, "x": [{"tem_ms": 3, "b": 4}], "_seconds": 5}) == \
        {"a": 1, "x": [{"b": 4}]}


def test_readme_section_counts_the_verdicts(tmp_path):
    folder = tmp_path / "reproductions"
    (folder / "qaroo").mkdir(parents=True)
    counts = {"reproduced": 3, "partly": 1, "contradicted": 2, "not reproducible": 0}
    (folder / "qaroo" / "results.json").write_text(json.dumps(
        {"title": "T", "budget": {"label": "full", "seeds": [0, 1]}, "part_seconds": 120.0, "counts": counts}))
    readme = tmp_path / "README.md"
    readme.write_text(f"head\n{core.README_START}\nold\n{core.README_END}\ntail\n")
    core.update_readme(readme, folder, ["qaroo", "meqc"])
    text = readme.read_text()
    assert "old" not in text and text.startswith("head\n") and text.endswith("tail\n")
    assert "| qaroo: T | full, seeds [0, 1] | 2.0 min | 3 | 1 | 2 | 0 | [REPORT.md](reproductions/qaroo/REPORT.md) |" \
        in text
    assert "meqc" not in text  # no results, no row


# ----- every paper, quick -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproductions")
    return out, {name: core.reproduce(paper(name), quick=True, out=out, progress=False) for name in MODULES}


def claim_rows(report: str) -> dict[str, list[str]]:
    rows = {}
    for line in report.splitlines():
        if line.startswith("| ") and not line.startswith(("| key", "| item", "|---")):
            cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
            rows[cells[0]] = cells
    return rows


@pytest.mark.parametrize("name", list(MODULES))
def test_quick_report_has_every_claim_a_verdict_and_the_figures(quick_runs, name):
    out, runs = quick_runs
    content = runs[name]
    declared = paper(name)
    report = (out / name / "REPORT.md").read_text()
    assert report.startswith("# Reproduction: ") and f"`mec-gym reproduce {name} --quick --out" in report
    rows = claim_rows(report)
    for claim in declared.claims:
        assert claim.key in rows, f"{name}: no row for {claim.key}"
        assert rows[claim.key][5] in core.VERDICTS, rows[claim.key]
        if rows[claim.key][5] != core.REPRODUCED:
            assert rows[claim.key][6], f"{name}: {claim.key} has no why"
    assert sum(content["counts"].values()) == len(declared.claims)
    for figure in declared.figures:
        assert (out / name / figure.file).stat().st_size > 1000, figure.file
        assert f"]({figure.file})" in report and "not drawn" not in report
    saved = json.loads((out / name / "results.json").read_text())
    assert [row["key"] for row in saved["claims"]] == [claim.key for claim in declared.claims]


def without_timings(folder: Path, name: str) -> tuple[list[str], dict]:
    """The report's lines less the wall-time line, the timing claims' rows and the verdict counts (which
    count the timing claims' verdicts too: a busy machine flips one); the parts less their seconds."""
    timing = {claim.key for claim in paper(name).claims if claim.timing}
    lines = [line for line in (folder / "REPORT.md").read_text().splitlines()
             if not line.startswith(("- Wall time", "Regenerate:", "- Verdicts:")) and not any(line.startswith(f"| {key} |") for key in timing)]
    return lines, core.without_timings(json.loads((folder / "results.json").read_text())["parts"])


def test_sigkill_then_resume_gives_the_uninterrupted_report(tmp_path):
    name = "pqc-noma"
    clean_out = tmp_path / "clean"
    core.reproduce(paper(name), quick=True, out=clean_out, progress=False)
    tmp_path = tmp_path / "interrupted"
    command = [sys.executable, "-m", "benchmarks.cli", "reproduce", name, "--quick", "--out", str(tmp_path),
               "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = tmp_path / name / "journal.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and (not journal.exists() or journal.read_text().count("\n") < 4):
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    total = len(paper(name).parts(paper(name).budgets["quick"]))
    done = journal.read_text().count("\n")
    assert 4 <= done < total, "the kill must land mid-run"
    assert not (tmp_path / name / "REPORT.md").exists()
    resumed = subprocess.run([*command, "--resume"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert journal.read_text().count("\n") == total  # the journaled parts were kept, not rerun and appended
    # same seeds, same numbers: the parts recomputed after the kill equal the uninterrupted run's
    resumed_report, clean_report = without_timings(tmp_path / name, name), without_timings(clean_out / name, name)
    differing = [(ours, theirs) for ours, theirs in zip(resumed_report[0], clean_report[0]) if ours != theirs]
    assert resumed_report[0] == clean_report[0], f"{done} parts journaled before the kill; differing lines: {differing}"
    assert resumed_report[1] == clean_report[1], [key for key in clean_report[1]
                                                  if resumed_report[1].get(key) != clean_report[1][key]]
