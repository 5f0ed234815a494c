"""Lists of ``(x, y)`` pairs, the book's data form, as the arrays the kernels take.

A list as ``load_data_wrapper`` makes it or a script builds it (tuples of ndarrays, every
x of one shape and dtype, every y an int or every y an ndarray of one shape and dtype) is
converted by numpy in C: a few passes read each pair's type, length, shape and dtype, then
one copy puts every x into the final (n, n_in) array of the network's dtype. Any list
those passes do not vouch for goes through the checked loop instead, which gives the
same arrays and names the first bad pair by its index.

The book's loader makes its x's and one-hot y's views of the rows of one array
(``row_views``). A list whose x's (or y's) are each a view of one row of the same array
is read from that array: without a copy when the list holds the rows in order, gathered
by row when it is shuffled (or, for training, which takes its examples in any order,
read as it is with the row of each pair). One compiled pass finds each view's row from
its data pointer, and checks its type, shape, strides and dtype, reading the objects'
memory (``kernels.objects``) where this interpreter's layout is the one it reads
(``_layout_holds``). Writes into the views are writes into that array, and so are seen.
"""
import ctypes
import numbers
import sys
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import List, Optional, Tuple

import numpy as np

from ..kernels import objects
from ..kernels.objects import RowViews, rows_shown

_first, _second = itemgetter(0), itemgetter(1)
_dtype = attrgetter("dtype")


def row_views(rows: np.ndarray, shape: Tuple[int, ...]) -> List[np.ndarray]:
    """Views of each row of ``rows`` (n, k), each reshaped to ``shape`` (k numbers, e.g.
    (784, 1)), all over one C-contiguous array, so that a list of them is read from it
    instead of one by one. ``rows`` is copied first unless it is C-contiguous and lies in
    a C-contiguous ndarray (the views' base, which they keep alive)."""
    views = list(rows.reshape((len(rows),) + tuple(shape)))
    owner = views[0].base if views else None
    if views and not (rows.flags.c_contiguous and isinstance(owner, np.ndarray)
                      and owner.flags.c_contiguous):
        views = list(rows.copy().reshape((len(rows),) + tuple(shape)))
    return views


@lru_cache(maxsize=None)
def _layout_holds() -> bool:
    """Are lists, tuples and ndarrays laid out in memory where ``kernels.objects`` reads
    them? Checked once, on live objects, each address read only once the reads before it
    proved the layout so far (no free-threaded build, for one, has ``Py_TYPE`` there)."""
    if sys.implementation.name != "cpython" or sys.maxsize != 2**63 - 1:
        return False
    owner = np.zeros((3, 2), np.float32)
    view = owner[1].reshape(2, 1)
    pair = (view, 5)
    items = [pair, None]

    def at(address, kind=ctypes.c_int64):
        return kind.from_address(address).value

    def header(obj, kind, size):
        return at(id(obj) + objects.TYPE) == id(kind) and at(id(obj) + objects.SIZE) == size

    return (header(items, list, 2) and at(at(id(items) + objects.LIST_ITEMS)) == id(pair)
            and header(pair, tuple, 2) and at(id(pair) + objects.TUPLE_ITEMS + 8) == id(pair[1])
            and at(id(view) + objects.TYPE) == id(np.ndarray)
            and at(id(view) + objects.DATA) == view.ctypes.data
            and at(id(view) + objects.NDIM, ctypes.c_int32) == 2
            and at(id(view) + objects.BASE) == id(owner)
            and at(id(view) + objects.DESCR) == id(view.dtype)
            and at(at(id(view) + objects.SHAPE)) == 2 and at(at(id(view) + objects.SHAPE) + 8) == 1
            and at(at(id(view) + objects.STRIDES)) == 4)


def _rows_shown(pairs: list, side: int) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """``(source, rows)``: the (n, k) array whose rows the pairs' x's (``side`` 0) or y's
    (1) show, and the row of each (int64); None unless every pair is a tuple or list of
    two whose item is an ndarray (not a subclass) of one real dtype, shaped (k, 1) or
    (k,), with its k numbers contiguous over a row of the first item's base, a
    C-contiguous ndarray."""
    if type(pairs) is not list or not pairs or not _layout_holds():
        return None
    first = pairs[0][side]
    owner = getattr(first, "base", None)
    if (type(first) is not np.ndarray or type(owner) is not np.ndarray
            or not owner.flags.c_contiguous or first.dtype.kind not in "biuf"
            or first.ndim not in (1, 2) or first.shape[1:] not in ((), (1,))
            or first.size == 0 or first.strides[0] != first.itemsize):
        return None
    k, start = first.shape[0], owner.ctypes.data
    row_bytes = k * first.itemsize
    origin = start + (first.ctypes.data - start) % row_bytes  # where row 0 starts
    views = RowViews(tuple_type=id(tuple), list_type=id(list), array_type=id(np.ndarray),
                     base=id(owner), descr=id(first.dtype), ndim=first.ndim, length=k,
                     itemsize=first.itemsize, origin=origin,
                     highest=start + owner.nbytes - row_bytes, row_bytes=row_bytes)
    rows = np.empty(len(pairs), np.int64)
    if rows_shown(id(pairs), side, views, rows) != -1:
        return None
    lowest, highest = int(rows.min()), int(rows.max())
    source = np.ndarray((highest - lowest + 1, k), first.dtype, owner,
                        origin - start + lowest * row_bytes)
    rows -= lowest
    return source, rows


