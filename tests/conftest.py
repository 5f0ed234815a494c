"""Shared fixtures: where the real MNIST files are, and a record of the sparse forms of
training inputs that get built.

The data never lives in this repository. Tests find it through ``FASTNET_DATA``
(CI sets it to ``../shared/data/mnist``) or, failing that, at that same relative
path beside the checkout. Tests that need it are skipped when neither exists.
"""
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The numpy oracles (tests/oracles) are imported as ``oracles`` by tests in every subfolder.
sys.path.insert(0, str(Path(__file__).resolve().parent))


# A relative $FASTNET_DATA names a folder from where pytest started: made absolute here,
# so that tests running code in another working directory still find the data.
if os.environ.get("FASTNET_DATA"):
    os.environ["FASTNET_DATA"] = str(Path(os.environ["FASTNET_DATA"]).resolve())


def _mnist_dir():
    env = os.environ.get("FASTNET_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "data" / "mnist")
    for folder in candidates:
        if (folder / "train-images-idx3-ubyte.gz").is_file():
            return folder
    return None


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """Folder holding the four standard MNIST IDX ``.gz`` files."""
    folder = _mnist_dir()
    if folder is None:
        pytest.skip("real MNIST not found: set FASTNET_DATA to the folder of the IDX files")
    return folder


@pytest.fixture
def sparse_builds(monkeypatch) -> list:
    """A copy of the inputs of every sparse form of training inputs built from here on
    (``core.inputs.SparseInputs``), in order."""
    import fastnet.core.inputs as inputs
    built = []
    original = inputs.SparseInputs.__init__
    monkeypatch.setattr(inputs.SparseInputs, "__init__",
                        lambda self, X: (built.append(X.copy()), original(self, X))[1])
    return built
