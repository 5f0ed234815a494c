"""fastnet.network2 and the modern options of both Network classes, against
tests/oracles/reference2.py (the book's network2 equations in plain numpy) and finite
differences: float64 to 1e-10, float32 to 1e-5 (normwise, as test_kernels)."""
import contextlib
import io
import json
import random

import numpy as np
import pytest
from oracles import reference2 as ref2

from fastnet import kernels, network2
from fastnet.network import Network

COMBINATIONS = [  # (cost, hidden activation, output)
    ("quadratic", "sigmoid", "sigmoid"), ("quadratic", "tanh", "tanh"),
    ("quadratic", "relu", "sigmoid"), ("quadratic", "sigmoid", "relu"),
    ("quadratic", "tanh", "linear"),
    ("cross-entropy", "sigmoid", "sigmoid"), ("cross-entropy", "tanh", "sigmoid"),
    ("cross-entropy", "relu", "sigmoid"),
    ("log-likelihood", "sigmoid", "softmax"), ("log-likelihood", "tanh", "softmax"),
    ("log-likelihood", "relu", "softmax"),
]
REF_COSTS = {"quadratic": ref2.QuadraticCost, "cross-entropy": ref2.CrossEntropyCost,
             "log-likelihood": ref2.LogLikelihoodCost}
combos = pytest.mark.parametrize("cost,activation,output", COMBINATIONS,
                                 ids=["-".join(c) for c in COMBINATIONS])
dtypes = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
TOLERANCE = {np.float64: 1e-10, np.float32: 1e-5}


def assert_close(actual, expected, dtype):
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    assert actual.shape == expected.shape
    error = np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1e-30)
    assert error <= TOLERANCE[dtype], f"relative error {error:.3g}"


def twins(sizes, cost, activation, output, dtype=np.float64, seed=3, init="scaled"):
    """A fastnet network and a reference network with the same (dtype-rounded) start."""
    np.random.seed(seed)
    net = Network(sizes, dtype=dtype, activation=activation, output=output, cost=cost, init=init)
    ref = ref2.ReferenceNetwork2(sizes, cost=REF_COSTS[cost], activation=activation,
                                 output=None if output is None else output)
    ref.weights = [np.array(w, np.float64) for w in net.weights]
    ref.biases = [np.array(b, np.float64) for b in net.biases]
    return net, ref


def examples(sizes, n, rng, one_hot=True, sparse=False):
    """n (x, y) pairs: x (n_in, 1) in [0, 1) (with zeros when ``sparse``), y one-hot."""
    data = []
    for _ in range(n):
        x = rng.random((sizes[0], 1))
        if sparse:
            x[rng.random(x.shape) < 0.6] = 0
        label = int(rng.integers(sizes[-1]))
        data.append((x, np.eye(sizes[-1])[:, [label]] if one_hot else label))
    return data


# -- gradients -------------------------------------------------------------------------
@combos
@pytest.mark.parametrize("sizes", [[5, 4, 3], [7, 6, 5, 3]], ids=str)
def test_backprop_is_the_gradient_of_every_cost(sizes, cost, activation, output):
    """float64 backprop against central differences of the network's own cost."""
    net, _ = twins(sizes, cost, activation, output)
    rng = np.random.default_rng(5)
    (x, y), = examples(sizes, 1, rng, sparse=True)
    nabla_b, nabla_w = net.backprop(x, y)
    h = 1e-6
    for layers, grads in ((net.biases, nabla_b), (net.weights, nabla_w)):
        for layer, grad in zip(layers, grads):
            for flat_index in range(layer.size):
                index = np.unravel_index(flat_index, layer.shape)
                saved = layer[index]
                layer[index] = saved + h
                up = net.cost([(x, y)])
                layer[index] = saved - h
                down = net.cost([(x, y)])
                layer[index] = saved
                if activation == "relu" or output == "relu":
                    # a kink inside [w - h, w + h] makes the difference meaningless
                    if abs(up - 2 * net.cost([(x, y)]) + down) > 1e-9:
                        continue
                assert grad[index] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("lmbda,l1", [(0.0, 0.0), (4.0, 0.0), (0.0, 3.0), (2.0, 1.5)])
