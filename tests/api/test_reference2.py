"""The network2 reference (tests/oracles/reference2.py) is right: its backprop is the gradient of
its cost (central finite differences, float64) for every allowed cost x hidden
activation x output, with and without a dropout mask; its update rules match numbers
computed by hand; its SGD prints and returns what the book's does."""
import json
import random

import numpy as np
import pytest
from oracles import reference2 as r2
from oracles.reference2 import (
    CrossEntropyCost,
    LogLikelihoodCost,
    QuadraticCost,
    ReferenceNetwork2,
    momentum_step,
    plain_step,
)

COMBINATIONS = [(cost, hidden, output)
                for hidden in r2.ACTIVATIONS
                for cost, outputs in ((QuadraticCost, ("sigmoid", "tanh", "relu")),
                                      (CrossEntropyCost, ("sigmoid",)),
                                      (LogLikelihoodCost, ("softmax",)))
                for output in outputs]


def _ids(combo):
    cost, hidden, output = combo
    return f"{cost.__name__}-{hidden}-{output}"


def _example(net, rng, cost):
    x = rng.normal(size=(net.sizes[0], 1))
    if cost is LogLikelihoodCost:
        y = np.zeros((net.sizes[-1], 1))
        y[rng.integers(net.sizes[-1])] = 1.0
    else:
        y = rng.random((net.sizes[-1], 1))
    return x, y


def _kink_free(net, x, mask=None, dropout=0.0):
    """No z within 1e-4 of ReLU's kink (a finite difference must not straddle it)."""
    zs = net.forward(x, mask, dropout)[0]
    return all(np.min(np.abs(z)) >= 1e-4 for z in zs)


def _numeric_gradient(net, x, y, mask=None, dropout=0.0, h=1e-6):
    grads = {}
    for name in ("biases", "weights"):
        grads[name] = []
        for layer in getattr(net, name):
            grad = np.zeros_like(layer)
            flat, gflat = layer.reshape(-1), grad.reshape(-1)  # views
            for i in range(flat.size):
                saved = flat[i]
                flat[i] = saved + h
                up = net.example_cost(x, y, mask, dropout)
                flat[i] = saved - h
                down = net.example_cost(x, y, mask, dropout)
                flat[i] = saved
                gflat[i] = (up - down) / (2 * h)
            grads[name].append(grad)
    return grads["biases"], grads["weights"]


def _setup(sizes, cost, hidden, output, seed, mask=None, dropout=0.0):
    """A net and an example whose zs keep away from ReLU's kink (redrawn until so)."""
    rng = np.random.default_rng(seed)
    for attempt in range(100):
        np.random.seed(seed * 1000 + attempt)
        net = ReferenceNetwork2(sizes, cost=cost, activation=hidden, output=output)
        x, y = _example(net, rng, cost)
        if _kink_free(net, x, mask, dropout):
            return net, x, y
    raise AssertionError("no kink-free example found")


def _assert_gradient(net, x, y, mask=None, dropout=0.0):
    nabla_b, nabla_w = net.backprop(x, y, mask, dropout)
    num_b, num_w = _numeric_gradient(net, x, y, mask, dropout)
    for got, want in zip(nabla_b + nabla_w, num_b + num_w):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8)
    # the check is not vacuous: some gradient entries are clearly nonzero
    assert max(np.max(np.abs(g)) for g in nabla_w) > 1e-3


@pytest.mark.parametrize("sizes", [[5, 4, 3], [6, 5, 4, 3]], ids=str)
@pytest.mark.parametrize("combo", COMBINATIONS, ids=_ids)
def test_backprop_is_the_gradient(combo, sizes):
    cost, hidden, output = combo
    net, x, y = _setup(sizes, cost, hidden, output, seed=len(sizes))
    _assert_gradient(net, x, y)


DROPOUT_MASK = [np.array([[1.0], [0.0], [1.0], [1.0], [0.0]]), np.array([[0.0], [1.0], [1.0], [1.0]])]


