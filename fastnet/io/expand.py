"""The book's ``expand_mnist.py``, vectorised: every training image as it is plus shifted
by one pixel up, down, left and right (zero fill), 50,000 -> 250,000 training images.

    fastnet expand [--data SRC] --out DIR [--seed 0] [--no-shuffle]   (fastnet.cli.expand)

:func:`expand_images` does the shifting on arrays (no Python loop over images).
:func:`expand_mnist` reads the MNIST IDX files, expands the training part (the first
50,000 of the training file; the last 10,000 are the validation set, as in
:func:`fastnet.data.load_mnist_arrays`), shuffles it with a seeded RNG (the book shuffles
too, unseeded), and writes a folder of the four standard IDX ``.gz`` files:

- ``train-images-idx3-ubyte.gz``: the 250,000 expanded images, then the 10,000
  validation images unchanged, so ``load_mnist_arrays(dest)`` gives 250,000 training /
  10,000 validation / 10,000 test images; ``train-labels-idx1-ubyte.gz`` likewise;
- ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``: the test set unchanged
  (byte for byte when the source file is gzipped).

Differences from the book's script: the four versions of an image come in the order
[original, up, down, left, right] (the book: original, down, up, right, left, then a
shuffle, so after shuffling the order does not matter); the shuffle is seeded
(``numpy.random.default_rng(seed)``); the output is the IDX format, not a pickle.
"""
from __future__ import annotations

import gzip
import os
import shutil
import struct
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

import numpy as np

from ..core.validate import check_int
from .atomic import write_files_atomically
from .idx import IDX_FILES, PathLike, default_cache_dir, find_data, idx_paths, read_idx

SHIFTS = ("original", "up", "down", "left", "right")
VALIDATION_SIZE = 10000
GZIP_MEMBERS = 8              # parts of a large file compressed in parallel
GZIP_MEMBER_MIN = 1 << 24     # bytes: smaller files are one gzip member


