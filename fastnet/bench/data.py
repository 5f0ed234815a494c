"""The benchmark's data and files: MNIST's training and test arrays, checked against the
networks to measure, the --json destination and the --baseline checkout, all before
anything is timed."""
from pathlib import Path
from typing import Tuple

import numpy as np

from ..io.atomic import check_replaceable
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


def check_destination(config) -> None:
    """FileNotFoundError / ValueError naming --json when the results cannot be written
    there: no such folder, or a folder, pipe or device at the name (io.atomic's check)."""
    if not config.json:
        return
    path = Path(config.json)
    if not path.resolve().parent.is_dir():
        raise FileNotFoundError(f"--json {config.json}: its folder does not exist")
    try:
        check_replaceable(path)
    except ValueError as error:
        raise ValueError(f"--json {error}") from None


def check_baseline(config) -> None:
    """ValueError naming --baseline unless it is a folder holding a fastnet checkout
    with the benchmark's peers (fastnet/bench/peers, which the baseline's process uses)."""
    if not config.baseline:
        return
    root = Path(config.baseline)
    if not root.is_dir():
        raise ValueError(f"--baseline {config.baseline}: not a folder")
    if not (root / "fastnet" / "bench" / "peers" / "__init__.py").is_file():
        raise ValueError(f"--baseline {config.baseline}: not a fastnet checkout with "
                         "fastnet/bench/peers (a commit from the benchmark's split into "
                         "fastnet/bench or later)")
