"""Converting the book's data form, lists of ``(x, y)`` pairs, into the arrays the
kernels take: what ``SGD``, ``evaluate`` and network2's monitors pay on a list before any
training. The training list (50,000 pairs, one-hot (10, 1) columns) and the test list
(10,000 pairs, int labels), in the loader's order and shuffled in place (as every ``SGD``
call leaves the caller's list); built as a script builds them (``ListToArrays``) and as
``load_data_wrapper`` does (``LoaderListToArrays``, ``SGDCallOnList``). Building the
lists and compiling happen in setup.

Run as a script, it times the book's lists in this checkout against another one,
interleaved (each checkout in its own child process, its own Numba cache):

    python -m benchmarks.bench_inputs --baseline /path/to/other/checkout --data DIR [--rounds 7]

the conversion of each list (and of the training list with each pair copied, as a
script builds its own), a 1-epoch ``net.SGD(training_data, 1, 10, 3.0)`` on a fresh
loader list and then again on the list it shuffled, and the book's whole run
``SGD(training_data, 30, 10, 3.0, test_data=test_data)`` (``--runs`` rounds).
"""
import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.common import mnist, seeded_network


def book_lists(data):
    """(training, test) lists like load_data_wrapper's: x (784, 1) float32 views of one
    array, y a (10, 1) float64 one-hot column (training) or the label (test)."""
    (X, y), (X_test, y_test) = data
    one_hot = np.zeros((len(y), 10, 1))
    one_hot[np.arange(len(y)), y, 0] = 1.0
    return list(zip(X[:, :, None], one_hot)), list(zip(X_test[:, :, None], y_test))


def loader_lists(data):
    """(training, test) lists as load_data_wrapper makes them: its x's and one-hot y's
    made by ``fastnet.core.pairs.row_views`` (``lend_rows`` on older commits) where
    fastnet has it, else as book_lists."""
    try:
        from fastnet.core.pairs import row_views as lend_rows
    except ImportError:
        try:
            from fastnet.core.pairs import lend_rows
        except ImportError:
            return book_lists(data)
    (X, y), (X_test, y_test) = data
    one_hot = np.zeros((len(y), 10))
    one_hot[np.arange(len(y)), y] = 1.0
    return (list(zip(lend_rows(X, (784, 1)), lend_rows(one_hot, (10, 1)))),
            list(zip(lend_rows(X_test, (784, 1)), y_test)))


def list_converter():
    """fastnet's conversion of a list of pairs (``core.validate.to_arrays``); on a commit
    from before it existed, NotImplementedError, which asv reports as a skipped benchmark
    rather than a failed one."""
    try:
        from fastnet.core.validate import to_arrays
    except ImportError:
        raise NotImplementedError("this commit has no fastnet.core.validate.to_arrays") from None
    return to_arrays


class ListToArrays:
    params = (["training one-hot", "test labels"], ["loader order", "shuffled"],
              ["float32", "float64"])
    param_names = ["data", "order", "dtype"]
    timeout = 120

    def setup_cache(self):
        return mnist()

    def setup(self, data, which, order, dtype):
        to_arrays = list_converter()
        training, test = book_lists(data)
        self.pairs = training if which == "training one-hot" else test
        if order == "shuffled":
            random.Random(0).shuffle(self.pairs)
        self.dtype = np.dtype(dtype).type
        self.convert = lambda pairs: to_arrays(pairs, 784, 10, self.dtype, "training_data", 10,
                                               finite=False)
        self.convert(self.pairs[:20])  # compile (or load the cache) now

    def time_list_to_arrays(self, data, which, order, dtype):
        self.convert(self.pairs)


class LoaderListToArrays(ListToArrays):
    """ListToArrays on the lists as load_data_wrapper makes them."""

    def setup(self, data, which, order, dtype):
        super().setup(data, which, order, dtype)
        training, test = loader_lists(data)
        self.pairs = training if which == "training one-hot" else test
        if order == "shuffled":
            random.Random(0).shuffle(self.pairs)


class SGDCallOnList:
    """What one ``SGD`` call on the book's training list pays before its first epoch:
    the conversion, the targets, and the check that the inputs are those of the last
    call (``net.SGD(training_data, 0, 10, 3.0)``: no epoch, so the list keeps its order)."""
    params = ["loader order", "shuffled"]
    param_names = ["order"]
    timeout = 120

    def setup_cache(self):
        return mnist()

    def setup(self, data, order):
        self.pairs = loader_lists(data)[0]
        if order == "shuffled":
            random.Random(0).shuffle(self.pairs)
        self.net = seeded_network([784, 30, 10])
        self.net.SGD(self.pairs[:20], 1, 10, 3.0)  # compile (or load the cache) now
        self.net.SGD(self.pairs, 0, 10, 3.0)  # the inputs' sparse form, as after a first call

    def time_sgd_call_before_training(self, data, order):
        self.net.SGD(self.pairs, 0, 10, 3.0)


