"""Bad input is rejected in Python, before any kernel runs, with an error that says
what was wrong; the network is left untouched."""
import fractions

import numpy as np
import pytest

from fastnet import Network
from fastnet.core.validate import WrongType, check_int, check_real, check_sizes


def good_pairs(n=6):
    rng = np.random.default_rng(0)
    return [(rng.random((4, 1)), np.eye(2)[:, [i % 2]]) for i in range(n)]


@pytest.fixture
def net():
    return Network([4, 3, 2])


@pytest.mark.parametrize("sizes, error, match", [
    ([784], ValueError, "at least 2 layers"),
    ([], ValueError, "at least 2 layers"),
    ([784, 0, 10], ValueError, ">= 1"),
    ([784, -3, 10], ValueError, ">= 1"),
    ([784, 30.0, 10], TypeError, "integers"),
    ([784, True, 10], TypeError, "integers"),
    ("784,30,10", TypeError, "list of layer sizes"),
    (784, TypeError, "list of layer sizes"),
])
def test_bad_sizes(sizes, error, match):
    with pytest.raises(error, match=match):
        Network(sizes)


@pytest.mark.parametrize("dtype", [np.float16, np.int32, "complex128", "nonsense", object])
def test_bad_dtype(dtype):
    with pytest.raises(ValueError, match="float32 or float64"):
        Network([4, 2], dtype=dtype)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(epochs=-1), ValueError, "epochs must be >= 0"),
    (dict(epochs=1.5), TypeError, "epochs must be an integer"),
    (dict(mini_batch_size=0), ValueError, "mini_batch_size must be >= 1"),
    (dict(mini_batch_size=2.0), TypeError, "mini_batch_size must be an integer"),
    (dict(eta=0.0), ValueError, "eta must be a finite number > 0"),
    (dict(eta=-3.0), ValueError, "eta must be a finite number > 0"),
    (dict(eta=float("nan")), ValueError, "eta must be a finite number > 0"),
    (dict(eta=float("inf")), ValueError, "eta must be a finite number > 0"),
    (dict(eta="3.0"), TypeError, "eta must be a number"),
])
def test_bad_hyper_parameters(net, kwargs, error, match):
    args = dict(epochs=1, mini_batch_size=2, eta=3.0) | kwargs
    before = [w.copy() for w in net.weights]
    with pytest.raises(error, match=match):
        net.SGD(good_pairs(), **args)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.weights))


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(lmbda=-1.0), ValueError, "lmbda must be a finite number >= 0"),
    (dict(lmbda=float("inf")), ValueError, "lmbda must be a finite number >= 0"),
    (dict(l1=float("nan")), ValueError, "l1 must be a finite number >= 0"),
    (dict(l1="1"), TypeError, "l1 must be a number"),
    (dict(momentum=1.0), ValueError, r"momentum must be a finite number in \[0, 1\)"),
    (dict(dropout=-0.1), ValueError, r"dropout must be a finite number in \[0, 1\)"),
    (dict(early_stopping=0), ValueError, "early_stopping must be >= 1"),
    (dict(halve_eta=2.5), TypeError, "halve_eta must be an integer"),
    (dict(halve_eta=True), TypeError, "halve_eta must be an integer"),
])
def test_bad_training_options(net, kwargs, error, match):
    """The options are checked by the same helpers as every other number: infinity is
    refused like NaN, before any step changes the weights."""
    before = [w.copy() for w in net.weights]
    with pytest.raises(error, match=match):
        net.SGD(good_pairs(), 1, 2, 3.0, validation_data=good_pairs(), **kwargs)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.weights))


def corrupt(pairs, i, x=None, y=None):
    pairs = list(pairs)
    old_x, old_y = pairs[i]
    pairs[i] = (old_x if x is None else x, old_y if y is None else y)
    return pairs


