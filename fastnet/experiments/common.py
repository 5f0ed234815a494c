"""What every experiment shares: the data, one seeded training run, running many runs
(here or on a Dask cluster, ``fastnet.sweeps.engine``), the result as a Markdown table,
and the sweeps' rows, notes and figure (one row per value of a setting: ``hidden``,
``eta``)."""
import logging
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from ..core import rng
from ..core.validate import check_int
from ..sweeps.data import Dataset, Limits, data_file, dataset_for, load_dataset  # noqa: F401  (experiments' API)
from ..sweeps.engine import run_tasks
from ..sweeps.grid import run_cost

# "run k/N finished" as runs complete (the command line shows these on stderr)
log = logging.getLogger("fastnet.experiments")


def train_run(dataset: Dataset, sizes: Sequence[int], seed: int, epochs: int, batch: int = 10,
              eta: float = 3.0, encoding: Optional[str] = None, reduction: str = "mean",
              targets: Optional[Callable] = None) -> dict:
    """Train a freshly seeded ``Network(sizes)``; return per-epoch test accuracy (%),
    the best epoch, the final accuracy and the median epoch time. ``targets`` maps the
    data's labels to the labels this network learns (e.g. "is it a 3?")."""
    from ..network import Network
    (X, y), (Xt, yt) = dataset.train, dataset.test
    if targets is not None:
        y, yt = targets(y), targets(yt)
    rng.seed(seed)  # both generators the original draws from
    net = Network(sizes, encoding=encoding)
    accuracy, seconds = [], []
    for result in net.train_epochs((X, y), epochs, batch, eta, (Xt, yt), reduction=reduction):
        accuracy.append(100.0 * result.correct / result.n_test)
        seconds.append(result.seconds)
    best = int(np.argmax(accuracy)) if accuracy else None
    return dict(sizes=list(sizes), seed=seed, accuracy=accuracy, best_epoch=best,
                final=accuracy[-1] if accuracy else None,
                seconds_per_epoch=statistics.median(seconds) if seconds else None, net=net)


@dataclass
class Result:
    """An experiment's answer: one row per configuration, shown as a Markdown table."""
    title: str
    columns: List[Tuple[str, str]]  # (key in each row, column header)
    rows: List[dict] = field(default_factory=list)
    note: str = ""
    interrupted: bool = False

    def markdown(self) -> str:
        lines = [f"### {self.title}", "",
                 "| " + " | ".join(header for _, header in self.columns) + " |",
                 "|" + "|".join("---" for _ in self.columns) + "|"]
        for row in self.rows:
            lines.append("| " + " | ".join(_cell(row.get(key)) for key, _ in self.columns) + " |")
        if self.interrupted:
            lines += ["", f"Interrupted: {len(self.rows)} rows from the runs that finished."]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e-3 or abs(value) >= 1e5 else f"{value:.2f}"
    return str(value)


def mean_std(values: Sequence[float]) -> Tuple[float, float]:
    """Mean and (sample) standard deviation; std 0 for a single value."""
    values = list(values)
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def run_many(task: Callable[..., dict], configs: List[dict], jobs: int = 1,
             dataset: Optional[Dataset] = None, path=None, limits: Limits = (None, None),
             scheduler: Optional[str] = None) -> Tuple[List[dict], bool]:
    """``[task(dataset, **config) for config in configs]`` and whether Ctrl-C cut it short
    (then the list holds the finished runs only, in the order of ``configs``).

    Runs here one after another, or with ``jobs`` > 1 on an embedded Dask cluster of
    that many single-threaded worker processes, or on the cluster at ``scheduler``
    (``fastnet.sweeps.engine.run_tasks``): a ``task`` must then be a module-level
    function and its result picklable (the ``net`` entry is dropped). The data is
    ``dataset`` if given, else the data at ``path`` cut to ``limits``."""
    results, interrupted = _run(task, configs, jobs, dataset, path, limits, scheduler)
    return [results[i] for i in sorted(results)], interrupted


def _run(task, configs, jobs, dataset, path, limits, scheduler) -> Tuple[Dict[int, dict], bool]:
    def done(index: int, result: dict) -> None:
        log.info("run %d/%d finished", len(finished) + 1, len(configs))
        finished.append(index)
    finished: List[int] = []
    return run_tasks(task, configs, jobs=jobs, scheduler=scheduler, dataset=dataset, path=path,
                     limits=limits, done=done, argument="data=", cost=run_cost)

# --- sweeps: one row per value of a setting (hidden.py, eta.py) ---------------------

#: std over seeds (points) above which a note calls a configuration unstable
UNSTABLE = 2.0
#: a sweep table's columns after its first (the setting swept)
SWEEP_COLUMNS = [("sizes", "sizes"), ("runs", "seeds"), ("final", "final accuracy (%)"),
                 ("final_std", "± std"), ("best", "best mean accuracy (%)"),
                 ("best_epoch", "best epoch"), ("seconds", "s / epoch")]


