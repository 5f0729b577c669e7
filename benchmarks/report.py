"""Turn run records into the leaderboard: one table per environment (mean +- std over seeds,
ranked by the headline metric), as Markdown and CSV, and learning-curve plots (PNG).

The leaderboard covers every record in the folder, one row per env, method and configuration
(``runner.config_id``): runs of different configurations are never averaged together. When the
folder holds several configurations of one env and method (a grid changed between runs), each
gets its own row, labelled with the method and the fields in which they differ, e.g. ``random
(env.num_devices=12)`` (``default``: the field is not set); otherwise the label is the method.

References are named by what they are: the method ``optimum`` is labelled "optimum" only when
``optimum()`` was certified on every evaluated frame of every seed, otherwise "best-known
(<methods>)"; each table says in one line what ``optimum()`` was, the share of certified frames
and the mean and worst gap (bound - reward) / |bound| (from every record of the env that tracked it).
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.registry import env_metrics
from benchmarks.runner import config_id


def _flat_configuration(record: dict[str, Any]) -> dict[str, str]:
    """{"env.<field>" / "method.<field>" / "frames" / "eval_frames": the value as JSON}."""
    flat = {f"env.{name}": value for name, value in record["env_config"].items()}
    flat |= {f"method.{name}": value for name, value in record["method_config"].items()}
    flat |= {"frames": record["frames"], "eval_frames": record["eval_frames"]}
    return {name: json.dumps(value, sort_keys=True) for name, value in flat.items()}


def group_runs(records: list[dict[str, Any]]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """{env: {label: records of one method and configuration}} (labels as in the module docstring)."""
    by_configuration: dict[str, dict[str, dict[str, list[dict]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list)))
    for record in records:
        by_configuration[record["env"]][record["method"]][config_id(record)].append(record)
    groups: dict[str, dict[str, list[dict]]] = {}
    for env, by_method in sorted(by_configuration.items()):
        groups[env] = {}
        for method, configurations in by_method.items():
            if len(configurations) == 1:
                groups[env][method] = next(iter(configurations.values()))
                continue
            flats = {key: _flat_configuration(runs[0]) for key, runs in configurations.items()}
            names = sorted(set().union(*flats.values()))
            differing = [name for name in names if len({flat.get(name) for flat in flats.values()}) > 1]
            for key, runs in configurations.items():
                values = ", ".join(f"{name}={flats[key].get(name, 'default')}" for name in differing)
                groups[env][f"{method} ({values})"] = runs
    return groups


def reference_label(runs: list[dict[str, Any]]) -> str:
    """"optimum" when every evaluated frame of every run was certified, else "best-known (<methods>)"."""
    references = [run.get("reference") for run in runs if run["error"] is None]
    if references and all(ref and ref["frames"] and ref["certified"] == ref["frames"] for ref in references):
        return "optimum"
    methods = sorted({name for ref in references if ref for name in ref["methods"]})
    return f"best-known ({', '.join(methods) or 'not certified'})"


def format_reference(summary: dict[str, Any], note: str = "") -> str:
    """One line from ``runner.reference_summary`` (or a sum of them): what ``optimum()`` was, the
    certified share and the gaps."""
    frames, certified = summary["frames"], summary["certified"]
    kind = "the certified optimum" if certified == frames else "best-known"
    line = (f"Reference: `optimum()` = {', '.join(summary['methods'])} ({kind}); certified on {certified}/{frames} "
            f"frames ({100.0 * certified / frames:.1f} %); gap (bound - reward) / |bound|: mean "
            f"{summary['mean_gap']:.3g}, worst {summary['worst_gap']:.3g}.")
    return f"{line} {note}." if note else line


def reference_line(env: str, records: list[dict[str, Any]]) -> str:
    """One line: what the reference is, the certified share of frames and the gaps."""
    references = [record["reference"] for record in records
                  if record["env"] == env and record["error"] is None and record.get("reference")]
    if not references:
        return "Reference: `optimum()` was not evaluated in these runs (no certificate recorded)."
    frames = sum(ref["frames"] for ref in references)
    total = {"methods": sorted({name for ref in references for name in ref["methods"]}), "frames": frames,
             "certified": sum(ref["certified"] for ref in references),
             "mean_gap": sum(ref["mean_gap"] * ref["frames"] for ref in references) / frames,
             "worst_gap": max(ref["worst_gap"] for ref in references)}
    return format_reference(total, env_metrics(env).reference_note)


def summarise(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """{env: rows ranked best first}; a row has method, label, seeds, failed, time_per_frame_ms and
    ``metrics`` {name: (mean, std)} over the seeds that succeeded."""
    tables = {}
    for env, by_label in group_runs(records).items():
        spec = env_metrics(env)
        rows = []
        for label, runs in by_label.items():
            good = [run for run in runs if run["error"] is None]
            names = sorted({name for run in good for name in run["metrics"]})
            metrics = {}
            for name in names:
                values = np.array([run["metrics"][name] for run in good if name in run["metrics"]], dtype=float)
                metrics[name] = (float(values.mean()), float(values.std()))
            times = [run["time_per_frame_ms"] for run in good if run["time_per_frame_ms"] is not None]
            if runs[0]["method"] == "optimum":  # named by what it is
                label = label.replace("optimum", reference_label(runs), 1)
            rows.append({
                "method": runs[0]["method"], "label": label, "seeds": len(runs), "failed": len(runs) - len(good),
                "metrics": metrics,
                "time_per_frame_ms": float(np.mean(times)) if times else float("nan"),
            })
        sign = -1.0 if spec.higher_is_better else 1.0
        rows.sort(key=lambda row: (row["metrics"].get(spec.headline, (np.nan,))[0] * sign
                                   if spec.headline in row["metrics"] else np.inf, row["label"]))
        tables[env] = rows
    return tables


def _metric_names(rows, headline):
    names = sorted({name for row in rows for name in row["metrics"]} - {headline})
    return [headline] + names


def markdown(tables: dict[str, list[dict[str, Any]]], records: list[dict[str, Any]] | None = None) -> str:
    """The tables as Markdown; with ``records``, each table gets its reference line."""
    lines = ["# mec-gym leaderboard", ""]
    for env, rows in tables.items():
        headline = env_metrics(env).headline
        names = _metric_names(rows, headline)
        direction = "higher" if env_metrics(env).higher_is_better else "lower"
        lines += [f"## {env}", "", f"Ranked by `{headline}` ({direction} is better); mean +- std over seeds "
                  "(the mean alone where one seed ran).", ""]
        if records is not None:
            lines += [reference_line(env, records), ""]
        lines.append("| rank | method | " + " | ".join(names) + " | ms per decision | seeds | failed |")
        lines.append("|---" * (len(names) + 5) + "|")
        for rank, row in enumerate(rows, 1):
            cells = [_cell(row["metrics"].get(name), row["seeds"] - row["failed"]) for name in names]
            lines.append(f"| {rank} | {row['label']} | " + " | ".join(cells)
                         + f" | {row['time_per_frame_ms']:.3g} | {row['seeds']} | {row['failed']} |")
        smoke = sorted({record["frames"] for record in records or [] if record["env"] == env
                        and record["method"].startswith("sb3-") and record["frames"] < SMOKE_FRAMES})
        if smoke:
            lines += ["", f"The SB3 rows are smoke-sized ({', '.join(map(str, smoke))} learning frames): they show that "
                      "the methods run, not what they learn; `python -m benchmarks.sb3_learning` and the paper preset "
                      "give them budgets to learn."]
        lines.append("")
    return "\n".join(lines)


def _cell(value, seeds: int = 2) -> str:
    """mean +- std over seeds; the mean alone for a single seed (a std of 0 would say nothing)."""
    if value is None:
        return "-"
    mean, std = value
    return f"{mean:.4g}" if seeds == 1 else f"{mean:.4g} +- {std:.2g}"


def write_csv(tables: dict[str, list[dict[str, Any]]], path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["env", "rank", "method", "metric", "mean", "std", "time_per_frame_ms", "seeds", "failed"])
        for env, rows in tables.items():
            for rank, row in enumerate(rows, 1):
                for name, (mean, std) in sorted(row["metrics"].items()):
                    writer.writerow([env, rank, row["label"], name, mean, std, row["time_per_frame_ms"], row["seeds"],
                                     row["failed"]])


SMOOTHING = 5  # points of the moving average drawn over a learning curve
SMOKE_FRAMES = 5_000  # learning frames below which a leaderboard notes that SB3 rows are smoke-sized


def _smooth(values: np.ndarray, window: int = SMOOTHING) -> np.ndarray:
    """Trailing moving average (shorter at the start), same length."""
    sums = np.cumsum(np.insert(values, 0, 0.0))
    counts = np.minimum(np.arange(1, len(values) + 1), window)
    return (sums[1:] - sums[np.arange(1, len(values) + 1) - counts]) / counts


def plot_curves(records: list[dict[str, Any]], folder: Path) -> list[Path]:
    """One PNG per environment: its headline metric against learning frames. Trainers: the mean
    over seeds of the metric per chunk of learning frames (``runner.headline_curve``; normalised by
    the evaluation's mean reference where the metric has one), smoothed (faint: unsmoothed); fixed
    policies: their evaluation value as a dashed level; the reference (the optimum row, else 1 for a
    normalised metric) as a black dotted line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for env, by_label in group_runs(records).items():
        spec = env_metrics(env)
        good = {label: [run for run in runs if run["error"] is None] for label, runs in sorted(by_label.items())}
        learners = {label: [run["headline_curve"] for run in runs if run.get("headline_curve")]
                    for label, runs in good.items()}
        learners = {label: curves for label, curves in learners.items() if curves}
        if not any(spec.headline in run["metrics"] for runs in good.values() for run in runs):
            continue
        figure, axis = plt.subplots(figsize=(7, 4))
        end = max([run["frames"] for runs in good.values() for run in runs] + [1])  # fixed policies only: [0, 1]
        for label, curves in learners.items():
            length = min(len(curve) for curve in curves)
            frames = np.mean([np.asarray(curve[:length])[:, 0] for curve in curves], axis=0)
            values = np.mean([np.asarray(curve[:length])[:, 1] for curve in curves], axis=0)
            line, = axis.plot(frames, _smooth(values), label=f"{label} ({len(curves)} seeds)")
            axis.plot(frames, values, color=line.get_color(), alpha=0.25, linewidth=0.8)
            end = max(end, float(frames[-1]))
        reference, levels = None, 0
        for label, runs in good.items():
            values = [run["metrics"][spec.headline] for run in runs if spec.headline in run["metrics"]]
            if not values or label in learners:
                continue
            if runs[0]["method"] == "optimum":
                reference = (float(np.mean(values)), label.replace("optimum", reference_label(runs), 1))
                continue
            levels += 1
            axis.hlines(np.mean(values), 0, end, linestyles="dashed", linewidth=1, label=label,
                        colors=f"C{(len(learners) + levels) % 10}")
        if reference is None and spec.reference is not None:
            reference = (1.0, "reference (1 = the optimum)")
        if reference is not None:
            axis.hlines(reference[0], 0, end, colors="black", linestyles="dotted", linewidth=1.5, label=reference[1])
        direction = "higher" if spec.higher_is_better else "lower"
        axis.set_xlabel("learning frames")
        axis.set_ylabel(f"{spec.headline} ({direction} is better)")
        axis.set_title(f"{env}: {spec.headline}, moving average of {SMOOTHING} points")
        axis.legend(fontsize=7, ncol=2)
        figure.tight_layout()
        path = folder / f"{env}.png"
        figure.savefig(path, dpi=100)
        plt.close(figure)
        paths.append(path)
    return paths


def markers(name: str) -> tuple[str, str]:
    """The HTML comments that delimit a generated section ``name`` of a Markdown file."""
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def marked_text(path: Path, name: str) -> str:
    """The text of ``path``; ValueError (or OSError) when it lacks the ``markers(name)`` of a section."""
    start, end = markers(name)
    text = path.read_text()
    if start not in text or end not in text:
        raise ValueError(f"{path} has no {start} ... {end} markers")
    return text


def replace_section(path: Path, name: str, body: str) -> None:
    """Replace what stands between ``markers(name)`` in the file ``path`` by ``body``."""
    start, end = markers(name)
    head, rest = marked_text(path, name).split(start, 1)
    path.write_text(head + start + "\n\n" + body.strip("\n") + "\n\n" + end + rest.split(end, 1)[1])


def readme_tables(markdown_text: str) -> str:
    """The leaderboard's Markdown as a README section: its title dropped, each env a level-3 heading."""
    body = markdown_text.split("\n", 1)[1] if markdown_text.startswith("# ") else markdown_text
    return re.sub(r"^## ", "### ", body, flags=re.M).strip("\n")


def write_leaderboard(records: list[dict[str, Any]], out: Path) -> str:
    """Write leaderboard.md, leaderboard.csv and plots/ under ``out``; return the Markdown."""
    tables = summarise(records)
    text = markdown(tables, records)
    (out / "leaderboard.md").write_text(text)
    write_csv(tables, out / "leaderboard.csv")
    plot_curves(records, out / "plots")
    return text
