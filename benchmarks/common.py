"""Data and networks shared by the asv benchmarks.

The data is real MNIST from ``$FASTNET_DATA`` (an absolute path: asv runs the benchmarks
from its own folders), read here with numpy alone so that every commit in the history
sees the same arrays whatever its own loader was. Without ``$FASTNET_DATA`` the timings
run on seeded synthetic data of the same shapes and sparsity, each benchmark says so on
stderr, and the accuracy benchmark is skipped: its figure on random labels (~10%) is
not a result. asv benchmarks the current suite against every commit it installs, so
what an old commit lacks (an option, a method) is skipped through ``NotImplementedError``
found from its signatures, never by catching the errors a call raises.
Append only: changing what a benchmark measures breaks its history."""
import gzip
import inspect
import os
import random
import sys
from pathlib import Path

import numpy as np

N_TRAIN, N_TEST = 50_000, 10_000
SYNTHETIC_WARNING = ("*** FASTNET_DATA is not set: SYNTHETIC data (random pixels, random "
                     "labels), not MNIST; timings only, accuracy skipped ***")


def real_data() -> bool:
    """True when ``$FASTNET_DATA`` names the data: the benchmarks then run on MNIST."""
    return bool(os.environ.get("FASTNET_DATA"))


def _read_idx(path: Path) -> np.ndarray:
    """The uint8 array of an IDX file (``.gz`` or raw), shaped by its header."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    if raw[:2] != b"\0\0" or raw[2] != 8:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _idx_pair(folder: Path, prefix: str):
    """(X float32 (n, 784) scaled by 1/256 as fastnet's loader does, y int64 (n,))."""
    found = {}
    for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
        candidates = [folder / f"{prefix}-{kind}{ext}" for ext in (".gz", "")]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            raise FileNotFoundError(f"FASTNET_DATA={folder}: no {candidates[0].name} there")
        found[kind] = _read_idx(path)
    images, labels = found["images-idx3-ubyte"], found["labels-idx1-ubyte"]
    X = np.multiply(images.reshape(len(images), -1), np.float32(1 / 256), dtype=np.float32)
    return X, labels.astype(np.int64)


def mnist():
    """((X, y), (X_test, y_test)): float32 (n, 784) in [0, 1) and int64 labels; the first
    50,000 training images (the book's training set) and the 10,000 test images."""
    if not real_data():
        print(SYNTHETIC_WARNING, file=sys.stderr)
        rng = np.random.default_rng(0)
        sparse = lambda n: (rng.random((n, 784)) * (rng.random((n, 784)) < 0.19)).astype(np.float32)  # noqa: E731
        return (sparse(N_TRAIN), rng.integers(0, 10, N_TRAIN)), (sparse(N_TEST), rng.integers(0, 10, N_TEST))
    folder = Path(os.environ["FASTNET_DATA"])
    if not folder.is_absolute():
        raise ValueError(f"FASTNET_DATA={folder} must be an absolute path: asv runs the "
                         "benchmarks from its own folders")
    X, y = _idx_pair(folder, "train")
    return (X[:N_TRAIN], y[:N_TRAIN]), _idx_pair(folder, "t10k")


def require(function, *names: str) -> None:
    """Raise NotImplementedError (asv: skipped) when the installed fastnet's ``function``
    takes none of the keyword arguments ``names`` (an older commit)."""
    parameters = inspect.signature(function).parameters
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return
    missing = [name for name in names if name not in parameters]
    if missing:
        raise NotImplementedError(f"{function.__qualname__} takes no {', '.join(missing)} "
                                  "in this commit")


def seeded_network(sizes, dtype=np.float32, seed=0, **options):
    from fastnet import Network
    require(Network.__init__, *options)
    np.random.seed(seed)
    random.seed(seed)
    return Network(sizes, dtype=dtype, **options)
