"""Slices of MNIST in its own format, for tests that run the command on less data."""
from pathlib import Path

from fastnet.io.idx import IDX_FILES, read_idx, write_idx


def write_mnist_slice(mnist_dir: Path, folder: Path, train: int, test: int) -> Path:
    """The first ``train`` training and ``test`` test images of the MNIST in
    ``mnist_dir``, written to ``folder`` as the four IDX .gz files; ``folder``."""
    for key, name in IDX_FILES.items():
        count = train if key.startswith("train") else test
        write_idx(folder / f"{name}.gz", read_idx(mnist_dir / f"{name}.gz")[:count])
    return folder
