"""Drop-in replacement for the book's ``mnist_loader.py``.

Same functions and return structures as the original, read from the standard
IDX files (or the book's ``mnist.pkl.gz``) through :mod:`fastnet.io.idx`; the
optional ``path`` argument is resolved by :func:`fastnet.io.download.find_or_fetch`.
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .core.pairs import row_views
from .core.validate import check_int
from .io.idx import Pair, PathLike, load_mnist_arrays

__all__ = ["load_data", "load_data_wrapper", "vectorized_result"]


def load_data(path: Optional[PathLike] = None) -> Tuple[Pair, Pair, Pair]:
    """Return ``(training_data, validation_data, test_data)``, each a tuple ``(X, y)``.

    X is float32 of shape (n, 784), pixels in [0, 255/256]; y is int64 of shape (n,).
    n is 50,000 / 10,000 / 10,000. ``path`` may also name the book's ``mnist.pkl.gz``,
    which is unpickled: only use one from a trusted source. Without ``path`` and
    ``$FASTNET_DATA``, MNIST is downloaded into the cache folder when it is not there
    (checksum-verified, ``fastnet.io.download.find_or_fetch``).
    """
    from .io.download import find_or_fetch
    return load_mnist_arrays(find_or_fetch(path))


def load_data_wrapper(path: Optional[PathLike] = None) -> Tuple[list, list, list]:
    """Return ``(training_data, validation_data, test_data)`` as lists, ready for ``Network``.

    training_data: 50,000 pairs ``(x, y)``, x a float32 (784, 1) array, y the
    (10, 1) float64 one-hot vector of the digit (see :func:`vectorized_result`).
    validation_data, test_data: 10,000 pairs ``(x, label)``, label an integer.
    Each list's x's (and y's) are views of the rows of one array, which ``Network``
    reads directly when given the list (``fastnet.core.pairs.row_views``).
    """
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = load_data(path)
    one_hot = np.zeros((len(y_tr), 10))
    one_hot[np.arange(len(y_tr)), y_tr] = 1.0
    training_data = list(zip(row_views(X_tr, (X_tr.shape[1], 1)), row_views(one_hot, (10, 1))))
    validation_data = list(zip(row_views(X_va, (X_va.shape[1], 1)), y_va))
    test_data = list(zip(row_views(X_te, (X_te.shape[1], 1)), y_te))
    return training_data, validation_data, test_data


def vectorized_result(j: int) -> np.ndarray:
    """Return a (10, 1) float64 array with 1.0 at index ``j`` (0..9) and 0.0 elsewhere."""
    j = check_int(j, "digit", 0, 9)
    e = np.zeros((10, 1))
    e[j] = 1.0
    return e