@combos
def test_regularised_step_is_the_gradient_of_the_total_cost(cost, activation, output, lmbda, l1):
    """One step on the whole data (m = n) moves the parameters by -eta times the gradient
    of total_cost = (1/n) sum C_x + lmbda/(2n) sum w^2 + l1/n sum |w|."""
    sizes = [6, 5, 4]
    net, _ = twins(sizes, cost, activation, output)
    data = examples(sizes, 7, np.random.default_rng(8), sparse=True)
    before = [np.array(a) for a in net.weights + net.biases]
    eta = 1e-3
    net.update_mini_batch(data, eta, lmbda=lmbda, l1=l1, n=len(data))
    moved = [(b - np.array(a)) / eta for a, b in zip(net.weights + net.biases, before)]
    for layer, step in zip(net.weights + net.biases, before):  # back to the start
        layer[...] = step
    h = 1e-6
    for layer, grad in zip(net.weights + net.biases, moved):
        for flat_index in range(0, layer.size, 3):
            index = np.unravel_index(flat_index, layer.shape)
            saved = layer[index]
            layer[index] = saved + h
            up = net.cost(data, lmbda, l1)
            layer[index] = saved - h
            down = net.cost(data, lmbda, l1)
            layer[index] = saved
            if abs(up - 2 * net.cost(data, lmbda, l1) + down) > 1e-9:
                continue  # a ReLU kink or |w| at 0 within h
            assert grad[index] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)


# -- parity with the reference -----------------------------------------------------------
@dtypes
@combos
def test_update_matches_reference(cost, activation, output, dtype):
    sizes = [784, 16, 10] if output != "relu" else [20, 9, 4]
    net, ref = twins(sizes, cost, activation, output, dtype)
    batch = examples(sizes, 7, np.random.default_rng(1), sparse=True)
    batch = [(x.astype(dtype).astype(np.float64), y) for x, y in batch]
    for options in (dict(lmbda=5.0), dict(l1=2.0, momentum=0.8), dict(lmbda=1.0, momentum=0.5)):
        ref.update_mini_batch(batch, 0.5, options.get("lmbda", 0.0), 50, l1=options.get("l1", 0.0),
                              momentum=options.get("momentum", 0.0))
        net.update_mini_batch(batch, 0.5, n=50, **options)
        for got, want in zip(net.weights + net.biases, ref.weights + ref.biases):
            assert_close(got, want, dtype)


@pytest.mark.parametrize("cost,activation,output,options", [
    ("cross-entropy", "sigmoid", "sigmoid", dict(lmbda=5.0)),
    ("quadratic", "tanh", "sigmoid", dict(l1=1.0)),
    ("log-likelihood", "relu", "softmax", dict(lmbda=1.0, momentum=0.9)),
], ids=["ce-l2", "quadratic-tanh-l1", "softmax-relu-momentum"])
def test_sgd_epochs_and_monitors_match_reference(cost, activation, output, options):
    """network2.Network.SGD with all four monitors against the reference's SGD, under the
    same seeds: parameters, the four lists and the printed lines."""
    sizes = [30, 12, 10]
    rng = np.random.default_rng(4)
    training = examples(sizes, 53, rng, sparse=True)
    evaluation = examples(sizes, 17, rng, one_hot=False)
    np.random.seed(9)
    net = network2.Network(sizes, cost=cost, dtype=np.float64, activation=activation, output=output)
    np.random.seed(9)
    ref = ref2.ReferenceNetwork2(sizes, cost=REF_COSTS[cost], activation=activation, output=output)
    monitors = dict(monitor_evaluation_cost=True, monitor_evaluation_accuracy=True,
                    monitor_training_cost=True, monitor_training_accuracy=True)
    results = []
    for model in (net, ref):
        random.seed(2)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            lists = model.SGD(list(training), 3, 5, 0.3, options.get("lmbda", 0.0), evaluation,
                              l1=options.get("l1", 0.0), momentum=options.get("momentum", 0.0),
                              **monitors)
        results.append((lists, out.getvalue()))
    (ours, our_text), (theirs, their_text) = results
    for got, want in zip(net.weights + net.biases, ref.weights + ref.biases):
        assert_close(got, want, np.float64)
    for got_list, want_list in zip(ours, theirs):
        assert len(got_list) == len(want_list) == 3
        np.testing.assert_allclose(got_list, want_list, rtol=1e-9)
    assert [line.split(":")[0] for line in our_text.splitlines()] == \
        [line.split(":")[0] for line in their_text.splitlines()]
    assert "Accuracy on evaluation data: {} / 17".format(ours[1][-1]) in our_text


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_strong_l2_decay_matches_reference(dtype):
    """L2 without momentum: the first layer's decay is carried by a factor folded back
    into the weights (kernels.update.fold) when it falls below 1/2 and at the end; with
    eta*lmbda/n = 0.1 per step that happens several times an epoch."""
    sizes = [30, 12, 4]
    net, ref = twins(sizes, "cross-entropy", "sigmoid", "sigmoid", dtype)
    data = examples(sizes, 20, np.random.default_rng(3), sparse=True)
    data = [(x.astype(dtype).astype(np.float64), y) for x, y in data]
    for model in (net, ref):
        random.seed(5)
        with contextlib.redirect_stdout(io.StringIO()):
            model.SGD(list(data), 2, 1, 0.5, lmbda=4.0)
    for got, want in zip(net.weights + net.biases, ref.weights + ref.biases):
        assert_close(got, want, dtype)


