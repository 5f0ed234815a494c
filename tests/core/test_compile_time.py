"""The training kernel is compiled (or loaded from Numba's disk cache) before the first
epoch is timed, by a call on no examples: epoch times exclude it, the first epoch's
record holds it as ``compile_seconds``, and the parameters are bit-identical to
training without that call (every dtype, 1 and 2 threads, dropout, momentum, L2)."""
import random
import time

import numba
import numpy as np
import pytest

from fastnet import Network
from fastnet.core.workspace import Workspace

TWO = min(2, numba.config.NUMBA_NUM_THREADS)


def data(n_in=20, n_out=4, n=157, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_in))
    X[rng.random(X.shape) < 0.7] = 0
    return X, rng.integers(0, n_out, n)


def trained(dtype, threads, epochs=2, **options):
    np.random.seed(1)
    random.seed(1)
    net = Network([20, 9, 7, 4], dtype=dtype, threads=threads)
    results = list(net.train_epochs(data(), epochs, 10, 0.5, **options))
    return net, results


def slow_preparation(monkeypatch, seconds):
    """Workspace.train taking ``seconds`` longer on no examples, as a first compile."""
    train = Workspace.train

    def slow(self, inputs, targets, order, **step):
        if order.size == 0:
            time.sleep(seconds)
        return train(self, inputs, targets, order, **step)
    monkeypatch.setattr(Workspace, "train", slow)


def test_epoch_times_exclude_the_preparation(monkeypatch):
    slow_preparation(monkeypatch, 1.0)
    seen = []
    np.random.seed(1)
    random.seed(1)
    net = Network([20, 9, 4])
    results = list(net.train_epochs(data(20, 4), 2, 10, 0.5, prepared=seen.append))
    assert len(seen) == 1 and seen[0] >= 1.0
    assert results[0].seconds < 0.5 and results[0].record["seconds"] < 0.5
    assert results[0].record["compile_seconds"] == seen[0]
    assert "compile_seconds" not in results[1].record
    assert net.history[0]["compile_seconds"] >= 1.0


def test_no_epochs_prepare_nothing(monkeypatch):
    seen = []
    assert list(Network([20, 9, 4]).train_epochs(data(20, 4), 0, 10, 0.5, prepared=seen.append)) == []
    assert seen == []


@pytest.mark.parametrize("threads", sorted({1, TWO}))
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("options", [dict(momentum=0.5, dropout=0.3), dict(lmbda=5.0, dropout=0.3),
                                     dict(l1=1.0, lmbda=1.0)], ids=str)
def test_the_preparation_changes_no_bit(monkeypatch, dtype, threads, options):
    prepared, results = trained(dtype, threads, **options)
    assert results[0].record["threads"] == threads and "compile_seconds" in results[0].record
    train = Workspace.train

    def unprepared(self, inputs, targets, order, **step):
        if order.size:  # the preparation's call on no examples is skipped
            train(self, inputs, targets, order, **step)
    monkeypatch.setattr(Workspace, "train", unprepared)
    plain, _ = trained(dtype, threads, **options)
    assert prepared._params.tobytes() == plain._params.tobytes()
    if options.get("momentum"):
        assert prepared._velocity.tobytes() == plain._velocity.tobytes()
