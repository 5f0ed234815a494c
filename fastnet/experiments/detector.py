"""The seed's one-neuron detector: a single output neuron answering "is this digit k?"
(yes when its output is >= 0.5), on MNIST's 28x28 images and on the seed's 64x64
version (images resized to 64x64, 4,096 inputs). Since 1 image in 10 is a k, accuracy
alone flatters (answering "no" always scores ~90%): precision and recall are reported.
"""
from pathlib import Path
from typing import Optional

import numpy as np

from .common import Dataset, Result, mean_std, run_many, train_run


def detector_metrics(predicted: np.ndarray, actual: np.ndarray) -> dict:
    """Accuracy, precision and recall (%) of yes/no answers (1 = "it is a k")."""
    predicted, actual = np.asarray(predicted).astype(bool), np.asarray(actual).astype(bool)
    true_positive = int(np.sum(predicted & actual))
    return dict(accuracy=100.0 * float(np.mean(predicted == actual)),
                precision=100.0 * true_positive / max(int(predicted.sum()), 1),
                recall=100.0 * true_positive / max(int(actual.sum()), 1))


def resize_matrix(source: int, target: int) -> np.ndarray:
    """(target, source) bilinear interpolation weights (pixel centres aligned)."""
    position = (np.arange(target) + 0.5) * source / target - 0.5
    low = np.clip(np.floor(position).astype(int), 0, source - 1)
    high = np.clip(low + 1, 0, source - 1)
    fraction = np.clip(position - np.floor(position), 0, 1)
    matrix = np.zeros((target, source))
    np.add.at(matrix, (np.arange(target), low), 1 - fraction)
    np.add.at(matrix, (np.arange(target), high), fraction)
    return matrix


def resize_images(X: np.ndarray, side: int) -> np.ndarray:
    """Rows of square images (n, s*s) -> (n, side*side) float32, bilinear."""
    s = int(round(np.sqrt(X.shape[1])))
    if s == side:
        return X
    R = resize_matrix(s, side).astype(np.float32)
    images = X.reshape(-1, s, s)
    return np.ascontiguousarray((R @ images @ R.T).reshape(len(X), side * side), dtype=np.float32)


def task(dataset: Dataset, digit: int, side: int, seed: int, epochs: int, hidden: int,
         batch: int, eta: float) -> dict:
    data = Dataset((resize_images(dataset.train[0], side), dataset.train[1]),
                   (resize_images(dataset.test[0], side), dataset.test[1]))
    is_digit = lambda labels: (labels == digit).astype(np.int64)  # noqa: E731
    run = train_run(data, [side * side, hidden, 1], seed, epochs, batch, eta, targets=is_digit)
    run.update(detector_metrics(run.pop("net").predict(data.test[0]), is_digit(data.test[1])))
    run["side"] = side
    return run


def run(data=None, seeds: int = 3, epochs: int = 10, jobs: int = 1, limits=(None, None),
        digit: int = 3, size=(28, 64), hidden: int = 30, batch: int = 10, eta: float = 3.0,
        dataset=None, scheduler: Optional[str] = None) -> Result:
    sides = [size] if isinstance(size, int) else list(size)
    configs = [dict(digit=digit, side=side, seed=s, epochs=epochs, hidden=hidden, batch=batch, eta=eta)
               for side in sides for s in range(seeds)]
    runs, interrupted = run_many(task, configs, jobs, dataset, data, limits, scheduler)
    rows = []
    for side in sides:
        mine = [r for r in runs if r["side"] == side]
        if not mine:
            continue
        row = dict(input=f"{side}x{side} ({side * side} inputs)", sizes=str(mine[0]["sizes"]), seeds=len(mine))
        for key in ("accuracy", "precision", "recall"):
            row[key], row[key + "_std"] = mean_std([r[key] for r in mine])
        row["seconds"] = float(np.median([r["seconds_per_epoch"] for r in mine]))
        rows.append(row)
    return Result(f"One-neuron detector for the digit {digit} (output >= 0.5 means yes), "
                  f"{epochs} epochs, hidden {hidden}, mini-batch {batch}, eta {eta}",
                  [("input", "input"), ("sizes", "sizes"), ("seeds", "seeds"),
                   ("accuracy", "accuracy %"), ("precision", "precision %"), ("precision_std", "std"),
                   ("recall", "recall %"), ("recall_std", "std"), ("seconds", "s / epoch")],
                  rows, _note(rows, digit), interrupted)


def _note(rows, digit: int) -> str:
    if not rows:
        return ""
    parts = [f"{row['input'].split(' ')[0]}: precision {row['precision']:.1f}%, recall {row['recall']:.1f}%"
             for row in rows]
    return (f"About 1 test image in 10 is a {digit}, so answering 'no' always would score about 90% "
            f"accuracy; precision and recall show what the neuron learned ({'; '.join(parts)}).")


def plot(result: Result, path) -> Path:
    from ..io.plots import pyplot, save_figure
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    keys = ("accuracy", "precision", "recall")
    width = 0.8 / max(len(result.rows), 1)
    for i, row in enumerate(result.rows):
        ax.bar(np.arange(len(keys)) + i * width, [row[k] for k in keys], width,
               yerr=[row.get(k + "_std", 0) for k in keys], label=row["input"])
    ax.set_xticks(np.arange(len(keys)) + width * (len(result.rows) - 1) / 2)
    ax.set_xticklabels(keys)
    ax.set_ylabel("%")
    ax.set_ylim(0, 100)
    ax.set_title(result.title.split(" (")[0])
    ax.legend()
    fig.tight_layout()
    return save_figure(fig, path)
