"""The seed's neurons (equations (1)-(4)), the perceptron-vs-sigmoid perturbation
experiment (equation (5)) and gradient descent on a valley (equations (7)-(11))."""
import itertools
import types
import warnings

import numpy as np
import pytest

from fastnet.experiments import descent, perceptron
from fastnet.experiments.common import load_dataset
from fastnet.experiments.neurons import (
    feedforward_as_perceptrons,
    perceptron_threshold,
    predict_as_perceptrons,
    sigmoid_neuron,
    step,
)
from fastnet.experiments.neurons import perceptron as perceptron_unit
from fastnet.network import Network

BITS = np.array(list(itertools.product([0, 1], repeat=2)), dtype=float)  # 00, 01, 10, 11


# -- neurons ------------------------------------------------------------------------------
def test_step_truth_table_and_boundary():
    assert step(0.0) == 0 and step(-0.0) == 0 and step(1e-300) == 1 and step(-1e-300) == 0
    np.testing.assert_array_equal(step(np.array([-2.0, 0.0, 0.5, 3.0])), [0, 0, 1, 1])
    assert step(np.array([[0.0, 1.0]])).shape == (1, 2)
    assert step(np.array([-1.0, 1.0])).dtype.kind == "i"


@pytest.mark.parametrize("w, b, expected", [
    ((-2, -2), 3, [1, 1, 1, 0]),      # the book's NAND gate
    ((1, 1), -1.5, [0, 0, 0, 1]),     # AND
    ((1, 1), -0.5, [0, 1, 1, 1]),     # OR
    ((1, 1), -1.0, [0, 0, 0, 1]),     # w.x + b = 0 at 01 and 10 -> 0, equation (2)
    ((1, 1), 0.0, [0, 1, 1, 1]),      # 00: w.x + b = 0 -> 0
])
def test_perceptron_truth_tables(w, b, expected):
    one_by_one = [perceptron_unit(x, w, b) for x in BITS]
    assert one_by_one == expected
    assert all(type(out) is int for out in one_by_one)
    rows = perceptron_unit(BITS, w, b)  # vectorised: rows of inputs
    assert rows.shape == (4,) and rows.dtype.kind == "i"
    np.testing.assert_array_equal(rows, expected)


def test_threshold_form_equals_bias_form():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(200, 5)).astype(float)
    for _ in range(50):
        w = rng.integers(-3, 4, size=5).astype(float)
        threshold = float(rng.integers(-3, 4))  # integer sums hit the boundary often
        np.testing.assert_array_equal(perceptron_threshold(X, w, threshold),
                                      perceptron_unit(X, w, -threshold))
    # the boundary: sum = threshold -> 0 in both forms
    assert perceptron_threshold([1, 1], [1, 1], 2) == 0 == perceptron_unit([1, 1], [1, 1], -2)
    assert perceptron_threshold([1, 1], [1, 1], 1.999) == 1 == perceptron_unit([1, 1], [1, 1], -1.999)


