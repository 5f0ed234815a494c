"""What every implementation starts from: the book's initial parameters and each
epoch's order of the examples."""
import random

import numpy as np


class Order:
    """An epoch's order: ``indices``, a permutation (int64 array), and ``state``, the
    ``random`` state from which ``random.shuffle`` -- and so fastnet's epoch, which
    shuffles exactly like it -- produces that permutation."""

    def __init__(self, indices: np.ndarray, state):
        self.indices, self.state = indices, state

    def __len__(self) -> int:
        return len(self.indices)


def shuffled_order(n: int) -> Order:
    """The next epoch's order: what ``random.shuffle`` does to range(n) from the current
    ``random`` state, which it advances."""
    state = random.getstate()
    indices = list(range(n))
    random.shuffle(indices)
    return Order(np.asarray(indices, np.int64), state)


def initial_parameters(sizes, seed: int):
    """The book's initial network: np.random seeded, randn biases (n, 1) then weights
    (n_out, n_in), float64."""
    np.random.seed(seed)
    biases = [np.random.randn(n, 1) for n in sizes[1:]]
    weights = [np.random.randn(n, m) for m, n in zip(sizes[:-1], sizes[1:])]
    return weights, biases
