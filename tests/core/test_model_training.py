"""The network as the book's users call it (``Network``: feedforward, backprop,
update_mini_batch, SGD, evaluate) against tests/oracles/reference.py, the seed's
network.py in plain numpy: float64 to 1e-12 and float32 to 1e-5 (relative), for the
book's net and odd shapes.

The float32 network is compared with the reference computed in float64 from the same
(float32) starting parameters and inputs, i.e. with the exact answer: a float32 numpy
reference would add its own rounding (it sums 784 products in another order).
"""
import random

import numpy as np
import pytest
from oracles.checks import assert_close
from oracles.reference import ReferenceNetwork

from fastnet import Network

SIZES = [[784, 30, 10], [784, 10], [5, 3, 2], [17, 33, 9, 4], [784, 1], [3, 8, 8, 8, 2]]
dtypes = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])


def twin_networks(sizes, dtype, seed=0):
    """A fastnet network of dtype and a float64 reference network with the same
    initial parameters: the same seeded draws, rounded to dtype."""
    np.random.seed(seed)
    ref = ReferenceNetwork(sizes, np.float64)
    ref.weights = [w.astype(dtype).astype(np.float64) for w in ref.weights]
    ref.biases = [b.astype(dtype).astype(np.float64) for b in ref.biases]
    np.random.seed(seed)
    net = Network(sizes, dtype=dtype)
    return net, ref


def random_examples(sizes, n, rng, dtype=np.float64):
    """n pairs (x (n_in, 1) in [0, 1), y one-hot (n_out, 1)), the loader's shapes."""
    n_in, n_out = sizes[0], sizes[-1]
    return [(rng.random((n_in, 1)).astype(dtype), np.eye(n_out)[:, [rng.integers(n_out)]])
            for _ in range(n)]


@dtypes
@pytest.mark.parametrize("sizes", SIZES, ids=str)
def test_initial_parameters_are_the_originals_draws(sizes, dtype):
    """np.random.randn, biases first then weights, exactly as the original."""
    np.random.seed(7)
    biases = [np.random.randn(y, 1) for y in sizes[1:]]
    weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]
    np.random.seed(7)
    net = Network(sizes, dtype=dtype)
    for got, drawn in zip(net.weights + net.biases, weights + biases):
        assert got.dtype == dtype and got.shape == drawn.shape
        np.testing.assert_array_equal(got, drawn.astype(dtype))


@dtypes
@pytest.mark.parametrize("sizes", SIZES, ids=str)
def test_feedforward_matches_reference(sizes, dtype):
    net, ref = twin_networks(sizes, dtype)
    rng = np.random.default_rng(1)
    x = rng.random((sizes[0], 1)).astype(dtype)
    assert_close(net.feedforward(x), ref.feedforward(x), dtype)
    columns = rng.random((sizes[0], 7)).astype(dtype)  # columns are examples, as np.dot allows
    assert_close(net.feedforward(columns), ref.feedforward(columns), dtype)


@dtypes
@pytest.mark.parametrize("sizes", SIZES, ids=str)
def test_backprop_matches_reference(sizes, dtype):
    net, ref = twin_networks(sizes, dtype)
    # With N(0, 1) weights on 784 inputs an output neuron saturates (|z| ~ 30), where
    # sigma'(z) ~ e^-|z| carries the relative error of z itself: float32 rounding of a
    # 784-term sum, ~1e-5 ([784, 1] measures 1.1e-5). Hence 3x the float32 tolerance.
    tolerance = 3 if dtype == np.float32 else 1
    for x, y in random_examples(sizes, 3, np.random.default_rng(2), dtype):
        nabla_b, nabla_w = net.backprop(x, y)
        ref_b, ref_w = ref.backprop(x, y)
        for got, want in zip(nabla_b + nabla_w, ref_b + ref_w):
            assert got.dtype == dtype
            assert_close(got, want, dtype, tolerance)


@dtypes
@pytest.mark.parametrize("sizes", SIZES, ids=str)
@pytest.mark.parametrize("batch", [1, 3, 4, 7, 10, 13])
def test_update_mini_batch_matches_reference(sizes, dtype, batch):
    net, ref = twin_networks(sizes, dtype)
    mini_batch = random_examples(sizes, batch, np.random.default_rng(batch), dtype)
    net.update_mini_batch(mini_batch, 3.0)
    ref.update_mini_batch(mini_batch, 3.0)
    for got, want in zip(net.weights + net.biases, ref.weights + ref.biases):
        assert_close(got, want, dtype)


@dtypes
@pytest.mark.parametrize("sizes", [[5, 3, 2], [17, 33, 9, 4], [784, 30, 10]], ids=str)
@pytest.mark.parametrize("batch", [1, 3, 10, 100, 250])
def test_sgd_epochs_match_reference(sizes, dtype, batch, capsys):
    """Whole epochs, same seeds: same shuffles, same mini-batches (the last one short,
    or one batch larger than the data), same parameters."""
    net, ref = twin_networks(sizes, dtype)
    data = random_examples(sizes, 103, np.random.default_rng(3), dtype)
    random.seed(4)
    net.SGD(list(data), 2, batch, 0.5)
    random.seed(4)
    ref.SGD(list(data), 2, batch, 0.5)
    loose = {np.float64: 1e-10, np.float32: 1e-4}[dtype]  # rounding of 2 epochs, not one step
    for got, want in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(got, want, rtol=loose, atol=loose)
    assert capsys.readouterr().out == "Epoch 0 complete\nEpoch 1 complete\n"


