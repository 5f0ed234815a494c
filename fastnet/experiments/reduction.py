"""Averaged or summed gradients over the mini-batch. The seed's note: summing instead of
averaging (for on-line learning, where the batch size varies) changes the effective
learning rate by the batch size m. Shown here: 'sum' with eta/m is the same run as
'mean' with eta (to rounding), and 'sum' with eta is 'mean' with m*eta."""
from pathlib import Path
from typing import Optional

import numpy as np

from ..network import Network
from ..core import rng
from .common import Result, mean_std, run_many


def task(dataset, seed: int, epochs: int, hidden: int, batch: int, eta: float) -> dict:
    """Three runs from the same seed: mean/eta, sum/(eta/m), sum/eta."""
    inputs, classes = dataset.train[0].shape[1], int(dataset.train[1].max()) + 1
    results, params = {}, {}
    for name, reduction, rate in (("mean", "mean", eta), ("sum, eta/m", "sum", eta / batch),
                                  ("sum", "sum", eta)):
        rng.seed(seed)
        net = Network([inputs, hidden, classes])
        curve = [100.0 * r.correct / r.n_test for r in
                 net.train_epochs(dataset.train, epochs, batch, rate, dataset.test, reduction=reduction)]
        results[name] = curve
        params[name] = np.concatenate([p.ravel() for p in net.weights + net.biases])
    return dict(seed=seed, curves=results,
                max_difference=float(np.max(np.abs(params["mean"] - params["sum, eta/m"]))))


def run(data=None, seeds: int = 3, epochs: int = 10, jobs: int = 1, limits=(None, None),
        hidden: int = 30, batch: int = 10, eta: float = 3.0, dataset=None, scheduler: Optional[str] = None) -> Result:
    configs = [dict(seed=s, epochs=epochs, hidden=hidden, batch=batch, eta=eta) for s in range(seeds)]
    runs, interrupted = run_many(task, configs, jobs, dataset, data, limits, scheduler)
    rows = []
    for name, rate, label in (("mean", eta, "mean (the original)"), ("sum, eta/m", eta / batch, "sum"),
                              ("sum", eta, "sum")):
        finals = [r["curves"][name][-1] for r in runs]
        if not finals:
            continue
        mean, std = mean_std(finals)
        rows.append(dict(reduction=label, eta=rate, final=mean, std=std,
                         curve=np.mean([r["curves"][name] for r in runs], axis=0).tolist(),
                         difference=(max(r["max_difference"] for r in runs) if name == "sum, eta/m" else None)))
    return Result(f"Summed vs averaged gradients, mini-batch {batch}, {epochs} epochs "
                  f"([inputs, {hidden}, classes], {len(runs)} seeds)",
                  [("reduction", "reduction"), ("eta", "eta"), ("final", "final accuracy % (mean)"),
                   ("std", "std"), ("difference", "max |param difference| vs mean")],
                  rows, _note(rows, eta, batch), interrupted)


def _note(rows, eta: float, batch: int) -> str:
    if len(rows) != 3:
        return ""
    apart = ("bit-identical parameters" if rows[1]["difference"] == 0 else
             f"parameters at most {rows[1]['difference']:.2g} apart (rounding)")
    return (f"'sum' with eta/m = {eta / batch:g} ends {rows[1]['final'] - rows[0]['final']:+.3f} points "
            f"from 'mean' with eta = {eta:g}, with {apart}: the same run. 'sum' with eta = {eta:g} "
            f"is a {batch}x larger step and ends at {rows[2]['final']:.2f}%.")


def plot(result: Result, path) -> Path:
    from ..io.plots import accuracy_curves
    return accuracy_curves([(f"{row['reduction']}, eta {row['eta']:g}", row["curve"], style)
                            for row, style in zip(result.rows, ("-", "--", ":"))],
                           path, "Averaged vs summed mini-batch gradients")