@pytest.mark.parametrize("combo", COMBINATIONS, ids=_ids)
def test_backprop_with_dropout_mask_is_the_gradient(combo):
    cost, hidden, output = combo
    net, x, y = _setup([6, 5, 4, 3], cost, hidden, output, seed=7, mask=DROPOUT_MASK, dropout=0.3)
    _assert_gradient(net, x, y, DROPOUT_MASK, 0.3)
    nabla_b, nabla_w = net.backprop(x, y, DROPOUT_MASK, 0.3)
    # dropped units learn nothing from this example: their incoming weights, their bias,
    # and the outgoing weights of the dropped inputs of the next layer
    for l, mask in enumerate(DROPOUT_MASK):
        dropped = mask[:, 0] == 0
        assert np.all(nabla_b[l][dropped] == 0) and np.all(nabla_w[l][dropped] == 0)
        assert np.all(nabla_w[l + 1][:, dropped] == 0)


def test_dropout_scales_kept_units_by_one_over_keep_probability():
    np.random.seed(1)
    net = ReferenceNetwork2([6, 5, 4, 3], activation="tanh")
    x = np.random.default_rng(1).normal(size=(6, 1))
    zs, fs, acts = net.forward(x, DROPOUT_MASK, 0.3)
    zs0, fs0, acts0 = net.forward(x)
    np.testing.assert_allclose(acts[1], fs0[0] * DROPOUT_MASK[0] / 0.7)
    np.testing.assert_allclose(fs[0], fs0[0])
    np.testing.assert_array_equal(acts0[-1], net.feedforward(x))
    # an all-ones mask with p = 0 is no dropout
    ones = [np.ones((5, 1)), np.ones((4, 1))]
    np.testing.assert_array_equal(net.forward(x, ones, 0.0)[2][-1], net.feedforward(x))


def test_initializers_draw_biases_then_weights():
    np.random.seed(5)
    net = ReferenceNetwork2([4, 3, 2])
    np.random.seed(5)
    b = [np.random.randn(3, 1), np.random.randn(2, 1)]
    w = [np.random.randn(3, 4) / np.sqrt(4), np.random.randn(2, 3) / np.sqrt(3)]
    for got, want in zip(net.biases + net.weights, b + w):
        np.testing.assert_array_equal(got, want)
    np.random.seed(5)
    net.large_weight_initializer()
    np.random.seed(5)
    b = [np.random.randn(3, 1), np.random.randn(2, 1)]
    w = [np.random.randn(3, 4), np.random.randn(2, 3)]
    for got, want in zip(net.biases + net.weights, b + w):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("cost, output", [(CrossEntropyCost, "tanh"), (CrossEntropyCost, "softmax"),
                                          (LogLikelihoodCost, "sigmoid"), (QuadraticCost, "softmax"),
                                          (QuadraticCost, "softplus")])
def test_disallowed_combinations_raise(cost, output):
    with pytest.raises(ValueError):
        ReferenceNetwork2([3, 2], cost=cost, output=output)


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        ReferenceNetwork2([3, 2], activation="softmax")
    with pytest.raises(TypeError):
        ReferenceNetwork2([3, 2], cost="CrossEntropyCost")
    net = ReferenceNetwork2([3, 2, 2])
    x, y = np.zeros((3, 1)), np.zeros((2, 1))
    with pytest.raises(ValueError):
        net.backprop(x, y, [np.array([1.0, 0.5])], 0.5)  # not 0/1
    with pytest.raises(ValueError):
        net.backprop(x, y, [np.ones(3)], 0.5)  # wrong size
    with pytest.raises(ValueError):
        net.backprop(x, y, [np.ones(2)], 1.0)  # p must be < 1
    with pytest.raises(ValueError):
        net.update_mini_batch([(x, y)], 0.1, 0.0, 1, momentum=-0.5)


def test_softmax_is_stable_and_normalised():
    a = r2.softmax(np.array([[1000.0], [1001.0], [-1000.0]]))
    assert np.all(np.isfinite(a)) and a.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(a[:2, 0], [1 / (1 + np.e), np.e / (1 + np.e)])


