"""Fuzz of fastnet.Network: the constructor, feedforward, evaluate, SGD/train_epochs,
backprop and update_mini_batch, each case run in the worker subprocess (``harness``)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import fuzz_settings
from strategies import arrays, clean_data_sets, data_sets, networks, numbers

SIZE_ITEMS = st.one_of(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6), st.sampled_from(
    [0, -1, 10**12, 100, True, 3.0, "3", "None", "np.int64(3)", "[3]", 2**70]))


@fuzz_settings(60)
@given(sizes=st.lists(SIZE_ITEMS, min_size=1, max_size=4),
       dtype=st.sampled_from(["np.float32", "np.float64", "float32", "f8"] * 3 + [
           "int", "np.float16", "complex", "object", "None", "float16", "float", "U3", "bogus"]),
       threads=st.sampled_from(["None", 1, 2] * 3 + [0, -1, 10**6, 1.5, True, "2", "np.int64(3)"]),
       options=st.just({}) | st.dictionaries(
           st.sampled_from(["activation", "output", "cost", "init", "encoding"]),
           st.sampled_from(["sigmoid", "tanh", "relu", "softmax", "linear", "quadratic",
                            "cross-entropy", "log-likelihood", "standard", "scaled", "he",
                            "one-hot", "binary", "threshold", "None", "bogus", 3, "object"]),
           max_size=2))
def test_constructor(verdict, sizes, dtype, threads, options):
    verdict("construct", {"sizes": sizes, "dtype": dtype, "threads": threads, "options": options})


@st.composite
def feedforward_cases(draw):
    net = draw(networks())
    n_in = net["sizes"][0]
    k = draw(st.sampled_from([1, 1, 2, 5, 0]))
    shape = draw(st.sampled_from([(n_in, 1)] * 4 + [(n_in, k), (n_in,), (k, n_in), (n_in + 1, 1),
                                                    (n_in, 1, 1), (), (1, n_in)]))
    return {"net": net, "a": draw(arrays(st.just(shape)))}


@st.composite
def evaluate_cases(draw):
    net = draw(networks())
    return {"net": net, "data": draw(data_sets(net["sizes"][0], net["sizes"][-1]))}


@pytest.mark.parametrize("name, cases", [("feedforward", feedforward_cases()),
                                         ("evaluate", evaluate_cases())])
@fuzz_settings(80)
@given(data=st.data())
def test_feedforward_and_evaluate(verdict, name, cases, data):
    verdict(name, data.draw(cases, label=name))


@st.composite
def sgd_cases(draw):
    net = draw(networks())
    n_in, n_out = net["sizes"][0], net["sizes"][-1]
    options = draw(st.dictionaries(st.sampled_from(["lmbda", "l1", "momentum", "dropout"]),
                                   numbers([0.0, 0.1, 0.5]), max_size=2))
    if draw(st.booleans()):  # valid data: the hyper-parameters and options fuzzed
        data = draw(clean_data_sets(n_in, n_out))
        test = draw(st.one_of(st.just({"form": "none"}), clean_data_sets(n_in, n_out, 6)))
    else:
        data = draw(data_sets(n_in, n_out))
        test = draw(st.one_of(st.just({"form": "none"}), data_sets(n_in, n_out, 6)))
    return {"net": net, "data": data, "test": test,
            "epochs": draw(numbers([1, 2], huge=False)), "batch": draw(numbers([1, 3, 4, 10**18])),
            "eta": draw(numbers([0.5, 3.0])), "options": options,
            "mode": draw(st.sampled_from(["SGD", "SGD", "list", "first", "drop"])),
            "seed": draw(st.integers(0, 100))}


@fuzz_settings(120)
@given(sgd_cases())
def test_sgd_and_train_epochs(verdict, case):
    verdict("sgd", case)


@st.composite
def step_cases(draw):
    net = draw(networks(options=False))
    n_in, n_out = net["sizes"][0], net["sizes"][-1]
    return {"net": net, "data": draw(data_sets(n_in, n_out, 6)), "eta": draw(numbers([0.5, 3.0])),
            "reduction": draw(st.sampled_from(["mean", "mean", "sum", "Mean", "None"])),
            "lmbda": draw(numbers([0.0, 0.0, 1.0])), "l1": draw(numbers([0.0, 0.0, 0.5])),
            "n": draw(st.one_of(st.just("None"), st.just("None"), numbers([10, 1000])))}


@fuzz_settings(60)
@given(step_cases())
def test_backprop(verdict, case):
    verdict("backprop", case)


@fuzz_settings(60)
@given(step_cases())
def test_update_mini_batch(verdict, case):
    verdict("update_mini_batch", case)
