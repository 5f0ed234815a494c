"""Bit-identity across thread counts where sizes are smallest: every way a batch, a
layer's neurons or the inputs' halves can be cut between threads (empty halves, a single
example or neuron per thread, the blocks' leftovers) must leave each number computed by
the same operations in the same order. A 1-ulp difference between 1 and 2 threads on
``Network.from_parameters([1, 1, 15], ...)`` in float64 came from dot products the
compiler was free to reassociate, so that copies of one kernel compiled into the 1- and
the 2-thread epoch could sum in different orders (``forward.dot``)."""
import contextlib
import io
import random

import numba
import numpy as np
import pytest

from fastnet import Network

TWO = min(2, numba.config.NUMBA_NUM_THREADS)

SIZES = [[1, 1, 15], [1, 1, 1], [1, 2, 3], [2, 1, 1], [3, 5, 2], [1, 15, 1], [2, 3, 15, 4],
         [5, 1, 7], [1, 17, 33], [4, 16, 9], [7, 31, 5], [3, 8, 1, 6], [1, 1, 1, 1], [2, 40, 19]]


def trained(sizes, dtype, threads, batch, seed, **net_options):
    """Random parameters and 15 examples from ``seed`` (as the issue's case: seed 5),
    then SGD((X, Y), 2, batch, 3.0); every weight and bias."""
    rng = np.random.RandomState(5 + seed)
    weights = [rng.randn(sizes[l + 1], sizes[l]) for l in range(len(sizes) - 1)]
    biases = [rng.randn(sizes[l + 1], 1) for l in range(len(sizes) - 1)]
    X = rng.rand(15, sizes[0])
    X[X < 0.3] = 0
    Y = rng.randint(0, sizes[-1], 15)
    net = Network.from_parameters(sizes, weights, biases, dtype=dtype, threads=threads, **net_options)
    random.seed(seed)
    np.random.seed(seed)
    with contextlib.redirect_stdout(io.StringIO()):
        net.SGD((X, Y), 2, batch, 3.0)
    return [w.copy() for w in net.weights] + [b.copy() for b in net.biases]


@pytest.mark.skipif(TWO < 2, reason="needs 2 Numba threads")
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_small_sizes_are_bit_identical_on_every_thread_count(dtype):
    differ = []
    for sizes in SIZES:
        for batch in (1, 2, 3, 7, 15):
            for seed in range(3):
                one = trained(sizes, dtype, 1, batch, seed)
                two = trained(sizes, dtype, TWO, batch, seed)
                if not all(np.array_equal(a, b) for a, b in zip(one, two)):
                    differ.append((sizes, batch, seed))
    assert not differ, f"1 and {TWO} threads differ for (sizes, batch, seed) {differ}"


@pytest.mark.skipif(TWO < 2, reason="needs 2 Numba threads")
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_a_softmax_output_is_bit_identical_on_every_thread_count(dtype):
    """softmax's sum over the outputs, for output counts below and above a vector."""
    for sizes in ([1, 1, 15], [3, 5, 2], [4, 16, 33], [2, 3, 17, 9]):
        for batch in (2, 7, 15):
            one = trained(sizes, dtype, 1, batch, 0, output="softmax", cost="log-likelihood")
            two = trained(sizes, dtype, TWO, batch, 0, output="softmax", cost="log-likelihood")
            for a, b in zip(one, two):
                np.testing.assert_array_equal(a, b)
