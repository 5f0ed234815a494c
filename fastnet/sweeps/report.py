"""A sweep's results side by side: one row per configuration (mean ± std over its seeds),
best first, as a Markdown table and a figure."""
import statistics
from pathlib import Path
from typing import List, Sequence

from .grid import flag, label


def summarise(records: Sequence[dict], options: Sequence[str]) -> List[dict]:
    """One row per configuration of ``records``, sorted by mean final accuracy, best
    first: ``label`` (the values of ``options``), ``config``, ``runs``, ``finals``
    (each seed's final accuracy, %), ``final`` / ``final_std`` (their mean and sample
    std), ``best`` (mean of each run's best accuracy), ``seconds`` (median s / epoch)."""
    groups = {}
    for record in records:
        key = label(record["config"], options)
        groups.setdefault(key, []).append(record)
    rows = []
    for key, runs in groups.items():
        finals = [run["final_accuracy"] for run in runs]
        epochs = [epoch["seconds"] for run in runs for epoch in run["history"]]
        rows.append({"label": key, "config": runs[0]["config"], "runs": len(runs),
                     "seeds": sorted(run["seed"] for run in runs), "finals": finals,
                     "final": statistics.fmean(finals),
                     "final_std": statistics.stdev(finals) if len(finals) > 1 else 0.0,
                     "best": statistics.fmean(run["best_accuracy"] for run in runs),
                     "seconds": statistics.median(epochs) if epochs else 0.0})
    rows.sort(key=lambda row: -row["final"])
    return rows


def markdown(rows: Sequence[dict], options: Sequence[str], title: str = "") -> str:
    """The rows as a Markdown table: a column per option that varies, then the seeds,
    final accuracy (mean ± std), best accuracy and seconds per epoch."""
    options = list(options)
    headers = [flag(option).lstrip("-") for option in options] + [
        "seeds", "final accuracy (%)", "± std", "best accuracy (%)", "s / epoch"]
    lines = ([f"### {title}", ""] if title else []) + [
        "| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        values = [_value(row["config"][option]) for option in options]
        values += [str(row["runs"]), f"{row['final']:.2f}", f"{row['final_std']:.2f}",
                   f"{row['best']:.2f}", f"{row['seconds']:.3f}"]
        lines.append("| " + " | ".join(values) + " |")
    if not rows:
        lines.append("| " + " | ".join("-" for _ in headers) + " |")
    return "\n".join(lines)


def plot(rows: Sequence[dict], path, title: str = "") -> Path:
    """Final accuracy per configuration (mean ± std over the seeds, each seed a dot),
    best at the top. Written atomically to ``path``."""
    from ..io.plots import pyplot, save_figure
    if not rows:
        raise ValueError("nothing to plot: no run finished")
    plt = pyplot()
    height = 1.2 + 0.35 * len(rows)
    fig, axis = plt.subplots(figsize=(8.0, height))
    positions = list(range(len(rows)))[::-1]
    axis.errorbar([row["final"] for row in rows], positions,
                  xerr=[row["final_std"] for row in rows], fmt="o", capsize=4, zorder=2)
    for position, row in zip(positions, rows):
        axis.scatter(row["finals"], [position] * len(row["finals"]), s=10, color="gray",
                     alpha=0.6, zorder=3)
    axis.set_yticks(positions)
    axis.set_yticklabels([row["label"] for row in rows], fontsize=8)
    axis.set_xlabel("final test accuracy (%): mean ± std over seeds, dots: each seed")
    axis.grid(alpha=0.3, axis="x")
    if title:
        axis.set_title(title, fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path)


def _value(value) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return "-" if value is None else str(value)
