"""One training epoch (50,000 examples) and the evaluation of 10,000, by sizes, batch,
threads and dtype; an epoch with the modern options. Compilation happens in setup
(warm-up), never in the timed call. Real MNIST from $FASTNET_DATA, else synthetic data
announced on stderr (benchmarks/common.py)."""
import contextlib
import io

import numpy as np

from benchmarks.common import SYNTHETIC_WARNING, mnist, real_data, require, seeded_network


class TrainEpoch:
    params = ([[784, 30, 10], [784, 100, 10], [784, 128, 64, 10]], [10, 100], [1, 2],
              ["float32", "float64"])
    param_names = ["sizes", "batch", "threads", "dtype"]
    timeout = 300

    def setup_cache(self):
        return mnist()

    def setup(self, data, sizes, batch, threads, dtype):
        (self.X, self.y), self.test = data
        self.net = seeded_network(sizes, np.dtype(dtype).type, threads=threads)
        self.epoch(self.X[:200], self.y[:200], batch)  # compile (or load the cache) now

    def epoch(self, X, y, batch):
        with contextlib.redirect_stdout(io.StringIO()):
            self.net.SGD((X, y), 1, batch, 3.0)

    def time_epoch(self, data, sizes, batch, threads, dtype):
        self.epoch(self.X, self.y, batch)

    def peakmem_epoch(self, data, sizes, batch, threads, dtype):
        self.epoch(self.X, self.y, batch)


class TrainOptions:
    """An epoch of [784, 100, 10] with the options of chapter 3 and after."""
    params = [["cross-entropy+l2", "relu+softmax+momentum+l2", "relu+softmax+dropout"]]
    param_names = ["options"]
    timeout = 300
    CONFIGS = {
        "cross-entropy+l2": (dict(cost="cross-entropy", init="scaled"), dict(lmbda=5.0), 0.5),
        "relu+softmax+momentum+l2": (dict(activation="relu", cost="log-likelihood", init="he"),
                                     dict(momentum=0.9, lmbda=2.0), 0.02),
        "relu+softmax+dropout": (dict(activation="relu", cost="log-likelihood", init="he"),
                                 dict(dropout=0.2), 0.1),
    }

    def setup_cache(self):
        return mnist()

    def setup(self, data, options):
        (self.X, self.y), _ = data
        net_options, self.options, self.eta = self.CONFIGS[options]
        self.net = seeded_network([784, 100, 10], **net_options)
        if not hasattr(self.net, "train_epochs"):
            raise NotImplementedError("Network.train_epochs is not in this commit")
        require(self.net.train_epochs, *self.options)
        list(self.net.train_epochs((self.X[:200], self.y[:200]), 1, 10, self.eta, **self.options))

    def time_epoch(self, data, options):
        list(self.net.train_epochs((self.X, self.y), 1, 10, self.eta, **self.options))


class Evaluate:
    params = ([[784, 30, 10], [784, 100, 10]], [1, 2])
    param_names = ["sizes", "threads"]
    timeout = 300

    def setup_cache(self):
        return mnist()

    def setup(self, data, sizes, threads):
        _, self.test = data
        self.net = seeded_network(sizes, threads=threads)
        self.net.evaluate(self.test)  # compile

    def time_evaluate_10000(self, data, sizes, threads):
        self.net.evaluate(self.test)


class Accuracy:
    """Test accuracy (%) on MNIST after one epoch of the book's net: guards learning, not
    speed. Skipped without $FASTNET_DATA (on synthetic labels it would read ~10%)."""
    unit = "%"
    timeout = 300  # the first call after installing a commit compiles evaluate's kernels

    def setup_cache(self):
        return mnist()

    def setup(self, data):
        if not real_data():
            raise NotImplementedError(SYNTHETIC_WARNING)

    def track_accuracy_after_one_epoch(self, data):
        (X, y), test = data
        net = seeded_network([784, 30, 10])
        with contextlib.redirect_stdout(io.StringIO()):
            net.SGD((X, y), 1, 10, 3.0)
        return 100.0 * net.evaluate(test) / len(test[1])
