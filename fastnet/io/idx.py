"""MNIST file I/O: read IDX files (or the book's ``mnist.pkl.gz``) into numpy arrays,
and write them (atomically).

Data is looked for at an explicit ``path``, then ``$FASTNET_DATA`` (:func:`data_env`),
then :func:`default_cache_dir`. Nothing here downloads anything.
"""
from __future__ import annotations

import gzip
import math
import os
import pickle
import struct
import zlib
from pathlib import Path
from typing import BinaryIO, Dict, Iterator, Optional, Tuple, Union

import numpy as np

from ..core.validate import check_int
from .atomic import open_regular, write_atomically

DATA_ENV = "FASTNET_DATA"
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
PICKLE_FILE = "mnist.pkl.gz"

_IDX_TYPES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "short",
              0x0C: "int", 0x0D: "float", 0x0E: "double"}

PathLike = Union[str, os.PathLike]
_CHUNK = 2 ** 20  #: bytes decompressed at a time, at most
_PIECE = 2 ** 17  #: compressed bytes read at a time
Pair = Tuple[np.ndarray, np.ndarray]


_RESOLVED: Dict[str, Path] = {}  # each value of $FASTNET_DATA seen -> its absolute path


def data_env() -> Optional[Path]:
    """``$FASTNET_DATA`` as an absolute path (None when unset or empty).

    A relative value is resolved against the working directory at the time it is first
    read: when this module is imported (by ``fastnet.mnist_loader`` or any loader), or
    the first call that sees a value set later. It then keeps naming the same folder
    after the program changes directory."""
    raw = os.environ.get(DATA_ENV, "")
    if not raw:
        return None
    if raw not in _RESOLVED:
        _RESOLVED[raw] = Path(raw).absolute()
    return _RESOLVED[raw]


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/fastnet/mnist``, or ``~/.cache/fastnet/mnist``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fastnet" / "mnist"


def read_idx(path: PathLike) -> np.ndarray:
    """Read one IDX file (gzipped if its name ends in ``.gz``).

    Returns a read-only uint8 array with the shape given in the file's header,
    e.g. (60000, 28, 28) for training images, (60000,) for training labels.
    Raises ``FileNotFoundError`` if the file is missing and ``ValueError`` (naming
    the file) if it is not a valid unsigned-byte IDX file.
    """
    path = Path(path)
    try:
        with open_regular(path) as f:  # a FIFO is refused, not waited on
            if path.suffix == ".gz":
                raw, size = _gunzip_idx(f, path)
            else:
                raw = f.read()
                size = len(raw)
    except FileNotFoundError:
        raise FileNotFoundError(f"IDX file not found: {path}") from None
    if len(raw) < 4:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} bytes)")
    zero1, zero2, code, ndim = raw[:4]
    if zero1 or zero2 or ndim < 1:
        raise ValueError(f"{path}: bad IDX magic number 0x{raw[:4].hex()}, "
                         "expected bytes 00 00 <type> <ndim >= 1> (not an IDX file?)")
    if code != 0x08:
        kind = _IDX_TYPES.get(code, "unknown")
        raise ValueError(f"{path}: IDX type code 0x{code:02X} ({kind}) is unsupported; "
                         "only 0x08 (unsigned byte) is supported")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} of {header} bytes)")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    expected, got = math.prod(shape), size - header
    if got != expected:
        what = "truncated" if got < expected else "has trailing data"
        raise ValueError(f"{path}: data {what}: header shape {shape} needs "
                         f"{expected} bytes, file has {got}")
    array = np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)
    array.flags.writeable = False  # as for bytes, also when decompressed into a bytearray
    return array