def test_dropout_masks_replayed_in_reference():
    """One dropout step: the kernels' masks (kernels.uniform keyed by seed, step, example,
    layer, neuron) fed to the reference give the same parameters."""
    sizes, p = [12, 9, 7, 3], 0.4
    net, ref = twins(sizes, "cross-entropy", "relu", "sigmoid")
    data = examples(sizes, 6, np.random.default_rng(6), sparse=True)
    state = np.random.get_state()
    seed = np.random.randint(2**31)  # what train_epochs draws for its masks
    np.random.set_state(state)
    random.seed(1)
    order = list(range(len(data)))
    random.shuffle(order)  # the permutation train_epochs will apply
    random.seed(1)
    list(net.train_epochs(list(data), 1, len(data), 0.5, dropout=p))
    shuffled = [data[i] for i in order]

    def mask_fn(i, layer_index, n_units):
        keep = [kernels.uniform(seed, 0, order[i], layer_index + 1, j) >= p for j in range(n_units)]
        return np.array(keep, np.float64).reshape(n_units, 1)
    masks = ref2.make_masks(mask_fn, len(data), ref.hidden_sizes)
    assert 0 < np.mean([m.mean() for row in masks for m in row]) < 1  # some dropped, some kept
    ref.update_mini_batch(shuffled, 0.5, 0.0, len(data), masks=masks, dropout=p)
    for got, want in zip(net.weights + net.biases, ref.weights + ref.biases):
        assert_close(got, want, np.float64)


def test_dropout_drops_the_requested_fraction_and_is_reproducible():
    draws = np.array([[kernels.uniform(7, step, row, 1, j) for j in range(50)]
                      for step in range(20) for row in range(20)])
    assert abs(np.mean(draws < 0.3) - 0.3) < 0.01 and 0 <= draws.min() and draws.max() < 1
    X = np.random.default_rng(0).random((300, 20))
    y = np.random.default_rng(1).integers(0, 3, 300)
    params = []
    for _ in range(2):
        np.random.seed(0)
        random.seed(0)
        net = Network([20, 16, 3], activation="relu", cost="log-likelihood")
        list(net.train_epochs((X, y), 2, 10, 0.1, dropout=0.5))
        params.append(np.concatenate([w.ravel() for w in net.weights]))
    np.testing.assert_array_equal(*params)
    np.random.seed(0)
    random.seed(0)
    plain = Network([20, 16, 3], activation="relu", cost="log-likelihood")
    list(plain.train_epochs((X, y), 2, 10, 0.1))
    assert not np.array_equal(params[0], np.concatenate([w.ravel() for w in plain.weights]))


