"""fastnet: the book's network.py, compiled with Numba.

``fastnet.Network`` is ``fastnet.network.Network``; ``fastnet.mnist_loader`` is the
book's loader. Importing compiles nothing: kernels compile on first use and are cached
on disk.
"""
__version__ = "0.1.0"

from .network import Network, sigmoid, sigmoid_prime  # noqa: E402

__all__ = ["Network", "sigmoid", "sigmoid_prime", "__version__"]
