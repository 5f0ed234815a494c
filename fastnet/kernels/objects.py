"""A list of ``(x, y)`` pairs read from the objects' own memory: which row of one array
each pair's x (or y) shows, in one compiled pass instead of a few Python passes over
50,000 objects.

The offsets are those of CPython's and numpy's C headers (``PyListObject``,
``PyTupleObject``, ``PyArrayObject_fields``) on a 64-bit build with the GIL.
``core.pairs`` checks them on live objects before it calls ``rows_shown``, and converts
lists without it where they do not hold. The kernel keeps the GIL while it reads, so
no other thread changes the list, or frees what it holds, meanwhile.
"""
from typing import NamedTuple

from numba import njit

from ..config import JIT_OPTIONS
from .compiler.address import int32_at, int64_at

#: every object's type (``Py_TYPE``) and a list's or tuple's length (``Py_SIZE``)
TYPE, SIZE = 8, 16
#: a list's items are behind a pointer, a tuple's follow its header
LIST_ITEMS, TUPLE_ITEMS = 24, 24
#: an ndarray's data pointer, number of dimensions, shape and strides (pointers), base, dtype
DATA, NDIM, SHAPE, STRIDES, BASE, DESCR = 16, 24, 32, 40, 48, 56

# Not nogil: the GIL is what keeps the objects read here alive and unchanged.
OBJECT_JIT_OPTIONS = {**JIT_OPTIONS, "nogil": False}


class RowViews(NamedTuple):
    """What each item must be to show a row of the array the first one views; addresses
    are ``id``s and data pointers."""
    tuple_type: int  #: id(tuple): pairs are tuples...
    list_type: int  #: ... or lists, of two items
    array_type: int  #: id(np.ndarray): items are ndarrays, not subclasses
    base: int  #: the array the first item views (its ``base``)
    descr: int  #: the first item's dtype
    ndim: int  #: 1 for (k,) or 2 for (k, 1)
    length: int  #: k
    itemsize: int  #: bytes per number (each item's numbers are contiguous)
    origin: int  #: where row 0 starts: the first row in the base's memory in step with the first item
    highest: int  #: where the last row that fits in the base's memory starts
    row_bytes: int  #: k * itemsize


@njit(**OBJECT_JIT_OPTIONS)
def item_of_pair(pair, side, views):
    """The address of item ``side`` (0 or 1) of the pair at address ``pair``, or 0 when it
    is not a tuple or list of two items."""
    kind = int64_at(pair + TYPE)
    if (kind != views.tuple_type and kind != views.list_type) or int64_at(pair + SIZE) != 2:
        return 0
    if kind == views.tuple_type:
        return int64_at(pair + TUPLE_ITEMS + 8 * side)
    return int64_at(int64_at(pair + LIST_ITEMS) + 8 * side)


@njit(**OBJECT_JIT_OPTIONS)
def row_of(array, views):
    """The row whose numbers the ndarray at address ``array`` shows, or -1 when it is not
    such a view (``RowViews``)."""
    if (int64_at(array + TYPE) != views.array_type or int64_at(array + BASE) != views.base
            or int64_at(array + DESCR) != views.descr or int32_at(array + NDIM) != views.ndim):
        return -1
    shape, strides = int64_at(array + SHAPE), int64_at(array + STRIDES)
    if int64_at(shape) != views.length or int64_at(strides) != views.itemsize:
        return -1
    if views.ndim == 2 and int64_at(shape + 8) != 1:
        return -1
    offset = int64_at(array + DATA) - views.origin
    if offset < 0 or offset > views.highest - views.origin or offset % views.row_bytes != 0:
        return -1
    return offset // views.row_bytes


@njit(**OBJECT_JIT_OPTIONS)
def rows_shown(pairs, side, views, rows):
    """rows[i] = the row that item ``side`` of pair i shows (``row_of``), for the list at
    address ``pairs`` of rows.size pairs. Returns -1 when every pair is such a pair, else
    the index of the first that is not (rows.size if the list's length is not
    rows.size)."""
    n = rows.size
    if int64_at(pairs + SIZE) != n:
        return n
    items = int64_at(pairs + LIST_ITEMS)
    for i in range(n):
        item = item_of_pair(int64_at(items + 8 * i), side, views)
        rows[i] = -1 if item == 0 else row_of(item, views)
        if rows[i] < 0:
            return i
    return -1
