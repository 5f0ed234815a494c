"""Threads: training shared by 2 threads gives bit-identical parameters to 1 thread
(fixed partition of every layer's neurons, same operations in the same order), for
odd sizes, odd batches, both dtypes and every training option; thread counts are
checked, scoped and restored."""
import random

import numba
import numpy as np
import pytest

from fastnet import Network
from fastnet.core.threads import (
    AUTO_MIN_BATCH,
    AUTO_MIN_WORK,
    THREADS_ENV,
    barriers_are_safe,
    default_threads,
    training_threads,
    using_threads,
)

TWO = min(2, numba.config.NUMBA_NUM_THREADS)
needs_two = pytest.mark.skipif(TWO < 2, reason="needs 2 Numba threads")


def data(n_in, n_out, n=157, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_in))
    X[rng.random(X.shape) < 0.7] = 0  # sparse, as MNIST
    return X, rng.integers(0, n_out, n)


def trained(sizes, dtype, threads, batch, epochs=1, net_options=None, **options):
    np.random.seed(1)
    random.seed(1)
    net = Network(sizes, dtype=dtype, threads=threads, **(net_options or {}))
    list(net.train_epochs(data(sizes[0], sizes[-1]), epochs, batch, 0.5, **options))
    assert net.history[-1]["threads"] == threads
    return net._params.copy()


@needs_two
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("sizes", [[784, 30, 10], [5, 3, 2], [17, 33, 9, 4], [784, 1], [60, 100, 10],
                                   [784, 128, 64, 10]], ids=str)
@pytest.mark.parametrize("batch", [1, 3, 7, 10, 13, 100, 200])
def test_two_threads_are_bit_identical_to_one(sizes, dtype, batch):
    one = trained(sizes, dtype, 1, batch)
    two = trained(sizes, dtype, TWO, batch)
    np.testing.assert_array_equal(one, two)


@needs_two
@pytest.mark.parametrize("options,net_options", [
    (dict(lmbda=5.0, l1=0.5), None),
    (dict(lmbda=300.0), None),  # lazy first-layer decay, folded several times per epoch
    (dict(momentum=0.9, lmbda=1.0), dict(activation="relu", cost="log-likelihood")),
    (dict(dropout=0.3), dict(activation="tanh", cost="cross-entropy")),
    (dict(reduction="sum"), dict(output="linear")),
], ids=["l2-l1", "l2-folds", "momentum-softmax", "dropout-ce", "sum-linear"])
def test_two_threads_are_bit_identical_with_every_option(options, net_options):
    for dtype in (np.float32, np.float64):
        one = trained([40, 24, 9, 5], dtype, 1, 10, 2, net_options, **options)
        two = trained([40, 24, 9, 5], dtype, TWO, 10, 2, net_options, **options)
        np.testing.assert_array_equal(one, two)


def test_thread_counts_are_checked():
    for bad in (0, -1, 2.5, True, numba.config.NUMBA_NUM_THREADS + 1, "2"):
        with pytest.raises(ValueError, match="threads"):
            Network([3, 2], threads=bad)


def test_environment_variable_sets_the_default(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "1")
    assert default_threads() == 1 and Network([3, 2]).threads == 1
    monkeypatch.setenv(THREADS_ENV, "many")
    with pytest.raises(ValueError, match=THREADS_ENV):
        Network([3, 2])
    monkeypatch.setenv(THREADS_ENV, "")
    assert Network([3, 2]).threads is None


def test_using_threads_restores_the_count_also_on_error():
    before = numba.get_num_threads()
    with pytest.raises(RuntimeError):
        with using_threads(1):
            assert numba.get_num_threads() == 1
            raise RuntimeError("boom")
    assert numba.get_num_threads() == before


def test_automatic_choice_uses_one_thread_for_small_steps():
    assert training_threads(None, AUTO_MIN_WORK / 10, 100) == 1
    assert training_threads(None, AUTO_MIN_WORK * 10, AUTO_MIN_BATCH - 1) == 1  # one example
    assert training_threads(2, AUTO_MIN_WORK / 10, 1) == 2 or not barriers_are_safe()  # as asked
    big = training_threads(None, AUTO_MIN_WORK * 10, AUTO_MIN_BATCH)
    assert big == (numba.get_num_threads() if barriers_are_safe() else 1)
    np.random.seed(0)
    net = Network([5, 3, 2])
    list(net.train_epochs(data(5, 2), 1, 10, 0.5))
    assert net.history[-1]["threads"] == 1


@needs_two
def test_evaluation_is_identical_for_every_thread_count():
    X, y = data(784, 10, n=1000)
    outputs = []
    for threads in (1, TWO):
        np.random.seed(3)
        net = Network([784, 30, 10], threads=threads)
        outputs.append(net.feedforward(X.T))
    np.testing.assert_array_equal(*outputs)


TRAIN_AND_SAVE = """
import random, sys
import numpy as np
from fastnet import Network
rng = np.random.default_rng(0)
X = (rng.random((300, 784)) * (rng.random((300, 784)) < 0.3)).astype(np.float32)
y = rng.integers(0, 10, 300)
np.random.seed(0)
random.seed(1)
net = Network([784, 30, 10], threads=int(sys.argv[1]))
list(net.train_epochs((X, y), 2, 10, 3.0, lmbda=0.5))
np.save(sys.argv[2], net._params)
"""


@needs_two
def test_a_process_that_compiles_and_one_that_loads_the_cache_agree(tmp_path):
    """The same seeds give the same bits in a process that compiles every kernel (empty
    disk cache) and in later ones that load them, on 1 or 2 threads."""
    import os
    import subprocess
    import sys
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    runs = [("2", "compiled"), ("1", "loaded1"), ("2", "loaded2")]
    for threads, name in runs:
        subprocess.run([sys.executable, "-c", TRAIN_AND_SAVE, threads, str(tmp_path / f"{name}.npy")],
                       env=env, check=True)
    compiled = np.load(tmp_path / "compiled.npy")
    for _, name in runs[1:]:
        np.testing.assert_array_equal(np.load(tmp_path / f"{name}.npy"), compiled)
