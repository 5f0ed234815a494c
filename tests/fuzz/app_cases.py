"""Cases beyond the book's Network: ``network2.Network`` with every option, the
scikit-learn ``MLPClassifier``, ``fastnet.load`` / ``network2.load`` on damaged model
files, the vision functions on odd images, and the command line's parser."""
import argparse
import contextlib
import io
import json
import math
import uuid

import numpy as np

import fastnet
from fastnet import network2
from fastnet.io import images
from fastnet.vision.segment import segment
from judging import SCRATCH, Problem, canonical, judge, make_array
from net_cases import examples, is_int, is_real, value

COSTS = {"CrossEntropyCost": network2.CrossEntropyCost, "QuadraticCost": network2.QuadraticCost,
         "LogLikelihoodCost": network2.LogLikelihoodCost}


def case_network2(p: dict) -> dict:
    """network2.Network(sizes, cost, dtype, options) and its SGD with every option."""
    cost = COSTS.get(p["cost"], value(p["cost"]))
    net_options = {key: value(v) for key, v in p["net_options"].items()}
    sgd = {key: value(v) for key, v in p["sgd"].items()}
    np.random.seed(p["seed"])

    def call():
        net = network2.Network(p["sizes"], cost, np.float32 if p["dtype"] == "float32" else np.float64,
                               **net_options)
        data, reading = examples(p["data"], net)
        evaluation, _ = examples(p["evaluation"], net)
        result = net.SGD(data, value(p["epochs"]), value(p["batch"]), value(p["eta"]),
                         evaluation_data=evaluation, **sgd)
        return net, reading, evaluation, result

    def check(outcome):
        net, reading, evaluation, (e_cost, e_acc, t_cost, t_acc) = outcome
        if isinstance(reading, str):
            raise Problem(f"training data accepted: {reading}")
        epochs = len(net.history)
        for name, values in (("evaluation_cost", e_cost), ("training_cost", t_cost)):
            if len(values) not in (0, epochs) or not all(math.isfinite(v) and v >= 0 for v in values):
                raise Problem(f"{name} {values!r} after {epochs} epochs")
        n_train = len(reading[0])
        n_eval = len(evaluation[0]) if isinstance(evaluation, tuple) else len(evaluation or [])
        for name, values, n in (("evaluation_accuracy", e_acc, n_eval), ("training_accuracy", t_acc, n_train)):
            if len(values) not in (0, epochs) or not all(isinstance(v, int) and 0 <= v <= n for v in values):
                raise Problem(f"{name} {values!r} of {n} after {epochs} epochs")
        for layer in (*net.weights, *net.biases):
            if not np.isfinite(layer).all():
                raise Problem("non-finite parameters after training")
    names = ["sizes", "cost", "dtype", "activation", "output", "encoding", "training_data",
             "evaluation_data", "epochs", "mini_batch_size", "eta", "lmbda", "l1", "momentum",
             "dropout", "halve_eta", "early_stopping_n", "monitor", "diverged", "softmax", "threads"]
    return judge(call, names, check)


def case_sklearn(p: dict) -> dict:
    """MLPClassifier(params).fit (or partial_fit) then predict/predict_proba."""
    from fastnet.sklearn import MLPClassifier
    params = {key: value(v) for key, v in p["params"].items()}
    X, y, X2 = make_array(p["X"]), make_array(p["y"]), make_array(p["X2"])
    if p.get("y_strings") and y.dtype.kind in "iu":
        y = np.array([f"class {v}" for v in y.reshape(-1)], dtype=object).reshape(y.shape)

    def call():
        model = MLPClassifier(**params)
        if p["partial"]:
            model.partial_fit(X, y, classes=np.unique(y) if y.dtype.kind != "O" else sorted(set(y.ravel())))
        else:
            model.fit(X, y)
        return model, model.predict(X2), model.predict_proba(X2)

    def check(outcome):
        model, labels, proba = outcome
        n = len(X2)
        if labels.shape != (n,) or not np.isin(labels, model.classes_).all():
            raise Problem(f"predict gave {labels!r:.100} for classes {model.classes_!r}")
        if proba.shape != (n, len(model.classes_)) or not np.isfinite(proba).all() \
                or (n and np.abs(proba.sum(axis=1) - 1).max() > 1e-6) or (proba < 0).any():
            raise Problem(f"predict_proba gave {proba!r:.200}")
        if n and not np.array_equal(labels, model.classes_[np.argmax(proba, axis=1)]):
            raise Problem("predict disagrees with predict_proba's argmax")
    names = ["X", "y", "classes", "sample", "feature", "Complex data", "hidden_layer_sizes",
             *params, "learning_rate", "diverged"]
    return judge(call, names, check)