def _gunzip_idx(f: BinaryIO, path: Path) -> Tuple[Union[bytes, bytearray], int]:
    """The IDX bytes in the gzip stream ``f`` and their full length: the bytes are kept
    only as far as the header's shape needs, and the rest is only counted (and the
    stream's checksum checked), so a small file that expands to gigabytes beyond its
    header is refused without holding them. A stream that does not start with an IDX
    header is read no further."""
    try:
        chunks = _inflated(f)
        data = bytearray()
        for chunk in chunks:  # up to a bad magic number or the whole header
            data += chunk
            if len(data) >= 4 and (data[0] or data[1] or not data[3] or len(data) >= 4 + 4 * data[3]):
                break
        if len(data) < 4 or data[0] or data[1] or not data[3]:
            return bytes(data[:4]), min(len(data), 4)
        if len(data) < 4 + 4 * data[3]:
            return bytes(data), len(data)
        need = 4 + 4 * data[3] + math.prod(struct.unpack(f">{data[3]}I", data[4:4 + 4 * data[3]]))
        size = len(data)
        for chunk in chunks:
            size += len(chunk)
            if len(data) < need:
                data += memoryview(chunk)[:need - len(data)]
        del data[need:]
    except (EOFError, zlib.error, OSError) as e:
        raise ValueError(f"{path}: broken gzip file ({type(e).__name__}: {e})") from e
    return data, size  # a bytearray: no copy of what may be tens of megabytes


def _inflated(f: BinaryIO) -> Iterator[bytes]:
    """The bytes of the gzip stream ``f`` (every member, each one's CRC and length
    checked), at most _CHUNK at a time. zlib works on large pieces, releasing the GIL
    for each: a thread starting a cluster meanwhile does not slow the reading down
    (``gzip.GzipFile`` takes the GIL back every 8 KiB)."""
    inflater, fresh, members, pending = zlib.decompressobj(wbits=31), True, 0, b""
    while True:
        if not pending:
            pending = f.read(_PIECE)
            if not pending:
                break
        if fresh and members:
            pending = pending.lstrip(b"\0")  # zeros may pad the stream after a member
            if not pending:
                continue
        fresh = False
        out = inflater.decompress(pending, _CHUNK)
        pending = inflater.unconsumed_tail
        if inflater.eof:  # the member ends; another may follow
            pending, inflater, fresh = inflater.unused_data, zlib.decompressobj(wbits=31), True
            members += 1
        if out:
            yield out
    if not fresh:
        raise EOFError("compressed file ended before the end-of-stream marker was reached")


def write_idx(path: PathLike, array: np.ndarray) -> Path:
    """Write a uint8 array as an IDX file (gzipped if the name ends in ``.gz``), atomically:
    the inverse of :func:`read_idx`, for making data sets in MNIST's format."""
    path = Path(path)
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim < 1:
        raise ValueError(f"write_idx takes a uint8 array with >= 1 dimension, got {array.dtype} {array.shape}")
    raw = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    raw += np.ascontiguousarray(array).tobytes()
    data = gzip.compress(raw, compresslevel=1) if path.suffix == ".gz" else raw
    return write_atomically(path, lambda f: f.write(data))


#: the parts of a data set: IDX_FILES keys start with one
PARTS = ("train", "test")


def idx_paths(folder: Path, parts: Tuple[str, ...] = PARTS) -> Tuple[dict, list]:
    """Map each IDX_FILES key of ``parts`` to ``name.gz`` or ``name`` in ``folder``; also
    list missing names."""
    found, missing = {}, []
    for key, name in IDX_FILES.items():
        if not key.startswith(parts):
            continue
        for candidate in (folder / f"{name}.gz", folder / name):
            if candidate.exists():  # read_idx refuses one that is not a regular file
                found[key] = candidate
                break
        else:
            missing.append(f"{name}.gz")
    return found, missing


