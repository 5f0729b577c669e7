"""The shared machinery of ``mec-gym reproduce``: claims and their verdicts, the resumable runner
and the report (REPORT.md, results.json, figures).

A paper module (``benchmarks/reproduce/<paper>.py``) declares a ``Paper``: its title and source,
where its numbers are, its budgets (``quick`` and ``full``) beside the paper's own, the deviations,
the experiment ``parts`` (each a JSON-able result, journaled as it finishes) and the ``claims``
(each judged by code from the parts' results and a stated tolerance). Verdicts are never written by
hand: every claim's ``judge`` returns one of ``VERDICTS`` computed from the numbers.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.journal import Journal
from benchmarks.report import markers, replace_section

REPRODUCED, PARTLY, CONTRADICTED, NOT_REPRODUCIBLE = "reproduced", "partly", "contradicted", "not reproducible"
VERDICTS = (REPRODUCED, PARTLY, CONTRADICTED, NOT_REPRODUCIBLE)
REPOSITORY = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPOSITORY / "reproductions"
TIMING_SUFFIXES = ("_us", "_ms", "_s", "_seconds")  # a part's fields named so are wall-clock measurements


# ----- budgets, parts, claims ---------------------------------------------------------------------
@dataclass(frozen=True)
class Budget:
    """One budget of a paper: ``seeds`` and named sizes (frames, sweeps, ...) in ``params``."""

    label: str  # "quick" or "full"
    seeds: tuple[int, ...]
    params: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.params[name]


@dataclass(frozen=True)
class Part:
    """One unit of work: ``key`` names it fully (budget sizes and seed included), ``compute()``
    returns a JSON-able dict."""

    key: str
    compute: Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class Judged:
    """A claim's outcome: ``ours`` as shown in the table, the verdict and one line of why."""

    ours: str
    verdict: str
    why: str = ""

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}; got {self.verdict!r}")


@dataclass(frozen=True)
class Claim:
    key: str
    text: str
    paper: str  # the paper's value, as it states it
    where: str  # where in the paper
    judge: Callable[[Results], Judged]
    timing: bool = False  # depends on wall-clock measurements (excluded from the resume / determinism checks)


@dataclass(frozen=True)
class Figure:
    file: str  # PNG name inside the paper's folder
    caption: str
    draw: Callable[[Results, Any], None]  # draw(results, matplotlib figure)
    size: tuple[float, float] = (6.4, 4.0)


@dataclass(frozen=True)
class Paper:
    name: str
    title: str
    source: str  # the text in ../shared/seeds/
    where: str  # where the paper's numbers are
    paper_budget: str  # the paper's budget in one paragraph
    budgets: dict[str, Budget]
    setup: Callable[[Budget], list[tuple[str, str, str]]]  # rows (item, the paper's, ours)
    deviations: Callable[[Budget], list[str]]
    parts: Callable[[Budget], list[Part]]
    claims: Sequence[Claim]
    figures: Sequence[Figure] = ()


class Results:
    """The finished parts of a run: ``rows[key]`` is the dict a part computed; ``budget`` the budget."""

    def __init__(self, budget: Budget, rows: dict[str, dict[str, Any]]):
        self.budget, self.rows = budget, rows

    def __getitem__(self, key: str) -> dict[str, Any]:
        return self.rows[key]

    def over_seeds(self, key_of_seed: Callable[[int], str], field_name: str) -> np.ndarray:
        """The values of ``field_name`` in the part of each seed of the budget."""
        return np.array([self.rows[key_of_seed(seed)][field_name] for seed in self.budget.seeds], dtype=np.float64)


