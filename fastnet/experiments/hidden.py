"""How many hidden neurons? Train ``[inputs, n, classes]`` for each hidden-layer size n
(n = 0: no hidden layer, ``[inputs, classes]``) over several seeds, and compare.

    fastnet experiment hidden --hidden 0,10,30,100,300 --seeds 3 --epochs 10 --jobs 2

One row per n: final test accuracy (mean and standard deviation over the seeds), the
epoch where the mean accuracy curve peaks (numbered from 0, as the "Epoch j" lines of
training) with that peak, and the median training time per epoch.

The row building (:func:`sweep_rows`), the notes' wording and the figure
(:func:`plot_sweep`) are shared with the learning-rate sweep in ``eta.py``.
"""
import statistics
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from .common import Dataset, Result, load_dataset, mean_std, run_many, train_run

HIDDEN = (0, 10, 30, 100, 300)
REFERENCE = 30  # the book's choice, which the note compares the best n against
UNSTABLE = 2.0  # std over seeds (points) above which a note calls a configuration unstable

COLUMNS = [("n", "hidden n"), ("sizes", "sizes"), ("runs", "seeds"),
           ("final", "final accuracy (%)"), ("final_std", "± std"),
           ("best", "best mean accuracy (%)"), ("best_epoch", "best epoch"),
           ("seconds", "s / epoch")]


def _task(dataset: Dataset, **config) -> dict:
    """One seeded run (module level, so ``jobs`` > 1 can pickle it)."""
    result = train_run(dataset, **config)
    result.pop("net", None)  # the sweep keeps numbers only
    return result


def run(data=None, seeds=3, epochs: int = 10, jobs: int = 1,
        limits: Tuple[Optional[int], Optional[int]] = (None, None),
        hidden: Sequence[int] = HIDDEN, batch: int = 10, eta: float = 3.0,
        dataset: Optional[Dataset] = None) -> Result:
    """Train ``[inputs, n, classes]`` for each n in ``hidden`` and each seed in
    ``range(seeds)`` (or the given list of seeds), ``epochs`` epochs of mini-batch SGD
    (``batch``, ``eta``); one table row per n.

    ``data`` is the data folder or file (see ``fastnet.data``), ``limits`` the numbers of
    training and test examples to use (None: all). ``dataset`` (already loaded) replaces
    ``data`` and ``limits`` with ``jobs=1``; with ``jobs`` > 1 each worker process loads
    ``data`` itself. After Ctrl-C the rows hold the runs that finished and
    ``Result.interrupted`` is set."""
    hidden = _unique(_count(n, "hidden size", 0) for n in hidden)
    if not hidden:
        raise ValueError("hidden: give at least one hidden-layer size")
    dataset, inputs, classes = _prepare(data, limits, jobs, dataset)
    seed_list = seed_values(seeds)
    epochs = _count(epochs, "epochs", 1)
    labels, configs = [], []
    for n in hidden:
        sizes = [inputs, n, classes] if n else [inputs, classes]
        for seed in seed_list:
            labels.append(n)
            configs.append(dict(sizes=sizes, seed=seed, epochs=epochs, batch=batch, eta=eta))
    results, interrupted = run_many(_task, configs, jobs=jobs, dataset=dataset, path=data,
                                    limits=limits)
    rows = sweep_rows(labels, results, "n")
    return Result(title=f"Hidden-layer size n: {len(seed_list)} seeds, {epochs} epochs, "
                        f"mini-batch {batch}, eta {eta:g}, "
                        f"{len(dataset.train[1]):,} training / {len(dataset.test[1]):,} test examples",
                  columns=list(COLUMNS), rows=rows, note=_note(rows), interrupted=interrupted)


def plot(result: Result, path):
    """Final accuracy against n (symmetric-log axis, so n = 0 has its place) with the
    seeds' standard deviation as error bars, beside the mean accuracy per epoch for each n."""
    return plot_sweep(result, path, "n", "hidden neurons n", scale="symlog")


# --- shared with eta.py -------------------------------------------------------------


