"""Converting the book's data form, lists of ``(x, y)`` pairs as ``load_data_wrapper``
makes them, into the arrays the kernels take: what ``SGD``, ``evaluate`` and network2's
monitors pay on a list before any training. The training list (50,000 pairs, one-hot
(10, 1) columns) and the test list (10,000 pairs, int labels), in the loader's order
and shuffled in place (as every ``SGD`` call leaves the caller's list). Building the
lists and compiling happen in setup."""
import random

import numpy as np

from benchmarks.common import mnist


def book_lists(data):
    """(training, test) lists like load_data_wrapper's: x (784, 1) float32 views of one
    array, y a (10, 1) float64 one-hot column (training) or the label (test)."""
    (X, y), (X_test, y_test) = data
    one_hot = np.zeros((len(y), 10, 1))
    one_hot[np.arange(len(y)), y, 0] = 1.0
    return list(zip(X[:, :, None], one_hot)), list(zip(X_test[:, :, None], y_test))


class ListToArrays:
    params = (["training one-hot", "test labels"], ["loader order", "shuffled"],
              ["float32", "float64"])
    param_names = ["data", "order", "dtype"]
    timeout = 120

    def setup_cache(self):
        return mnist()

    def setup(self, data, which, order, dtype):
        from fastnet.core.validate import to_arrays
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