def _gathered(source: np.ndarray, rows: np.ndarray) -> np.ndarray:
    first = int(rows[0])
    if rows[-1] == first + len(rows) - 1 and (np.diff(rows) == 1).all():
        return source[first:first + len(rows)]
    return source[rows]


def _shuffled(rows: np.ndarray, n: int) -> bool:
    """Are ``rows`` every row of an n-row array once each, not in order?"""
    if len(rows) != n or (np.diff(rows) == 1).all():
        return False
    seen = np.zeros(n, bool)
    seen[rows] = True
    return bool(seen.all())


def stack_pairs(data, n_in: int, dtype, what: str, any_order: bool = False
                ) -> Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
    """(X, y, rows) from ``(x, y)`` pairs: X (n, n_in); y (n,) int64 labels when every y
    is an int, else the y vectors flattened, (n, size of one y) float64. x is (n_in, 1)
    or (n_in,). X is a C-contiguous array of ``dtype`` when every x has one numeric dtype
    (the array whose rows the x's show, itself, when they show them in order, else a
    new one); else as numpy stacks it (the caller casts it and refuses non-numbers).
    ``rows`` is None, except with ``any_order`` when the x's show every row of an array
    in another order (the book's list after ``SGD`` shuffled it): X is then that array as it is
    and ``rows`` (n,) int64 the row of each pair (y stays in the pairs' order), so
    nothing is gathered.
    Raises TypeError/ValueError naming ``what[i]`` for the first pair that is not an
    ``(x, y)`` pair, or whose x or y has the wrong shape."""
    if isinstance(data, np.ndarray) or not hasattr(data, "__iter__"):
        raise TypeError(f"{what} must be a list of (x, y) pairs or a tuple (X, y) of arrays, "
                        f"got {type(data).__name__}")
    pairs = data if isinstance(data, list) else list(data)
    arrays = _uniform(pairs, n_in, dtype, any_order)
    return arrays if arrays is not None else (*_checked(pairs, n_in, what), None)


def _uniform(pairs: list, n_in: int, dtype, any_order: bool = False) -> Optional[tuple]:
    """(X, y, rows) of a list of uniform pairs, read from the array whose rows its x's
    (and y's) show (``rows``: see ``stack_pairs``), else copied by numpy in C; None when
    the list is not one (the checked loop then converts it, or names what is wrong)."""
    try:
        shown, rows = _rows_shown(pairs, 0), None
        if shown is not None and shown[0].shape[1] == n_in:
            source, order = shown
            if any_order and _shuffled(order, len(source)):
                X, rows = source, order
            else:
                X = _gathered(source, order)
            with np.errstate(over="ignore"):
                X = X.astype(dtype, copy=False)
        # else every x n_in long, of one dtype; concatenate checks they have x[0]'s dimensions
        elif not pairs or not set(map(type, pairs)) <= {tuple, list} or set(map(len, pairs)) != {2}:
            return None
        else:
            xs = list(map(_first, pairs))
            if _one_dtype(xs) is None or set(map(len, xs)) != {n_in} or xs[0].shape not in ((n_in, 1), (n_in,)):
                return None
            X = np.empty((len(xs), n_in), dtype)
            with np.errstate(over="ignore"):  # too large for dtype: the caller's finiteness check says so
                np.concatenate(xs, out=X.reshape((X.size,) + xs[0].shape[1:]), casting="unsafe")
        shown = _rows_shown(pairs, 1)
        if shown is not None:
            return X, _gathered(*shown).astype(np.float64, copy=False), rows
        ys = list(map(_second, pairs))
        if _all_labels(ys):
            return X, np.asarray(ys, dtype=np.int64), rows
        if _one_dtype(ys) is None:
            return None
        return X, np.array(ys, dtype=np.float64).reshape(len(ys), -1), rows  # ragged: ValueError
    except Exception:  # whatever an odd pair raises, the checked loop reports it by index
        return None


def _one_dtype(arrays: list) -> Optional[np.dtype]:
    """The dtype of every item of ``arrays`` when each is an ndarray (not a subclass) and
    all hold real numbers or bools of one dtype; else None."""
    if set(map(type, arrays)) != {np.ndarray}:
        return None
    dtypes = set(map(_dtype, arrays))
    return dtypes.pop() if len(dtypes) == 1 and next(iter(dtypes)).kind in "biuf" else None


def _checked(pairs: list, n_in: int, what: str) -> Tuple[np.ndarray, np.ndarray]:
    """``stack_pairs`` one pair at a time, checking each and naming the first bad one."""
    xs, ys = [], []
    for i, pair in enumerate(pairs):
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
    X = np.stack([x.reshape(n_in) for x in xs])
    if _all_labels(ys):
        return X, np.asarray(ys, dtype=np.int64)
    ys = [np.asarray(y) for y in ys]
    first = ys[0].shape
    for i, y in enumerate(ys):
        if y.shape != first or y.dtype.kind not in "biuf":
            raise ValueError(f"{what}[{i}] output must be an int label or a vector shaped like "
                             f"{what}[0]'s {first}, got {y!r:.60}")
    return X, np.stack(ys).astype(np.float64).reshape(len(ys), -1)


def _all_labels(ys: list) -> bool:
    """Is every y an int (a Python or numpy integer, not a bool)? Decided per type."""
    return all(issubclass(kind, numbers.Integral) and not issubclass(kind, (bool, np.bool_))
               for kind in set(map(type, ys)))
