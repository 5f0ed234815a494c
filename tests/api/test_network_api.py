"""The original API: names, attributes, shapes, data forms, printed lines, side effects."""
import random

import numpy as np
import pytest

import fastnet
from fastnet.core import model as network
from fastnet.network import Network, sigmoid, sigmoid_prime


def toy_data(n, sizes=(4, 3, 2), seed=0, labels=False):
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(n):
        digit = int(rng.integers(sizes[-1]))
        y = digit if labels else np.eye(sizes[-1])[:, [digit]]
        pairs.append((rng.random((sizes[0], 1)), y))
    return pairs


def test_star_import_gives_the_originals_names():
    names = {}
    exec("from fastnet.network import *", names)
    assert {"Network", "sigmoid", "sigmoid_prime"} <= set(names)
    exec("from fastnet.mnist_loader import *", names)
    assert {"load_data", "load_data_wrapper", "vectorized_result"} <= set(names)
    assert fastnet.Network is network.Network


def test_attributes_and_shapes():
    net = Network([4, 3, 2])
    assert net.num_layers == 3 and net.sizes == [4, 3, 2]
    assert [b.shape for b in net.biases] == [(3, 1), (2, 1)]
    assert [w.shape for w in net.weights] == [(3, 4), (2, 3)]
    assert all(p.dtype == np.float32 for p in net.weights + net.biases)
    for name in ("feedforward", "SGD", "update_mini_batch", "backprop", "evaluate", "cost_derivative"):
        assert callable(getattr(net, name))