# ---------------------------------------------------------------- costs

def test_cross_entropy_at_zero_and_one_is_finite_when_right():
    a = np.array([[0.0], [1.0], [0.25]])
    y = np.array([[0.0], [1.0], [1.0]])
    with np.errstate(all="raise"):
        c = CrossEntropyCost.fn(a, y)
    assert c == pytest.approx(-np.log(0.25))
    assert CrossEntropyCost.fn(np.array([[0.0], [1.0]]), np.array([[0.0], [1.0]])) == 0.0


def test_cross_entropy_confidently_wrong_is_inf():
    assert CrossEntropyCost.fn(np.array([[0.0], [0.5]]), np.array([[1.0], [0.5]])) == np.inf
    assert CrossEntropyCost.fn(np.array([[1.0]]), np.array([[0.0]])) == np.inf


def test_cost_values():
    a = np.array([[0.2], [0.7]])
    y = np.array([[0.0], [1.0]])
    assert QuadraticCost.fn(a, y) == pytest.approx(0.5 * (0.04 + 0.09))
    assert CrossEntropyCost.fn(a, y) == pytest.approx(-np.log(0.8) - np.log(0.7))
    assert LogLikelihoodCost.fn(a, y) == pytest.approx(-np.log(0.7))
    assert LogLikelihoodCost.fn(np.array([[0.0], [1.0]]), y) == 0.0


# ---------------------------------------------------------------- update rules

# W x = 0 for x = (1, 2), so with b = 0 the outputs are sigmoid(0) = 1/2 and, for the
# cross-entropy cost, delta = a - y = (-1/2, 1/2), nabla_w = delta x^T, nabla_b = delta.
W0 = np.array([[2.0, -1.0], [0.0, 0.0]])
X = np.array([[1.0], [2.0]])
Y = np.array([[1.0], [0.0]])


def _hand_net():
    net = ReferenceNetwork2([2, 2], cost=CrossEntropyCost)
    net.weights = [W0.copy()]
    net.biases = [np.zeros((2, 1))]
    net.reset_velocities()
    return net


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_l1_l2_update_by_hand(momentum):
    net = _hand_net()
    nb, nw = net.backprop(X, Y)
    np.testing.assert_allclose(nw[0], [[-0.5, -1.0], [0.5, 1.0]])
    np.testing.assert_allclose(nb[0], [[-0.5], [0.5]])
    # eta 0.5, lmbda 0.1, l1 0.2, n 10, the example twice (m = 2):
    # w <- (1 - 0.005) w - 0.01 sign(w) - 0.25 * 2 * nabla_w
    net.update_mini_batch([(X, Y), (X, Y)], eta=0.5, lmbda=0.1, n=10, l1=0.2, momentum=momentum)
    np.testing.assert_allclose(net.weights[0], [[2.23, -0.485], [-0.25, -0.5]], rtol=0, atol=1e-14)
    np.testing.assert_allclose(net.biases[0], [[0.25], [-0.25]], rtol=0, atol=1e-14)
    if momentum:
        np.testing.assert_allclose(net.velocity_weights[0], net.weights[0] - W0, atol=1e-14)
        np.testing.assert_allclose(net.velocity_biases[0], net.biases[0], atol=1e-14)


