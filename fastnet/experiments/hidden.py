"""How many hidden neurons? Train ``[inputs, n, classes]`` for each hidden-layer size n
(n = 0: no hidden layer, ``[inputs, classes]``) over several seeds, and compare.

    fastnet experiment hidden --hidden 0,10,30,100,300 --seeds 3 --epochs 10 --jobs 2

One row per n: final test accuracy (mean and standard deviation over the seeds), the
epoch where the mean accuracy curve peaks (numbered from 0, as the "Epoch j" lines of
training) with that peak, and the median training time per epoch.

The rows, the seeds' check and the figure are the sweeps' shared helpers in
``common.py`` (also used by the learning-rate sweep, ``eta.py``).
"""
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from ..core.validate import check_int
from . import common
from .common import Dataset, Result

HIDDEN = (0, 10, 30, 100, 300)
REFERENCE = 30  # the book's choice, which the note compares the best n against

COLUMNS = [("n", "hidden n")] + common.SWEEP_COLUMNS


def run(data=None, seeds=3, epochs: int = 10, jobs: int = 1,
        limits: Tuple[Optional[int], Optional[int]] = (None, None),
        hidden: Sequence[int] = HIDDEN, batch: int = 10, eta: float = 3.0,
        dataset: Optional[Dataset] = None,
        scheduler: Optional[str] = None) -> Result:
    """Train ``[inputs, n, classes]`` for each n in ``hidden`` and each seed in
    ``range(seeds)`` (or the given list of seeds), ``epochs`` epochs of mini-batch SGD
    (``batch``, ``eta``); one table row per n.

    ``data`` is the data folder or file (see ``fastnet.data``), ``limits`` the numbers of
    training and test examples to use (None: all). ``dataset`` (already loaded) replaces
    ``data`` and ``limits``. ``jobs`` > 1 runs that many at once on an embedded Dask
    cluster, ``scheduler`` on an existing one (``common.run_many``). After Ctrl-C the rows
    hold the runs that finished and ``Result.interrupted`` is set."""
    hidden = common.unique(check_int(n, "hidden size", 0) for n in hidden)
    if not hidden:
        raise ValueError("hidden: give at least one hidden-layer size")
    dataset, inputs, classes = common.prepare(data, limits, jobs, dataset)
    seed_list = common.seed_values(seeds)
    epochs = check_int(epochs, "epochs", 1)
    settings = [(n, dict(sizes=[inputs, n, classes] if n else [inputs, classes], epochs=epochs,
                         batch=batch, eta=eta)) for n in hidden]
    rows, interrupted = common.sweep("n", settings, seed_list, jobs, dataset, data, limits,
                                     scheduler)
    return Result(title=f"Hidden-layer size n: {len(seed_list)} seeds, {epochs} epochs, "
                        f"mini-batch {batch}, eta {eta:g}, {dataset.summary()}",
                  columns=list(COLUMNS), rows=rows, note=_note(rows), interrupted=interrupted)


def plot(result: Result, path) -> Path:
    """Final accuracy against n (symmetric-log axis, so n = 0 has its place) with the
    seeds' standard deviation as error bars, beside the mean accuracy per epoch for each n."""
    return common.plot_sweep(result, path, "n", "hidden neurons n", scale="symlog")


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
    return text + common.unstable_sentence(rows, lambda row: f"n={row['n']}")


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
