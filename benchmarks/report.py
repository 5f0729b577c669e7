"""Turn run records into the leaderboard: one table per environment (mean +- std over seeds,
ranked by the headline metric), as Markdown and CSV, and learning-curve plots (PNG)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.registry import env_metrics


def summarise(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """{env: rows ranked best first}; a row has method, seeds, failed, time_per_frame_ms and
    ``metrics`` {name: (mean, std)} over the seeds that succeeded."""
    grouped: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        grouped[record["env"]][record["method"]].append(record)
    tables = {}
    for env, by_method in sorted(grouped.items()):
        spec = env_metrics(env)
        rows = []
        for method, runs in by_method.items():
            good = [run for run in runs if run["error"] is None]
            names = sorted({name for run in good for name in run["metrics"]})
            metrics = {}
            for name in names:
                values = np.array([run["metrics"][name] for run in good if name in run["metrics"]], dtype=float)
                metrics[name] = (float(values.mean()), float(values.std()))
            times = [run["time_per_frame_ms"] for run in good if run["time_per_frame_ms"] is not None]
            rows.append({
                "method": method, "seeds": len(runs), "failed": len(runs) - len(good), "metrics": metrics,
                "time_per_frame_ms": float(np.mean(times)) if times else float("nan"),
            })
        sign = -1.0 if spec.higher_is_better else 1.0
        rows.sort(key=lambda row: (row["metrics"].get(spec.headline, (np.nan,))[0] * sign
                                   if spec.headline in row["metrics"] else np.inf, row["method"]))
        tables[env] = rows
    return tables


def _metric_names(rows, headline):
    names = sorted({name for row in rows for name in row["metrics"]} - {headline})
    return [headline] + names


def markdown(tables: dict[str, list[dict[str, Any]]]) -> str:
    lines = ["# mec-gym leaderboard", ""]
    for env, rows in tables.items():
        headline = env_metrics(env).headline
        names = _metric_names(rows, headline)
        direction = "higher" if env_metrics(env).higher_is_better else "lower"
        lines += [f"## {env}", "", f"Ranked by `{headline}` ({direction} is better); mean +- std over seeds.", ""]
        lines.append("| rank | method | " + " | ".join(names) + " | ms per decision | seeds | failed |")
        lines.append("|---" * (len(names) + 5) + "|")
        for rank, row in enumerate(rows, 1):
            cells = [_cell(row["metrics"].get(name)) for name in names]
            lines.append(f"| {rank} | {row['method']} | " + " | ".join(cells)
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
                    writer.writerow([env, rank, row["method"], name, mean, std, row["time_per_frame_ms"], row["seeds"], row["failed"]])


def plot_curves(records: list[dict[str, Any]], folder: Path) -> list[Path]:
    """One PNG per environment: each method's mean learning curve over seeds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    by_env: dict[str, dict[str, list[list[float]]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        if record["error"] is None and record["curve"]:
            by_env[record["env"]][record["method"]].append(record["curve"])
    paths = []
    for env, curves in sorted(by_env.items()):
        figure, axis = plt.subplots(figsize=(7, 4))
        for method, runs in sorted(curves.items()):
            length = min(len(run) for run in runs)
            mean = np.mean([run[:length] for run in runs], axis=0)
            axis.plot(np.linspace(0, 1, length), mean, label=method)
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
    text = markdown(tables)
    (out / "leaderboard.md").write_text(text)
    write_csv(tables, out / "leaderboard.csv")
    plot_curves(records, out / "plots")
    return text
