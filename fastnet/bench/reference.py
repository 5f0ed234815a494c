"""The numerical check: before timing, every implementation trains the same few
mini-batches from the same start, and its parameters are compared with those of the
float64 per-example reference (the seed peer). A benchmark is only honest if every peer
does the same arithmetic."""
import random
from typing import Dict

import numpy as np

from .peers import Impl
from .peers.seed import SeedImpl
from .start import shuffled_order


def relative_difference(params, reference) -> float:
    """max over layers of ||p - r|| / ||r|| (Frobenius), weights and biases."""
    worst = 0.0
    for got, want in zip(params[0] + params[1], reference[0] + reference[1]):
        got, want = np.asarray(got, np.float64).reshape(want.shape), np.asarray(want, np.float64)
        worst = max(worst, float(np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-300)))
    return worst


def check_against_reference(impls: Dict[str, Impl], sizes, X, y, config, start) -> Dict[str, float]:
    """Train each implementation one epoch over the first ``config.check_examples``
    examples (shuffled, mini-batch ``config.batch``) from the parameters ``start``: the
    relative difference of its parameters from the reference's, by name."""
    n = min(config.check_examples, len(X))
    random.seed(config.seed + 1)
    order = shuffled_order(n)  # indices < n: the peers index their full data with it
    reference = SeedImpl(sizes, X, y, config.batch, config.eta, n)
    reference.reset(*start)
    reference.train_exact(order)
    expected = reference.parameters()
    differences = {}
    for name, impl in impls.items():
        impl = impl.for_check(X[:n], y[:n])
        impl.reset(*start)
        impl.train_exact(order)
        differences[name] = relative_difference(impl.parameters(), expected)
    return differences