@pytest.mark.parametrize("data, error, match", [
    ([], ValueError, "training_data is empty"),
    (iter([]), ValueError, "training_data is empty"),
    (corrupt(good_pairs(), 3, x=np.zeros((5, 1))), ValueError, r"training_data\[3\] input must have shape \(4, 1\)"),
    (corrupt(good_pairs(), 2, x=np.full((4, 1), np.nan)), ValueError, "input 2 contains NaN"),
    (corrupt(good_pairs(), 1, x=np.full((4, 1), np.inf)), ValueError, "input 1 contains NaN or infinity"),
    (corrupt(good_pairs(), 0, x=np.full((4, 1), 1e300)), ValueError, "too large for float32"),
    (corrupt(good_pairs(), 4, x=np.array([["a"]] * 4)), TypeError, "numeric"),
    (corrupt(good_pairs(), 2, y=np.zeros((3, 1))), ValueError, r"training_data\[2\] output must be .* shaped like"),
    (corrupt(good_pairs(), 2, y=np.array([[np.nan], [0]])), ValueError, "targets contain NaN"),
    ([(np.zeros((4, 1)), 2)], ValueError, r"label 0 is 2, outside \[0, 2\)"),
    ([(np.zeros((4, 1)), -1)], ValueError, r"outside \[0, 2\)"),
    ([(np.zeros((4, 1)), "cat")], ValueError, "int label or a vector"),
    ([(np.zeros((4, 1)),)], TypeError, r"training_data\[0\] must be an \(x, y\) pair"),
    ([np.zeros((4, 1))], TypeError, r"must be an \(x, y\) pair"),
    (np.zeros((6, 4)), TypeError, r"list of \(x, y\) pairs or a tuple \(X, y\)"),
    (42, TypeError, r"list of \(x, y\) pairs"),
    ((np.zeros((6, 5)), np.zeros(6, int)), ValueError, r"inputs must have shape \(n, 4\)"),
    ((np.zeros((6, 4)), np.full(6, 7)), ValueError, r"label 0 is 7"),
    ((np.zeros((6, 4)), np.zeros(6)), ValueError, r"target vectors must have shape \(6, 2\)"),
    ((np.zeros((6, 4)), np.zeros((6, 3))), ValueError, r"target vectors must have shape \(6, 2\)"),
    ((np.zeros((6, 4)), np.zeros(6, bool)), TypeError, "int labels or float vectors"),
    ((np.zeros((6, 4)), np.zeros((6, 2), complex)), TypeError, "int labels or float vectors"),
])
def test_bad_training_data(net, data, error, match):
    before = [w.copy() for w in net.weights]
    with pytest.raises(error, match=match):
        net.SGD(data, 1, 2, 3.0)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.weights))


def test_bad_test_data_is_rejected_before_training(net):
    before = [w.copy() for w in net.weights]
    with pytest.raises(ValueError, match=r"test_data label 0 is 9"):
        net.SGD(good_pairs(), 1, 2, 3.0, test_data=[(np.zeros((4, 1)), 9)])
    with pytest.raises(ValueError, match="test_data is empty"):
        net.SGD(good_pairs(), 1, 2, 3.0, test_data=iter([]))
    assert all(np.array_equal(a, b) for a, b in zip(before, net.weights))