def _usable(path: Path, origin: str, parts: Tuple[str, ...]) -> Union[Path, str]:
    """The data location at ``path`` (IDX folder or ``.pkl.gz`` file), or why there is
    none; ValueError naming it with its ``origin`` for something there that is neither
    a regular file nor a folder (reading a FIFO would block forever)."""
    if path.exists() and not (path.is_file() or path.is_dir()):
        raise ValueError(f"{path} ({origin}) is not a regular file or a folder")
    if path.is_file():
        if path.name.endswith(".pkl.gz"):
            return path
        return "not a folder or a .pkl.gz file"
    if not path.is_dir():
        return "does not exist"
    _, missing = idx_paths(path, parts)
    if not missing:
        return path
    if (path / PICKLE_FILE).exists() and not (path / PICKLE_FILE).is_dir():
        return _usable(path / PICKLE_FILE, origin, parts)
    return f"missing {', '.join(missing)} (and no {PICKLE_FILE})"


def find_data(path: Optional[PathLike] = None, argument: str = "path=",
              parts: Tuple[str, ...] = PARTS) -> Path:
    """Locate MNIST: a folder holding the four IDX files, or a ``.pkl.gz`` file.

    With ``path``: that folder (four IDX files, each ``name.gz`` or ``name``, or a
    ``mnist.pkl.gz``) or ``.pkl.gz`` file. Without: ``$FASTNET_DATA``, then
    :func:`default_cache_dir`. Returns the folder for IDX data, the file for a
    pickle. Raises ``FileNotFoundError`` listing every place looked at; ``argument``
    names ``path`` as the caller's user gives it (``path=`` in Python, ``--data`` on
    the command line). ``parts=("test",)``: a folder needs only the test set's files.
    """
    if path is not None:
        keyword = argument.endswith("=")
        places = [(Path(path), f"{argument[:-1]} argument" if keyword else argument)]
    else:
        places = [(default_cache_dir(), "cache folder")]
        if data_env() is not None:
            places.insert(0, (data_env(), f"${DATA_ENV}"))
    looked = []
    for place, origin in places:
        result = _usable(place, origin, parts)
        if isinstance(result, Path):
            return result
        looked.append(f"  - {place} ({origin}): {result}")
    names = ", ".join(f"{n}.gz" for k, n in IDX_FILES.items() if k.startswith(parts))
    raise FileNotFoundError(
        "MNIST data not found. Looked in:\n" + "\n".join(looked) + "\n"
        "Provide it in one of these ways:\n"
        f"  - {'pass ' + argument + '...' if argument.endswith('=') else 'give ' + argument + ' PATH'}: a folder with the IDX files ({names}) "
        f"or {PICKLE_FILE}, or the path of a .pkl.gz file;\n"
        f"  - set {DATA_ENV} to a folder with the four IDX .gz files;\n"
        f"  - put the four IDX .gz files in the cache folder {default_cache_dir()}."
    )


def _check_pair(X: np.ndarray, y: np.ndarray, what: str, source: Path) -> None:
    """Raise ValueError unless y is 1-D, as long as X, with labels >= 0 (class numbers;
    MNIST has 0..9, other data sets in its format may have more classes)."""
    if y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(f"{source}: {what} has {X.shape[0]} images but labels of shape {y.shape}")
    if y.size and y.min() < 0:
        raise ValueError(f"{source}: {what} has negative labels")


def _scale(images: np.ndarray) -> np.ndarray:
    """uint8 (n, rows, cols) -> float32 (n, rows*cols) scaled by 1/256, C-contiguous."""
    flat = images.reshape(images.shape[0], -1)
    return np.multiply(flat, np.float32(1 / 256), dtype=np.float32)


def _load_idx(folder: Path) -> Tuple[Pair, Pair]:
    files, _ = idx_paths(folder)
    (train_images, train_labels), (test_images, test_labels) = (
        _read_part(folder, files, part) for part in PARTS)
    if train_images.shape[1:] != test_images.shape[1:]:
        raise ValueError(f"{folder}: training images {train_images.shape[1:]} and "
                         f"test images {test_images.shape[1:]} differ in size")
    return ((_scale(train_images), train_labels.astype(np.int64)),
            (_scale(test_images), test_labels.astype(np.int64)))


