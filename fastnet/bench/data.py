"""The benchmark's data: MNIST's training and test arrays, checked against the networks
to measure before anything is timed."""
from typing import Tuple

import numpy as np

from ..io.idx import load_mnist_arrays


def load_training(config) -> Tuple[Tuple[np.ndarray, np.ndarray], Tuple[np.ndarray, np.ndarray]]:
    """((X, y), test) from ``config.data``: X (n, 784) float32, y (n,) int64, the book's
    50,000 training examples (its first ``config.limit`` if set) and the test set."""
    (X, y), _, test = load_mnist_arrays(config.data)
    if config.limit is not None:
        X, y = X[:config.limit], y[:config.limit]
    return (X, y), test


def check_fits(config, X: np.ndarray, y: np.ndarray, test) -> None:
    """ValueError, in the command line's terms, when a network or the batch does not fit the data."""
    classes = int(max(y.max(), test[1].max())) + 1
    for sizes in config.sizes:
        if sizes[0] != X.shape[1] or sizes[-1] < classes:
            raise ValueError(f"--sizes {','.join(map(str, sizes))} does not fit the data: "
                             f"{X.shape[1]} inputs and {classes} classes")
    if config.batch > len(X):
        raise ValueError(f"--batch {config.batch} is larger than the {len(X)} training examples")
