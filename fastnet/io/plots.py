"""Figures: the learning curve of a training run and a confusion matrix (PNG files),
written atomically (:func:`save_figure`). matplotlib is optional (``pip install
fastnet[plot]``); it is imported only here."""
from pathlib import Path
from types import ModuleType
from typing import Sequence

import numpy as np

from .atomic import write_atomically


def pyplot() -> ModuleType:
    """matplotlib.pyplot, drawing to files only; RuntimeError saying how to install it."""
    try:
        import matplotlib
    except ImportError:
        raise RuntimeError("plotting needs matplotlib: pip install 'fastnet[plot]'") from None
    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt
    return plt


def save_figure(fig, path, dpi: int = 100) -> Path:
    """Write ``fig`` to ``path`` atomically (the format from its suffix, PNG without one)
    and close it."""
    plt = pyplot()
    try:
        kind = Path(path).suffix.lstrip(".").lower() or "png"
        return write_atomically(path, lambda f: fig.savefig(f, format=kind, dpi=dpi))
    finally:
        plt.close(fig)


def learning_curve(accuracy: Sequence[float], cost: Sequence[float], path, title: str = "") -> Path:
    """Test accuracy (%) and training cost per epoch, one panel each, saved to ``path``."""
    plt = pyplot()
    epochs = np.arange(len(accuracy))  # numbered as the printed "Epoch j" lines
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(6.4, 6.0))
    top.plot(epochs, accuracy, marker="o", markersize=3)
    top.set_ylabel("test accuracy (%)")
    top.grid(alpha=0.3)
    bottom.plot(epochs, cost, marker="o", markersize=3, color="tab:red")
    bottom.set_ylabel("training cost C (quadratic)")
    bottom.set_xlabel("epoch")
    bottom.grid(alpha=0.3)
    if title:
        top.set_title(title)
    fig.tight_layout()
    return save_figure(fig, path)


def confusion_matrix(matrix: np.ndarray, path, title: str = "") -> Path:
    """A (k, k) count matrix (rows: true digit, columns: predicted) as a heat map."""
    plt = pyplot()
    k = matrix.shape[0]
    fig, ax = plt.subplots(figsize=(6.0, 5.4))
    image = ax.imshow(matrix, cmap="Blues")
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if matrix[i, j] > matrix.max() / 2 else "black")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title)
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    return save_figure(fig, path)


def accuracy_curves(curves, path, title: str) -> Path:
    """Mean test accuracy per epoch, one line per ``(label, values, line_style)``."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for label, values, style in curves:
        ax.plot(range(len(values)), values, style, marker="o", markersize=3, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy % (mean over seeds)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return save_figure(fig, path)
