"""A network's state cannot be put where the kernels would trust it wrongly: its layout
(sizes, layers, dtype) is read-only, its parameters are checked finite before use and
after every epoch, one training run at a time, and construction stays within its means."""
import gc
import os
import pickle
import subprocess
import sys
import textwrap
import threading
import tracemalloc
import warnings

import numpy as np
import pytest

from fastnet import Network
from fastnet.core.training import TrainingDiverged


# -- the layout is read-only ------------------------------------------------------------
def test_changing_sizes_in_place_does_not_crash_training():
    """Once a segmentation fault: the kernels trusted a sizes list the user had changed."""
    code = textwrap.dedent("""
        import numpy as np, fastnet
        net = fastnet.Network([4, 3, 2])
        try:
            net.sizes[0] = 100000
        except TypeError as error:
            print("refused:", error)
        try:
            net.SGD((np.random.rand(12, 100000).astype(np.float32), np.zeros(12, int)), 1, 4, 1.0)
        except ValueError as error:
            print("refused:", error)
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    assert "refused: net.sizes is read-only" in run.stdout
    assert "training_data inputs must have shape (n, 4)" in run.stdout


def test_layout_attributes_read_as_the_books_and_cannot_be_set():
    net = Network([4, 3, 2])
    assert net.sizes == [4, 3, 2] and len(net.sizes) == 3 and net.sizes[-1] == 2
    assert net.sizes[1:] == [3, 2] and list(zip(net.sizes[:-1], net.sizes[1:])) == [(4, 3), (3, 2)]
    assert net.num_layers == 3 and isinstance(net.num_layers, int) and net.dtype is np.float32
    assert repr(net).startswith("Network([4, 3, 2], ")
    for name, value, hint in (("sizes", [5, 3, 2], "Network("), ("num_layers", 4, "Network("),
                              ("dtype", np.float64, "dtype=np.float64")):
        with pytest.raises(AttributeError, match=f"{name} is read-only") as error:
            setattr(net, name, value)
        assert hint in str(error.value)
    for change in (lambda s: s.__setitem__(0, 5), lambda s: s.append(3), lambda s: s.pop(),
                   lambda s: s.extend([1]), lambda s: s.sort(), lambda s: s.clear(),
                   lambda s: s.__delitem__(0), lambda s: s.__iadd__([1]), lambda s: s.reverse()):
        with pytest.raises(TypeError, match="read-only"):
            change(net.sizes)
    assert net.sizes == [4, 3, 2]
    assert pickle.loads(pickle.dumps(net.sizes)) == [4, 3, 2]


def test_the_neurons_cannot_be_swapped_under_a_built_network():
    """Assigning activation, output or encoding once changed the name but not the kernels'
    layer codes or the targets: predictions decoded one way, training coded another."""
    from fastnet.core.encodings import get_encoding
    np.random.seed(1)
    net = Network([6, 5, 4], activation="relu")
    X = np.random.rand(12, 6).astype(np.float32)
    before = net.predict(X)
    for name, value in (("activation", "sigmoid"), ("output", "softmax"),
                        ("encoding", get_encoding("binary", 4))):
        with pytest.raises(AttributeError, match=f"{name} is read-only: .*from_parameters"):
            setattr(net, name, value)
    assert (net.activation, net.output, net.encoding.name) == ("relu", "sigmoid", "one-hot")
    assert np.array_equal(net.predict(X), before)
    copy = Network.from_parameters(net.sizes, net.weights, net.biases, activation="relu",
                                   encoding="binary")
    assert copy.encoding.name == "binary" and copy.activation == "relu"


def test_layer_lists_keep_their_length_and_order():
    np.random.seed(0)
    net = Network([4, 3, 2])
    before = [w.copy() for w in net.weights] + [b.copy() for b in net.biases]
    extra = np.zeros((2, 3))
    changes = {
        "append": lambda l: l.append(extra), "extend": lambda l: l.extend([extra]),
        "insert": lambda l: l.insert(0, extra), "pop": lambda l: l.pop(),
        "remove": lambda l: l.remove(l[0]), "reverse": lambda l: l.reverse(),
        "sort": lambda l: l.sort(key=id), "clear": lambda l: l.clear(),
        "del": lambda l: l.__delitem__(0), "slice": lambda l: l.__setitem__(slice(0, 1), [extra]),
        "*=": lambda l: l.__imul__(2), "+=": lambda l: l.__iadd__([extra]),
    }
    for attribute in ("weights", "biases"):
        for name, change in changes.items():
            with pytest.raises(TypeError, match=rf"{attribute}\[i\] = array") as error:
                change(getattr(net, attribute))
            assert f"net.{attribute} = [" in str(error.value), name
    with pytest.raises(TypeError):
        net.weights *= 2
    with pytest.raises(TypeError):
        net.weights += [extra]
    after = [w.copy() for w in net.weights] + [b.copy() for b in net.biases]
    assert len(net.weights) == 2 and len(net.biases) == 2
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    # what keeps working: assigning a layer, or a whole list
    net.weights[1] = np.ones((2, 3))
    assert np.array_equal(net.weights[1], np.ones((2, 3)))
    net.weights = [np.zeros((3, 4)), np.full((2, 3), 2.0)]
    net.biases = [b * 0 for b in net.biases]
    assert net.weights[1][0, 0] == 2 and not net.biases[0].any()
    assert (net.weights + net.biases)[2].shape == (3, 1)


# -- non-finite parameters ----------------------------------------------------------------
def small_data(n=40, n_in=4, classes=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)).astype(np.float32), rng.integers(classes, size=n)


def test_non_finite_parameters_are_refused_before_use():
    net = Network([4, 3, 2])
    net.weights[1][0, 2] = np.nan  # in place, through the view
    X, y = small_data()
    for use in (lambda: net.feedforward(X[0].reshape(4, 1)), lambda: net.predict(X),
                lambda: net.evaluate((X, y)), lambda: net.SGD((X, y), 1, 10, 0.1),
                lambda: net.update_mini_batch((X, y), 0.1)):
        with pytest.raises(ValueError, match=r"weights\[1\] contains NaN or infinity"):
            use()
    net.weights[1][0, 2] = 0
    net.biases[0][1] = np.inf
    with pytest.raises(ValueError, match=r"biases\[0\] contains NaN or infinity"):
        net.predict(X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_diverging_run_stops_naming_the_epoch(dtype, capsys):
    np.random.seed(1)
    net = Network([4, 30, 2], dtype=dtype, activation="relu", output="linear")
    X, y = small_data(200)
    with pytest.raises(TrainingDiverged, match=r"during epoch 0.*lower eta") as error:
        net.SGD((X * 1e3, y), 5, 10, 1e10 if dtype == np.float32 else 1e100)
    assert isinstance(error.value, ValueError) and isinstance(error.value, FloatingPointError)
    assert len(net.history) == 0  # no record of the diverged epoch


def test_eta_beyond_the_dtype_is_refused_up_front():
    net = Network([4, 3, 2])
    X, y = small_data()
    with pytest.raises(ValueError, match="eta must be finite in float32"):
        net.SGD((X, y), 1, 10, 1e300)
    with pytest.raises(ValueError, match="eta must be finite in float32"):
        net.update_mini_batch((X, y), 1e39)
    Network([4, 3, 2], dtype=np.float64).SGD((X, y), 1, 10, 1e300 / 1e300)


def test_outputs_that_overflow_are_an_error_not_class_0():
    net = Network([4, 30, 2], activation="relu", output="linear")
    net.weights = [np.ones((30, 4)), np.ones((2, 30))]
    X = np.ones((3, 4), np.float32)
    X[1] = 1e37  # finite in float32, but 4 * 30 * 1e37 is not
    with pytest.raises(ValueError, match="predict input 1: the network's output is NaN or infinite"):
        net.predict(X)


def test_pickling_refuses_non_finite_parameters_as_saving_does():
    net = Network([4, 3, 2])
    assert pickle.loads(pickle.dumps(net)).sizes == [4, 3, 2]
    net.weights[0][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"weights\[0\] contains NaN or infinity"):
        pickle.dumps(net)


# -- one training run at a time; inference from any number of threads -------------------
def big_problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((3000, 200)).astype(np.float32)
    return X, rng.integers(10, size=len(X))


def test_two_threads_training_one_network_get_a_clear_error():
    np.random.seed(0)
    net = Network([200, 300, 10], threads=1)
    X, y = big_problem()
    net.SGD((X[:10], y[:10]), 1, 10, 0.1)  # compiled before the race
    errors, started = [], threading.Barrier(2)

    def train():
        started.wait()
        try:
            for _ in net.train_epochs((X, y), 3, 10, 0.1):
                pass
        except RuntimeError as error:
            errors.append(str(error))
    threads = [threading.Thread(target=train) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors and all("already training in another thread" in e for e in errors)
    assert len(errors) == 1  # the other run went to its end


def test_inference_from_several_threads_gives_the_single_thread_results():
    np.random.seed(0)
    net = Network([200, 300, 10])
    X, y = big_problem(1)
    expected = (net.predict(X), net.evaluate((X, y)), net.feedforward(X[:50].T))
    results = [None] * 4
    start = threading.Barrier(len(results))

    def infer(i):
        start.wait()
        results[i] = [(net.predict(X), net.evaluate((X, y)), net.feedforward(X[:50].T))
                      for _ in range(5)]
    threads = [threading.Thread(target=infer, args=(i,)) for i in range(len(results))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for runs in results:
        for predicted, correct, outputs in runs:
            assert np.array_equal(predicted, expected[0]) and correct == expected[1]
            assert np.array_equal(outputs, expected[2])


def test_concurrent_inference_under_the_workqueue_threading_layer_does_not_abort():
    """Numba's workqueue layer aborts the process when two threads launch a parallel
    kernel at once: fastnet serialises its launches there."""
    code = textwrap.dedent("""
        import threading, numba, numpy as np
        from fastnet import Network
        np.random.seed(0)
        net = Network([200, 300, 10], threads=2)
        X = np.random.rand(3000, 200).astype(np.float32)
        expected = net.predict(X)
        assert numba.threading_layer() == "workqueue"
        same = []
        def infer():
            same.extend(np.array_equal(net.predict(X), expected) for _ in range(10))
        threads = [threading.Thread(target=infer) for _ in range(4)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        print(all(same), len(same))
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "NUMBA_THREADING_LAYER": "workqueue"})
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    assert run.stdout.split() == ["True", "40"]


