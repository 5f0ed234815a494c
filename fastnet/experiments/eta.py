"""The book's learning-rate study: train the same network with each learning rate eta
over several seeds and compare (too small learns slowly, too large overshoots).

    fastnet experiment eta --etas 0.001,0.01,0.1,1,3,10,100 --seeds 3 --epochs 10 --jobs 2

One row per eta: final test accuracy (mean and standard deviation over the seeds), the
epoch where the mean accuracy curve peaks (numbered from 0) with that peak, and the
median training time per epoch.
"""
from pathlib import Path
from typing import Optional, Sequence, Tuple

from ..core.validate import check_int, check_real, check_sizes
from . import common
from .common import Dataset, Result

ETAS = (0.001, 0.01, 0.1, 1.0, 3.0, 10.0, 100.0)
LEARNED = 50.0  # % below which the note says a rate did not learn

COLUMNS = [("eta_text", "eta")] + common.SWEEP_COLUMNS


def run(data=None, seeds=3, epochs: int = 10, jobs: int = 1,
        limits: Tuple[Optional[int], Optional[int]] = (None, None),
        etas: Sequence[float] = ETAS, sizes: Optional[Sequence[int]] = None, batch: int = 10,
        dataset: Optional[Dataset] = None,
        scheduler: Optional[str] = None) -> Result:
    """Train ``sizes`` (default ``[inputs, 30, classes]``) with each learning rate in
    ``etas`` and each seed in ``range(seeds)`` (or the given list), ``epochs`` epochs of
    mini-batch SGD (``batch``); one table row per eta.

    ``data``, ``limits``, ``jobs`` and ``dataset`` as in ``hidden.run``. After Ctrl-C the
    rows hold the runs that finished and ``Result.interrupted`` is set."""
    etas = common.unique(check_real(value, "a learning rate", 0, low_open=True) for value in etas)
    if not etas:
        raise ValueError("etas: give at least one learning rate")
    dataset, inputs, classes = common.prepare(data, limits, jobs, dataset)
    if sizes is None:
        sizes = [inputs, 30, classes]
    sizes = check_sizes(sizes)
    if sizes[0] != inputs or sizes[-1] < classes:
        raise ValueError(f"sizes {sizes} do not fit the data: {inputs} inputs and {classes} classes")
    seed_list = common.seed_values(seeds)
    epochs = check_int(epochs, "epochs", 1)
    settings = [(eta, dict(sizes=sizes, epochs=epochs, batch=batch, eta=eta)) for eta in etas]
    rows, interrupted = common.sweep("eta", settings, seed_list, jobs, dataset, data, limits,
                                     scheduler)
    for row in rows:
        row["eta_text"] = f"{row['eta']:g}"  # 0.001 would show as 0.00 in a float cell
    return Result(title=f"Learning rate eta: Network({sizes}), {len(seed_list)} seeds, "
                        f"{epochs} epochs, mini-batch {batch}, {dataset.summary()}",
                  columns=list(COLUMNS), rows=rows, note=_note(rows, epochs), interrupted=interrupted)


def plot(result: Result, path) -> Path:
    """Final accuracy against eta (log axis) with the seeds' standard deviation as error
    bars, beside the mean accuracy per epoch for each eta."""
    return common.plot_sweep(result, path, "eta", "learning rate eta", scale="log")


def _note(rows, epochs: int) -> str:
    if not rows:
        return "No run finished."
    best = max(rows, key=lambda row: row["final"])
    text = (f"Best final accuracy: eta={best['eta']:g}, {best['final']:.2f} ± "
            f"{best['final_std']:.2f} % over {best['runs']} seed{'s' * (best['runs'] != 1)}.")
    close = [row for row in rows if row is not best and best["final"] - row["final"] <= 1.0]
    if close:
        text += f" Within 1 point of it: eta = {_list(close)}."
    slow = [row for row in rows if row["eta"] < best["eta"] and row is not best
            and 0 < row["best_epoch"] == len(row["curve"]) - 1 and row not in close]
    if slow:
        text += f" Smaller rates still improving at the last epoch (too slow): eta = {_list(slow)}."
    failed = [row for row in rows if row["final"] < LEARNED]
    if failed:
        text += f" Below {LEARNED:g} % after {epochs} epoch{'s' * (epochs != 1)}: eta = {_list(failed)}."
    return text + common.unstable_sentence(rows, lambda row: f"eta={row['eta']:g}")


def _list(rows) -> str:
    return ", ".join(f"{row['eta']:g} ({row['final']:.1f} %)" for row in rows)