def seed_values(seeds) -> List[int]:
    """``range(seeds)`` for a count, else the given seeds."""
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        return list(range(_count(seeds, "seeds", 1)))
    values = [_count(seed, "seed", 0) for seed in seeds]
    if not values:
        raise ValueError("seeds: give at least one seed")
    return values


def _prepare(data, limits, jobs, dataset):
    """The data set (loaded here unless given), its number of inputs and of classes."""
    jobs = _count(jobs, "jobs", 1)
    if dataset is None:
        dataset = load_dataset(data, *limits)
    elif jobs > 1:
        raise ValueError("dataset= works with jobs=1 only: worker processes load data= themselves")
    (X, y), (_, yt) = dataset.train, dataset.test
    if len(y) == 0 or len(yt) == 0:
        raise ValueError("the training and test sets must not be empty (check limits)")
    classes = int(max(y.max(), yt.max())) + 1
    return dataset, int(X.shape[1]), classes


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


def _note(rows: List[dict]) -> str:
    if not rows:
        return "No run finished."
    best = max(rows, key=lambda row: row["final"])
    text = f"Best final accuracy: n={best['n']}, {_pm(best)}."
    others = [row for row in rows if row is not best]
    if others:
        reference = next((row for row in others if row["n"] == REFERENCE), None)
        if reference is None:
            reference = max(others, key=lambda row: row["final"])
            which = "the runner-up"
        else:
            which = "the book's"
        text += (f" That is {best['final'] - reference['final']:+.2f} points over {which} "
                 f"n={reference['n']} ({reference['final']:.2f} %)"
                 f"{_spread(best, reference)}, at {_ratio(best, reference)} its time per epoch.")
        none = next((row for row in others if row["n"] == 0), None)
        if none is not None and none is not reference:
            text += f" Without a hidden layer (n=0): {_pm(none)}."
    rising = [row for row in rows if 0 < row["best_epoch"] == len(row["curve"]) - 1]
    if len(rising) == len(rows) and len(rows) > 1:
        text += " Every n was still improving in the last epoch."
    elif rising:
        text += f" Still improving in the last epoch: n = {', '.join(str(row['n']) for row in rising)}."
    return text + unstable_sentence(rows, lambda row: f"n={row['n']}")


def unstable_sentence(rows: List[dict], name: Callable[[dict], str]) -> str:
    """Names the rows whose seeds disagree (std of the final accuracy above UNSTABLE)."""
    shaky = [row for row in rows if row["runs"] > 1 and row["final_std"] > UNSTABLE]
    if not shaky:
        return ""
    return (f" Seeds disagree (std > {UNSTABLE:g} points) at "
            + ", ".join(f"{name(row)} ({', '.join(f'{f:.1f}' for f in row['finals'])} %)" for row in shaky)
            + ".")


def _pm(row: dict) -> str:
    return f"{row['final']:.2f} ± {row['final_std']:.2f} % over {row['runs']} seed{'s' * (row['runs'] != 1)}"


def _spread(a: dict, b: dict) -> str:
    """Says so when a difference is within the seeds' spread."""
    spread = max(a["final_std"], b["final_std"])
    if a["runs"] > 1 and b["runs"] > 1 and abs(a["final"] - b["final"]) <= spread:
        return f", within the seed-to-seed spread ({spread:.2f})"
    return ""


def _ratio(a: dict, b: dict) -> str:
    if not b["seconds"]:
        return "-"
    return f"{a['seconds'] / b['seconds']:.1f}x"


def plot_sweep(result: Result, path, key: str, xlabel: str, scale: str = "log",
               label: Optional[Callable] = None):
    """Left: final accuracy (mean ± std over seeds) against ``row[key]``; right: the mean
    test accuracy per epoch, one line per row. Saved as a PNG at ``path``."""
    from pathlib import Path

    from ..io.plots import _pyplot
    rows = result.rows
    if not rows:
        raise ValueError("nothing to plot: no run finished")
    label = label or (lambda value: f"{key}={value:g}")
    plt = _pyplot()
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
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def _count(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _unique(values) -> list:
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen
