"""fastnet: the book's network.py, compiled with Numba.

``fastnet.Network`` is ``fastnet.network.Network``; ``fastnet.load`` reads a saved model;
``fastnet.mnist_loader`` is the book's loader; ``fastnet`` on the command line trains,
evaluates and predicts (``fastnet.cli``). Importing compiles nothing: kernels compile on first use and are cached
on disk.
"""
__version__ = "0.1.0"

from .network import Network, sigmoid, sigmoid_prime  # noqa: E402
from .persist import load  # noqa: E402

__all__ = ["Network", "load", "sigmoid", "sigmoid_prime", "__version__"]
