"""The vision tests' data: the MNIST test digits."""
import pytest


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    from fastnet.mnist_loader import load_data

    return load_data(mnist_dir)


@pytest.fixture(scope="module")
def digits(mnist):
    """The MNIST test digits: (10000, 784) float32 in [0, 1] and their labels."""
    return mnist[2]