# -- costs -------------------------------------------------------------------------------
def test_cross_entropy_cost_never_overflows():
    """Saturated sigmoids (|z| ~ 1000): the cost is finite and equals the exact
    softplus form; the book's formula with a = 0 or 1 would need nan_to_num."""
    net = Network([2, 3], cost="cross-entropy", dtype=np.float64)
    net.weights = [np.array([[1000.0, 0], [-1000.0, 0], [0, 1.0]])]
    net.biases = [np.zeros((3, 1))]
    x = np.array([[1.0], [0.5]])
    y = np.array([[0.0], [0.0], [1.0]])
    exact = 1000.0 + 0.0 + np.log1p(np.exp(-0.5))  # softplus(1000) + softplus(-1000) + softplus(-0.5)
    assert net.cost([(x, y)]) == pytest.approx(exact, rel=1e-12)
    assert network2.CrossEntropyCost.fn(np.array([[1.0], [0.0]]), np.array([[1.0], [0.0]])) == 0.0
    assert network2.CrossEntropyCost.fn(np.array([[0.0]]), np.array([[1.0]])) == np.inf


def test_total_cost_matches_reference():
    sizes = [8, 6, 4]
    data = examples(sizes, 11, np.random.default_rng(2))
    for cost, activation, output in COMBINATIONS:
        net, ref = twins(sizes, cost, activation, output)
        assert net.cost(data, 3.0) == pytest.approx(ref.total_cost(data, 3.0), rel=1e-12)
        labelled = [(x, int(np.argmax(y))) for x, y in data]
        assert net.cost(labelled, 3.0) == pytest.approx(ref.total_cost(labelled, 3.0, convert=True), rel=1e-12)


# -- network2 API ------------------------------------------------------------------------
def test_network2_defaults_are_the_books():
    np.random.seed(1)
    net = network2.Network([6, 5, 2])
    assert net.cost is network2.CrossEntropyCost and net.num_layers == 3
    np.random.seed(1)
    biases = [np.random.randn(y, 1) for y in [5, 2]]
    weights = [np.random.randn(y, x) / np.sqrt(x) for x, y in [(6, 5), (5, 2)]]
    for got, want in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    np.random.seed(1)
    net.large_weight_initializer()
    np.random.seed(1)
    biases = [np.random.randn(y, 1) for y in [5, 2]]
    weights = [np.random.randn(y, x) for x, y in [(6, 5), (5, 2)]]
    for got, want in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_save_writes_the_books_json_to_any_name_as_the_book_does(tmp_path):
    """The book's network2.save(filename) writes JSON whatever the name; only a name
    ending in .npz gives fastnet's format."""
    np.random.seed(6)
    net = network2.Network([4, 3, 2], dtype=np.float64)
    for name in ("net", "net.txt", "model.JSON"):
        path = net.save(tmp_path / name)
        data = json.loads(path.read_text())
        assert path.name == name and data["sizes"] == [4, 3, 2] and data["cost"] == "CrossEntropyCost"
        loaded = network2.load(path)
        for got, want in zip(loaded.weights + loaded.biases, net.weights + net.biases):
            np.testing.assert_array_equal(got, want)
    assert (tmp_path / "m.npz").exists() is False
    assert network2.load(net.save(tmp_path / "m.npz")).sizes == [4, 3, 2]


def test_network2_json_round_trips_with_the_reference(tmp_path):
    np.random.seed(4)
    net = network2.Network([5, 4, 3], cost=network2.CrossEntropyCost, dtype=np.float64)
    net.save(tmp_path / "ours.json")
    data = json.loads((tmp_path / "ours.json").read_text())
    assert data["cost"] == "CrossEntropyCost" and data["sizes"] == [5, 4, 3]
    theirs = ref2.load(tmp_path / "ours.json")
    for got, want in zip(theirs.weights + theirs.biases, net.weights + net.biases):
        np.testing.assert_array_equal(got, want)
    assert theirs.cost is ref2.CrossEntropyCost
    np.random.seed(5)
    book = ref2.ReferenceNetwork2([5, 4, 3], cost=ref2.LogLikelihoodCost, activation="tanh", output="softmax")
    book.save(tmp_path / "book.json")
    loaded = network2.load(tmp_path / "book.json")
    assert isinstance(loaded, network2.Network) and loaded.cost is network2.LogLikelihoodCost
    assert (loaded.activation, loaded.output) == ("tanh", "softmax")
    for got, want in zip(loaded.weights + loaded.biases, book.weights + book.biases):
        np.testing.assert_array_equal(got, want)
    x = np.random.default_rng(0).random((5, 1))
    np.testing.assert_allclose(loaded.feedforward(x), book.feedforward(x), rtol=1e-12)