def test_momentum_by_hand_two_steps():
    # x = 0 and y = sigmoid(b): zero gradient, so only the regularisation moves w.
    net = ReferenceNetwork2([2, 2], cost=CrossEntropyCost)
    net.weights = [W0.copy()]
    net.biases = [np.array([[0.3], [-0.2]])]
    net.reset_velocities()
    x, y = np.zeros((2, 1)), r2.sigmoid(net.biases[0])
    for _ in range(2):
        net.update_mini_batch([(x, y)], eta=0.5, lmbda=0.1, n=10, l1=0.2, momentum=0.9)
    # step 1: v = -0.5 (0.01 w + 0.02 sign w):   2 -> 1.98 (v -0.02), -1 -> -0.985 (v 0.015)
    # step 2: v = 0.9 v - 0.5 (0.01 w + 0.02 sign w): 1.98 -> 1.9421, -0.985 -> -0.956575
    np.testing.assert_allclose(net.weights[0], [[1.9421, -0.956575], [0.0, 0.0]], rtol=0, atol=1e-14)
    np.testing.assert_allclose(net.velocity_weights[0], [[-0.0379, 0.028425], [0.0, 0.0]],
                               rtol=0, atol=1e-14)
    np.testing.assert_allclose(net.biases[0], [[0.3], [-0.2]], rtol=0, atol=1e-15)
    # without momentum the second step has no memory: 1.98 -> 1.98*0.995 - 0.01
    plain = ReferenceNetwork2([2, 2], cost=CrossEntropyCost)
    plain.weights, plain.biases = [W0.copy()], [net.biases[0].copy()]
    for _ in range(2):
        plain.update_mini_batch([(x, y)], eta=0.5, lmbda=0.1, n=10, l1=0.2)
    np.testing.assert_allclose(plain.weights[0][0], [1.98 * 0.995 - 0.01, -0.985 * 0.995 + 0.01],
                               rtol=0, atol=1e-14)


def test_momentum_keeps_velocities_between_calls():
    np.random.seed(3)
    rng = np.random.default_rng(3)
    net = ReferenceNetwork2([4, 3, 2], cost=QuadraticCost, activation="tanh")
    batches = [[(rng.normal(size=(4, 1)), rng.random((2, 1))) for _ in range(3)] for _ in range(3)]
    w, b = [x.copy() for x in net.weights], [x.copy() for x in net.biases]
    vw, vb = [np.zeros_like(x) for x in w], [np.zeros_like(x) for x in b]
    for batch in batches:
        nb, nw = net.gradient_sums(batch)
        for l in range(2):
            w[l], b[l], vw[l], vb[l] = momentum_step(w[l], b[l], vw[l], vb[l], nw[l], nb[l],
                                                     3, 0.2, 0.5, 50, 0.1, 0.8)
        net.update_mini_batch(batch, 0.2, 0.5, 50, l1=0.1, momentum=0.8)
        for got, want in zip(net.weights + net.biases + net.velocity_weights + net.velocity_biases,
                             w + b + vw + vb):
            np.testing.assert_array_equal(got, want)


def test_momentum_zero_is_no_momentum():
    rng = np.random.default_rng(4)
    w, b, nw, nb = (rng.normal(size=s) for s in ((5, 4), (5, 1), (5, 4), (5, 1)))
    w[0, 0] = 0.0
    v_w, v_b = rng.normal(size=(5, 4)), rng.normal(size=(5, 1))  # mu = 0 forgets them
    pw, pb = plain_step(w, b, nw, nb, 10, 0.3, 2.0, 1000, 0.5)
    mw, mb, _, _ = momentum_step(w, b, v_w, v_b, nw, nb, 10, 0.3, 2.0, 1000, 0.5, 0.0)
    np.testing.assert_allclose(mw, pw, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(mb, pb, rtol=1e-14, atol=1e-15)
    # and through the network: the velocity path with mu = 0 vs the plain path
    np.random.seed(4)
    a = ReferenceNetwork2([4, 3, 2])
    c = ReferenceNetwork2([4, 3, 2])
    c.weights, c.biases = [x.copy() for x in a.weights], [x.copy() for x in a.biases]
    batch = [(rng.normal(size=(4, 1)), rng.random((2, 1))) for _ in range(4)]
    a.update_mini_batch(batch, 0.5, 1.0, 100, l1=0.3, momentum=0.0)
    c._apply(c.gradient_sums(batch), 4, 0.5, 1.0, 100, 0.3, 0.0, use_velocity=True)
    for got, want in zip(c.weights + c.biases, a.weights + a.biases):
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)


