"""The data a batch of runs trains on: loaded once per process and kept, and told apart
by a fingerprint so that results of other data are never mistaken for these."""
import os
import shutil
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Optional, Tuple

import numpy as np

Arrays = Tuple[np.ndarray, np.ndarray]  # X (n, inputs) float32, y (n,) int64
Limits = Tuple[Optional[int], Optional[int]]  # first (training, test) examples; None: all


@dataclass
class Dataset:
    """Training and test arrays (MNIST's 50,000 / 10,000 unless limited)."""
    train: Arrays
    test: Arrays

    def summary(self) -> str:
        """"50,000 training / 10,000 test examples", for titles."""
        return f"{len(self.train[1]):,} training / {len(self.test[1]):,} test examples"

    def shape(self) -> Tuple[int, int]:
        """(inputs, classes); ValueError when either set is empty."""
        (X, y), (_, yt) = self.train, self.test
        if len(y) == 0 or len(yt) == 0:
            raise ValueError("the training and test sets must not be empty (check the limits)")
        return int(X.shape[1]), int(max(y.max(), yt.max())) + 1

    def fingerprint(self) -> dict:
        """Sizes and a checksum of the labels and pixels: equal for the same data and
        limits, different for another data set (Fashion-MNIST has MNIST's shapes)."""
        (X, y), (Xt, yt) = self.train, self.test
        checksum = 0
        for array in (y, yt, X[:: max(1, len(X) // 64)], Xt[:: max(1, len(Xt) // 64)]):
            checksum = zlib.crc32(np.ascontiguousarray(array).tobytes(), checksum)
        return {"train": int(len(y)), "test": int(len(yt)), "inputs": int(X.shape[1]),
                "crc32": checksum}


class DataFile(NamedTuple):
    """Where a worker loads the data from itself: an absolute path and the limits."""
    path: str
    limits: Limits


class SharedCopy(NamedTuple):
    """A data set the caller saved as .npy files in a temporary folder (in memory where
    the machine has ``/dev/shm``), which workers on the same machine map instead of
    decoding the data files again: ``share`` makes it, ``unshare`` deletes it."""
    folder: str


_SHARED_NAMES = ("X", "y", "X_test", "y_test")


def share(dataset: Dataset) -> SharedCopy:
    """``dataset`` saved for the workers of this machine (``SharedCopy``)."""
    memory = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    folder = tempfile.mkdtemp(prefix="fastnet-data-", dir=memory)
    try:
        for name, array in zip(_SHARED_NAMES, (*dataset.train, *dataset.test)):
            np.save(os.path.join(folder, f"{name}.npy"), array)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return SharedCopy(folder)


def unshare(copy: SharedCopy) -> None:
    shutil.rmtree(copy.folder, ignore_errors=True)


def load_dataset(path=None, train_limit: Optional[int] = None, test_limit: Optional[int] = None,
                 argument: str = "data=") -> Dataset:
    """MNIST (or any data set in its format) via :mod:`fastnet.io.idx`; the first
    ``train_limit`` / ``test_limit`` examples only, for quick runs and tests. ``argument``
    names ``path`` in errors as the user gave it (``data=``, ``--data``)."""
    from ..io.idx import load_mnist_arrays
    (X, y), _, (Xt, yt) = load_mnist_arrays(path, validation_size=None, argument=argument)
    return Dataset((X[:train_limit], y[:train_limit]), (Xt[:test_limit], yt[:test_limit]))


def data_file(path, limits: Limits, argument: str = "data=") -> DataFile:
    """The data's location as every process can name it: absolute (a relative path or
    ``$FASTNET_DATA`` is resolved here, in the caller's working directory). MNIST is
    downloaded into the cache folder when no data was named and none is there."""
    from ..io.download import find_or_fetch
    return DataFile(str(Path(find_or_fetch(path, argument)).absolute()), tuple(limits))


#: DataFile or SharedCopy -> [Dataset, its training inputs' sparse form or None]: the
#: last data set this process loaded
_loaded: dict = {}


def dataset_for(data) -> Dataset:
    """``data`` itself when it is a Dataset; for a DataFile or a SharedCopy, the data set
    it names, loaded (or mapped: pages shared, copy-on-write) on the first call in this
    process and kept for the next runs."""
    if isinstance(data, Dataset):
        return data
    if data not in _loaded:
        _loaded.clear()  # one data set at a time: a long-lived worker serves many sweeps
        if isinstance(data, SharedCopy):
            X, y, Xt, yt = (_mapped(data, name) for name in _SHARED_NAMES)
            _loaded[data] = [Dataset((X, y), (Xt, yt)), None]
        else:
            _loaded[data] = [load_dataset(data.path, *data.limits), None]
    return _loaded[data][0]


def training_set(data) -> Dataset:
    """``dataset_for(data)``, for runs that train on it in this process: the data set this
    process keeps (``data`` may be that Dataset itself) also keeps the sparse form of
    its training inputs (``core.inputs.keep_sparse``), which the runs' networks share
    instead of each building their own."""
    dataset = dataset_for(data)
    entry = next((entry for entry in _loaded.values() if entry[0] is dataset), None)
    if entry is not None and entry[1] is None:
        X = _trainable(dataset)
        if X is not None:
            from ..core.inputs import keep_sparse
            entry[1] = keep_sparse(X)
    return dataset


def _mapped(copy: SharedCopy, name: str) -> np.ndarray:
    """One array of a SharedCopy, mapped copy-on-write: writeable (the type the kernels
    take, so nothing is copied), its pages shared until written."""
    return np.load(os.path.join(copy.folder, f"{name}.npy"), mmap_mode="c")


def _trainable(dataset: Dataset) -> Optional[np.ndarray]:
    """The training inputs as a float32 network trains on them (the same array when it
    is one already: C-contiguous and writeable), or None if there are none."""
    X = dataset.train[0]
    if X.dtype != np.float32 or not len(X):
        return None
    return np.require(X, requirements=["C", "W"])