def sweep(key: str, settings: Sequence[Tuple[object, dict]], seeds: Sequence[int], jobs: int,
          dataset: Optional[Dataset], data, limits: Limits, scheduler: Optional[str] = None
          ) -> Tuple[List[dict], bool]:
    """Train every ``(label, train_run keywords)`` of ``settings`` from each seed (with
    ``run_many``); the table rows, one per label (``sweep_rows``, under ``key``), and
    whether Ctrl-C cut the sweep short."""
    labels, configs = [], []
    for label, config in settings:
        for seed in seeds:
            labels.append(label)
            configs.append(dict(config, seed=seed))
    results, interrupted = _run(train_run, configs, jobs, dataset, data, limits, scheduler)
    order = sorted(results)
    return sweep_rows([labels[i] for i in order], [results[i] for i in order], key), interrupted


def seed_values(seeds: Union[int, Sequence[int]]) -> List[int]:
    """``range(seeds)`` for a count, else the given seeds."""
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        return list(range(check_int(seeds, "seeds", 1)))
    values = [check_int(seed, "seed", 0) for seed in seeds]
    if not values:
        raise ValueError("seeds: give at least one seed")
    return values


def prepare(data, limits: Limits, jobs: int, dataset: Optional[Dataset]) -> Tuple[Dataset, int, int]:
    """The data set (loaded here unless given: ``sweeps.data.dataset_for`` keeps it for
    runs in this process), its number of inputs and of classes."""
    check_int(jobs, "jobs", 1)
    if dataset is None:
        dataset = dataset_for(data_file(data, limits))
    return (dataset, *dataset.shape())


def sweep_rows(labels: Sequence, results: Sequence[dict], key: str) -> List[dict]:
    """One row per distinct label (in order of appearance), from the finished runs:
    ``results[i]`` is the run of ``labels[i]``; a label with no finished run has no row.

    Numeric entries: ``final`` / ``final_std`` (mean, sample std over the runs' final
    accuracy, %), ``finals`` (each run's), ``curve`` (mean accuracy per epoch), ``best``
    and ``best_epoch`` (the peak of ``curve``), ``seconds`` (median s / epoch), ``runs``."""
    groups = {}
    for label, result in zip(labels, results):
        groups.setdefault(label, []).append(result)
    rows = []
    for label, runs in groups.items():
        finals = [r["final"] for r in runs]
        final, std = mean_std(finals)
        curve = np.mean([r["accuracy"] for r in runs], axis=0)
        best_epoch = int(np.argmax(curve))
        rows.append({key: label, "sizes": list(runs[0]["sizes"]), "runs": len(runs),
                     "final": float(final), "final_std": float(std), "finals": finals,
                     "curve": [float(a) for a in curve], "best": float(curve[best_epoch]),
                     "best_epoch": best_epoch,
                     "seconds": float(statistics.median(r["seconds_per_epoch"] for r in runs)),
                     "seeds": [r["seed"] for r in runs]})
    return rows


def unstable_sentence(rows: List[dict], name: Callable[[dict], str]) -> str:
    """Names the rows whose seeds disagree (std of the final accuracy above UNSTABLE)."""
    shaky = [row for row in rows if row["runs"] > 1 and row["final_std"] > UNSTABLE]
    if not shaky:
        return ""
    return (f" Seeds disagree (std > {UNSTABLE:g} points) at "
            + ", ".join(f"{name(row)} ({', '.join(f'{f:.1f}' for f in row['finals'])} %)" for row in shaky)
            + ".")


def plot_sweep(result: Result, path, key: str, xlabel: str, scale: str = "log",
               label: Optional[Callable] = None) -> Path:
    """Left: final accuracy (mean ± std over seeds) against ``row[key]``; right: the mean
    test accuracy per epoch, one line per row. Saved as a PNG at ``path``."""
    from ..io.plots import pyplot, save_figure
    rows = result.rows
    if not rows:
        raise ValueError("nothing to plot: no run finished")
    label = label or (lambda value: f"{key}={value:g}")
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11.0, 4.4))
    x = [row[key] for row in rows]
    left.errorbar(x, [row["final"] for row in rows], yerr=[row["final_std"] for row in rows],
                  marker="o", capsize=4)
    for row in rows:  # each seed, faintly
        left.scatter([row[key]] * len(row["finals"]), row["finals"], s=8, color="gray", alpha=0.5)
    if scale == "symlog":
        left.set_xscale("symlog", linthresh=max(1, min((v for v in x if v > 0), default=1)))
    else:
        left.set_xscale(scale)
    left.set_xticks(x)
    left.set_xticklabels([f"{v:g}" for v in x])
    left.minorticks_off()
    left.set_xlabel(xlabel)
    left.set_ylabel("final test accuracy (%), mean ± std")
    left.grid(alpha=0.3)
    for row in rows:
        right.plot(np.arange(len(row["curve"])), row["curve"], marker="o", markersize=3,
                   label=label(row[key]))
    right.set_xlabel("epoch")
    right.xaxis.get_major_locator().set_params(integer=True)
    right.set_ylabel("mean test accuracy (%)")
    right.grid(alpha=0.3)
    right.legend(fontsize=8)
    fig.suptitle(result.title + (" (interrupted)" if result.interrupted else ""), fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path)


def unique(values) -> list:
    """``values`` without repeats, in order of first appearance."""
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen
