"""The flat parameter buffer: where each layer's weights and biases live.

Layer after layer, the weights then the biases, as ``fastnet.kernels.layout`` describes:
the first layer transposed and padded to whole SIMD vectors (so zero inputs cost
nothing), every later layer ``W^l`` (``sizes[l+1] x sizes[l]``, row-major). The
network's ``weights`` and ``biases`` are views into it (the first layer's a transposed,
strided view), so the kernels update in place what the user sees.
"""
from typing import List, Sequence

import numpy as np

from ..kernels.layout import LANES

#: bytes every flat buffer starts on: a cache line. A padded first-layer row (a whole
#: number of SIMD vectors) then never straddles more cache lines than it must, and no
#: vector load splits across two (numpy's own alignment is only 16 bytes, so an epoch's
#: speed would vary from run to run with where the buffer landed).
ALIGNMENT = 64


def aligned_zeros(size: int, dtype) -> np.ndarray:
    """A zeroed (size,) array of dtype whose first element is at a multiple of
    ``ALIGNMENT`` bytes."""
    dtype = np.dtype(dtype)
    raw = np.zeros(size * dtype.itemsize + ALIGNMENT, dtype=np.uint8)
    skip = -raw.ctypes.data % ALIGNMENT
    return raw[skip : skip + size * dtype.itemsize].view(dtype)


class ParameterLayout:
    """Offsets of every layer in the flat buffer of a network of ``sizes``."""

    def __init__(self, sizes: Sequence[int]):
        self.sizes = np.asarray(sizes, dtype=np.int64)
        #: the first layer's padded width (its neurons, rounded up to whole vectors)
        self.first_width = -(-int(sizes[1]) // LANES) * LANES
        counts = [n_out * n_in + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        counts[0] = (int(sizes[0]) + 1) * self.first_width
        #: start of ``W^l`` for every layer, int64 (the kernels' ``starts``)
        self.starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        #: number of parameters
        self.size = int(sum(counts))

    def weight_views(self, params: np.ndarray) -> List[np.ndarray]:
        """``W^l`` for every layer, as (sizes[l+1], sizes[l]) views of ``params`` (the first
        one a transposed view of the stored (sizes[0], first_width) block)."""
        n_in, width, n_out = int(self.sizes[0]), self.first_width, int(self.sizes[1])
        first = params[: n_in * width].reshape(n_in, width)[:, :n_out].T
        views = [first]
        for start, n_in, n_out in zip(self.starts[1:], self.sizes[1:-1], self.sizes[2:]):
            views.append(params[start : start + n_out * n_in].reshape(n_out, n_in))
        return views

    def bias_views(self, params: np.ndarray) -> List[np.ndarray]:
        """``b^l`` for every layer, as (sizes[l+1], 1) column views of ``params``."""
        views = []
        for l, (start, n_in, n_out) in enumerate(zip(self.starts, self.sizes[:-1], self.sizes[1:])):
            begin = start + (n_in * self.first_width if l == 0 else n_out * n_in)
            views.append(params[begin : begin + n_out].reshape(n_out, 1))
        return views


class FixedList(list):
    """A list whose length and order are fixed: every method that would add, remove or
    reorder items raises TypeError (``refusal`` says what to do instead). It pickles
    and copies as a plain list."""

    refusal = "this list's length and order are fixed"

    def _refuse(self, *args, **kwargs):
        raise TypeError(self.refusal)

    append = extend = insert = pop = remove = reverse = sort = clear = _refuse
    __delitem__ = __iadd__ = __imul__ = _refuse

    def __reduce__(self):
        return list, (list(self),)


class Sizes(FixedList):
    """A network's layer sizes: reads as the list of ints the book's code indexes, and
    refuses every change (the layout of the parameter buffer follows from them)."""

    refusal = ("net.sizes is read-only: a network's layer sizes are fixed when it is made; "
               "for other sizes make a new network, Network([...])")

    __setitem__ = FixedList._refuse


class LayerList(FixedList):
    """A list of per-layer views. ``layers[i] = array`` copies the array into the
    view (after a shape check) instead of replacing it, so the flat buffer stays the
    one source of truth, as assigning ``net.weights[i]`` does in the original; the
    number and order of layers are fixed by the network's sizes."""

    def __init__(self, views: List[np.ndarray], name: str):
        super().__init__(views)
        self._name = name

    @property
    def refusal(self) -> str:
        name = self._name
        return (f"net.{name} has one layer per layer of the network, in order: it cannot "
                f"grow, shrink or be reordered; assign one layer (net.{name}[i] = array) or "
                f"a whole list (net.{name} = [...])")

    def __setitem__(self, index, value):
        if not isinstance(index, (int, np.integer)):
            self._refuse()
        copy_into(list.__getitem__(self, index), value, f"{self._name}[{index}]")


def copy_into(view: np.ndarray, value, what: str) -> None:
    """Check ``value`` (shape of ``view``, or (n,) for an (n, 1) column; finite in the
    view's dtype), then copy it in. Nothing is written unless every check passes."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be a numeric array, got dtype {array.dtype}")
    if array.shape != view.shape and not (view.shape[1:] == (1,) and array.shape == view.shape[:1]):
        raise ValueError(f"{what} must have shape {view.shape}, got {array.shape}")
    with np.errstate(over="ignore"):
        cast = array.astype(view.dtype).reshape(view.shape)
    if not np.isfinite(cast).all():
        raise ValueError(f"{what} contains NaN or infinity (or values too large for {view.dtype})")
    view[...] = cast


def layers_property(attribute: str, doc: str) -> property:
    """``weights`` or ``biases``: reads give the per-layer views of the flat buffer;
    assigning a list copies every layer in (all or none, see ``Network._assign``)."""
    def get(self) -> List[np.ndarray]:
        return getattr(self, attribute)

    def assign(self, layers: Sequence[np.ndarray]) -> None:
        self._assign(getattr(self, attribute), layers, attribute.lstrip("_"))
    return property(get, assign, doc=doc)


def read_only(attribute: str, doc: str, instead: str,
              because: str = "the network's parameter buffer is laid out for it") -> property:
    """An attribute the network is built for (the layout: ``sizes``, ``dtype``,
    ``num_layers``; the neurons: ``activation``, ``output``, ``encoding``): assigning it
    raises AttributeError saying why not and what to do instead."""
    name = attribute.lstrip("_")

    def get(self):
        return len(self._sizes) if name == "num_layers" else getattr(self, attribute)

    def refuse(self, value) -> None:
        raise AttributeError(f"{name} is read-only: {because}; {instead}")
    return property(get, refuse, doc=doc)


def neuron_attribute(attribute: str, doc: str) -> property:
    """``read_only`` for what the neurons are (``activation``, ``output``, ``encoding``)."""
    return read_only(attribute, doc, "make a new network with the same parameters: "
                     "Network.from_parameters(net.sizes, net.weights, net.biases, "
                     "activation=..., output=..., encoding=...)",
                     "the compiled layer codes and the training targets follow it")
