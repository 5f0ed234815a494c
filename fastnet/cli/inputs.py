"""What the commands read: the data set (``--data``) and model files."""
from typing import Optional

from ..io.idx import DATA_ENV, PARTS, default_cache_dir, load_mnist_arrays, load_test_arrays
from ..network import Network


def data_help() -> str:
    """The help text of every ``--data`` option that reads MNIST-format data."""
    return (f"a folder with the four IDX files, or a mnist.pkl.gz (default: ${DATA_ENV}, "
            f"then {default_cache_dir()}, downloaded there if missing)")


def data_path(path: Optional[str], parts=PARTS):
    """Where the data is: ``--data``, else $FASTNET_DATA, else the cache folder, where
    MNIST is downloaded when missing (``io.download.find_or_fetch``; ``parts``: the
    parts of it needed)."""
    from ..io.download import find_or_fetch
    return find_or_fetch(path, "--data", parts)


def load_data(path: Optional[str]):
    """(training, validation, test) arrays of the data at ``data_path(path)``."""
    return load_mnist_arrays(data_path(path), validation_size=None, argument="--data")


def load_test_data(path: Optional[str]):
    """The test set ``(X, y)`` of the data at ``data_path(path)``: the training images
    are neither fetched nor read."""
    return load_test_arrays(data_path(path, ("test",)), argument="--data")


def load_model(path: str) -> Network:
    """The model in the file at ``path`` (ValueError / FileNotFoundError saying what is wrong)."""
    from ..io.persist import load
    return load(path)
