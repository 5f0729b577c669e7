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
        lines += [f"## {env}", "", f"Ranked by `{headline}` ({direction} is better); mean +- std over seeds.", ""]
        if records is not None:
            lines += [reference_line(env, records), ""]
        lines.append("| rank | method | " + " | ".join(names) + " | ms per decision | seeds | failed |")
        lines.append("|---" * (len(names) + 5) + "|")
        for rank, row in enumerate(rows, 1):
            cells = [_cell(row["metrics"].get(name)) for name in names]
            lines.append(f"| {rank} | {row['label']} | " + " | ".join(cells)
                         + f" | {row['time_per_frame_ms']:.3g} | {row['seeds']} | {row['failed']} |")
        lines.append("")
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return "-"
    mean, std = value
    return f"{mean:.4g} +- {std:.2g}"


def write_csv(tables: dict[str, list[dict[str, Any]]], path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["env", "rank", "method", "metric", "mean", "std", "time_per_frame_ms", "seeds", "failed"])
        for env, rows in tables.items():
            for rank, row in enumerate(rows, 1):
                for name, (mean, std) in sorted(row["metrics"].items()):
                    writer.writerow([env, rank, row["label"], name, mean, std, row["time_per_frame_ms"], row["seeds"],
                                     row["failed"]])


def plot_curves(records: list[dict[str, Any]], folder: Path) -> list[Path]:
    """One PNG per environment: each row's mean learning curve over its seeds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for env, by_label in group_runs(records).items():
        curves = {label: kept for label, runs in sorted(by_label.items())
                  if (kept := [run["curve"] for run in runs if run["error"] is None and run["curve"]])}
        if not curves:
            continue
        figure, axis = plt.subplots(figsize=(7, 4))
        for label, runs in curves.items():
            length = min(len(run) for run in runs)
            mean = np.mean([run[:length] for run in runs], axis=0)
            axis.plot(np.linspace(0, 1, length), mean, label=label)
        axis.set_xlabel("fraction of the run (learning frames, or evaluation frames for fixed policies)")
        axis.set_ylabel("reward per frame")
        axis.set_title(env)
        axis.legend(fontsize=7, ncol=2)
        figure.tight_layout()
        path = folder / f"{env}.png"
        figure.savefig(path, dpi=100)
        plt.close(figure)
        paths.append(path)
    return paths


def write_leaderboard(records: list[dict[str, Any]], out: Path) -> str:
    """Write leaderboard.md, leaderboard.csv and plots/ under ``out``; return the Markdown."""
    tables = summarise(records)
    text = markdown(tables, records)
    (out / "leaderboard.md").write_text(text)
    write_csv(tables, out / "leaderboard.csv")
    plot_curves(records, out / "plots")
    return text
