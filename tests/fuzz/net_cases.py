"""Cases of ``fastnet.Network``: the constructor, ``feedforward``, ``evaluate``,
``SGD``/``train_epochs``, ``update_mini_batch`` and ``backprop``, with data as arrays
and as lists of (x, y) pairs.

Each case reads its input itself, as the documentation describes it
(``read_examples``): valid, with the values fastnet must compute with, or invalid, with
the reason. A valid input's result is checked against plain numpy (``forward``, the
oracles) or against the same call on the canonical form of the data (C-contiguous,
the network's dtype, int64 labels), bit for bit.
"""
import copy
import gc
import math
import numbers
import random
import warnings

import numpy as np

import fastnet
from fastnet.core.training import TrainingDiverged
from judging import Problem, canonical, close, judge, make_array, same_parameters
from oracles.reference import ReferenceNetwork
from oracles.reference2 import activate

DTYPES = {"float32": np.float32, "float64": np.float64}
TOLERANCE = {np.float32: 2e-4, np.float64: 1e-9}
#: the things a value in a case's params may stand for (pickles carry names only)
OBJECTS = {"np.float32": np.float32, "np.float64": np.float64, "np.float16": np.float16,
           "int": int, "complex": complex, "object": object, "None": None,
           "np.int64(3)": np.int64(3), "np.float64(0.5)": np.float64(0.5),
           "np.float16(3)": np.float16(3), "Fraction(1, 2)": None, "Decimal(3)": None,
           "np.bool_(True)": np.bool_(True), "True": True, "1+0j": 1 + 0j, "[3]": [3]}


def value(token):
    """A case's parameter: a token of ``OBJECTS`` (by name) or the plain value itself."""
    if isinstance(token, str) and token in OBJECTS:
        if token == "Fraction(1, 2)":
            from fractions import Fraction
            return Fraction(1, 2)
        if token == "Decimal(3)":
            from decimal import Decimal
            return Decimal(3)
        return OBJECTS[token]
    return token


def is_int(x, low) -> bool:
    return (isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))
            and x >= low)


def is_real(x, low=None, high=None, low_open=False, high_open=False) -> bool:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        return False
    try:
        f = float(x)
    except OverflowError:
        return False
    return (math.isfinite(f) and (low is None or (f > low if low_open else f >= low))
            and (high is None or (f < high if high_open else f <= high)))


def eta_valid(eta, dtype) -> bool:
    if not is_real(eta, 0, low_open=True):
        return False
    with np.errstate(all="ignore"):
        carried = dtype(float(eta))
    return bool(np.isfinite(carried) and carried != 0)


# -- networks and data --------------------------------------------------------------------
def build(spec: dict) -> fastnet.Network:
    """A valid network: ``sizes``, ``dtype``, options, parameters drawn from ``seed``."""
    np.random.seed(spec.get("seed", 0))
    options = {key: spec[key] for key in ("activation", "output", "cost", "encoding") if key in spec}
    return fastnet.Network(spec["sizes"], DTYPES[spec["dtype"]], **options)


def forward(net, X: np.ndarray, dtype=np.float64) -> np.ndarray:
    """Output activations (n, n_out) for rows X, in plain numpy, in ``dtype``."""
    a = np.asarray(X, dtype).T
    layers = list(zip(net.weights, net.biases))
    for l, (w, b) in enumerate(layers):
        z = np.asarray(w, dtype) @ a + np.asarray(b, dtype)
        a = activate(net.output if l == len(layers) - 1 else net.activation, z)
    return a.T


def overflows(net, X: np.ndarray) -> bool:
    """Does the forward pass in the network's own dtype meet a NaN or an infinity?"""
    return not np.isfinite(forward(net, X, net.dtype)).all()


def examples(spec: dict, net):
    """``(data, reading)``: the data a case passes (``spec["form"]``: "arrays", a tuple
    (X, y); "pairs", a list of (x, y); "none") and how the documentation reads it:
    ``(X, y)`` canonical (X of the network's dtype; y int64 labels or targets of the
    dtype), or a string saying why it is invalid."""
    if spec["form"] == "none":
        return None, "no data"
    X = make_array(spec["X"])
    y = make_array(spec["y"])
    if spec["form"] == "arrays":
        return (X, y), read_examples(X, y, net)
    pairs = _pairs(X, y, spec)
    return pairs, _read_pairs(pairs, net)


def _pairs(X, y, spec) -> list:
    """(x, y) pairs from the rows of X and y: x as ``spec["x_shape"]`` ("column", "flat"),
    y as ``spec["y_kind"]`` ("int", "numpy", "bool", "float", "column", "flat")."""
    pairs = []
    for i in range(min(len(X), len(y)) if X.ndim and y.ndim else 0):
        x = X[i]
        if spec.get("x_shape") == "column" and np.ndim(x) == 1:
            x = x.reshape(-1, 1)
        label = y[i]
        kind = spec.get("y_kind", "numpy")
        if kind == "int" and np.ndim(label) == 0 and y.dtype.kind in "iu":
            label = int(label)
        elif kind == "bool" and np.ndim(label) == 0:
            label = bool(label)
        elif kind == "float" and np.ndim(label) == 0 and y.dtype.kind in "biuf":
            label = float(label)
        elif kind == "column" and np.ndim(label) == 1:
            label = np.asarray(label).reshape(-1, 1)
        pairs.append((x, label))
    if spec.get("bad_pair") is not None and pairs:
        pairs[spec["bad_pair"] % len(pairs)] = spec.get("bad_value", (1, 2, 3))
    return pairs


def read_examples(X, y, net):
    """The documented reading of (X, y) arrays (see ``examples``)."""
    n_in, n_out = net.sizes[0], net.sizes[-1]
    n_classes = net.encoding.classes(n_out)
    if X.ndim != 2 or y.ndim < 1 or len(X) != len(y):
        return f"X of shape {X.shape} with y of shape {y.shape}"
    if X.dtype.kind not in "biuf":
        return f"X of dtype {X.dtype}"
    if X.shape[1] != n_in:
        return f"X has {X.shape[1]} columns for {n_in} inputs"
    if len(X) == 0:
        return "no examples"
    Xc = canonical(X, net.dtype)
    if not np.isfinite(Xc).all():
        return "X holds NaN or infinity in the network's dtype"
    if y.dtype.kind in "iu":
        if y.ndim != 1:
            return f"labels of shape {y.shape}"
        if ((y < 0) | (y >= n_classes)).any():
            return "a label out of range"
        return Xc, y.astype(np.int64)
    if y.dtype.kind != "f" or y.shape not in ((len(X), n_out), (len(X), n_out, 1)):
        return f"y of dtype {y.dtype} and shape {y.shape}"
    yc = canonical(y.reshape(len(X), n_out), net.dtype)
    if not np.isfinite(yc).all():
        return "targets hold NaN or infinity in the network's dtype"
    return Xc, yc


def _read_pairs(pairs, net):
    """The documented reading of a list of (x, y) pairs."""
    n_in = net.sizes[0]
    xs, ys = [], []
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            return f"{pair!r:.40} is not a pair"
        x, label = pair
        x = np.asarray(x)
        if x.shape not in ((n_in,), (n_in, 1)):
            return f"x of shape {x.shape}"
        xs.append(x.reshape(n_in))
        ys.append(label)
    if not xs:
        return "no examples"
    X = np.stack(xs)
    if all(isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)) for v in ys):
        return read_examples(X, np.asarray(ys, dtype=np.int64), net)
    arrays = [np.asarray(v) for v in ys]
    if any(a.shape != arrays[0].shape or a.dtype.kind not in "biuf" for a in arrays):
        return "y of mixed shapes or types"
    return read_examples(X, np.stack(arrays).astype(np.float64).reshape(len(ys), -1), net)


def seeded(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)


# -- cases ------------------------------------------------------------------------------
def case_construct(p: dict) -> dict:
    sizes = [value(s) for s in p["sizes"]]
    dtype, threads = value(p["dtype"]), value(p["threads"])
    sizes_ok = (len(sizes) >= 2 and all(is_int(s, 1) for s in sizes)
                and sum(int(a) * int(b) for a, b in zip(sizes, sizes[1:])) < 10**8)
    dtype_ok = dtype in (np.float32, np.float64, "float32", "float64", "f4", "f8", float, "float")
    threads_ok = threads is None or (is_int(threads, 1) and threads <= 2)

    def check(net):
        if list(net.sizes) != [int(s) for s in sizes] or net.num_layers != len(sizes):
            raise Problem(f"sizes {net.sizes}, num_layers {net.num_layers} for {sizes}")
        if net.dtype not in (np.float32, np.float64) or np.dtype(net.dtype) != np.dtype(dtype):
            raise Problem(f"dtype {net.dtype} for {dtype!r}")
        for l, (w, b) in enumerate(zip(net.weights, net.biases)):
            if w.shape != (sizes[l + 1], sizes[l]) or b.shape != (sizes[l + 1], 1):
                raise Problem(f"layer {l}: {w.shape}, {b.shape}")
            if not (np.isfinite(w).all() and np.isfinite(b).all()):
                raise Problem(f"layer {l} not finite")
        if not same_parameters(net, copy.deepcopy(net)):
            raise Problem("a deep copy differs")
        repr(net)

    options = {key: value(v) for key, v in p.get("options", {}).items()}
    huge = len(sizes) >= 2 and all(is_int(s, 1) for s in sizes) and not sizes_ok
    valid = None if huge or options else (sizes_ok and dtype_ok and threads_ok)
    return judge(lambda: fastnet.Network(sizes, dtype, threads=threads, **options),
                 ["sizes", "dtype", "threads", "bytes", *options, "softmax", "sigmoid",
                  "one-hot", "threshold", "binary"], check, valid,
                 f"sizes={sizes!r} dtype={dtype!r} threads={threads!r}")


def case_feedforward(p: dict) -> dict:
    net = build(p["net"])
    a = make_array(p["a"])
    n_in, n_out = net.sizes[0], net.sizes[-1]
    shape_ok = a.ndim in (1, 2) and a.shape[0] == n_in and a.dtype.kind in "biuf"
    columns = canonical(a, net.dtype).reshape(n_in, -1).T if shape_ok else None
    valid = shape_ok and bool(np.isfinite(columns).all())
    if valid and overflows(net, columns):
        valid = None  # an overflow inside the network: refusing it is right

    def check(out):
        if out.shape != (n_out,) + a.shape[1:] or out.dtype != net.dtype:
            raise Problem(f"output {out.shape} {out.dtype} for input {a.shape}")
        expected = forward(net, columns).T.reshape(out.shape)
        problem = close(out, expected, TOLERANCE[net.dtype])
        if problem:
            raise Problem(f"feedforward differs from numpy: {problem}")
    return judge(lambda: net.feedforward(a), ["feedforward"], check, valid,
                 "input shape/dtype/values")


def case_evaluate(p: dict) -> dict:
    net = build(p["net"])
    data, reading = examples(p["data"], net)
    valid = not isinstance(reading, str)
    if valid and overflows(net, reading[0]):
        valid = None

    def check(correct):
        X, y = reading
        out = forward(net, X)
        labels = y if y.ndim == 1 else net.encoding.decode(y)
        expected = int(np.count_nonzero(net.encoding.decode(out) == labels))
        doubt = int(np.count_nonzero(_near_tie(out, net.encoding.name)))
        if not isinstance(correct, int) or abs(correct - expected) > doubt:
            raise Problem(f"evaluate gave {correct!r}, numpy {expected} (+-{doubt})")
    return judge(lambda: net.evaluate(data), ["test_data"], check, valid,
                 reading if isinstance(reading, str) else "")


def _near_tie(out: np.ndarray, encoding: str) -> np.ndarray:
    """Rows whose decoded class a rounding could change."""
    if encoding == "one-hot" and out.shape[1] > 1:
        top = np.sort(out, axis=1)
        return top[:, -1] - top[:, -2] < 1e-4
    return (np.abs(out - 0.5) < 1e-4).any(axis=1)


def case_sgd(p: dict) -> dict:
    """SGD or train_epochs (``p["mode"]``: "SGD", "list", "first", "drop") against the
    same call on the canonical data on a copy of the network."""
    net = build(p["net"])
    twin = copy.deepcopy(net)
    data, reading = examples(p["data"], net)
    test, test_reading = examples(p["test"], net)
    epochs, batch, eta = value(p["epochs"]), value(p["batch"]), value(p["eta"])
    options = {key: value(v) for key, v in p.get("options", {}).items()}
    reasons = [reading] if isinstance(reading, str) else []
    if test is not None and isinstance(test_reading, str):
        reasons.append(f"test_data: {test_reading}")
    if not is_int(epochs, 0):
        reasons.append(f"epochs={epochs!r}")
    if not is_int(batch, 1):
        reasons.append(f"mini_batch_size={batch!r}")
    if not eta_valid(eta, net.dtype):
        reasons.append(f"eta={eta!r}")
    for key, v in options.items():
        high = 1 if key in ("momentum", "dropout") else None
        if not is_real(v, 0, high, high_open=True):
            reasons.append(f"{key}={v!r}")
    valid = not reasons
    mode = p["mode"]
    trained_epochs = (min(epochs, 1) if mode == "first" else 0 if mode == "drop" else epochs) \
        if valid else 0
    diverged = False
    if valid and trained_epochs:
        seeded(p["seed"])
        test_c = None if test is None else test_reading
        try:
            list(twin.train_epochs(reading, trained_epochs, batch, eta, test_data=test_c, **options))
        except TrainingDiverged:
            diverged = True
        if test_c is not None and overflows(twin, test_c[0]):
            valid = None  # the test data overflows the trained network: refusing it is right

    def call():
        seeded(p["seed"])
        if mode == "SGD":
            return net.SGD(data, epochs, batch, eta, test_data=test, **options)
        run = net.train_epochs(data, epochs, batch, eta, test_data=test, **options)
        if mode == "list":
            return list(run)
        if mode == "first":
            results = [next(run)] if epochs else []
            run.close()
            return results
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del run
            gc.collect()
        if epochs and not any(issubclass(w.category, RuntimeWarning) for w in caught):
            raise Problem("a dropped train_epochs generator gave no RuntimeWarning")
        return []

    def check(results):
        if diverged:
            raise Problem("the canonical data diverged (TrainingDiverged), this call did not")
        if len(results) != trained_epochs:
            raise Problem(f"{len(results)} epochs reported, {trained_epochs} expected")
        if not same_parameters(net, twin):
            raise Problem(f"parameters differ from training on the canonical data ({mode})")
    names = ["training_data", "test_data", "epochs", "mini_batch_size", "eta", "diverged",
             *options]
    return judge(call, names, check, None if diverged else valid, "; ".join(reasons))


def _oracle(net) -> ReferenceNetwork:
    reference = ReferenceNetwork.__new__(ReferenceNetwork)
    reference.num_layers, reference.sizes, reference.dtype = net.num_layers, list(net.sizes), np.float64
    reference.weights = [np.array(w, np.float64) for w in net.weights]
    reference.biases = [np.array(b, np.float64) for b in net.biases]
    return reference


def _targets(net, y: np.ndarray) -> np.ndarray:
    """(n, n_out) float64 targets of canonical y (labels encoded)."""
    if y.ndim == 1:
        return net.encoding.targets(y, net.sizes[-1], np.float64)
    return np.asarray(y, np.float64)