def test_other_entry_points_validate_too(net):
    with pytest.raises(ValueError, match="feedforward input must have shape"):
        net.feedforward(np.zeros((5, 1)))
    with pytest.raises(ValueError, match="NaN"):
        net.feedforward(np.full((4, 1), np.nan))
    with pytest.raises(ValueError, match="mini_batch is empty"):
        net.update_mini_batch([], 1.0)
    with pytest.raises(ValueError, match="eta"):
        net.update_mini_batch(good_pairs(), -1.0)
    with pytest.raises(ValueError, match=r"backprop input must have shape|backprop\[0\] input"):
        net.backprop(np.zeros((3, 1)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="outside"):
        net.backprop(np.zeros((4, 1)), 5)
    with pytest.raises(ValueError, match="test_data is empty"):
        net.evaluate([])
    with pytest.raises(ValueError, match="outside"):
        net.evaluate([(np.zeros((4, 1)), 2)])


@pytest.mark.parametrize("threads", [1, 2])
def test_inference_reports_the_first_non_finite_input_row(threads):
    """evaluate, predict and feedforward find NaN/infinity inside the inference kernel
    (no separate pass): the first bad row across parallel chunks, even where the weights
    of that input are 0 (inf * 0 = NaN still shows); huge finite inputs are accepted."""
    net = Network([20, 6, 3], dtype=np.float32, threads=threads)
    rng = np.random.default_rng(0)
    X = rng.random((1000, 20)) * (rng.random((1000, 20)) < 0.5)
    labels = rng.integers(0, 3, 1000)
    net.weights[0][:, 7] = 0  # input 7 has no effect on any neuron
    for rows, value, column in (([700, 301], np.nan, 3), ([999], np.inf, 7), ([0, 512], -np.inf, 19)):
        Y = X.copy()
        Y[rows, column] = value
        first = min(rows)
        with pytest.raises(ValueError, match=f"test_data input {first} contains NaN or infinity"):
            net.evaluate((Y, labels))
        with pytest.raises(ValueError, match=f"predict input {first} contains NaN"):
            net.predict(Y)
        with pytest.raises(ValueError, match=f"feedforward input {first} contains NaN"):
            net.feedforward(Y.T)
    Y = X.copy()
    Y[5, 2] = 3e38  # finite in float32: its z may overflow, but it is a valid input
    assert net.predict(Y).shape == (1000,)
    assert net.evaluate((X, labels)) == int(np.sum(net.predict(X) == labels))


# -- the one check of numbers and layer sizes ---------------------------------------------
@pytest.mark.parametrize("args, expected", [
    ((5, "epochs", 0), 5), ((np.int64(3), "n", 1), 3), ((9, "digit", 0, 9), 9),
])
def test_check_int_accepts(args, expected):
    value = check_int(*args)
    assert value == expected and type(value) is int


@pytest.mark.parametrize("args, error, message", [
    ((-1, "epochs", 0), ValueError, "epochs must be >= 0, got -1"),
    ((1.5, "epochs", 0), TypeError, "epochs must be an integer, got 1.5"),
    ((True, "--epochs", 0), TypeError, "--epochs must be an integer, got True"),
    (("2", "jobs", 1), TypeError, "jobs must be an integer, got '2'"),
    ((10, "digit", 0, 9), ValueError, "digit must be an integer from 0 to 9, got 10"),
    ((3, "threads", 1, 2, "NUMBA_NUM_THREADS"), ValueError,
     r"threads must be an integer from 1 to 2 \(NUMBA_NUM_THREADS\), got 3"),
])
def test_check_int_names_the_users_term(args, error, message):
    with pytest.raises(error, match=f"^{message}$"):
        check_int(*args)


@pytest.mark.parametrize("args, kwargs, message", [
    ((0.0, "eta", 0), dict(low_open=True), "eta must be a finite number > 0, got 0.0"),
    ((float("inf"), "lmbda", 0), {}, "lmbda must be a finite number >= 0, got inf"),
    ((1.0, "momentum", 0, 1), dict(high_open=True), r"momentum must be a finite number in \[0, 1\), got 1.0"),
    ((float("nan"), "x"), {}, "x must be a finite number, got nan"),
])
def test_check_real(args, kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        check_real(*args, **kwargs)
    assert check_real(np.float32(0.5), "momentum", 0, 1, high_open=True) == 0.5
    with pytest.raises(TypeError, match="eta must be a number, got '3'"):
        check_real("3", "eta")


def test_a_wrong_type_is_also_a_value_error():
    """For callers that report every bad value as a ValueError (scikit-learn, threads)."""
    for check in (lambda: check_int(2.5, "epochs"), lambda: check_real(None, "eta"),
                  lambda: check_sizes("784,30,10")):
        with pytest.raises(WrongType) as error:
            check()
        assert isinstance(error.value, TypeError) and isinstance(error.value, ValueError)


def test_check_sizes_names_the_argument():
    assert check_sizes((784, np.int32(30), 10)) == [784, 30, 10]
    assert check_sizes([], "hidden_layer_sizes", min_layers=0) == []
    with pytest.raises(ValueError, match=r"hidden_layer_sizes must be positive \(>= 1\), got 0"):
        check_sizes([10, 0], "hidden_layer_sizes", min_layers=0)


@pytest.mark.parametrize("value", [10**400, -(10**400), fractions.Fraction(10**400, 3)])
def test_numbers_beyond_float_range_are_refused_as_not_finite(value):
    """float() of such an int or Fraction overflows: the check says the number is not
    finite, with the argument's name, instead of letting an OverflowError through."""
    from fastnet.core.validate import check_real
    with pytest.raises(ValueError, match="eta must be a finite number > 0"):
        check_real(value, "eta", 0.0, low_open=True)
