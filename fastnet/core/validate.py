"""Validation and conversion of user data into the contiguous arrays the kernels take.

Everything a kernel would trust blindly is checked here first (Numba does not check
bounds): shapes, dtypes, finiteness, label range, emptiness, hyper-parameters. The
number and layer-size checks here are the only ones: every layer above calls them.
"""
import math
import numbers
from typing import List, Optional, Tuple, Union

import numpy as np

from ..config import DTYPES
from ..kernels.checks import first_non_finite
from .pairs import stack_pairs

#: no network has this many parameters: their offsets would overflow int64 in bytes
MAX_PARAMETERS = 2**60

Labels = np.ndarray   # (n,) int64, each in [0, number of classes)
Targets = np.ndarray  # (n, n_out) float, the desired output activations


class WrongType(TypeError, ValueError):
    """An argument of the wrong type: a TypeError, and a ValueError too, so that callers
    which report every bad value as a ValueError (scikit-learn's parameters, the thread
    count) catch it with the others."""


def check_int(value, name: str, low: Optional[int] = None, high: Optional[int] = None,
              high_means: str = "") -> int:
    """``value`` as an int: an integer (not a bool) from ``low`` to ``high`` (inclusive,
    None: unbounded). Errors name the argument as the caller's user knows it (``name``:
    ``epochs`` from Python, ``--epochs`` from the command line); ``high_means`` says
    where the upper bound comes from."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise WrongType(f"{name} must be an integer, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            expected = f">= {low}"
        else:
            expected = f"an integer from {low} to {high}" if low is not None else f"<= {high}"
        note = f" ({high_means})" if high_means else ""
        raise ValueError(f"{name} must be {expected}{note}, got {value!r}")
    return int(value)


def check_real(value, name: str, low: Optional[float] = None, high: Optional[float] = None,
               low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a float: a finite real number (not a bool) from ``low`` to ``high``
    (None: unbounded; ``low_open``/``high_open`` exclude the bound itself)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise WrongType(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an int or Fraction beyond float's range
        number = math.inf
    inside = (math.isfinite(number)
              and (low is None or (number > low if low_open else number >= low))
              and (high is None or (number < high if high_open else number <= high)))
    if not inside:
        if low is not None and high is not None:
            expected = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        elif low is not None:
            expected = f"{'>' if low_open else '>='} {low:g}"
        elif high is not None:
            expected = f"{'<' if high_open else '<='} {high:g}"
        else:
            expected = ""
        raise ValueError(f"{name} must be a finite number {expected}".rstrip() + f", got {value!r}")
    return number


def check_sizes(sizes, name: str = "sizes", min_layers: int = 2) -> List[int]:
    """The neurons in each layer: a list of at least ``min_layers`` ints >= 1. The one
    check of layer sizes (``Network``, model files, the command line, scikit-learn's
    ``hidden_layer_sizes`` with ``min_layers=0``)."""
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise WrongType(f"{name} must be a list of layer sizes such as [784, 30, 10], got {sizes!r}")
    if len(sizes) < min_layers:
        raise ValueError(f"{name} needs at least {min_layers} layers (inputs and outputs: "
                         f"len >= {min_layers}), got {list(sizes)}")
    for size in sizes:
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, numbers.Integral):
            raise WrongType(f"{name} must be a list of integers, got {size!r} in {list(sizes)}")
        if size < 1:
            raise ValueError(f"{name} must be positive (>= 1), got {int(size)} in {list(sizes)}")
    sizes = [int(size) for size in sizes]
    parameters = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    if parameters >= MAX_PARAMETERS:  # beyond int64 offsets, and any machine's memory
        raise MemoryError(f"{name} {sizes} imply {parameters:,} parameters, more than any "
                          f"machine's memory holds")
    return sizes


def check_layer(array, shape: Tuple[int, ...], dtype, what: str,
                out: Optional[np.ndarray] = None) -> np.ndarray:
    """One layer's weights or biases as a ``dtype`` array: real numbers of exactly
    ``shape`` (biases (n, 1)), all finite in ``dtype``. ``what`` names the layer.
    Written into ``out`` (of ``shape`` and ``dtype``, any strides) when given, with no
    temporary copy of the layer; else into a new array."""
    array = np.asarray(array)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{what} must hold real numbers, got dtype {array.dtype}")
    if array.shape != shape:
        raise ValueError(f"{what} has shape {array.shape}; sizes imply {shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        if out is None:
            out = array.astype(dtype)
        else:
            np.copyto(out, array, casting="unsafe")
    check_layer_finite(out, what)
    return out


def check_layer_finite(layer: np.ndarray, what: str) -> None:
    """ValueError naming ``what`` unless every number of ``layer`` is finite; checked a
    block of rows at a time (no full-size temporary)."""
    rows = max(1, 2 ** 20 // max(1, layer[:1].size))
    for start in range(0, len(layer), rows):
        if not np.isfinite(layer[start:start + rows]).all():
            raise ValueError(f"{what} contains NaN or infinity (or values too large for "
                             f"{layer.dtype.name})")


def check_dtype(dtype) -> type:
    """np.float32 or np.float64 (any spelling numpy accepts, but None, which numpy
    reads as float64 where a caller means "the default")."""
    try:
        resolved = None if dtype is None else np.dtype(dtype).type
    except TypeError:
        resolved = None
    if resolved not in DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    return resolved


def check_reduction(reduction) -> bool:
    """'mean' (the original: eta/m times the summed gradient) or 'sum' (eta times it, for
    on-line learning); returns whether to average."""
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    return reduction == "mean"


def check_inputs(X, n_in: int, dtype, what: str, finite: bool = True) -> np.ndarray:
    """(n, n_in) C-contiguous array of dtype with finite values (with ``finite=False`` not
    scanned: the caller checks later, e.g. kernels.feedforward_rows reports them)."""
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{what} inputs must be numeric, got dtype {X.dtype}")
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ValueError(f"{what} inputs must have shape (n, {n_in}), got {X.shape}")
    with np.errstate(over="ignore"):  # a writeable C array: the one type the kernels compile for
        X = np.require(X, dtype=dtype, requirements=["C", "W"])
    if finite:
        check_finite(X, what)
    return X


def check_finite(X: np.ndarray, what: str, rows: Optional[np.ndarray] = None) -> None:
    """ValueError naming the first example of X (n, n_in) with a NaN or an infinity;
    example i is row rows[i] of X when ``rows`` is given (``to_arrays``)."""
    bad = first_non_finite(X)
    if bad >= 0:
        if rows is not None:
            raise non_finite(int(np.argmin(np.isfinite(X).all(axis=1)[rows])), X.dtype, what)
        raise non_finite(bad // X.shape[1], X.dtype, what)


def non_finite(row: int, dtype, what: str) -> ValueError:
    """The error for input ``row`` holding a NaN or an infinity."""
    return ValueError(f"{what} input {row} contains NaN or infinity "
                      f"(or values too large for {np.dtype(dtype).name})")


def check_outputs(y, n: int, n_out: int, dtype, what: str, n_classes: Optional[int] = None
                  ) -> Union[Labels, Targets]:
    """Int labels -> (n,) int64 in [0, n_classes) (default n_out, one per output);
    vectors -> (n, n_out) finite targets of dtype."""
    n_classes = n_out if n_classes is None else n_classes
    y = np.asarray(y)
    if y.dtype.kind in "iu":
        if y.shape != (n,):
            raise ValueError(f"{what} labels must have shape ({n},), got {y.shape}")
        out_of_range = (y < 0) | (y >= n_classes)
        if out_of_range.any():
            i = int(np.flatnonzero(out_of_range)[0])
            raise ValueError(f"{what} label {i} is {y[i]}, outside [0, {n_classes}) for a network "
                             f"with {n_out} output{'s' if n_out > 1 else ''}")
        return y.astype(np.int64)
    if y.dtype.kind != "f":
        raise TypeError(f"{what} outputs must be int labels or float vectors, got dtype {y.dtype}")
    if y.shape not in ((n, n_out), (n, n_out, 1)):
        raise ValueError(f"{what} target vectors must have shape ({n}, {n_out}) "
                         f"(or ({n_out}, 1) each), got {y.shape}")
    with np.errstate(over="ignore"):
        y = np.ascontiguousarray(y.reshape(n, n_out), dtype=dtype)
    if not np.isfinite(y).all():
        raise ValueError(f"{what} targets contain NaN or infinity")
    return y


def to_arrays(data, n_in: int, n_out: int, dtype, what: str, n_classes: Optional[int] = None,
              finite: bool = True, any_order: Optional[bool] = None) -> tuple:
    """Examples as ``(X, y)``: X (n, n_in) of dtype, y labels or targets (see check_outputs).

    ``data`` is either the array fast path, a tuple ``(X, y)`` with X (n, n_in), or an
    iterable (list, zip, generator) of ``(x, y)`` pairs as the book's loader gives them:
    x (n_in, 1) or (n_in,), y a one-hot (n_out, 1) vector or an int label.

    With ``any_order`` given, ``(X, y, rows)``: example i of ``data`` is row rows[i] of
    X and y, or row i when ``rows`` is None, always None unless ``any_order`` is True
    (for a caller that takes the examples in any order: ``pairs.stack_pairs`` reads the
    book's shuffled list without a copy).
    """
    rows = None
    if _is_array_pair(data) and len(data[0]) == len(data[1]):
        X, y = data
    elif _is_array_pair(data) and data[1].ndim <= 2:
        kind = "labels" if data[1].ndim == 1 else "target vectors"
        raise ValueError(f"{what} = (X, y) needs one y per row of X: X has {len(data[0])} rows "
                         f"and y {len(data[1])} {kind}")
    else:
        X, y, rows = stack_pairs(data, n_in, dtype, what, any_order=bool(any_order))
    if len(X) == 0:
        raise ValueError(f"{what} is empty")
    X = check_inputs(X, n_in, dtype, what, finite and rows is None)
    y = check_outputs(y, len(X), n_out, dtype, what, n_classes)  # in the pairs' order: errors name them
    if rows is not None:
        if finite:
            check_finite(X, what, rows)
        in_order_of_X = np.empty_like(y)  # (y may be the caller's own array: not written)
        in_order_of_X[rows] = y
        y = in_order_of_X
    return (X, y) if any_order is None else (X, y, rows)


def _is_array_pair(data) -> bool:
    """Is data the array form ``(X, y)``: a tuple of two arrays, X 2-D, y at least 1-D?"""
    return (isinstance(data, tuple) and len(data) == 2
            and all(isinstance(a, np.ndarray) for a in data)
            and data[0].ndim == 2 and data[1].ndim >= 1)
