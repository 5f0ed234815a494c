"""What the commands read: the data set (``--data``) and model files."""
import sys
from typing import Optional

from ..io.idx import DATA_ENV, data_env, default_cache_dir, find_data, load_mnist_arrays
from ..network import Network


def data_help() -> str:
    """The help text of every ``--data`` option that reads MNIST-format data."""
    return (f"a folder with the four IDX files, or a mnist.pkl.gz (default: ${DATA_ENV}, "
            f"then {default_cache_dir()}, downloaded there if missing)")


def data_path(path: Optional[str]):
    """Where the data is: ``--data`` as given once it is found there (or in the usual
    places when not given); downloads MNIST into the cache folder when no data was
    named (no --data, no $FASTNET_DATA) and none is there yet."""
    try:
        find_data(path, "--data")
        return path
    except FileNotFoundError:
        if path is not None or data_env() is not None:
            raise
    from ..io.download import fetch_mnist
    print(f"MNIST not found: downloading it into {default_cache_dir()}", file=sys.stderr)
    return fetch_mnist(default_cache_dir())


def load_data(path: Optional[str]):
    """(training, validation, test) arrays of the data at ``data_path(path)``."""
    return load_mnist_arrays(data_path(path), validation_size=None, argument="--data")


def load_model(path: str) -> Network:
    """The model in the file at ``path`` (ValueError / FileNotFoundError saying what is wrong)."""
    from ..io.persist import load
    return load(path)