@pytest.mark.parametrize("cost", ["os.system", "HingeCost", "quadratic"])
def test_load_refuses_an_unknown_cost_name(tmp_path, cost):
    """The book's load looks the cost up by class name; a name that is not one of the
    cost classes is an error naming the file and the field, never a silent default."""
    np.random.seed(2)
    ref2.ReferenceNetwork2([4, 3, 2]).save(tmp_path / "book.json")
    data = json.loads((tmp_path / "book.json").read_text())
    data["cost"] = cost
    (tmp_path / "book.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match=rf"book\.json.*field 'cost': unknown cost '{cost}'"):
        network2.load(tmp_path / "book.json")


def test_load_refuses_a_cost_that_contradicts_the_metadata(tmp_path):
    np.random.seed(2)
    net = network2.Network([4, 3, 2], cost=network2.CrossEntropyCost)
    net.save(tmp_path / "m.json")
    data = json.loads((tmp_path / "m.json").read_text())
    data["cost"] = "QuadraticCost"
    (tmp_path / "m.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"m\.json.*field 'cost' \('QuadraticCost'\) contradicts "
                                         r"metadata 'architecture' \('cross-entropy'\)"):
        network2.load(tmp_path / "m.json")


def test_npz_keeps_the_architecture(tmp_path):
    from fastnet.io.persist import load
    net = Network([5, 4, 3], activation="relu", cost="log-likelihood")
    loaded = load(net.save(tmp_path / "m.npz"))
    assert (loaded.activation, loaded.output, loaded._cost.name) == ("relu", "softmax", "log-likelihood")
    x = np.random.default_rng(0).random((5, 1))
    np.testing.assert_array_equal(loaded.feedforward(x), net.feedforward(x))


# -- early stopping, eta schedule, history -------------------------------------------------
def small_problem(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 12))
    y = (X[:, :3].sum(1) > 1.5).astype(np.int64) + (X[:, 3] > 0.5)
    return X, y


def test_early_stopping_stops_after_n_epochs_without_improvement():
    X, y = small_problem()
    np.random.seed(0)
    random.seed(0)
    net = Network([12, 8, 3], cost="cross-entropy")
    results = list(net.train_epochs((X[:300], y[:300]), 200, 10, 0.0 + 1e-9,
                                    validation_data=(X[300:], y[300:]), early_stopping=3))
    # with eta ~ 0 nothing improves after the first epoch: stopped at epoch 3 (0-based)
    assert len(results) == 4 and results[-1].stop and "3 epochs" in results[-1].stop
    assert all(r.record["validation_correct"] == results[0].record["validation_correct"] for r in results)


def test_halve_eta_schedule_stops_at_eta_over_128():
    X, y = small_problem()
    net = Network([12, 8, 3])
    results = list(net.train_epochs((X[:300], y[:300]), 100, 10, 1e-9,
                                    validation_data=(X[300:], y[300:]), halve_eta=2))
    etas = [r.record["eta"] for r in results]
    assert etas[:3] == [1e-9] * 3 and etas[3] == 1e-9 / 2
    assert results[-1].stop and "eta/128" in results[-1].stop
    assert min(etas) == pytest.approx(1e-9 / 64) and len(results) == 1 + 2 * 7


def test_history_is_returned_and_kept():
    X, y = small_problem()
    net = Network([12, 8, 3])
    with contextlib.redirect_stdout(io.StringIO()):
        records = net.SGD((X[:300], y[:300]), 2, 10, 1.0, (X[300:], y[300:]),
                          monitor=("training_cost", "training_accuracy"))
    assert records == net.history and len(records) == 2
    assert {"training_cost", "training_correct", "correct", "eta", "seconds"} <= set(records[0])
    assert records[1]["training_cost"] == pytest.approx(net.cost((X[:300], y[:300])), rel=1e-6)


