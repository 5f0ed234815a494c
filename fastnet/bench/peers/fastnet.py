"""fastnet itself: ``Network(sizes, dtype=np.float32)`` trained with ``train_epochs``,
compiled with Numba; ``fastnet-1thread`` is the same on one thread whatever the run's
``--threads`` (beside a two-thread row it measures the second thread's speed-up)."""
import random
import time
from typing import List

import numpy as np

from .base import Impl


def fastnet_network(sizes, threads: int):
    """A float32 fastnet Network training on exactly ``threads`` threads."""
    from ...core.model import Network
    return Network(sizes, dtype=np.float32, threads=threads)


class FastnetImpl(Impl):
    """fastnet shuffles with ``random`` itself: each epoch sets the ``random`` state to
    ``order.state`` so that its first epoch visits ``order.indices``."""
    name, label = "fastnet", "fastnet (Numba, float32)"

    def __init__(self, sizes, X, y, batch, eta, threads, epochs_per_call=1):
        super().__init__(sizes, X, y, batch, eta)
        self.sizes, self.threads, self.epochs_per_call = sizes, threads, epochs_per_call
        self.net = fastnet_network(sizes, threads)
        self.kernel_seconds: List[float] = []

    @classmethod
    def from_config(cls, sizes, X, y, config):
        return cls(sizes, X, y, config.batch, config.eta, config.threads, config.epochs_per_call)

    def reset(self, weights, biases):
        self.net.weights = weights
        self.net.biases = biases

    def _train(self, X, y, order, epochs: int) -> list:
        from ...core.threads import using_threads
        random.setstate(order.state)
        with using_threads(self.threads):
            results = list(self.net.train_epochs((X, y), epochs, self.batch, self.eta))
        self.net.history.clear()
        return results

    def epoch(self, order):
        """Seconds: the wall time of one ``train_epochs`` call of ``epochs_per_call``
        epochs (its input checks included), per epoch."""
        start = time.perf_counter()
        results = self._train(self.X, self.y, order, self.epochs_per_call)
        seconds = (time.perf_counter() - start) / self.epochs_per_call
        self.kernel_seconds.append(sum(r.seconds for r in results) / len(results))
        return seconds

    def warm_up(self, order):
        self._train(self.X[:300], self.y[:300], order, 1)  # compiles (or loads) the kernels

    def train_exact(self, order):
        self._train(self.X, self.y, order, 1)

    def for_check(self, X, y):
        """A copy on ``X``, ``y``: it shuffles range(len(its data)), as the order does."""
        return type(self)(self.sizes, X, y, self.batch, self.eta, self.threads)

    def parameters(self):
        return ([np.array(w, np.float64) for w in self.net.weights],
                [np.array(b, np.float64) for b in self.net.biases])

    def versions(self):
        import numba

        from ...config import __version__
        return {"fastnet": __version__, "numba": numba.__version__}

    def extra_results(self):
        return {"kernel_seconds": self.kernel_seconds}


class FastnetOneThreadImpl(FastnetImpl):
    """fastnet on one thread, in a run whose other rows may use more."""
    name, label = "fastnet-1thread", "fastnet (Numba, float32, 1 thread)"

    @classmethod
    def from_config(cls, sizes, X, y, config):
        return cls(sizes, X, y, config.batch, config.eta, 1, config.epochs_per_call)