def case_backprop(p: dict) -> dict:
    """backprop(x, y) against the oracle's (sigmoid neurons, quadratic cost)."""
    net = build(p["net"])
    X, labels = make_array(p["data"]["X"]), make_array(p["data"]["y"])
    pairs = _pairs(X, labels, p["data"])  # the first example, as a pair
    x, y = pairs[0] if pairs and isinstance(pairs[0], tuple) and len(pairs[0]) == 2 else (X, 0)
    reading = _read_pairs([(x, y)], net)
    valid = not isinstance(reading, str)

    def check(result):
        nabla_b, nabla_w = result
        X, yc = reading
        ref_b, ref_w = _oracle(net).backprop(np.asarray(X, np.float64).T, _targets(net, yc).T)
        for name, got, want in (("nabla_b", nabla_b, ref_b), ("nabla_w", nabla_w, ref_w)):
            for l, (g, r) in enumerate(zip(got, want)):
                if g.dtype != net.dtype:
                    raise Problem(f"{name}[{l}] of dtype {g.dtype}")
                problem = close(g, r, 10 * TOLERANCE[net.dtype])
                if problem:
                    raise Problem(f"{name}[{l}]: {problem}")
    return judge(lambda: net.backprop(x, y), ["backprop"], check, valid,
                 reading if isinstance(reading, str) else "")


def case_update_mini_batch(p: dict) -> dict:
    """update_mini_batch against the oracle's gradients and the documented step."""
    net = build(p["net"])
    before = [np.array(w, np.float64) for w in net.weights], [np.array(b, np.float64) for b in net.biases]
    data, reading = examples(p["data"], net)
    eta, reduction = value(p["eta"]), value(p["reduction"])
    lmbda, l1, n = value(p["lmbda"]), value(p["l1"]), value(p["n"])
    reasons = [reading] if isinstance(reading, str) else []
    reasons += [f"eta={eta!r}"] * (not eta_valid(eta, net.dtype))
    reasons += [f"reduction={reduction!r}"] * (reduction not in ("mean", "sum"))
    reasons += [f"lmbda={lmbda!r}"] * (not is_real(lmbda, 0))
    reasons += [f"l1={l1!r}"] * (not is_real(l1, 0))
    reasons += [f"n={n!r}"] * (n is not None and not is_int(n, 1))
    valid = not reasons
    expected = _stepped(net, before, reading, float(eta), reduction, lmbda, l1, n) if valid else None
    if valid and not all(np.isfinite(np.asarray(a, net.dtype)).all() for a in (*expected[0], *expected[1])):
        valid = None  # the step itself overflows the dtype: TrainingDiverged is right

    def check(_):
        for name, got_layers, want_layers in (("weights", net.weights, expected[0]),
                                              ("biases", net.biases, expected[1])):
            for l, (got, want) in enumerate(zip(got_layers, want_layers)):
                problem = close(got, want, 10 * TOLERANCE[net.dtype])
                if problem:
                    raise Problem(f"{name}[{l}] after the step: {problem}")
    return judge(lambda: net.update_mini_batch(data, eta, reduction, lmbda=lmbda, l1=l1, n=n),
                 ["mini_batch", "eta", "reduction", "lmbda", "l1", "n", "diverged"],
                 check, valid, "; ".join(reasons))


def _stepped(net, before, reading, eta, reduction, lmbda, l1, n):
    """The documented step from the parameters ``before``, in float64: (weights, biases)."""
    with np.errstate(all="ignore"):
        X, yc = reading
        m = len(X)
        reference = _oracle(net)
        reference.weights, reference.biases = before
        targets = _targets(net, yc)
        sums_w = [np.zeros_like(w) for w in before[0]]
        sums_b = [np.zeros_like(b) for b in before[1]]
        for x, t in zip(np.asarray(X, np.float64), targets):
            nb, nw = reference.backprop(x.reshape(-1, 1), t.reshape(-1, 1))
            sums_w = [s + g for s, g in zip(sums_w, nw)]
            sums_b = [s + g for s, g in zip(sums_b, nb)]
        step = eta / (m if reduction == "mean" else 1)
        total = m if n is None else int(n)
        decay = 1 - eta * float(lmbda) / total
        weights = [decay * w - eta * float(l1) / total * np.sign(w) - step * sums_w[l]
                   for l, w in enumerate(before[0])]
        biases = [b - step * sums_b[l] for l, b in enumerate(before[1])]
    return weights, biases


CASES = {"construct": case_construct, "feedforward": case_feedforward,
         "evaluate": case_evaluate, "sgd": case_sgd, "backprop": case_backprop,
         "update_mini_batch": case_update_mini_batch}