def test_parameters_are_views_of_one_buffer_that_training_updates():
    net = Network([4, 3, 2])
    w0 = net.weights[0]
    before = w0.copy()
    net.update_mini_batch(toy_data(5), 1.0)
    assert not np.array_equal(w0, before), "training must be visible through the old view"
    w0[:] = 0  # writing through a view changes the network
    assert np.array_equal(net.weights[0], np.zeros((3, 4)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_buffers_start_on_a_cache_line(dtype):
    """Parameters, momentum's velocity, the work buffers and a pickled copy's buffers
    all start at a multiple of 64 bytes (the kernels' padded rows then split no
    vector load across cache lines)."""
    import pickle

    from fastnet.core.workspace import Workspace
    for sizes in ([784, 30, 10], [5, 3, 2], [17, 33, 9, 4]):
        for _ in range(4):  # numpy alone gives 16-byte alignment: 0, 16, 32 or 48
            net = Network(sizes, dtype=dtype)
            net.update_mini_batch(toy_data(3, sizes), 1.0, momentum=0.5)
            copy = pickle.loads(pickle.dumps(net))
            work = Workspace(net._layout, 7, dtype)
            for buffer in (net._params, net._velocity, copy._params, copy._velocity,
                           work.acts, work.derivs, work.deltas):
                assert buffer.ctypes.data % 64 == 0 and buffer.dtype == dtype
            np.testing.assert_array_equal(copy._velocity, net._velocity)
            assert np.any(net._velocity != 0)


def test_sparse_inputs_hold_each_halfs_non_zeros_in_order():
    """Two sparse rows per example: its non-zeros among inputs 0..3, then 4..8."""
    from fastnet.core.inputs import SparseInputs
    rng = np.random.default_rng(1)
    X = rng.random((6, 9)).astype(np.float32)
    X[X < 0.6] = 0
    X[2] = 0  # an all-zero row
    X[3, :4] = 0  # an empty lower half
    X[4, 4:] = 0  # an empty upper half
    sparse = SparseInputs(X)
    assert sparse.indices.dtype == np.uint16 and sparse.values.dtype == np.float32
    for i, x in enumerate(X):
        for half, (lo, hi) in enumerate([(0, 4), (4, 9)]):
            t, stop = sparse.indptr[2 * i + half], sparse.indptr[2 * i + half + 1]
            np.testing.assert_array_equal(sparse.indices[t:stop], lo + np.flatnonzero(x[lo:hi]))
            np.testing.assert_array_equal(sparse.values[t:stop], x[lo:hi][x[lo:hi] != 0])
    assert len(sparse) == 6 and sparse.indptr[-1] == np.count_nonzero(X)


def test_assigning_lists_copies_into_the_buffer_after_checking_shapes():
    net = Network([4, 3, 2])
    view = net.weights[0]
    net.weights = [np.ones((3, 4)), np.full((2, 3), 2.0)]
    assert np.array_equal(view, np.ones((3, 4)))  # same buffer, new values
    net.biases[1] = np.array([[5.0], [6.0]])  # item assignment copies too
    assert net.biases[1][1, 0] == 6.0
    with pytest.raises(ValueError, match=r"weights\[1\] must have shape \(2, 3\)"):
        net.weights = [np.ones((3, 4)), np.ones((3, 2))]
    assert np.array_equal(view, np.ones((3, 4))), "a rejected assignment changes nothing"
    with pytest.raises(ValueError, match="needs 2 layers"):
        net.biases = [np.zeros((3, 1))]
    with pytest.raises(ValueError, match="NaN"):
        net.biases = [np.zeros((3, 1)), np.array([[np.nan], [0]])]


def test_feedforward_shapes():
    net = Network([4, 3, 2])
    x = np.random.rand(4, 1)
    assert net.feedforward(x).shape == (2, 1)
    assert net.feedforward(np.random.rand(4, 6)).shape == (2, 6)
    assert net.feedforward(x[:, 0]).shape == (2,)
    np.testing.assert_allclose(net.feedforward(x[:, 0]), net.feedforward(x)[:, 0])


def test_sgd_prints_the_originals_lines(capsys):
    net = Network([4, 3, 2])
    net.SGD(toy_data(30), 2, 10, 3.0, test_data=toy_data(8, labels=True, seed=1))
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Epoch 0", "Epoch 1"]
    for line in lines:
        correct, total = line.split(": ")[1].split(" / ")
        assert total == "8" and 0 <= int(correct) <= 8
    net.SGD(toy_data(30), 2, 10, 3.0)
    assert capsys.readouterr().out == "Epoch 0 complete\nEpoch 1 complete\n"
    net.SGD(toy_data(30), 1, 10, 3.0, test_data=[])  # `if test_data:` is false for []
    assert capsys.readouterr().out == "Epoch 0 complete\n"


def test_sgd_shuffles_the_callers_list_as_the_original_does(capsys):
    data = toy_data(20)
    ids = {id(pair[0]): i for i, pair in enumerate(data)}
    order = list(range(20))
    random.seed(3)
    Network([4, 3, 2]).SGD(data, 3, 5, 1.0)
    random.seed(3)
    for _ in range(3):
        random.shuffle(order)
    assert [ids[id(pair[0])] for pair in data] == order


def test_all_data_forms_train_identically(capsys):
    """A list of pairs, a zip, a generator, (X, labels) and (X, one-hot) arrays: same run."""
    pairs = toy_data(40)
    X = np.hstack([x for x, _ in pairs]).T
    labels = np.array([int(np.argmax(y)) for _, y in pairs])
    forms = {
        "list": lambda: list(pairs),
        "zip": lambda: zip([x for x, _ in pairs], [y for _, y in pairs]),
        "generator": lambda: ((x, y) for x, y in pairs),
        "int labels": lambda: [(x, int(np.argmax(y))) for x, y in pairs],
        "arrays + labels": lambda: (X, labels),
        "arrays + one-hot": lambda: (X, np.eye(2)[labels]),
    }
    results = {}
    for name, make in forms.items():
        np.random.seed(0)
        random.seed(0)
        net = Network([4, 3, 2], dtype=np.float64)
        net.SGD(make(), 2, 7, 2.0)
        results[name] = np.concatenate([p.ravel() for p in net.weights + net.biases])
    for name, params in results.items():
        np.testing.assert_array_equal(params, results["list"], err_msg=name)


def test_evaluate_accepts_labels_and_one_hot():
    net = Network([4, 3, 2])
    with_labels = toy_data(50, labels=True)
    one_hot = [(x, np.eye(2)[:, [y]]) for x, y in with_labels]
    expected = sum(int(np.argmax(net.feedforward(x)) == y) for x, y in with_labels)
    assert net.evaluate(with_labels) == net.evaluate(one_hot) == expected
    assert isinstance(net.evaluate(with_labels), int)


def test_backprop_and_cost_derivative_shapes():
    net = Network([4, 3, 2], dtype=np.float64)
    x, y = toy_data(1)[0]
    nabla_b, nabla_w = net.backprop(x, y)
    assert [b.shape for b in nabla_b] == [(3, 1), (2, 1)]
    assert [w.shape for w in nabla_w] == [(3, 4), (2, 3)]
    np.testing.assert_array_equal(net.cost_derivative(np.ones((2, 1)), y), np.ones((2, 1)) - y)
    before = [w.copy() for w in net.weights]
    net.backprop(x, y)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.weights)), "backprop must not train"


def test_module_sigmoid_is_stable_and_matches_the_formula():
    z = np.array([-1000.0, -5.0, 0.0, 5.0, 1000.0])
    with np.errstate(all="raise"):
        s = sigmoid(z)
    np.testing.assert_allclose(s[1:4], 1 / (1 + np.exp(-z[1:4])), rtol=1e-15)
    assert s[0] == 0.0 and s[-1] == 1.0
    assert sigmoid(np.float32(2)).dtype == np.float32
    assert isinstance(sigmoid(0.0), (float, np.floating)) and sigmoid(0.0) == 0.5
    assert sigmoid_prime(0.0) == 0.25


def test_float64_mode():
    net = Network([4, 3, 2], dtype=np.float64)
    assert net.weights[0].dtype == np.float64
    assert net.feedforward(np.zeros((4, 1))).dtype == np.float64
    assert repr(net) == "Network([4, 3, 2], dtype=np.float64)"