# -- model files ----------------------------------------------------------------------------
_SAVED = {}


def _saved(form: str, dtype: str) -> tuple:
    """(net, bytes of its file) for a small saved network (made once per worker)."""
    key = (form, dtype)
    if key not in _SAVED:
        np.random.seed(7)
        net = fastnet.Network([4, 3, 2], np.float32 if dtype == "float32" else np.float64)
        net.history.append({"eta": 3.0, "correct": 1, "n_test": 2})
        path = SCRATCH / f"model.{form}"
        net.save(path)
        _SAVED[key] = (net, path.read_bytes())
    return _SAVED[key]


def _mutate_bytes(data: bytes, mutations) -> bytes:
    data = bytearray(data)
    for kind, where, amount in mutations:
        at = int(where * len(data)) % max(1, len(data))
        if kind == "flip" and data:
            data[at] ^= 1 << (amount % 8)
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = bytes([amount % 256]) * (1 + amount % 7)
        elif kind == "zero":
            data[at:at + amount] = bytes(len(data[at:at + amount]))
    return bytes(data)


def _mutate_json(data: bytes, edits) -> bytes:
    model = json.loads(data)
    for path, new in edits:
        target, keys = model, list(path)
        try:
            for key in keys[:-1]:
                target = target[key if isinstance(target, dict) else int(key) % len(target)]
            last = keys[-1]
            if isinstance(target, list):
                last = int(last) % len(target) if target else 0
            if new == "<delete>":
                del target[last]
            else:
                target[last] = _json_value(new)
        except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError):
            continue
    deep = "[" * 100_000 + "0" + "]" * 100_000  # nested beyond Python's recursion limit
    return json.dumps(model, allow_nan=True).replace('"<deep>"', deep).encode()


def _json_value(new):
    if new == "<nan>":
        return float("nan")
    return new


def case_load(p: dict) -> dict:
    """fastnet.load / network2.load on a mutated model file: refused naming the file,
    or loaded with the saved parameters (when the file keeps the saved checksum)."""
    net, data = _saved(p["form"], p["dtype"])
    if p["form"] == "json" and p["edits"]:
        data = _mutate_json(data, p["edits"])
    data = _mutate_bytes(data, p["mutations"])
    path = SCRATCH / f"{uuid.uuid4().hex}.{p['suffix']}"
    path.write_bytes(data)
    loader = fastnet.load if p["loader"] == "fastnet" else network2.load
    dtype = value(p["load_dtype"])
    original = json.loads(_saved("json", p["dtype"])[1])["metadata"]["checksum"]

    def check(loaded):
        layers = [*loaded.weights, *loaded.biases]
        if not all(np.isfinite(a).all() for a in layers):
            raise Problem("non-finite parameters loaded")
        for l, (w, b) in enumerate(zip(loaded.weights, loaded.biases)):
            if w.shape != (loaded.sizes[l + 1], loaded.sizes[l]) or b.shape != (loaded.sizes[l + 1], 1):
                raise Problem(f"layer {l} of shape {w.shape}, {b.shape} for sizes {loaded.sizes}")
        if loaded.metadata.get("checksum") == original:
            for got, saved in zip(layers, [*net.weights, *net.biases]):
                if got.shape != saved.shape or not np.array_equal(got, saved.astype(got.dtype)):
                    raise Problem("parameters differ from the saved ones under the saved checksum")
        loaded.feedforward(np.zeros((loaded.sizes[0], 1)))
    result = judge(lambda: loader(path, dtype=dtype), [str(path), "dtype"], check)
    path.unlink()
    return result


