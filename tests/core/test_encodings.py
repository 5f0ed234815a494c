"""Output encodings (one-hot, 4-bit binary, one-neuron threshold) and summed vs averaged
gradients, as options of the network itself."""
import random

import numpy as np
import pytest

import fastnet
from fastnet import Network
from fastnet.core.encodings import ENCODINGS, get_encoding


def test_binary_targets_and_decoding_are_exact_for_every_digit():
    binary = ENCODINGS["binary"]
    digits = np.arange(10)
    targets = binary.targets(digits, 4, np.float64)
    assert targets.tolist()[5] == [1, 0, 1, 0]  # 5 = 0b0101, least significant bit first
    assert targets.tolist()[8] == [0, 0, 0, 1]
    np.testing.assert_array_equal(binary.decode(targets), digits)
    # decoding reads each output as a bit at 0.5
    assert binary.decode(np.array([[0.9, 0.2, 0.6, 0.4]])).tolist() == [5]
    assert binary.decode(np.array([[0.5, 0.49, 0.0, 0.51]])).tolist() == [9]
    all16 = np.arange(16)
    np.testing.assert_array_equal(binary.decode(binary.targets(all16, 4, np.float32)), all16)


def test_one_hot_and_threshold():
    one_hot, threshold = ENCODINGS["one-hot"], ENCODINGS["threshold"]
    np.testing.assert_array_equal(one_hot.targets(np.array([2, 0]), 3, np.float32), [[0, 0, 1], [1, 0, 0]])
    assert one_hot.decode(np.array([[0.1, 0.7, 0.7]])).tolist() == [1]  # ties: first, as np.argmax
    assert threshold.targets(np.array([1, 0]), 1, np.float64).tolist() == [[1.0], [0.0]]
    assert threshold.decode(np.array([[0.5], [0.4999]])).tolist() == [1, 0]


def test_default_encoding_and_errors():
    assert get_encoding(None, 10).name == "one-hot" and get_encoding(None, 1).name == "threshold"
    with pytest.raises(ValueError, match="encoding must be one of"):
        Network([4, 2], encoding="gray")
    with pytest.raises(ValueError, match="1 output"):
        Network([4, 2], encoding="threshold")


def test_binary_network_trains_on_labels_and_evaluates_by_decoding():
    np.random.seed(0)  # the initial weights and the example order: the same run every time
    random.seed(0)
    rng = np.random.default_rng(0)
    X = rng.random((200, 6))
    y = rng.integers(0, 10, 200)
    net = Network([6, 8, 4], dtype=np.float64, encoding="binary")
    assert repr(net) == "Network([6, 8, 4], dtype=np.float64, encoding='binary')"
    with pytest.raises(ValueError, match=r"outside \[0, 16\)"):
        net.SGD((X, np.full(200, 16)), 1, 10, 1.0)
    net.SGD((X, y), 1, 10, 1.0)
    decoded = ENCODINGS["binary"].decode(net.feedforward(X.T).T)
    assert net.predict(X).tolist() == decoded.tolist()
    assert net.evaluate((X, y)) == int(np.sum(decoded == y))
    # the targets it trained on are the bits: one step on one example moves outputs that way
    before = net.feedforward(X[:1].T)[:, 0]
    net.update_mini_batch((X[:1], np.array([5])), 0.5)
    after = net.feedforward(X[:1].T)[:, 0]
    assert np.all(np.sign(after - before) == np.array([1, -1, 1, -1]))


def test_single_output_detector_network():
    rng = np.random.default_rng(1)
    X = rng.random((300, 5))
    is_big = (X.sum(axis=1) > 2.5).astype(np.int64)
    np.random.seed(0)
    net = Network([5, 1], dtype=np.float64)
    assert net.encoding.name == "threshold"
    start = net.evaluate((X, is_big))
    net.SGD((X, is_big), 30, 10, 3.0)
    assert net.evaluate((X, is_big)) > max(start, 270)  # a linearly separable rule
    assert set(net.predict(X).tolist()) <= {0, 1}
    with pytest.raises(ValueError, match=r"outside \[0, 2\)"):
        net.evaluate((X, np.full(300, 2)))


@pytest.mark.parametrize("batch", [1, 7, 10])
def test_summed_gradients_with_eta_over_m_equal_averaged_with_eta(batch):
    rng = np.random.default_rng(2)
    X, y = rng.random((63, 6)), rng.integers(0, 3, 63)
    runs = {}
    for reduction, eta in (("mean", 2.0), ("sum", 2.0 / batch)):
        np.random.seed(5)
        random.seed(5)
        net = Network([6, 5, 3], dtype=np.float64)
        net.SGD((X, y), 2, batch, eta, reduction=reduction)
        runs[reduction] = [p.copy() for p in net.weights + net.biases]
    # the last mini-batch of an epoch is shorter (63 = 6 x 10 + 3): compare only when even
    if 63 % batch == 0:
        for a, b in zip(runs["mean"], runs["sum"]):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    else:
        assert not all(np.allclose(a, b) for a, b in zip(runs["mean"], runs["sum"]))


def test_sum_is_m_times_mean_for_one_step():
    rng = np.random.default_rng(3)
    batch = (rng.random((8, 4)), rng.integers(0, 2, 8))
    nets = []
    for reduction, eta in (("mean", 0.8), ("sum", 0.1)):
        np.random.seed(1)
        net = Network([4, 3, 2], dtype=np.float64)
        net.update_mini_batch(batch, eta, reduction=reduction)
        nets.append(net)
    for a, b in zip(nets[0].weights, nets[1].weights):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    with pytest.raises(ValueError, match="reduction must be 'mean' or 'sum'"):
        nets[0].SGD(batch, 1, 2, 1.0, reduction="median")


def test_encoding_is_saved_with_the_model(tmp_path):
    net = Network([6, 4], encoding="binary")
    net.save(tmp_path / "m.npz")
    assert fastnet.load(tmp_path / "m.npz").encoding.name == "binary"
    net.save(tmp_path / "m.json")
    assert fastnet.load(tmp_path / "m.json").encoding.name == "binary"
