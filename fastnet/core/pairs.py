"""Lists of ``(x, y)`` pairs, the book's data form, as the arrays the kernels take.

A list as ``load_data_wrapper`` makes it or a script builds it (tuples of ndarrays, every
x of one shape and dtype, every y an int or every y an ndarray of one shape and dtype) is
converted by numpy in C: a few passes read each pair's type, length, shape and dtype, then
one copy puts every x into the final (n, n_in) array of the network's dtype. Any list
those passes do not vouch for goes through the checked loop instead, which gives the
same arrays and names the first bad pair by its index.

The book's loader lends its x's and one-hot y's (``lend_rows``): each is a view of one
row of an array, and that array is read directly, without a copy when the list holds its
rows in order, gathered by row when the list is shuffled (or, for training, which takes
its examples in any order, read as it is with the row of each pair). A lent view is known by its
identity while it lives (a weak reference forgets it when it dies), and its shape and
strides are checked at every conversion, so a view reshaped in place is never read as
its row; writes into the views are writes into that array, and so are always seen.
"""
import itertools
import numbers
import weakref
from operator import attrgetter, itemgetter
from typing import Dict, List, Optional, Tuple

import numpy as np

_first, _second = itemgetter(0), itemgetter(1)
_dtype, _layout = attrgetter("dtype"), attrgetter("shape", "strides")


class _Lender:
    """What one ``lend_rows`` call lent: the array (weakly), the ids of its views sorted,
    each one's row, and which views still live (an id may name another object once its
    view has died: a weak reference to each view marks it dead)."""

    def __init__(self, number: int, rows: np.ndarray, owner: np.ndarray, views: List[np.ndarray]):
        # owner: the array every view keeps alive (its base), holding rows at an offset
        self.owner = weakref.ref(owner, lambda _: _LENDERS.pop(number, None))
        self.offset = rows.ctypes.data - owner.ctypes.data
        self.shape, self.dtype = rows.shape, rows.dtype
        self.row_of, self.ids = _sorted_ids(views)  # the row of each sorted id
        self.alive = np.ones(len(views), bool)  # by row, as of the last look at ``died``
        self.died: list = []  # the weak references of views that died since
        self.refs = list(map(weakref.ref, views, itertools.repeat(self.died.append)))
        self.ref_row_of, self.ref_ids = _sorted_ids(self.refs)

    def source(self) -> Optional[np.ndarray]:
        """The (n, k) array whose rows were lent, while its memory lives."""
        owner = self.owner()
        return None if owner is None else np.ndarray(self.shape, self.dtype, owner, self.offset)

    def rows(self, ids: np.ndarray) -> Optional[np.ndarray]:
        """The row of each of ``ids`` (n,) int64, if all are live views lent here."""
        if not self.ids[min(np.searchsorted(self.ids, ids[0]), len(self.ids) - 1)] == ids[0]:
            return None
        if self.died:
            died = self.died[:]
            del self.died[:len(died)]
            self.alive[self.ref_row_of[np.searchsorted(self.ref_ids, _sorted_ids(died)[1])]] = False
        at = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        rows = self.row_of[at]
        return rows if (self.ids[at] == ids).all() and self.alive[rows].all() else None


#: each ``lend_rows`` call's lender, by number, while its array lives
_LENDERS: Dict[int, _Lender] = {}
_NUMBERS = itertools.count()


def lend_rows(rows: np.ndarray, shape: Tuple[int, ...]) -> List[np.ndarray]:
    """Views of each row of ``rows`` (n, k), each reshaped to ``shape`` (k numbers, e.g.
    (784, 1)), that a later conversion of a list of them reads from one array instead of
    one by one. ``rows`` is copied first unless it is C-contiguous and lies in a
    C-contiguous ndarray (the views' base, which they keep alive)."""
    views = list(rows.reshape((len(rows),) + tuple(shape)))
    owner = views[0].base if views else None
    if not (rows.flags.c_contiguous and isinstance(owner, np.ndarray) and owner.flags.c_contiguous):
        rows = rows.copy()
        views, owner = list(rows.reshape((len(rows),) + tuple(shape))), rows
    if views:
        number = next(_NUMBERS)
        _LENDERS[number] = _Lender(number, rows, owner, views)
    return views


def _sorted_ids(objects: list) -> Tuple[np.ndarray, np.ndarray]:
    """(order, ids): the ids of ``objects`` sorted, and the index of each in ``objects``."""
    ids = np.fromiter(map(id, objects), np.int64, len(objects))
    order = np.argsort(ids)
    return order, ids[order]


def _lent(arrays: list) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """``(source, rows)``: the (n, k) array that lent the views ``arrays`` and the row of
    each (int64); None unless every item is a live view lent by one ``lend_rows`` call,
    all shaped (k, 1) or all (k,), each over its row."""
    ids = np.fromiter(map(id, arrays), np.int64, len(arrays))
    for lender in list(_LENDERS.values()):
        rows = lender.rows(ids)
        source = lender.source() if rows is not None else None
        if source is not None:
            break
    else:
        return None
    k = source.shape[1]
    layouts = set(map(_layout, arrays))  # {(shape, strides)}
    shapes = {shape for shape, _ in layouts}
    if (len(shapes) != 1 or shapes.pop() not in ((k, 1), (k,))
            or {strides[0] for _, strides in layouts} != {source.itemsize}):
        return None
    return source, rows


def _lent_rows(arrays: list) -> Optional[np.ndarray]:
    """(n, k): the rows that the lent views ``arrays`` show (``_lent``), read from their
    array (no copy when they are its rows in order), or None."""
    lent = _lent(arrays)
    return None if lent is None else _gathered(*lent)


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
    (the lent array itself when the x's are its rows in order, else a new one); else as
    numpy stacks it (the caller casts it and refuses non-numbers). ``rows`` is None,
    except with ``any_order`` when the x's are every row of a lent array in another
    order (the book's list after ``SGD`` shuffled it): X is then that array as it is
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
    """(X, y, rows) of a list of uniform pairs, read from the array that lent its views
    (``rows``: see ``stack_pairs``), else copied by numpy in C; None when the list is
    not one (the checked loop then converts it, or names what is wrong)."""
    try:
        if not pairs or not set(map(type, pairs)) <= {tuple, list} or set(map(len, pairs)) != {2}:
            return None
        xs, ys = list(map(_first, pairs)), list(map(_second, pairs))
        lent, rows = _lent(xs), None
        if lent is not None and lent[0].shape[1] == n_in:
            source, order = lent
            if any_order and _shuffled(order, len(source)):
                X, rows = source, order
            else:
                X = _gathered(source, order)
            with np.errstate(over="ignore"):
                X = X.astype(dtype, copy=False)
        # else every x n_in long, of one dtype; concatenate checks they have x[0]'s dimensions
        elif _one_dtype(xs) is None or set(map(len, xs)) != {n_in} or xs[0].shape not in ((n_in, 1), (n_in,)):
            return None
        else:
            X = np.empty((len(xs), n_in), dtype)
            with np.errstate(over="ignore"):  # too large for dtype: the caller's finiteness check says so
                np.concatenate(xs, out=X.reshape((X.size,) + xs[0].shape[1:]), casting="unsafe")
        if _all_labels(ys):
            return X, np.asarray(ys, dtype=np.int64), rows
        y = _lent_rows(ys)
        if y is not None:
            return X, y.astype(np.float64, copy=False), rows
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