# -- vision -----------------------------------------------------------------------------------
_READER = {}


def case_vision(p: dict) -> dict:
    """segment / images.to_mnist / read_number on an image, and on its canonical copy
    (C-contiguous, writeable, same dtype): the same answer."""
    image = make_array(p["image"])
    invert = value(p["invert"])
    if p["function"] == "read_number" and "net" not in _READER:
        np.random.seed(3)
        _READER["net"] = fastnet.Network([784, 16, 10])
    run = {"segment": lambda a: segment(a, invert=invert),
           "to_mnist": lambda a: images.to_mnist(a, invert=invert),
           "read_number": lambda a: _READER["net"].read_number(a, invert=invert)}[p["function"]]

    def check(result):
        plain = canonical(image, image.dtype) if image.dtype.kind != "O" else image
        if p["function"] == "to_mnist":
            if result.shape != (784,) or result.dtype != np.float32 or not np.isfinite(result).all() \
                    or result.min() < 0 or result.max() > 1:
                raise Problem(f"to_mnist gave {result.shape} {result.dtype} in "
                              f"[{result.min()}, {result.max()}]")
            if not np.array_equal(result, run(plain)):
                raise Problem("the canonical copy of the image gives another vector")
            return
        digits = result if p["function"] == "segment" else result.segments
        h, w = image.shape
        for d in digits:
            top, left, bottom, right = d.box
            if not (0 <= top < bottom <= h and 0 <= left < right <= w):
                raise Problem(f"box {d.box} outside the {h}x{w} image")
            if d.pixels.shape != (784,) or not np.isfinite(d.pixels).all() \
                    or d.pixels.min() < 0 or d.pixels.max() > 1:
                raise Problem(f"digit pixels {d.pixels.shape} out of [0, 1]")
        if p["function"] == "read_number":
            if len(result.text) != len(digits) or not (result.text.isdigit() or not digits):
                raise Problem(f"text {result.text!r} for {len(digits)} digits")
        again = run(plain)
        boxes = [d.box for d in (again if p["function"] == "segment" else again.segments)]
        if boxes != [d.box for d in digits]:
            raise Problem("the canonical copy of the image gives other digits")
    return judge(lambda: run(image), ["image", "invert", "digit", "pixels"], check)


# -- the command line ---------------------------------------------------------------------------
def case_cli(p: dict) -> dict:
    """fastnet's parser on an argv: an argparse error (status 2) naming the option or
    argument, or a namespace whose numbers are what the options promise."""
    from fastnet.cli import build_parser
    argv = [token.replace("{scratch}", str(SCRATCH)) for token in p["argv"]]
    stderr = io.StringIO()

    def call():
        with contextlib.redirect_stderr(stderr):
            try:
                return build_parser().parse_args(argv)
            except SystemExit as exit:
                return exit

    def check(result):
        if isinstance(result, SystemExit):
            message = stderr.getvalue()
            if result.code not in (0, 2):
                raise Problem(f"exit status {result.code}: {message}")
            if result.code == 2 and not ("argument" in message or "required" in message
                                         or "invalid choice" in message):
                raise Problem(f"the error names no argument: {message}")
            return
        for key, v in vars(result).items():
            for item in (v if isinstance(v, list) else [v]):
                for number in (item if isinstance(item, list) else [item]):
                    if isinstance(number, float) and not math.isfinite(number):
                        raise Problem(f"--{key} parsed as {v!r}")
                    if key in ("epochs", "batch", "seeds", "jobs", "threads", "rounds") \
                            and not (is_int(number, 1) or number is None):
                        raise Problem(f"--{key} parsed as {v!r}")
                    if key in ("eta",) and not (is_real(number, 0, low_open=True) or number is None):
                        raise Problem(f"--{key} parsed as {v!r}")
    return judge(call, [], check)


CASES = {"network2": case_network2, "sklearn": case_sklearn, "load": case_load,
         "vision": case_vision, "cli": case_cli}
