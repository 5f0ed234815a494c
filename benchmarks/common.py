"""Data shared by the asv benchmarks: real MNIST (``$FASTNET_DATA``) when it is there,
else seeded synthetic data of the same shapes, so every benchmark runs anywhere.
Append only: changing what a benchmark measures breaks its history."""
import os
import random

import numpy as np

N_TRAIN, N_TEST = 50_000, 10_000


def mnist():
    """((X, y), (X_test, y_test)): float32 (n, 784) in [0, 1) and int64 labels."""
    path = os.environ.get("FASTNET_DATA")
    if path:
        from fastnet.mnist_loader import load_data
        (X, y), _, test = load_data(path)
        return (X, y), test
    rng = np.random.default_rng(0)
    sparse = lambda n: (rng.random((n, 784)) * (rng.random((n, 784)) < 0.19)).astype(np.float32)  # noqa: E731
    return (sparse(N_TRAIN), rng.integers(0, 10, N_TRAIN)), (sparse(N_TEST), rng.integers(0, 10, N_TEST))


def seeded_network(sizes, dtype=np.float32, seed=0, **options):
    from fastnet import Network
    np.random.seed(seed)
    random.seed(seed)
    return Network(sizes, dtype=dtype, **options)