def _read_part(folder: Path, files: dict, part: str) -> Tuple[np.ndarray, np.ndarray]:
    """The ``part`` ("train" or "test") images and labels of ``files``, checked."""
    images, labels = read_idx(files[f"{part}_images"]), read_idx(files[f"{part}_labels"])
    if images.ndim != 3:
        raise ValueError(f"{files[part + '_images']}: images must be 3-D (n, rows, cols), "
                         f"got shape {images.shape}")
    _check_pair(images, labels, f"{part} set", folder)
    return images, labels


def load_test_arrays(path: Optional[PathLike] = None, argument: str = "path=") -> Pair:
    """Only the test set, ``(X_test, y_test)`` as ``load_mnist_arrays`` gives it; an IDX
    folder needs only the two test files, and the training images are not read."""
    source = find_data(path, argument, parts=("test",))
    if source.is_file():
        return _load_pickle(source)[2]
    files, _ = idx_paths(source, ("test",))
    images, labels = _read_part(source, files, "test")
    return _scale(images), labels.astype(np.int64)


def _load_pickle(file: Path) -> Tuple[Pair, Pair, Pair]:
    with open_regular(file) as raw:
        try:
            with gzip.open(raw, "rb") as f:
                data = pickle.load(f, encoding="latin1")
        except Exception as e:  # unpickling can raise almost anything
            raise ValueError(f"{file}: cannot unpickle ({type(e).__name__}: {e})") from e
    if not (isinstance(data, (tuple, list)) and len(data) == 3
            and all(isinstance(p, (tuple, list)) and len(p) == 2 for p in data)):
        raise ValueError(f"{file}: expected three (X, y) pairs (training, validation, test)")
    pairs = []
    for (X, y), what in zip(data, ("training", "validation", "test")):
        X, y = np.asarray(X), np.asarray(y)
        if X.ndim != 2 or not np.issubdtype(X.dtype, np.number) \
                or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"{file}: {what} X must be 2-D numeric and y integer, "
                             f"got X {X.shape} {X.dtype}, y {y.shape} {y.dtype}")
        _check_pair(X, y, what, file)
        pairs.append((np.ascontiguousarray(X, dtype=np.float32), y.astype(np.int64, copy=False)))
    if len({X.shape[1] for X, _ in pairs}) != 1:
        raise ValueError(f"{file}: training, validation and test images differ in size")
    return tuple(pairs)


def load_mnist_arrays(path: Optional[PathLike] = None, validation_size: Optional[int] = 10000,
                      argument: str = "path=") -> Tuple[Pair, Pair, Pair]:
    """Load MNIST as ``((X_train, y_train), (X_val, y_val), (X_test, y_test))``.

    X is float32, C-contiguous, shape (n, rows*cols) (784 for MNIST), pixels scaled
    by 1/256 -- the scale of the book's ``mnist.pkl.gz``, so values lie in
    [0, 255/256]. y is int64, shape (n,). The validation set is the last
    ``validation_size`` training images, so with MNIST's 60,000 training images the
    sizes are 50,000 / 10,000 / 10,000 (``None``: 10,000 or a sixth of a smaller set); the training and validation X are views
    of one array.

    ``path`` is resolved by :func:`find_data` (``argument``: how its errors name it). A ``.pkl.gz`` file keeps its own
    stored split (``validation_size`` is ignored). Warning: unpickling can run
    arbitrary code, so only load a ``.pkl.gz`` file from a trusted source.
    """
    if validation_size is not None:
        validation_size = check_int(validation_size, "validation_size")
    source = find_data(path, argument)
    if source.is_file():
        return _load_pickle(source)
    (X, y), test = _load_idx(source)
    n = len(y)
    if validation_size is None:
        validation_size = min(10000, n // 6)
    if not 0 <= validation_size < n:
        raise ValueError(f"validation_size must be in [0, {n}), got {validation_size}")
    k = n - validation_size
    return (X[:k], y[:k]), (X[k:], y[k:]), test


data_env()  # a relative $FASTNET_DATA names a folder from where the program started