# ----- verdict rules (the stated tolerances) --------------------------------------------------------
def spread(values: Sequence[float], digits: int = 4) -> str:
    """'mean ± sd (n seeds)', or the single value."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 1:
        return f"{values[0]:.{digits}g}"
    return f"{values.mean():.{digits}g} ± {values.std(ddof=1):.2g} (n = {values.size})"


def close(values: Sequence[float], paper: float, tolerance: float, partly: float, relative: bool = True,
          digits: int = 4, unit: str = "") -> Judged:
    """Reproduced when the mean over seeds is within ``tolerance`` of the paper's value (relative or
    absolute), partly within ``partly``, contradicted beyond."""
    mean = float(np.mean(values))
    gap = abs(mean - paper) / abs(paper) if relative else abs(mean - paper)
    kind = "relative" if relative else "absolute"
    ours = spread(values, digits) + unit
    if gap <= tolerance:
        return Judged(ours, REPRODUCED)
    shown = f"{100 * gap:.1f} %" if relative else f"{gap:.3g}"
    bound = f"{100 * tolerance:g} %" if relative else f"{tolerance:g}"
    return Judged(ours, PARTLY if gap <= partly else CONTRADICTED, f"{kind} gap {shown} exceeds the tolerance {bound}")


def at_least(values: Sequence[float], threshold: float, partly: float, digits: int = 4, unit: str = "") -> Judged:
    """Reproduced when the mean is >= ``threshold``, partly when >= ``partly``."""
    mean = float(np.mean(values))
    ours = spread(values, digits) + unit
    if mean >= threshold:
        return Judged(ours, REPRODUCED)
    return Judged(ours, PARTLY if mean >= partly else CONTRADICTED, f"mean {mean:.{digits}g} below {threshold:g}")


def at_most(values: Sequence[float], threshold: float, partly: float, digits: int = 4, unit: str = "") -> Judged:
    """Reproduced when the mean is <= ``threshold``, partly when <= ``partly``."""
    mean = float(np.mean(values))
    ours = spread(values, digits) + unit
    if mean <= threshold:
        return Judged(ours, REPRODUCED)
    return Judged(ours, PARTLY if mean <= partly else CONTRADICTED, f"mean {mean:.{digits}g} above {threshold:g}")


def holds(flags: Sequence[bool], ours: str, failing: str) -> Judged:
    """A yes/no statement checked on each seed (or case): reproduced when it holds on all, partly
    on some, contradicted on none; ``failing`` says what fails."""
    flags = [bool(flag) for flag in flags]
    count = f"holds on {sum(flags)} of {len(flags)}"
    if all(flags):
        return Judged(f"{ours}; {count}", REPRODUCED)
    return Judged(f"{ours}; {count}", PARTLY if any(flags) else CONTRADICTED, failing)


def ordering(means: dict[str, float], expected: Sequence[str], lower_is_better: bool = False, digits: int = 4) -> Judged:
    """``expected`` lists names best first. Reproduced when every pair is in the expected order,
    partly when at least half the pairs are, contradicted otherwise."""
    pairs = [(a, b) for i, a in enumerate(expected) for b in expected[i + 1:]]
    agree = [(means[a] < means[b]) if lower_is_better else (means[a] > means[b]) for a, b in pairs]
    ranked = sorted(expected, key=lambda name: means[name], reverse=not lower_is_better)
    ours = " > ".join(f"{name} {means[name]:.{digits}g}" for name in ranked) if not lower_is_better else \
        " < ".join(f"{name} {means[name]:.{digits}g}" for name in ranked)
    ours += f" ({sum(agree)} of {len(pairs)} pairs as the paper)"
    if all(agree):
        return Judged(ours, REPRODUCED)
    wrong = [f"{a} vs {b}" for (a, b), ok in zip(pairs, agree) if not ok]
    return Judged(ours, PARTLY if 2 * sum(agree) >= len(pairs) else CONTRADICTED, "out of order: " + ", ".join(wrong[:4]))


def not_reproducible(ours: str, why: str) -> Judged:
    return Judged(ours, NOT_REPRODUCIBLE, why)


def without_timings(value: Any) -> Any:
    """``value`` (a part's result, or any JSON) less the fields named as wall-clock measurements."""
    if isinstance(value, dict):
        return {name: without_timings(item) for name, item in value.items()
                if not (isinstance(name, str) and name.endswith(TIMING_SUFFIXES))}
    if isinstance(value, list):
        return [without_timings(item) for item in value]
    return value


# ----- the runner -----------------------------------------------------------------------------------
def budget_of(paper: Paper, quick: bool, seeds: Sequence[int] | None = None) -> Budget:
    budget = paper.budgets["quick" if quick else "full"]
    return replace(budget, seeds=tuple(int(s) for s in seeds)) if seeds else budget


def run_parts(paper: Paper, budget: Budget, folder: Path, resume: bool, progress: bool = True) -> Results:
    """Every part of the budget: from the journal when it is there (``resume``), else computed, timed
    and appended as it finishes (a kill loses at most the part in progress)."""
    journal = Journal(folder / "journal.jsonl", ("part",), resume=resume)
    parts = paper.parts(budget)
    keys = [part.key for part in parts]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{paper.name}: duplicate part keys")
    rows = {}
    for number, part in enumerate(parts, 1):
        cached = journal.get({"part": part.key}) is not None

        def compute(part=part):
            start = time.perf_counter()
            result = part.compute()
            return {"result": result, "seconds": time.perf_counter() - start}

        row = journal.run({"part": part.key}, compute)
        rows[part.key] = row["result"]
        rows[part.key]["_seconds"] = row["seconds"]
        if progress:
            state = "journaled" if cached else f"{row['seconds']:.1f} s"
            print(f"[{paper.name} {number}/{len(parts)}] {part.key} ({state})", flush=True)
    return Results(budget, rows)


def command_line(paper: Paper, budget: Budget, quick: bool, out: Path | None) -> str:
    words = ["mec-gym reproduce", paper.name] + (["--quick"] if quick else [])
    default_seeds = paper.budgets[budget.label].seeds
    if budget.seeds != default_seeds:
        words += ["--seeds", *map(str, budget.seeds)]
    if out is not None and Path(out).resolve() != DEFAULT_OUT:
        words += ["--out", str(out)]
    return " ".join(words)


def judge_all(paper: Paper, results: Results) -> list[dict[str, Any]]:
    rows = []
    for claim in paper.claims:
        try:
            judged = claim.judge(results)
        except (KeyError, ValueError, ZeroDivisionError, IndexError) as error:  # a part that a feature lacks
            judged = not_reproducible("-", f"not measured here: {type(error).__name__}: {error}")
        rows.append({"key": claim.key, "claim": claim.text, "paper": claim.paper, "where": claim.where,
                     "ours": judged.ours, "verdict": judged.verdict, "why": judged.why, "timing": claim.timing})
    return rows


def counts(claims: list[dict[str, Any]]) -> dict[str, int]:
    return {verdict: sum(row["verdict"] == verdict for row in claims) for verdict in VERDICTS}


def draw_figures(paper: Paper, results: Results, folder: Path) -> list[tuple[Figure, str]]:
    """Each figure as PNG; a figure that fails to draw is reported in its caption (never silently)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    drawn = []
    for figure in paper.figures:
        canvas = plt.figure(figsize=figure.size)
        note = ""
        try:
            figure.draw(results, canvas)
            canvas.tight_layout()
            canvas.savefig(folder / figure.file, dpi=90)
        except (KeyError, ValueError, IndexError) as error:
            note = f" (not drawn: {type(error).__name__}: {error})"
        plt.close(canvas)
        drawn.append((figure, note))
    return drawn


def _table_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_report(paper: Paper, results: Results, folder: Path, quick: bool, out: Path | None,
                 elapsed: float) -> dict[str, Any]:
    """REPORT.md, results.json and the figures in ``folder``; returns the results.json content."""
    budget = results.budget
    claims = judge_all(paper, results)
    drawn = draw_figures(paper, results, folder)
    part_seconds = sum(row["_seconds"] for row in results.rows.values())
    tally = counts(claims)
    lines = [f"# Reproduction: {paper.title}", "",
             f"Regenerate: `{command_line(paper, budget, quick, out)}`", "",
             "Generated by `benchmarks/reproduce` from the numbers in `results.json`; the verdicts are computed "
             "from the tolerances stated in `benchmarks/reproduce/" + paper.name.replace("-", "_") + ".py`.", "",
             f"- Paper: *{paper.title}* (`../shared/seeds/{paper.source}`)",
             f"- Its numbers: {paper.where}",
             f"- Budget: **{budget.label}**, seeds {list(budget.seeds)}",
             f"- Wall time of the parts (sum, on this 2-core machine shared with other jobs): {part_seconds / 60:.1f} min",
             f"- Verdicts: {', '.join(f'{count} {verdict}' for verdict, count in tally.items())}", "",
             "## Setup", "", f"The paper's budget: {paper.paper_budget}", "",
             "| item | the paper | ours |", "|---|---|---|"]
    lines += [f"| {_table_cell(a)} | {_table_cell(b)} | {_table_cell(c)} |" for a, b, c in paper.setup(budget)]
    lines += ["", "Deviations:", ""] + [f"- {text}" for text in paper.deviations(budget)]
    lines += ["", "## Claims", "", "| key | claim | where | paper | ours | verdict | why |",
              "|---|---|---|---|---|---|---|"]
    for row in claims:
        shown = {**row, "claim": row["claim"] + (" (timing)" if row["timing"] else "")}
        lines.append("| " + " | ".join(_table_cell(shown[name]) for name in
                                        ("key", "claim", "where", "paper", "ours", "verdict", "why")) + " |")
    lines += ["", "Tolerances: each claim's rule is in its module (`close`: relative or absolute gap to the paper's "
              "value; `at_least` / `at_most`: a threshold; `holds`: a statement checked on every seed or case, "
              "partly when on some; `ordering`: every pair of methods in the paper's order, partly when at least "
              "half). Rows marked (timing) depend on this machine's clock.", "", "## Figures", ""]
    for figure, note in drawn:
        lines += [f"![{figure.caption}]({figure.file})", "", f"*{figure.caption}*{note}", ""]
    (folder / "REPORT.md").write_text("\n".join(lines))
    content = {"paper": paper.name, "title": paper.title, "budget": {"label": budget.label, "seeds": list(budget.seeds),
                                                                     **budget.params},
               "quick": quick, "part_seconds": part_seconds, "elapsed_seconds": elapsed, "counts": tally,
               "claims": claims, "parts": results.rows}
    (folder / "results.json").write_text(json.dumps(content, indent=1, default=float) + "\n")
    return content


def reproduce(paper: Paper, quick: bool = False, resume: bool = False, out: Path | None = None,
              seeds: Sequence[int] | None = None, progress: bool = True) -> dict[str, Any]:
    """Run (or resume) one paper's experiments and write its report; returns results.json's content."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    budget = budget_of(paper, quick, seeds)
    folder = Path(out or DEFAULT_OUT) / paper.name
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    results = run_parts(paper, budget, folder, resume, progress)
    return write_report(paper, results, folder, quick, out, time.perf_counter() - start)


# ----- the README's section ---------------------------------------------------------------------------
README_START, README_END = markers("reproductions")


def readme_section(folder: Path, names: Sequence[str]) -> str:
    """The README's table: one row per paper with a results.json in ``folder``."""
    lines = ["| paper | budget | wall time | " + " | ".join(VERDICTS) + " | report |",
             "|---|---|---|" + "---|" * len(VERDICTS) + "---|"]
    for name in names:
        path = folder / name / "results.json"
        if not path.exists():
            continue
        content = json.loads(path.read_text())
        cells = [str(content["counts"][verdict]) for verdict in VERDICTS]
        lines.append(f"| {name}: {content['title']} | {content['budget']['label']}, seeds {content['budget']['seeds']} "
                     f"| {content['part_seconds'] / 60:.1f} min | " + " | ".join(cells)
                     + f" | [REPORT.md](reproductions/{name}/REPORT.md) |")
    return "\n".join(lines)


def update_readme(readme: Path, folder: Path, names: Sequence[str]) -> None:
    """Replace the section between the markers in ``readme`` by the generated table."""
    replace_section(readme, "reproductions", readme_section(folder, names))
