"""Fixtures of the sweep tests: a slice of MNIST in its own format, and a real Dask
cluster on 127.0.0.1 (``sweeping.Cluster``), stopped when the tests end, also on failure."""
import pytest
from slices import write_mnist_slice
from sweeping import Cluster


@pytest.fixture(scope="session")
def sweep_slice(mnist_dir, tmp_path_factory):
    """The first 3,000 training and 500 test images of MNIST, in MNIST's own format."""
    return write_mnist_slice(mnist_dir, tmp_path_factory.mktemp("sweep-slice"), 3000, 500)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real Dask cluster on 127.0.0.1; every process stopped at the end."""
    pytest.importorskip("distributed")
    cluster = Cluster(tmp_path_factory.mktemp("dask-cluster"))
    try:
        cluster.wait_for_workers()
        yield cluster
    finally:
        cluster.stop()