@pytest.mark.parametrize("n_in, index_type", [(2**16, np.uint16), (2**16 + 1, np.int32)])
def test_input_numbers_take_the_narrowest_type_and_train_the_same(n_in, index_type):
    """Sparse inputs store input numbers as uint16 up to 65,536 inputs, int32 beyond; the
    last input (number n_in - 1, past uint16 in the second case) trains its weights."""
    from fastnet.core.inputs import SparseInputs
    rng = np.random.default_rng(6)
    X = np.zeros((6, n_in), np.float32)
    for i, x in enumerate(X):
        x[rng.choice(n_in, 40, replace=False)] = rng.random(40)
        x[n_in - 1 - i % 2] = 0.5  # the last two inputs, one of them in every example
    assert SparseInputs(X).indices.dtype == index_type
    net, ref = twin_networks([n_in, 3, 2], np.float32)
    data = [(x.reshape(-1, 1), np.eye(2)[:, [i % 2]]) for i, x in enumerate(X)]
    before = net.weights[0][:, -2:].copy()
    random.seed(4)
    net.SGD(list(data), 1, 2, 0.5)
    random.seed(4)
    ref.SGD(list(data), 1, 2, 0.5)
    assert not np.array_equal(net.weights[0][:, -2:], before)
    for got, want in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@dtypes
def test_evaluate_matches_reference(dtype):
    net, ref = twin_networks([20, 6, 4], dtype)
    rng = np.random.default_rng(5)
    test = [(rng.random((20, 1)).astype(dtype), int(rng.integers(4))) for _ in range(1000)]
    assert net.evaluate(test) == ref.evaluate(test)


def test_sigmoid_saturates_without_overflow_in_float32():
    """Inputs far beyond exp's float32 range must give exact 0 and 1, not NaN or warnings."""
    net = Network([2, 1])
    net.weights = [np.array([[100.0, -100.0]])]
    net.biases = [np.zeros((1, 1))]
    with np.errstate(all="raise"):
        low = net.feedforward(np.array([[0.0], [30.0]]))   # z = -3000
        high = net.feedforward(np.array([[30.0], [0.0]]))  # z = +3000
    assert low[0, 0] == 0.0 and high[0, 0] == 1.0


def test_each_epoch_result_has_its_own_record():
    """EpochResult.record defaults to None, not to one dict shared by every result; each
    epoch's result carries its own history record."""
    from fastnet.core.training import EpochResult
    a, b = EpochResult(0, None, None, 0.0, 10), EpochResult(1, None, None, 0.0, 10)
    assert a.record is None and b.record is None
    rng = np.random.default_rng(0)
    net = Network([6, 4, 3])
    results = list(net.train_epochs((rng.random((20, 6)), rng.integers(0, 3, 20)), 3, 5, 0.5))
    records = [result.record for result in results]
    assert len({id(record) for record in records}) == 3
    assert records == net.history
    records[0]["note"] = "only here"
    assert "note" not in records[1] and "note" not in records[2]


def test_training_options_reach_the_kernels_only_by_name():
    """Workspace.train takes every option by keyword (two swapped rates, l2 and l1, cannot
    pass unnoticed), and the kernels' records name every field."""
    from fastnet.core.inputs import SparseInputs
    from fastnet.core.workspace import Workspace
    from fastnet.kernels.records import HyperParameters
    net = Network([5, 3, 2])
    work = Workspace(net._layout, 4, net.dtype)
    X = np.random.default_rng(0).random((4, 5)).astype(net.dtype)
    targets = np.eye(2, dtype=net.dtype)[[0, 1, 0, 1]]
    order = np.arange(4, dtype=np.int64)
    with pytest.raises(TypeError):
        work.train(SparseInputs(X), targets, order, 4, 0, net._codes, 0.5, True, 0.1, 0.0, 0.0,
                   0.0, 0, 0, net._params, net._params, 1)
    assert HyperParameters._fields == ("batch_size", "eta", "average", "l2", "l1", "momentum",
                                       "dropout", "seed", "first_step")


@pytest.mark.parametrize("init", ["standard", "scaled", "he"])
@pytest.mark.parametrize("sizes", [[784, 300, 10], [140000, 2, 3], [5, 70000, 2]], ids=str)
def test_initial_draws_in_blocks_are_one_calls_draws(sizes, init):
    """initialise draws big layers a block of rows at a time (model.DRAW_BLOCK numbers):
    the same numbers, in the same order, as one np.random.randn call per layer."""
    from fastnet.core.registry import INITS
    np.random.seed(3)
    biases = [np.random.randn(y, 1) for y in sizes[1:]]
    weights = [np.random.randn(y, x) * INITS[init](x) for x, y in zip(sizes[:-1], sizes[1:])]
    after = np.random.randn()
    np.random.seed(3)
    net = Network(sizes, init=init)
    assert np.random.randn() == after
    for got, drawn in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_array_equal(got, drawn.astype(np.float32))