def test_update_with_masks_sums_masked_gradients():
    np.random.seed(6)
    rng = np.random.default_rng(6)
    net = ReferenceNetwork2([6, 5, 4, 3], activation="relu")
    before = ReferenceNetwork2([6, 5, 4, 3], activation="relu")
    before.weights, before.biases = [x.copy() for x in net.weights], [x.copy() for x in net.biases]
    batch = [(rng.normal(size=(6, 1)), rng.random((3, 1))) for _ in range(2)]
    masks = r2.make_masks(lambda i, l, n: (np.arange(n) + i + l) % 2, 2, net.hidden_sizes)
    net.update_mini_batch(batch, 1.0, 0.0, 10, masks=masks, dropout=0.5)
    g = [before.backprop(x, y, m, 0.5) for (x, y), m in zip(batch, masks)]
    for l in range(3):
        np.testing.assert_allclose(net.weights[l], before.weights[l] - 0.5 * (g[0][1][l] + g[1][1][l]))
        np.testing.assert_allclose(net.biases[l], before.biases[l] - 0.5 * (g[0][0][l] + g[1][0][l]))


# ---------------------------------------------------------------- SGD, accuracy, cost, files

def _data(rng, n, sizes, one_hot):
    data = []
    for _ in range(n):
        x = rng.random((sizes[0], 1))
        label = int(rng.integers(sizes[-1]))
        data.append((x, r2.vectorized_result(label, sizes[-1]) if one_hot else label))
    return data


def test_sgd_monitors_print_and_return_like_the_book(capsys):
    rng = np.random.default_rng(8)
    sizes = [6, 5, 10]
    training, evaluation = _data(rng, 23, sizes, True), _data(rng, 7, sizes, False)
    np.random.seed(8)
    random.seed(8)
    net = ReferenceNetwork2(sizes)
    result = net.SGD(training, 3, 5, 0.5, lmbda=0.1, evaluation_data=evaluation,
                     monitor_evaluation_cost=True, monitor_evaluation_accuracy=True,
                     monitor_training_cost=True, monitor_training_accuracy=True)
    evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = result
    assert all(len(r) == 3 for r in result)
    expected = []
    for j in range(3):
        expected += ["Epoch %s training complete" % j,
                     "Cost on training data: {}".format(training_cost[j]),
                     "Accuracy on training data: {} / {}".format(training_accuracy[j], 23),
                     "Cost on evaluation data: {}".format(evaluation_cost[j]),
                     "Accuracy on evaluation data: {} / {}".format(evaluation_accuracy[j], 7),
                     ""]
    assert capsys.readouterr().out == "\n".join(expected) + "\n"
    assert training_cost[-1] == net.total_cost(training, 0.1)
    assert evaluation_cost[-1] == net.total_cost(evaluation, 0.1, convert=True)
    assert training_accuracy[-1] == net.accuracy(training, convert=True)
    assert evaluation_accuracy[-1] == net.accuracy(evaluation)
    assert all(isinstance(a, int) for a in training_accuracy + evaluation_accuracy)


def test_sgd_without_monitors_returns_empty_lists(capsys):
    rng = np.random.default_rng(9)
    net = ReferenceNetwork2([3, 2])
    result = net.SGD(_data(rng, 4, [3, 2], True), 2, 2, 0.1)
    assert result == ([], [], [], [])
    assert capsys.readouterr().out == "Epoch 0 training complete\n\nEpoch 1 training complete\n\n"
    with pytest.raises(ValueError):
        net.SGD(_data(rng, 4, [3, 2], True), 1, 2, 0.1, monitor_evaluation_accuracy=True)


def test_sgd_is_shuffle_then_mini_batches(capsys):
    rng = np.random.default_rng(10)
    training = _data(rng, 11, [4, 3, 2], True)
    np.random.seed(10)
    a = ReferenceNetwork2([4, 3, 2], cost=QuadraticCost)
    b = load_copy(a)
    random.seed(1)
    a.SGD(list(training), 2, 4, 0.7, lmbda=0.2, l1=0.1, momentum=0.5)
    random.seed(1)
    data = list(training)
    for _ in range(2):
        random.shuffle(data)
        for k in range(0, 11, 4):
            b.update_mini_batch(data[k:k + 4], 0.7, 0.2, 11, l1=0.1, momentum=0.5)
    for got, want in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_array_equal(got, want)


