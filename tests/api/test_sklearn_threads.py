"""MLPClassifier's randomness is its own: fits in several threads at once (as joblib's
threading backend or a Dask worker runs them) give the results of fits one by one, and
the shared ``random`` module is neither read nor changed."""
import random
import threading

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_digits  # noqa: E402

from fastnet.sklearn import MLPClassifier  # noqa: E402


def test_fits_in_threads_at_once_match_fits_one_by_one():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0

    def fit(seed):
        return MLPClassifier(hidden_layer_sizes=(30,), epochs=5, random_state=seed).fit(X, y)
    alone = [fit(seed).predict_proba(X) for seed in range(4)]
    together = [None] * 4

    def worker(seed):
        together[seed] = fit(seed).predict_proba(X)

    def meddler(stop):  # another thread drawing from the shared generator all along
        while not stop.is_set():
            random.random()
    stop = threading.Event()
    noise = threading.Thread(target=meddler, args=(stop,))
    noise.start()
    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    noise.join()
    for one, other in zip(alone, together):
        np.testing.assert_array_equal(one, other)


def test_a_fit_leaves_the_shared_random_module_alone():
    X, y = load_digits(return_X_y=True)
    random.seed(3)
    before = random.getstate()
    MLPClassifier(hidden_layer_sizes=(10,), epochs=2, random_state=0).fit(X / 16.0, y)
    assert random.getstate() == before
