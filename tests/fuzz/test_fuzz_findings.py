"""The defects the fuzz suite found, each at its minimal failing input: a clear error
naming the argument instead of a silent default, a numpy OverflowError or a TypeError
about hashing."""
import random

import numpy as np
import pytest

import fastnet


def test_dtype_none_is_refused_not_read_as_float64():
    # numpy reads dtype=None as float64: the network was silently float64
    with pytest.raises(ValueError, match="dtype must be float32 or float64, got None"):
        fastnet.Network([1, 1], dtype=None)


@pytest.mark.parametrize("sizes", [[1, 2**70], [2**62, 3], [3, 2**40, 2**40]])
def test_sizes_beyond_any_memory_are_a_memory_error_naming_sizes(sizes):
    # was OverflowError: Python int too large to convert to C long (numpy, building the layout)
    with pytest.raises(MemoryError, match=r"sizes \[.*\] imply .* parameters"):
        fastnet.Network(sizes)


@pytest.mark.parametrize("name", ["activation", "output", "cost", "init"])
def test_sklearn_unhashable_names_are_refused_naming_the_parameter(name):
    pytest.importorskip("sklearn")
    from fastnet.sklearn import MLPClassifier
    # was TypeError: unhashable type: 'list', naming nothing
    with pytest.raises(ValueError, match=f"^{name} must be"):
        MLPClassifier(**{name: [3]}).fit(np.zeros((4, 2)), [0, 1, 0, 1])


def test_cli_sizes_beyond_any_memory_are_refused_when_parsed(capsys):
    from fastnet.cli import build_parser
    # was accepted by the parser: the run then went on to find (or download) the data
    with pytest.raises(SystemExit) as exit:
        build_parser().parse_args(["train", "--sizes", "1,10000000000000000000000"])
    assert exit.value.code == 2
    assert "argument --sizes" in capsys.readouterr().err


@pytest.mark.parametrize("keywords, message", [
    ({"evaluation_data": (np.zeros((0, 2)), np.zeros(0, int))}, "^evaluation_data is empty"),
    ({"evaluation_data": (np.full((1, 2), np.nan), np.zeros(1, int))}, "^evaluation_data input 0"),
    ({"evaluation_data": [(1, 2, 3)]}, r"^evaluation_data\[0\] must be an \(x, y\) pair"),
    ({"early_stopping_n": -1, "evaluation_data": (np.zeros((1, 2)), np.zeros(1, int))},
     "^early_stopping_n must be >= 1"),
])
def test_network2_sgd_errors_name_its_own_arguments(keywords, message):
    from fastnet import network2
    # said validation_data / early_stopping, train_epochs' names, not network2.SGD's
    net = network2.Network([2, 2])
    with pytest.raises((TypeError, ValueError), match=message):
        net.SGD((np.zeros((3, 2)), np.zeros(3, int)), 1, 1, 0.5, **keywords)


def test_sklearn_prediction_overflow_names_x():
    pytest.importorskip("sklearn")
    from fastnet.sklearn import MLPClassifier
    model = MLPClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0, output="linear",
                          cost="quadratic").fit(np.random.RandomState(0).rand(10, 2), [0, 1] * 5)
    # said "feedforward input 0: ...", a method the caller never called
    with pytest.raises(ValueError, match="^X input 0: the network's output is NaN or infinite"):
        model.predict(np.full((2, 2), 1e38))


@pytest.mark.parametrize("batch", [2**63, 2**70])
def test_a_mini_batch_beyond_int64_is_the_whole_data(batch):
    # was OverflowError from Numba's typing ("Int value is too large") after the checks
    X, y = np.arange(3.0).reshape(3, 1), np.array([0, 1, 0])
    nets = []
    for size in (batch, 3):
        np.random.seed(1)
        random.seed(1)
        net = fastnet.Network([1, 2, 1])
        net.SGD((X, y), 2, size, 0.5)
        nets.append(net)
    assert all(np.array_equal(a, b) for a, b in zip(nets[0].weights, nets[1].weights))


@pytest.mark.parametrize("method", ["fit", "partial_fit", "predict"])
def test_sklearn_a_3d_x_is_refused_naming_x(method):
    pytest.importorskip("sklearn")
    from fastnet.sklearn import MLPClassifier
    model = MLPClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0)
    X3 = np.zeros((4, 2, 1))
    # said "Found array with dim 3, while dim <= 2 is required by MLPClassifier."
    with pytest.raises(ValueError, match=r"^X must be a 2-D array .* shape \(4, 2, 1\)"):
        if method == "predict":
            model.fit(np.zeros((4, 2)), [0, 1, 0, 1]).predict(X3)
        else:
            getattr(model, method)(X3, [0, 1, 0, 1], **({"classes": [0, 1]} if method == "partial_fit" else {}))


def test_sklearn_lengths_that_disagree_name_x_and_y():
    pytest.importorskip("sklearn")
    from fastnet.sklearn import MLPClassifier
    # said "Found input variables with inconsistent numbers of samples: [1, 0]"
    with pytest.raises(ValueError, match="^X and y need one label per sample: X has 1 samples and y 0"):
        MLPClassifier(epochs=1).fit(np.zeros((1, 1)), np.zeros(0))


def test_an_unhashable_init_is_refused_naming_init():
    # was TypeError: unhashable type: 'list'
    with pytest.raises(ValueError, match=r"^init must be one of .* got \[3\]"):
        fastnet.Network([2, 2], init=[3])


@pytest.mark.parametrize("option", ["activation", "output", "encoding"])
def test_an_unhashable_neuron_name_is_refused_naming_the_option(option):
    # was TypeError: unhashable type: 'list', from the name tables' lookup
    with pytest.raises(ValueError, match=rf"^{option} must be one of .* got \[3\]"):
        fastnet.Network([2, 3], **{option: [3]})
