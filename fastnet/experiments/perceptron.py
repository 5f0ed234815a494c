"""Why sigmoid neurons: a small change of the weights can flip a perceptron's output,
while a sigmoid neuron's output changes only a little, by about equation (5):
``Δoutput ≈ Σ_j ∂output/∂w_j Δw_j + ∂output/∂b Δb``.

A network is trained as usual (sigmoid neurons, quadratic cost, SGD). Then every weight
and bias gets Gaussian noise of standard deviation ``scale``, and the test set's
predictions are compared before and after, twice: with the sigmoid activations the
network was trained with, and with the same weights and biases read as perceptrons
(``fastnet.neurons.feedforward_as_perceptrons``: step instead of sigmoid).

    from . import perceptron
    result = perceptron.run("path/to/mnist", seeds=3, epochs=10, jobs=2)
    print(result.markdown())
    perceptron.plot(result, "perceptron.png")
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .common import Dataset, Result, mean_std, run_many, seed_values, train_run

#: the perturbations' standard deviations, by default
SCALES = (0.001, 0.01, 0.1)
ETA = 3.0
BATCH = 10

COLUMNS = [
    ("scale_text", "noise σ"),
    ("sigmoid_changed_text", "predictions changed, sigmoid (%)"),
    ("perceptron_changed_text", "predictions changed, perceptron (%)"),
    ("sigmoid_delta_text", "mean abs. Δ output, sigmoid"),
    ("perceptron_delta_text", "mean abs. Δ output, perceptron"),
    ("sigmoid_max_delta_text", "largest abs. Δ output, sigmoid"),
    ("perceptron_max_delta_text", "largest abs. Δ output, perceptron"),
    ("sigmoid_accuracy_text", "accuracy unperturbed, sigmoid (%)"),
    ("perceptron_accuracy_text", "accuracy unperturbed, perceptron (%)"),
]

#: what ``measure`` records per scale (a list per seed; in each row: mean, std, text)
_MEASURES = ("sigmoid_changed", "perceptron_changed", "sigmoid_delta", "perceptron_delta",
             "sigmoid_max_delta", "perceptron_max_delta")


def noise_rng(seed: int, scale: float) -> np.random.Generator:
    """The generator of the noise for one (seed, scale): fixed by both, and the same
    whatever other scales are run or in which order."""
    scale_bits = int(np.array(float(scale), dtype=np.float64).view(np.uint64))
    return np.random.default_rng([int(seed), scale_bits])


def perturbed(net, scale: float, rng: np.random.Generator):
    """A copy of ``net`` with N(0, scale^2) noise added to every weight and bias
    (drawn in float64: weights layer by layer, then biases); ``net`` is unchanged."""
    from ..network import Network
    weights = [np.asarray(w, dtype=np.float64) + rng.normal(0.0, scale, np.shape(w)) for w in net.weights]
    biases = [np.asarray(b, dtype=np.float64) + rng.normal(0.0, scale, np.shape(b)) for b in net.biases]
    encoding = net.encoding.name if hasattr(net, "encoding") else None  # predict() decodes alike
    return Network.from_parameters(net.sizes, weights, biases, dtype=net.dtype, encoding=encoding)


def _sigmoid_outputs(net, X: np.ndarray) -> np.ndarray:
    """(n, n_out) output activations of rows X, float64."""
    return np.asarray(net.feedforward(np.asarray(X).T), dtype=np.float64).T


def measure(net, X: np.ndarray, y: np.ndarray, scales: Sequence[float], seed: int) -> dict:
    """For one trained ``net`` and test rows X, labels y: the unperturbed accuracies (%)
    read as sigmoids and as perceptrons, and per scale (lists in the order of
    ``scales``) the % of predictions the noise changed and the mean and largest
    |Δ output| over all examples and output neurons, for both readings."""
    from .neurons import feedforward_as_perceptrons
    sig_before = _sigmoid_outputs(net, X)
    per_before = feedforward_as_perceptrons(net, X)
    sig_pred, per_pred = net.predict(X), np.argmax(per_before, axis=1)
    out = dict(sigmoid_accuracy=100.0 * float(np.mean(sig_pred == y)),
               perceptron_accuracy=100.0 * float(np.mean(per_pred == y)),
               **{key: [] for key in _MEASURES})
    for scale in scales:
        noisy = perturbed(net, scale, noise_rng(seed, scale))
        sig_after = _sigmoid_outputs(noisy, X)
        per_after = feedforward_as_perceptrons(noisy, X)
        out["sigmoid_changed"].append(100.0 * float(np.mean(noisy.predict(X) != sig_pred)))
        out["perceptron_changed"].append(100.0 * float(np.mean(np.argmax(per_after, axis=1) != per_pred)))
        out["sigmoid_delta"].append(float(np.mean(np.abs(sig_after - sig_before))))
        out["perceptron_delta"].append(float(np.mean(np.abs(per_after - per_before))))
        out["sigmoid_max_delta"].append(float(np.max(np.abs(sig_after - sig_before), initial=0.0)))
        out["perceptron_max_delta"].append(float(np.max(np.abs(per_after - per_before), initial=0.0)))
    return out


def trial(dataset: Dataset, seed: int, epochs: int, sizes: Sequence[int],
          scales: Sequence[float], batch: int = BATCH, eta: float = ETA) -> dict:
    """One seed: train ``Network(sizes)`` (``train_run``), then ``measure`` it on the test
    set. Module level, so ``run_many`` can run it in worker processes."""
    trained = train_run(dataset, sizes, seed, epochs, batch=batch, eta=eta)
    Xt, yt = dataset.test
    result = measure(trained["net"], Xt, yt, scales, seed)
    result.update(seed=seed, final=trained["final"])
    return result


def _pm(values: Sequence[float], fmt: str) -> Tuple[float, float, str]:
    mean, std = mean_std(values)
    return mean, std, f"{mean:{fmt}} ± {std:{fmt}}"


def _rows(trials: List[dict], scales: Sequence[float]) -> List[dict]:
    accuracy = {}
    for reading in ("sigmoid", "perceptron"):
        accuracy[reading] = _pm([t[f"{reading}_accuracy"] for t in trials], ".2f")
    rows = []
    for i, scale in enumerate(scales):
        row: Dict[str, object] = dict(scale=float(scale), scale_text=f"{scale:g}", n_seeds=len(trials))
        for key in _MEASURES:
            fmt = ".2f" if key.endswith("changed") else ".3g"
            row[key], row[f"{key}_std"], row[f"{key}_text"] = _pm([t[key][i] for t in trials], fmt)
        for reading in ("sigmoid", "perceptron"):
            (row[f"{reading}_accuracy"], row[f"{reading}_accuracy_std"],
             row[f"{reading}_accuracy_text"]) = accuracy[reading]
        rows.append(row)
    return rows


def _ratio(a: float, b: float) -> str:
    """'a / b = 3.2x', spelled out."""
    if b > 0:
        return f"ratio {a / b:.3g}"
    return "no change for the sigmoid" if a > 0 else "no change for either"


def _note(rows: List[dict]) -> str:
    if not rows:
        return "No run finished."
    n = rows[0]["n_seeds"]
    more = [r for r in rows if r["perceptron_changed"] > r["sigmoid_changed"]]
    fewer = [r for r in rows if r["perceptron_changed"] < r["sigmoid_changed"]]
    parts = [f"Mean ± std over {n} seed{'s' if n != 1 else ''}."]
    if len(more) == len(rows):
        verdict = "at every noise level"
    elif more:
        verdict = "at noise σ = " + ", ".join(f"{r['scale']:g}" for r in more)
    else:
        verdict = None
    if verdict:
        parts.append(f"The same perturbation changed more test predictions when the weights are "
                     f"read as perceptrons than as sigmoid neurons {verdict}")
        if fewer:
            parts[-1] += " (fewer at σ = " + ", ".join(f"{r['scale']:g}" for r in fewer) + ")"
        parts[-1] += "."
    else:
        parts.append("The perceptron reading did not change more predictions than the sigmoid "
                     "reading at any noise level.")
    smallest = min(rows, key=lambda r: r["scale"])
    parts.append(
        f"At the smallest σ = {smallest['scale']:g}: {smallest['perceptron_changed']:.2f}% vs "
        f"{smallest['sigmoid_changed']:.2f}% of predictions changed, and the outputs moved by "
        f"{smallest['perceptron_delta']:.3g} (perceptron: whole 0/1 flips) vs "
        f"{smallest['sigmoid_delta']:.3g} (sigmoid) on average "
        f"({_ratio(smallest['perceptron_delta'], smallest['sigmoid_delta'])}), and by at most "
        f"{smallest['perceptron_max_delta']:.3g} vs {smallest['sigmoid_max_delta']:.3g} "
        f"({_ratio(smallest['perceptron_max_delta'], smallest['sigmoid_max_delta'])}).")
    first = rows[0]
    parts.append(
        f"Unperturbed, the trained weights classify {first['sigmoid_accuracy']:.2f}% correctly "
        f"as sigmoid neurons and {first['perceptron_accuracy']:.2f}% read as perceptrons.")
    return " ".join(parts)


def run(data=None, seeds: Union[int, Sequence[int]] = 3, epochs: int = 10, jobs: int = 1,
        limits: Tuple[Optional[int], Optional[int]] = (None, None),
        scales: Sequence[float] = SCALES, sizes: Sequence[int] = (784, 30, 10),
        dataset: Optional[Dataset] = None,
        scheduler: Optional[str] = None) -> Result:
    """Train one network per seed (``seeds``: how many, numbered from 0, or a list of
    seeds) for ``epochs`` epochs (mini-batch 10, η = 3.0) on the data at ``data`` (or the
    given ``dataset``; ``limits`` = (train, test) example counts), perturb it at each of
    ``scales`` and count what changes: one row per scale, mean ± std over the seeds.
    ``jobs`` > 1 or ``scheduler`` trains the seeds on Dask (``common.run_many``). Ctrl-C
    keeps the finished seeds (``Result.interrupted``)."""
    seed_list = seed_values(seeds)
    scales = [float(s) for s in scales]
    configs = [dict(seed=seed, epochs=epochs, sizes=list(sizes), scales=scales) for seed in seed_list]
    trials, interrupted = run_many(trial, configs, jobs=jobs, dataset=dataset, path=data,
                                   limits=limits, scheduler=scheduler)
    rows = _rows(trials, scales) if trials else []
    title = (f"A small change of the weights: sigmoid neurons vs perceptrons "
             f"({list(sizes)}, {epochs} epochs, η = {ETA}, mini-batch {BATCH})")
    return Result(title, list(COLUMNS), rows, _note(rows), interrupted)


def plot(result: Result, path):
    """% of test predictions changed (left) and the mean and largest |Δ output| (right,
    log scale) against the noise σ, sigmoid vs perceptron, with the seeds' std as error
    bars. PNG at ``path``."""
    from ..io.plots import pyplot, save_figure
    plt = pyplot()
    rows = sorted(result.rows, key=lambda r: r["scale"])
    scales = [r["scale"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10.0, 4.2))
    readings = (("sigmoid", "sigmoid neurons", "o", "tab:blue"),
                ("perceptron", "perceptrons", "s", "tab:orange"))
    for reading, label, marker, color in readings:
        key = f"{reading}_changed"
        left.errorbar(scales, [r[key] for r in rows], yerr=[r[f"{key}_std"] for r in rows],
                      marker=marker, color=color, capsize=3, label=label)
        for measure_name, style, what in (("delta", "-", "mean"), ("max_delta", "--", "largest")):
            key = f"{reading}_{measure_name}"
            right.errorbar(scales, [r[key] for r in rows], yerr=[r[f"{key}_std"] for r in rows],
                           marker=marker, color=color, linestyle=style, capsize=3,
                           label=f"{label}, {what}")
    left.set_ylabel("test predictions changed (%)")
    right.set_ylabel("abs. change of an output activation")
    right.set_yscale("log")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlabel("noise σ added to every weight and bias")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    left.set_title("predictions changed by the noise")
    right.set_title("output change, equation (5)")
    fig.tight_layout()
    return save_figure(fig, path)