CHILD = r"""
import contextlib, io, json, random, sys, time
import numpy as np
from fastnet import Network
from fastnet.core.validate import to_arrays
from fastnet.mnist_loader import load_data_wrapper
training, _, test = load_data_wrapper(sys.argv[1])
lists = {("training", "loader order"): training, ("test", "loader order"): test,
         ("training", "script-built"): [(x.copy(), y.copy()) for x, y in training]}
for which, pairs in list(lists.items())[:2]:
    lists[which[0], "shuffled"] = shuffled = list(pairs)
    random.Random(0).shuffle(shuffled)

def network():
    np.random.seed(0); random.seed(0)
    return Network([784, 30, 10])

def seconds(call):
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        call()
    return time.perf_counter() - start

seconds(lambda: network().SGD(training[:200], 1, 10, 3.0, test_data=test[:200]))  # compile, or load the cache
for line in sys.stdin:
    task = json.loads(line)
    if task[0] == "convert":
        pairs, dtype = lists[task[1], task[2]], np.dtype(task[3]).type
        times = [seconds(lambda: to_arrays(pairs, 784, 10, dtype, "training_data", 10, finite=False))]
    else:  # ["sgd", epochs]: a fresh list in the loader's order, then again on the list it shuffled
        net, pairs = network(), list(training)
        run = lambda: net.SGD(pairs, task[1], 10, 3.0, test_data=test if task[1] > 1 else None)
        times = [seconds(run)] + ([seconds(run)] if task[1] == 1 else [])
    print(json.dumps(times), flush=True)
"""


def _timed(child: subprocess.Popen, task) -> list:
    """The seconds ``child`` reports for ``task``."""
    child.stdin.write(json.dumps(task) + "\n")
    child.stdin.flush()
    answer = child.stdout.readline()
    if not answer:
        raise RuntimeError(f"a child process ended early on {task} (see its error above)")
    return json.loads(answer)


def main() -> int:
    parser = argparse.ArgumentParser(description="The book's lists: this checkout against another, interleaved")
    parser.add_argument("--baseline", required=True, type=Path, help="the other fastnet checkout")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of the conversions and 1-epoch calls")
    parser.add_argument("--runs", type=int, default=3, help="rounds of the 30-epoch run")
    parser.add_argument("--data", default=os.environ.get("FASTNET_DATA"),
                        help="folder of the MNIST IDX files (default: $FASTNET_DATA)")
    args = parser.parse_args()
    if not args.data:
        parser.error("--data (or $FASTNET_DATA) is needed")
    checkouts = {"this": Path(__file__).resolve().parents[1], "baseline": args.baseline.resolve()}
    tasks = [("convert", which, order, dtype) for which in ("training", "test")
             for order in ("loader order", "shuffled") for dtype in ("float32", "float64")]
    tasks.insert(4, ("convert", "training", "script-built", "float32"))
    tasks = [(task, args.rounds) for task in tasks] + [(("sgd", 1), args.rounds), (("sgd", 30), args.runs)]
    tasks = [(task, rounds) for task, rounds in tasks if rounds > 0]
    with tempfile.TemporaryDirectory() as caches, contextlib.ExitStack() as children_running:
        children = {name: children_running.enter_context(subprocess.Popen(
            [sys.executable, "-c", CHILD, str(Path(args.data).resolve())], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, cwd=checkout,
            env=dict(os.environ, PYTHONPATH=str(checkout), NUMBA_CACHE_DIR=os.path.join(caches, name))))
            for name, checkout in checkouts.items()}  # each closed and waited for at the end
        print(f"this: {checkouts['this']}\nbaseline: {checkouts['baseline']}\n")
        print("| task | this (s) | baseline (s) | baseline / this |\n|---|---:|---:|---:|")
        for task, rounds in tasks:
            times = {name: [] for name in children}
            for r in range(rounds):  # the order alternates, so that drift hits both alike
                for name in (list(children) if r % 2 == 0 else list(children)[::-1]):
                    times[name].append(_timed(children[name], task))
            labels = [" ".join(map(str, task))] + (["sgd 1 again (shuffled list)"] if task == ("sgd", 1) else [])
            for k, label in enumerate(labels):
                this, base = (statistics.median(t[k] for t in times[n]) for n in ("this", "baseline"))
                print(f"| {label} | {this:.4f} | {base:.4f} | {base / this:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