def test_every_monitor_is_the_cost_and_the_count_of_its_data():
    """An epoch's record measures each data set in one forward pass (accuracy and cost
    together): the same numbers as ``cost`` and ``evaluate`` on that data afterwards."""
    X, y = small_problem(500)
    train, validation, test = (X[:300], y[:300]), (X[300:400], y[300:400]), (X[400:], y[400:])
    net = Network([12, 8, 3], cost="cross-entropy")
    monitor = ("training_cost", "training_accuracy", "validation_cost", "test_cost")
    record = list(net.train_epochs(train, 1, 10, 1.0, test, validation_data=validation,
                                   lmbda=0.5, monitor=monitor))[-1].record
    for data, cost, correct in ((train, "training_cost", "training_correct"),
                                (validation, "validation_cost", "validation_correct"),
                                (test, "test_cost", "correct")):
        assert record[cost] == net.cost(data, lmbda=0.5)
        assert record[correct] == net.evaluate(data)


@pytest.mark.parametrize("options,message", [
    (dict(lmbda=-1), "lmbda"), (dict(l1=float("nan")), "l1"), (dict(momentum=1.0), "momentum"),
    (dict(dropout=1.0), "dropout"), (dict(early_stopping=0), "early_stopping"),
    (dict(halve_eta=2.5), "halve_eta"), (dict(monitor=["cost"]), "monitor"),
    (dict(early_stopping=3), "validation_data"), (dict(monitor=["test_cost"]), "test_data"),
])
def test_bad_training_options_are_rejected(options, message):
    X, y = small_problem(50)
    net = Network([12, 4, 3])
    before = [np.array(w) for w in net.weights]
    with pytest.raises((ValueError, TypeError), match=message):
        list(net.train_epochs((X, y), 1, 10, 1.0, **options))
    for got, want in zip(net.weights, before):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("kwargs,message", [
    (dict(activation="softplus"), "activation"), (dict(output="softmax"), "log-likelihood"),
    (dict(cost="cross-entropy", output="tanh"), "sigmoid outputs"),
    (dict(cost="log-likelihood", output="sigmoid"), "softmax"), (dict(cost="hinge"), "cost"),
    (dict(init="xavier"), "init"), (dict(cost="log-likelihood", encoding="binary"), "one-hot"),
])
def test_bad_architectures_are_rejected(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        Network([4, 3, 4], **kwargs)


def test_pickle_and_deepcopy_keep_the_views_on_the_buffer():
    import copy
    import pickle
    np.random.seed(2)
    net = network2.Network([6, 5, 3], activation="tanh")
    net.history = [{"eta": 1.0}]
    for twin in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert isinstance(twin, network2.Network) and twin.cost is network2.CrossEntropyCost
        assert twin.activation == "tanh" and twin.history == net.history
        for got, want in zip(twin.weights + twin.biases, net.weights + net.biases):
            np.testing.assert_array_equal(got, want)
        twin.weights[0][0, 0] += 1.0  # a write through the view reaches the outputs
        x = np.ones((6, 1))
        assert not np.array_equal(twin.feedforward(x), net.feedforward(x))


def test_read_only_inputs_are_accepted():
    net = Network([4, 3, 2])
    X = np.random.default_rng(0).random((5, 4)).astype(np.float32)
    X.setflags(write=False)
    np.testing.assert_array_equal(net.predict(X), net.predict(X.copy()))


def test_cost_is_the_class_and_total_cost_is_the_cost_of_data():
    """As in the book, ``net.cost`` is the cost class (a property, not an attribute that
    hides the core method); the cost of data is ``total_cost``."""
    net = network2.Network([3, 2], cost=network2.QuadraticCost, dtype=np.float64)
    a, y = np.array([[0.2], [0.9]]), np.array([[0.0], [1.0]])
    assert net.cost is network2.QuadraticCost and net.cost.fn(a, y) == pytest.approx(0.025)
    data = [(np.ones((3, 1)), 1)]
    assert net.total_cost(data, 2.0) == Network.cost(net, data, 2.0)
    assert "cost" not in vars(net) and not hasattr(net, "cost_of")
