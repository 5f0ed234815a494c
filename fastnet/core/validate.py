"""Validation and conversion of user data into the contiguous arrays the kernels take.

Everything a kernel would trust blindly is checked here first (Numba does not check
bounds): shapes, dtypes, finiteness, label range, emptiness, hyper-parameters.
"""
import numbers
from typing import Optional, Tuple, Union

import numpy as np

from ..config import DTYPES
from ..kernels.checks import first_non_finite

Labels = np.ndarray   # (n,) int64, each in [0, number of classes)
Targets = np.ndarray  # (n, n_out) float, the desired output activations


def check_sizes(sizes) -> list:
    """A list of >= 2 positive ints (the neurons in each layer)."""
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"sizes must be a list of layer sizes such as [784, 30, 10], got {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least 2 layers (inputs and outputs), got {list(sizes)}")
    for size in sizes:
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, numbers.Integral):
            raise TypeError(f"layer sizes must be integers, got {size!r} in {list(sizes)}")
        if size < 1:
            raise ValueError(f"layer sizes must be >= 1, got {int(size)} in {list(sizes)}")
    return [int(size) for size in sizes]


def check_dtype(dtype) -> type:
    """np.float32 or np.float64 (any spelling numpy accepts)."""
    try:
        resolved = np.dtype(dtype).type
    except TypeError:
        resolved = None
    if resolved not in DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    return resolved


def check_count(value, name: str, minimum: int) -> int:
    """An integer >= minimum (epochs, mini_batch_size)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_reduction(reduction) -> bool:
    """'mean' (the original: eta/m times the summed gradient) or 'sum' (eta times it, for
    on-line learning); returns whether to average."""
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    return reduction == "mean"


def check_eta(eta) -> float:
    """The learning rate: a finite number > 0."""
    if isinstance(eta, (bool, np.bool_)) or not isinstance(eta, numbers.Real):
        raise TypeError(f"eta must be a number, got {eta!r}")
    if not (np.isfinite(eta) and eta > 0):
        raise ValueError(f"eta must be a finite number > 0, got {eta}")
    return float(eta)


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


def check_finite(X: np.ndarray, what: str) -> None:
    """ValueError naming the first row of X (n, n_in) with a NaN or an infinity."""
    bad = first_non_finite(X)
    if bad >= 0:
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
              finite: bool = True) -> Tuple[np.ndarray, Union[Labels, Targets]]:
    """Examples as ``(X, y)``: X (n, n_in) of dtype, y labels or targets (see check_outputs).

    ``data`` is either the array fast path, a tuple ``(X, y)`` with X (n, n_in), or an
    iterable (list, zip, generator) of ``(x, y)`` pairs as the book's loader gives them:
    x (n_in, 1) or (n_in,), y a one-hot (n_out, 1) vector or an int label.
    """
    if _is_array_pair(data):
        X, y = data
    else:
        X, y = _stack_pairs(data, n_in, what)
    if len(X) == 0:
        raise ValueError(f"{what} is empty")
    X = check_inputs(X, n_in, dtype, what, finite)
    return X, check_outputs(y, len(X), n_out, dtype, what, n_classes)


def _is_array_pair(data) -> bool:
    """Is data the fast path ``(X, y)``: two arrays, X 2-D, one y per row of X?"""
    return (isinstance(data, tuple) and len(data) == 2
            and all(isinstance(a, np.ndarray) for a in data)
            and data[0].ndim == 2 and data[1].ndim >= 1 and len(data[0]) == len(data[1]))


def _stack_pairs(data, n_in: int, what: str):
    if isinstance(data, np.ndarray) or not hasattr(data, "__iter__"):
        raise TypeError(f"{what} must be a list of (x, y) pairs or a tuple (X, y) of arrays, "
                        f"got {type(data).__name__}")
    xs, ys = [], []
    for i, pair in enumerate(data):
        try:
            x, y = pair
        except (TypeError, ValueError):
            raise TypeError(f"{what}[{i}] must be an (x, y) pair, got {type(pair).__name__}") from None
        xs.append(np.asarray(x))
        ys.append(y)
    if not xs:
        return np.empty((0, n_in)), np.empty(0, np.int64)
    for i, x in enumerate(xs):
        if x.shape not in ((n_in, 1), (n_in,)):
            raise ValueError(f"{what}[{i}] input must have shape ({n_in}, 1), got {x.shape}")
    X = np.stack(xs).reshape(len(xs), n_in)
    if all(isinstance(y, numbers.Integral) and not isinstance(y, (bool, np.bool_)) for y in ys):
        return X, np.asarray(ys, dtype=np.int64)
    ys = [np.asarray(y) for y in ys]
    first = ys[0].shape
    for i, y in enumerate(ys):
        if y.shape != first or y.dtype.kind not in "biuf":
            raise ValueError(f"{what}[{i}] output must be an int label or a vector shaped like "
                             f"{what}[0]'s {first}, got {y!r:.60}")
    return X, np.stack(ys).astype(np.float64).reshape(len(ys), -1)
