"""Dropout masks from a counter-based hash: whether a neuron is kept depends only on
(seed, step, example, layer, neuron), never on the order of computation or the thread
that computes it, so masks are reproducible and identical for every thread count."""
import numpy as np
from numba import njit

from ..config import JIT_OPTIONS


@njit(**JIT_OPTIONS)
def mix(x):
    """SplitMix64's finaliser: a bijection of uint64 whose output bits all depend on
    every input bit."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


@njit(**JIT_OPTIONS)
def uniform(seed, step, example, layer, neuron):
    """A uniform draw in [0, 1) (53 bits) for one neuron of one example at one step."""
    h = mix(np.uint64(seed) ^ np.uint64(0x9E3779B97F4A7C15))
    h = mix(h ^ np.uint64(step))
    h = mix(h ^ np.uint64(example))
    h = mix(h ^ (np.uint64(layer) << np.uint64(32)) ^ np.uint64(neuron))
    return (h >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(**JIT_OPTIONS)
def drop_neurons(a, derivs, n, dropout, rows, layer):
    """Inverted dropout on a hidden layer: each neuron j < n of example i is dropped
    with probability ``dropout.rate`` (a and f' set to 0) or kept and scaled by
    1/(1 - rate) (a and f' both: the derivative of the scaled activation), so that
    evaluation needs no rescaling. rows[i] identifies example i in the training set;
    the masks are keyed by dropout.seed and dropout.step (``records.Dropout``)."""
    T = a.dtype.type
    rate = dropout.rate
    scale = T(1.0 / (1.0 - rate))
    for i in range(a.shape[0]):
        for j in range(n):
            if uniform(dropout.seed, dropout.step, rows[i], layer, j) < rate:
                a[i, j] = T(0)
                derivs[i, j] = T(0)
            else:
                a[i, j] *= scale
                derivs[i, j] *= scale