def test_training_and_changing_a_network_from_inside_its_own_run_is_refused():
    net = Network([4, 3, 2])
    X, y = small_data()

    def progress(done):
        net.SGD((X, y), 1, 10, 0.1)
    with pytest.raises(RuntimeError, match="already training in this thread"):
        list(net.train_epochs((X, y), 1, 10, 0.1, progress=progress))
    net.SGD((X, y), 1, 10, 0.1)  # the lock is released after the error


# -- construction's memory ------------------------------------------------------------------
def test_construction_peaks_near_the_bytes_it_keeps():
    Network([3, 2, 2])  # imports and compilations outside the measurement
    gc.collect()
    tracemalloc.start()
    try:
        net = Network([784, 3000, 10])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    kept = net._params.nbytes
    assert peak <= 1.6 * kept, (peak, kept, peak / kept)


def test_a_network_that_cannot_fit_is_refused_before_allocating():
    with pytest.raises(MemoryError, match=r"Network\(\[100000, 100000, 100000\]\) needs "
                                          r"80,000,[\d,]+ bytes"):
        Network([100000, 100000, 100000])


# -- train_epochs is lazy, and says so when it is never run -------------------------------
def test_train_epochs_never_iterated_warns():
    net = Network([4, 3, 2])
    X, y = small_data()
    before = net.weights[0].copy()
    with pytest.warns(RuntimeWarning, match="never iterated, so it trained nothing"):
        net.train_epochs((X, y), 2, 10, 0.1)
        gc.collect()
    assert np.array_equal(net.weights[0], before)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = net.train_epochs((X, y), 2, 10, 0.1)
        assert [r.epoch for r in results] == [0, 1]
        del results
        net.train_epochs((X, y), 0, 10, 0.1)  # nothing to train: nothing forgotten
        net.SGD((X, y), 1, 10, 0.1)
        first = net.train_epochs((X, y), 3, 10, 0.1)
        next(first)
        del first  # started, then dropped: the caller chose to stop
        gc.collect()
    assert not np.array_equal(net.weights[0], before)