def test_sgd_dropout_calls_mask_fn_in_order(capsys):
    rng = np.random.default_rng(11)
    training = _data(rng, 5, [4, 3, 3, 2], True)
    calls = []

    def mask_fn(i, l, n):
        calls.append((i, l, n))
        return np.ones(n)
    net = ReferenceNetwork2([4, 3, 3, 2])
    twin = load_copy(net)
    random.seed(2)
    net.SGD(list(training), 1, 2, 0.5, dropout=0.5, mask_fn=mask_fn)
    assert calls == [(0, 0, 3), (0, 1, 3), (1, 0, 3), (1, 1, 3)] * 2 + [(0, 0, 3), (0, 1, 3)]
    # all-ones masks with p = 0.5 double every hidden output: not the undropped run
    random.seed(2)
    twin.SGD(list(training), 1, 2, 0.5)
    assert not np.allclose(net.weights[-1], twin.weights[-1])
    # the default masks are Bernoulli(1 - p)
    np.random.seed(0)
    m = r2.bernoulli_mask_fn(0.25)(0, 0, 100000)
    assert m.shape == (100000, 1) and set(np.unique(m)) == {0.0, 1.0}
    assert m.mean() == pytest.approx(0.75, abs=0.01)


def load_copy(net):
    twin = ReferenceNetwork2(net.sizes, cost=net.cost, activation=net.activation, output=net.output)
    twin.weights, twin.biases = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    twin.reset_velocities()
    return twin


def test_total_cost_and_accuracy():
    net = ReferenceNetwork2([2, 2], cost=QuadraticCost)
    net.weights, net.biases = [np.array([[3.0, 0.0], [0.0, 4.0]])], [np.zeros((2, 1))]
    data = [(np.array([[1.0], [0.0]]), 0), (np.array([[0.0], [1.0]]), 0)]
    assert net.accuracy(data) == 1
    assert net.accuracy([(x, r2.vectorized_result(j, 2)) for x, j in data], convert=True) == 1
    a = [net.feedforward(x) for x, _ in data]
    want = sum(QuadraticCost.fn(ai, r2.vectorized_result(0, 2)) for ai in a) / 2
    assert net.total_cost(data, 0.0, convert=True) == pytest.approx(want)
    assert net.total_cost(data, 0.4, convert=True) == pytest.approx(want + 0.5 * 0.2 * 25)
    assert net.total_cost(data, 0.0, convert=True, l1=0.4) == pytest.approx(want + 0.2 * 7)


@pytest.mark.parametrize("cost, hidden, output", [(CrossEntropyCost, "sigmoid", "sigmoid"),
                                                  (LogLikelihoodCost, "relu", "softmax")])
def test_save_load_round_trip(tmp_path, cost, hidden, output):
    np.random.seed(12)
    net = ReferenceNetwork2([5, 4, 3], cost=cost, activation=hidden, output=output)
    path = tmp_path / "net.json"
    net.save(path)
    data = json.loads(path.read_text())
    book_keys = {"sizes", "weights", "biases", "cost"}
    assert set(data) == (book_keys if hidden == "sigmoid" else book_keys | {"activation", "output"})
    assert data["cost"] == cost.__name__
    back = r2.load(path)
    assert back.sizes == net.sizes and back.cost is cost
    assert (back.activation, back.output) == (hidden, output)
    for got, want in zip(back.weights + back.biases, net.weights + net.biases):
        np.testing.assert_array_equal(got, want)
    x = np.random.default_rng(12).random((5, 1))
    np.testing.assert_array_equal(back.feedforward(x), net.feedforward(x))


def test_vectorized_result():
    e = r2.vectorized_result(3)
    assert e.shape == (10, 1) and e[3, 0] == 1.0 and e.sum() == 1.0