def expand_images(X, y, shape: Tuple[int, int] = (28, 28)) -> Tuple[np.ndarray, np.ndarray]:
    """Each image of ``X`` as it is and shifted by one pixel up, down, left and right.

    ``X``: (n, rows*cols) array, one flattened image per row, any integer, float or bool
    dtype; ``y``: (n,) labels. Returns ``(X_expanded, y_expanded)``: X_expanded of
    shape (5n, rows*cols) and X's dtype, the five versions of image i in rows 5i..5i+4
    in the order [original, up, down, left, right] (:data:`SHIFTS`); "up" moves the
    content one row up, its last row becoming 0, and so on. y_expanded is
    ``np.repeat(y, 5)`` (y's dtype).

    Raises TypeError for a non-numeric X, ValueError for wrong shapes or empty input.
    """
    rows, cols = _check_shape(shape)
    X = np.asarray(X)
    y = np.asarray(y)
    if not (np.issubdtype(X.dtype, np.number) or X.dtype == np.bool_):
        raise TypeError(f"X must be a numeric array, got dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n images, {rows * cols} pixels), got shape {X.shape}")
    n = X.shape[0]
    if X.shape[1] != rows * cols:
        raise ValueError(f"X has {X.shape[1]} pixels per image, but shape {rows}x{cols} "
                         f"needs {rows * cols}")
    if n == 0:
        raise ValueError("X holds no images")
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"y must be 1-D with one label per image ({n}), got shape {y.shape}")
    images = X.reshape(n, rows, cols)
    out = np.empty((n, 5, rows, cols), dtype=X.dtype)
    # in blocks of about 512 KB of input, so each block's five versions are written
    # while its rows are in cache (one pass over the output instead of five)
    block = max(1, (1 << 19) // max(1, rows * cols * X.dtype.itemsize))
    for i in range(0, n, block):
        _shift_into(images[i:i + block], out[i:i + block])
    return out.reshape(5 * n, rows * cols), np.repeat(y, 5)


def _shift_into(images: np.ndarray, out: np.ndarray) -> None:
    """out[:, k] = the k-th version (SHIFTS order) of images (n, rows, cols)."""
    out[:, 0] = images
    out[:, 1, :-1, :] = images[:, 1:, :]   # up: row r+1 moves to row r
    out[:, 1, -1, :] = 0
    out[:, 2, 1:, :] = images[:, :-1, :]   # down
    out[:, 2, 0, :] = 0
    out[:, 3, :, :-1] = images[:, :, 1:]   # left: column c+1 moves to column c
    out[:, 3, :, -1] = 0
    out[:, 4, :, 1:] = images[:, :, :-1]   # right
    out[:, 4, :, 0] = 0


def _check_shape(shape) -> Tuple[int, int]:
    try:
        rows, cols = (int(s) for s in shape)
    except (TypeError, ValueError):
        raise TypeError(f"shape must be a pair of integers (rows, cols), got {shape!r}") from None
    if rows < 1 or cols < 1 or (rows, cols) != tuple(shape):
        raise ValueError(f"shape must be two positive integers, got {shape!r}")
    return rows, cols


# ---------------------------------------------------------------- the data set on disk

@dataclass
class ExpandResult:
    """What :func:`expand_mnist` wrote."""
    dest: Path
    files: List[Path]
    n_source_train: int       # training images expanded (50,000 for MNIST)
    n_train: int              # 5 * n_source_train
    n_validation: int
    n_test: int
    shuffled: bool
    seed: Optional[int]
    expand_seconds: float     # expand_images and the shuffle
    total_seconds: float      # reading, expanding, writing

    def summary(self) -> str:
        how = f"shuffled with seed {self.seed}" if self.shuffled else "not shuffled"
        return (f"Wrote {self.dest}: {self.n_train:,} training images ({self.n_source_train:,} x 5, "
                f"{how}) + {self.n_validation:,} validation images in "
                f"{IDX_FILES['train_images']}.gz, {self.n_test:,} test images; "
                f"expanded{' and shuffled' if self.shuffled else ''} in {self.expand_seconds:.2f} s, "
                f"{self.total_seconds:.2f} s in all")


def default_dest() -> Path:
    """``~/.cache/fastnet/mnist-expanded`` (beside the MNIST cache folder)."""
    return default_cache_dir().parent / "mnist-expanded"


def expand_mnist(source: Optional[PathLike] = None, dest: Optional[PathLike] = None,
                 seed: Optional[int] = 0, shuffle: bool = True,
                 validation_size: int = VALIDATION_SIZE) -> ExpandResult:
    """Write the expanded MNIST (250,000 / 10,000 / 10,000) as IDX ``.gz`` files in ``dest``.

    ``source``: the MNIST folder, resolved by :func:`fastnet.data.find_data` (``None``:
    ``$FASTNET_DATA``, then the cache folder); it must hold the IDX files (a
    ``mnist.pkl.gz`` has no uint8 pixels to shift: ValueError). ``dest``: the output
    folder (created if needed; default :func:`default_dest`); it may not be the source
    folder. The last ``validation_size`` images of the training file are the
    validation set: copied after the expanded ones, not expanded. ``shuffle``: permute
    the expanded images with ``numpy.random.default_rng(seed)``.

    The four files are first written completely as temporary files in ``dest`` and
    only then renamed onto their names (``os.replace``): an error or Ctrl-C leaves no
    partial file behind (and leaves earlier files in ``dest`` as they were).
    """
    start = time.perf_counter()
    folder = find_data(source)
    if folder.is_file():
        raise ValueError(f"{folder}: expand needs the MNIST IDX files (uint8 pixels), "
                         "not a pickle")
    dest = Path(default_dest() if dest is None else dest)
    if dest.exists() and not dest.is_dir():
        raise ValueError(f"--out {dest} exists and is not a folder")
    if dest.resolve() == folder.resolve() or (dest.exists() and os.path.samefile(dest, folder)):
        raise ValueError(f"refusing to write the expanded data into the source folder {folder}; "
                         "choose another output folder")
    validation_size = check_int(validation_size, "validation_size")
    if shuffle and seed is not None:
        check_int(seed, "seed", 0)

    paths = _source_files(folder)
    images = read_idx(paths["train_images"])
    labels = read_idx(paths["train_labels"])
    test_images = read_idx(paths["test_images"])
    test_labels = read_idx(paths["test_labels"])
    for what, imgs, labs in (("training", images, labels), ("test", test_images, test_labels)):
        if imgs.ndim != 3:
            raise ValueError(f"{folder}: {what} images must be 3-D (n, rows, cols), got {imgs.shape}")
        if labs.ndim != 1 or labs.shape[0] != imgs.shape[0]:
            raise ValueError(f"{folder}: {imgs.shape[0]} {what} images but labels of shape {labs.shape}")
    n = images.shape[0]
    if not 0 <= validation_size < n:
        raise ValueError(f"validation_size must be in [0, {n}), got {validation_size}")
    k = n - validation_size
    rows, cols = images.shape[1:]

    t0 = time.perf_counter()
    X, y = expand_images(images[:k].reshape(k, rows * cols), labels[:k], shape=(rows, cols))
    train_images = np.empty((5 * k + validation_size, rows, cols), dtype=np.uint8)
    train_labels = np.empty(5 * k + validation_size, dtype=np.uint8)
    flat = train_images.reshape(len(train_images), rows * cols)
    if shuffle:
        order = np.random.default_rng(seed).permutation(5 * k)
        np.take(X, order, axis=0, out=flat[:5 * k])
        np.take(y, order, out=train_labels[:5 * k])
    else:
        flat[:5 * k] = X
        train_labels[:5 * k] = y
    del X, y
    train_images[5 * k:] = images[k:]
    train_labels[5 * k:] = labels[k:]
    expand_seconds = time.perf_counter() - t0

    dest.mkdir(parents=True, exist_ok=True)
    outputs = {
        "train_images": lambda f: _write_idx_gz(f, train_images),
        "train_labels": lambda f: _write_idx_gz(f, train_labels),
        "test_images": lambda f: _copy_or_gzip(paths["test_images"], f),
        "test_labels": lambda f: _copy_or_gzip(paths["test_labels"], f),
    }
    files = write_files_atomically({dest / f"{IDX_FILES[key]}.gz": write
                                    for key, write in outputs.items()})
    return ExpandResult(dest=dest, files=files, n_source_train=k, n_train=5 * k,
                        n_validation=validation_size, n_test=int(test_images.shape[0]),
                        shuffled=bool(shuffle), seed=seed if shuffle else None,
                        expand_seconds=expand_seconds,
                        total_seconds=time.perf_counter() - start)


def _source_files(folder: Path) -> dict:
    found, missing = idx_paths(folder)
    if missing:
        raise FileNotFoundError(f"{folder}: missing {', '.join(missing)}")
    return found


def _write_idx_gz(f, array: np.ndarray) -> None:
    """Write uint8 ``array`` as a gzipped IDX file to the binary file object ``f``.

    A large array is cut into up to :data:`GZIP_MEMBERS` parts compressed in parallel
    threads (zlib releases the GIL), each a complete gzip member: a multi-member gzip
    file, which ``gzip``/``gunzip`` and :func:`fastnet.data.read_idx` read as one
    stream. The cut depends only on the size, so the bytes written are the same on
    every machine."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = memoryview(array.reshape(-1))
    members = max(1, min(GZIP_MEMBERS, len(data) // GZIP_MEMBER_MIN))
    step = max(1, -(-len(data) // members))
    parts = [data[i:i + step] for i in range(0, len(data), step)] or [data]

    def compress(index: int) -> bytes:
        c = zlib.compressobj(1, zlib.DEFLATED, 31)  # level 1, gzip wrapper
        head = c.compress(header) if index == 0 else b""
        return head + c.compress(parts[index]) + c.flush()

    workers = min(len(parts), _cpus())
    if workers == 1:
        for index in range(len(parts)):
            f.write(compress(index))
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for blob in pool.map(compress, range(len(parts))):
            f.write(blob)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _copy_or_gzip(src: Path, f) -> None:
    """The IDX file ``src`` into ``f`` as a ``.gz``: its bytes when it is gzipped already."""
    with open(src, "rb") as s:
        if src.suffix == ".gz":
            shutil.copyfileobj(s, f, 1 << 20)
        else:
            with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=1, mtime=0) as gz:
                shutil.copyfileobj(s, gz, 1 << 20)