def test_sigmoid_neuron_values_and_no_overflow():
    assert sigmoid_neuron([0.0, 0.0], [1.0, 2.0], 0.0) == 0.5
    x, w, b = np.array([0.5, -1.0, 2.0]), np.array([1.0, 0.5, -0.25]), 0.3
    z = x @ w + b
    assert sigmoid_neuron(x, w, b) == pytest.approx(1 / (1 + np.exp(-z)), rel=1e-15)
    assert isinstance(sigmoid_neuron(x, w, b), float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow RuntimeWarning would fail here
        assert sigmoid_neuron([1.0], [1.0], 999.0) == 1.0    # z = 1000
        assert sigmoid_neuron([1.0], [1.0], -1001.0) == 0.0  # z = -1000
        big = sigmoid_neuron(np.array([[1.0], [-1.0], [0.0]]), [1000.0], 0.0)
    np.testing.assert_array_equal(big, [1.0, 0.0, 0.5])
    # vectorised = one by one; large |z| behaves like the perceptron (same weights)
    rng = np.random.default_rng(1)
    X, w = rng.normal(size=(20, 4)), rng.normal(size=4)
    np.testing.assert_allclose(sigmoid_neuron(X, w, 0.1), [sigmoid_neuron(x, w, 0.1) for x in X])
    np.testing.assert_array_equal(np.round(sigmoid_neuron(X, 1e6 * w, 1e5)),
                                  perceptron_unit(X, w, 0.1))


def test_neurons_reject_mismatched_shapes():
    with pytest.raises(ValueError):
        perceptron_unit([1, 0, 1], [1, 1], 0)
    with pytest.raises(ValueError):
        sigmoid_neuron(np.ones((2, 3)), [1, 1], 0)


def _xor_parameters():
    # hidden: OR and AND; output: OR and not AND
    weights = [np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([[1.0, -1.0]])]
    biases = [np.array([[-0.5], [-1.5]]), np.array([[-0.5]])]
    return weights, biases


def test_feedforward_as_perceptrons_xor():
    weights, biases = _xor_parameters()
    for net in (types.SimpleNamespace(weights=weights, biases=biases),
                Network.from_parameters([2, 2, 1], weights, biases)):
        out = feedforward_as_perceptrons(net, BITS)
        assert out.shape == (4, 1) and out.dtype.kind == "i"
        np.testing.assert_array_equal(out[:, 0], [0, 1, 1, 0])
        np.testing.assert_array_equal(feedforward_as_perceptrons(net, BITS[1]), [1])


def test_predict_as_perceptrons_argmax_and_ties():
    # two outputs: XOR and its negation, so the class is the XOR bit
    weights, biases = _xor_parameters()
    weights[1] = np.array([[1.0, -1.0], [-1.0, 1.0]])
    biases[1] = np.array([[-0.5], [0.5]])
    net = types.SimpleNamespace(weights=weights, biases=biases)
    np.testing.assert_array_equal(feedforward_as_perceptrons(net, BITS), [[0, 1], [1, 0], [1, 0], [0, 1]])
    np.testing.assert_array_equal(predict_as_perceptrons(net, BITS), [1, 0, 0, 1])
    # no output fires (a tie) -> the lowest index, as np.argmax
    silent = types.SimpleNamespace(weights=[np.zeros((3, 2))], biases=[np.zeros((3, 1))])
    np.testing.assert_array_equal(predict_as_perceptrons(silent, BITS), [0, 0, 0, 0])


def test_perceptron_reading_of_a_network_matches_sigmoid_in_the_limit():
    # scaled up weights make every sigmoid saturate: sigma -> step
    np.random.seed(3)
    net = Network([6, 5, 4], dtype=np.float64)
    X = np.random.default_rng(4).normal(size=(50, 6))
    bits = feedforward_as_perceptrons(net, X)
    net.weights = [1e4 * w for w in net.weights]
    net.biases = [1e4 * b for b in net.biases]
    np.testing.assert_array_equal(np.round(net.feedforward(X.T).T), feedforward_as_perceptrons(net, X))
    np.testing.assert_array_equal(bits, feedforward_as_perceptrons(net, X))  # step ignores scale


# -- gradient descent ---------------------------------------------------------------------
def test_valley_and_gradient():
    assert descent.valley([1.0, 1.0]) == 4.0
    np.testing.assert_array_equal(descent.valley_gradient([1.0, -2.0]), [2.0, -12.0])
    # the gradient is (8): numerical partial derivatives
    v, h = np.array([0.3, -0.7]), 1e-6
    numeric = [(descent.valley(v + h * e) - descent.valley(v - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(descent.valley_gradient(v), numeric, rtol=1e-6)
    assert descent.valley(np.zeros((3, 4, 2))).shape == (3, 4)


def test_descend_small_eta_matches_first_order_prediction():
    d = descent.descend((1.0, 1.0), 0.001, 10)
    assert d["path"].shape == (11, 2) and d["costs"].shape == (11,)
    assert d["delta_cost"].shape == d["predicted"].shape == (10,)
    # equation (10)-(11): one step v -> v - eta grad C
    np.testing.assert_allclose(d["path"][1], np.array([1.0, 1.0]) - 0.001 * np.array([2.0, 6.0]))
    # equation (9): Delta C ~ -eta |grad C|^2, within a few %
    assert d["predicted"][0] == pytest.approx(-0.001 * 40.0)
    assert d["delta_cost"][0] == pytest.approx(d["predicted"][0], rel=0.01)
    assert np.all(d["delta_cost"] < 0)
    errors = descent.relative_errors(descent.descend((1.0, 1.0), 0.01, 5))
    assert np.all(errors < 0.05)
    assert descent.relative_errors(descent.descend((1.0, 1.0), 0.1, 5)).mean() > errors.mean()


def test_descend_custom_function_and_zero_steps():
    d = descent.descend([2.0, 0.0], 0.25, 3, cost=lambda v: float(v @ v), gradient=lambda v: 2 * v)
    np.testing.assert_allclose(d["path"][:, 0], [2.0, 1.0, 0.5, 0.25])
    assert descent.descend([1.0, 1.0], 0.1, 0)["path"].shape == (1, 2)


def test_eta_beyond_one_third_diverges():
    assert descent.STABILITY_LIMIT == pytest.approx(1 / 3)
    bad = descent.descend((1.0, 1.0), 0.34, 30)
    assert bad["costs"][-1] > bad["costs"][0]
    assert np.all(np.diff(bad["costs"][5:]) > 0)  # it keeps climbing
    assert descent.classify(bad).startswith("diverged")
    good = descent.descend((1.0, 1.0), 0.33, 200)
    assert good["costs"][-1] < good["costs"][0]
    assert descent.classify(descent.descend((1.0, 1.0), 0.1, 30)) == "converged"
    assert descent.classify(descent.descend((1.0, 1.0), 0.3, 30)) == "converged, oscillating"
    with np.errstate(all="raise"):  # overflow stays silent inside descend
        huge = descent.descend((1.0, 1.0), 10.0, 400)
    assert descent.classify(huge).startswith("diverged")


def test_descent_run_table_and_plot(tmp_path):
    result = descent.run(seeds=3, epochs=5, jobs=2, data="ignored", limits=(1, 1))
    assert [row["eta"] for row in result.rows] == list(descent.ETAS)
    status = {row["eta"]: row["status"] for row in result.rows}
    assert status[0.34].startswith("diverged")
    assert not any(s.startswith("diverged") for eta, s in status.items() if eta < 1 / 3)
    errors = [row["relative_error"] for row in result.rows]
    assert errors[0] < 5 and errors == sorted(errors)
    text = result.markdown()
    assert "| η |" in text and "0.34" in text and "diverged" in result.note
    assert text.splitlines()[2].count("|") == len(result.columns) + 1  # no stray "|" in headers
    for path, given in ((tmp_path / "run.png", result), (tmp_path / "none.png", None)):
        descent.plot(given, path)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- the perturbation experiment ----------------------------------------------------------
EXPECTED_HEADERS = ["noise σ", "predictions changed, sigmoid (%)", "predictions changed, perceptron (%)",
                    "mean abs. Δ output, sigmoid", "mean abs. Δ output, perceptron"]


def _check_table(result, scales):
    assert not result.interrupted
    assert [row["scale"] for row in result.rows] == list(scales)
    headers = [header for _, header in result.columns]
    for header in EXPECTED_HEADERS + ["accuracy unperturbed, sigmoid (%)",
                                      "accuracy unperturbed, perceptron (%)"]:
        assert header in headers
    for row in result.rows:
        assert row["n_seeds"] == 2
        for key in ("sigmoid_changed", "perceptron_changed", "sigmoid_accuracy", "perceptron_accuracy"):
            assert 0.0 <= row[key] <= 100.0
        for key in ("sigmoid_delta", "perceptron_delta", "sigmoid_max_delta", "perceptron_max_delta"):
            assert 0.0 <= row[key] <= 1.0
        assert "±" in row["sigmoid_changed_text"]
    text = result.markdown()
    assert "| " + " | ".join(headers) + " |" in text
    assert text.splitlines()[2].count("|") == len(headers) + 1
    assert result.note and result.note in text


def test_perceptron_experiment_small_slice(mnist_dir, tmp_path):
    scales = (0.01, 0.1)
    dataset = load_dataset(mnist_dir, 3000, 500)
    serial = perceptron.run(seeds=2, epochs=1, scales=scales, dataset=dataset)
    _check_table(serial, scales)
    # more noise changes the sigmoid outputs more, smoothly (equation (5))
    small, large = serial.rows
    assert large["sigmoid_delta"] > small["sigmoid_delta"]
    assert small["sigmoid_max_delta"] < 0.5
    perceptron.plot(serial, tmp_path / "perceptron.png")
    assert (tmp_path / "perceptron.png").read_bytes()[:4] == b"\x89PNG"
    # the same seeds in 2 spawned processes give the same numbers
    parallel = perceptron.run(mnist_dir, seeds=2, epochs=1, scales=scales, jobs=2, limits=(3000, 500))
    _check_table(parallel, scales)
    assert parallel.rows == serial.rows
    assert parallel.markdown() == serial.markdown()


def test_perturbation_is_seeded_and_leaves_the_network_alone():
    np.random.seed(0)
    net = Network([4, 3, 2])
    before = [w.copy() for w in net.weights] + [b.copy() for b in net.biases]
    a = perceptron.perturbed(net, 0.1, perceptron.noise_rng(5, 0.1))
    b = perceptron.perturbed(net, 0.1, perceptron.noise_rng(5, 0.1))
    c = perceptron.perturbed(net, 0.1, perceptron.noise_rng(6, 0.1))
    for x, y in zip(before, list(net.weights) + list(net.biases)):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    assert not np.array_equal(a.weights[0], c.weights[0])
    spread = np.concatenate([(a.weights[0] - net.weights[0]).ravel(), (a.biases[0] - net.biases[0]).ravel()])
    assert 0 < np.abs(spread).max() < 0.6
    X = np.random.default_rng(0).random((30, 4))
    same = perceptron.measure(net, X, np.zeros(30, dtype=np.int64), [0.0], seed=0)
    assert same["sigmoid_changed"] == [0.0] and same["perceptron_changed"] == [0.0]
    assert same["sigmoid_delta"] == [0.0] and same["perceptron_delta"] == [0.0]
