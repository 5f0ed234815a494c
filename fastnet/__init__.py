"""fastnet: the book's network.py, compiled with Numba.

``fastnet.Network`` is ``fastnet.network.Network``; ``fastnet.network2`` is the book's
improved network; ``fastnet.load`` reads a saved model; ``fastnet.mnist_loader`` is the
book's loader; ``fastnet.MLPClassifier`` is a scikit-learn estimator (``fastnet.sklearn``,
imported on first use); ``fastnet`` on the command line trains,
evaluates and predicts (``fastnet.cli``). Importing compiles nothing: kernels compile on first use and are cached
on disk.
"""
from .config import __version__
from .network import Network, sigmoid, sigmoid_prime

__all__ = ["Network", "MLPClassifier", "load", "sigmoid", "sigmoid_prime", "__version__"]


def __getattr__(name):  # imported on first use: scikit-learn, and persist (not needed to train)
    if name == "MLPClassifier":
        from .sklearn import MLPClassifier
        return MLPClassifier
    if name == "load":
        from .io.persist import load
        return load
    raise AttributeError(f"module 'fastnet' has no attribute {name!r}")
