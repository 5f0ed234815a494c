"""network.py, compiled: the book's ``Network`` with the same names, signatures,
attributes, randomness and printed output, running on Numba kernels.

Change ``import network`` to ``from fastnet import network`` (or ``from fastnet.network
import *``) and keep the script. The class itself is :class:`fastnet.core.model.Network`.
"""
from .core.activations import sigmoid, sigmoid_prime
from .core.model import Network, _rebuild  # noqa: F401  pickles name fastnet.network._rebuild

__all__ = ["Network", "sigmoid", "sigmoid_prime"]
