"""One training epoch (50,000 examples) and the evaluation of 10,000, by sizes, batch
and dtype. Compilation happens in setup (warm-up), never in the timed call."""
import contextlib
import io

import numpy as np

from .common import mnist, seeded_network


class TrainEpoch:
    params = ([[784, 30, 10], [784, 100, 10], [784, 128, 64, 10]], [10, 100], ["float32", "float64"])
    param_names = ["sizes", "batch", "dtype"]
    timeout = 300

    def setup_cache(self):
        return mnist()

    def setup(self, data, sizes, batch, dtype):
        (self.X, self.y), self.test = data
        self.net = seeded_network(sizes, np.dtype(dtype).type)
        self.epoch(self.X[:200], self.y[:200], batch)  # compile (or load the cache) now

    def epoch(self, X, y, batch):
        with contextlib.redirect_stdout(io.StringIO()):
            self.net.SGD((X, y), 1, batch, 3.0)

    def time_epoch(self, data, sizes, batch, dtype):
        self.epoch(self.X, self.y, batch)

    def peakmem_epoch(self, data, sizes, batch, dtype):
        self.epoch(self.X, self.y, batch)


class Evaluate:
    params = [[[784, 30, 10], [784, 100, 10]]]
    param_names = ["sizes"]

    def setup_cache(self):
        return mnist()

    def setup(self, data, sizes):
        _, self.test = data
        self.net = seeded_network(sizes)
        self.net.evaluate(self.test)  # compile

    def time_evaluate_10000(self, data, sizes):
        self.net.evaluate(self.test)


class Accuracy:
    """Test accuracy (%) after one epoch of the book's net: guards learning, not speed."""
    unit = "%"

    def setup_cache(self):
        return mnist()

    def track_accuracy_after_one_epoch(self, data):
        (X, y), test = data
        net = seeded_network([784, 30, 10])
        with contextlib.redirect_stdout(io.StringIO()):
            net.SGD((X, y), 1, 10, 3.0)
        return 100.0 * net.evaluate(test) / len(test[1])