def test_train_epochs_yields_results_history_and_progress():
    data, test = toy_data(57), toy_data(9, labels=True, seed=2)
    net = Network([4, 3, 2])
    seen = []
    results = list(net.train_epochs(data, 3, 10, 2.0, test_data=test, progress=seen.append))
    assert [r.epoch for r in results] == [0, 1, 2]
    assert results[-1].correct == net.evaluate(test) and results[-1].n_test == 9
    assert all(r.examples == 57 and r.seconds > 0 for r in results)
    assert len(net.history) == 3 and net.history[0]["mini_batch_size"] == 10
    assert seen == [57, 57, 57]  # one chunk per epoch here: examples done so far


def test_chunked_epochs_equal_one_call(monkeypatch):
    """Splitting an epoch into compiled calls (for Ctrl-C and progress) changes nothing."""
    import fastnet.core.model as module
    data = toy_data(95)
    runs = []
    for chunk in (10_000, 20):  # one call per epoch, or calls of 2 mini-batches
        monkeypatch.setattr(module, "CHUNK_EXAMPLES", chunk)
        np.random.seed(1)
        random.seed(1)
        net = Network([4, 3, 2], dtype=np.float64)
        calls = []
        list(net.train_epochs(list(data), 2, 10, 1.5, progress=calls.append))
        runs.append(np.concatenate([p.ravel() for p in net.weights + net.biases]))
        assert len(calls) == (2 if chunk == 10_000 else 10)
    np.testing.assert_array_equal(runs[0], runs[1])


def test_predict_and_cost():
    net = Network([4, 3, 2], dtype=np.float64)
    pairs = toy_data(20)
    X = np.hstack([x for x, _ in pairs]).T
    expected = [int(np.argmax(net.feedforward(x))) for x, _ in pairs]
    assert net.predict(X).tolist() == expected
    cost = sum(0.5 * np.sum((y - net.feedforward(x)) ** 2) for x, y in pairs) / len(pairs)  # (6)
    assert net.cost(pairs) == pytest.approx(cost, rel=1e-12)


def test_training_calls_reuse_the_sparse_inputs_until_the_data_changes(sparse_builds):
    """The inputs' sparse form is built once for repeated calls on the same data, and
    rebuilt when the caller changes the array in place: training then sees the new
    values, exactly as a network trained on them from the start."""
    import fastnet.core.inputs as training
    built = sparse_builds
    rng = np.random.default_rng(3)
    X = rng.random((40, 4))
    X[X < 0.5] = 0
    y = rng.integers(0, 2, 40)

    def train(net, X):
        random.seed(5)
        list(net.train_epochs((X, y), 1, 8, 1.0))
        return np.concatenate([p.ravel() for p in net.weights + net.biases])

    np.random.seed(0)
    cached = Network([4, 3, 2], dtype=np.float64)
    np.random.seed(0)
    fresh = Network([4, 3, 2], dtype=np.float64)
    before = X.copy()
    train(cached, X)
    train(cached, X)
    assert len(built) == 1  # the second call reused the first call's form
    X[7, 2] = 0.25  # in place: a value changes (or a zero becomes non-zero)
    X[[3, 4]] = X[[4, 3]]  # and two examples swap
    after = train(cached, X)
    assert len(built) == 2 and np.array_equal(built[-1], X)
    for data in (before, before, X.copy()):  # the same calls, each form built afresh
        fresh._sparse_cache = training.SparseCache()
        expected = train(fresh, data)
    np.testing.assert_array_equal(expected, after)
    X[11, 1] = np.nan  # a non-finite value written in place is caught, nothing trained
    with pytest.raises(ValueError, match="training_data input 11 contains NaN"):
        train(cached, X)
    np.testing.assert_array_equal(np.concatenate([p.ravel() for p in cached.weights + cached.biases]),
                                  after)


def test_a_kept_sparse_form_serves_every_network_while_its_keeper_holds_it(sparse_builds):
    """core.inputs.keep_sparse: networks training on inputs equal to the kept ones (even
    another array) build no form of their own and train exactly as with their own; a
    form nobody keeps is forgotten, and changed inputs get their own form."""
    import gc
    import fastnet.core.inputs as training
    built = sparse_builds
    rng = np.random.default_rng(4)
    X = rng.random((40, 4))
    X[X < 0.5] = 0
    y = rng.integers(0, 2, 40)

    def trained(X):
        np.random.seed(0)
        random.seed(5)
        net = Network([4, 3, 2], dtype=np.float64)
        list(net.train_epochs((X, y), 1, 8, 1.0))
        return np.concatenate([p.ravel() for p in net.weights + net.biases])

    own = trained(X)
    kept = training.keep_sparse(X)
    assert len(built) == 2
    for data in (X, X.copy(), X.copy()):
        np.testing.assert_array_equal(trained(data), own)
    assert len(built) == 2 and training.keep_sparse(X.copy()) is kept
    changed = X.copy()
    changed[0, 0] = 0.75
    trained(changed)
    assert len(built) == 3
    del kept
    gc.collect()
    trained(X)
    assert len(built) == 4
    with pytest.raises(ValueError, match="training_data input 2 contains NaN"):
        X[2, 1] = np.inf
        training.keep_sparse(X)
