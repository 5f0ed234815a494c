"""fastnet.sklearn.MLPClassifier: scikit-learn's estimator checks, pipelines, model
selection, reproducibility, labels, partial_fit, pickling and real MNIST.

scikit-learn is a test-only dependency: without it this module is skipped."""
import pickle
import random
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits, load_iris  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from fastnet.network import Network  # noqa: E402
from fastnet.sklearn import MLPClassifier  # noqa: E402


def small(**params):
    """A classifier small and quick enough for tests."""
    return MLPClassifier(**{"hidden_layer_sizes": (10,), "epochs": 10, **params})


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return train_test_split(StandardScaler().fit_transform(X), y, test_size=0.3,
                            random_state=0, stratify=y)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.3, random_state=0, stratify=y)


# -- scikit-learn's own checks ----------------------------------------------------------
@parametrize_with_checks([small()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# -- accuracy, pipelines, model selection ---------------------------------------------
def test_iris_accuracy(iris):
    X, Xt, y, yt = iris
    clf = MLPClassifier(hidden_layer_sizes=(20,), epochs=50, random_state=0).fit(X, y)
    assert clf.score(Xt, yt) >= 0.9
    assert clf.n_iter_ == 50 and len(clf.history_) == 50
    assert clf.n_features_in_ == 4
    assert list(clf.classes_) == [0, 1, 2]
    assert isinstance(clf.network_, Network) and clf.network_.sizes == [4, 20, 3]
    assert clf.network_.activation == "relu" and clf.network_.output == "softmax"


def test_pipeline_and_cross_val_score():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(20,), epochs=40,
                                                         random_state=0))
    scores = cross_val_score(pipe, X, y, cv=5)
    assert scores.mean() >= 0.9, scores


def test_grid_search_and_clone(iris):
    X, Xt, y, yt = iris
    search = GridSearchCV(small(epochs=30, random_state=0),
                          {"learning_rate": [0.001, 0.1], "hidden_layer_sizes": [(5,), (20,)]},
                          cv=3).fit(X, y)
    assert search.best_params_["learning_rate"] == 0.1  # 0.001 barely moves in 30 epochs
    assert search.best_score_ >= 0.85
    assert search.score(Xt, yt) >= 0.85
    assert search.best_estimator_.n_iter_ == 30

    fitted = search.best_estimator_
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "network_") and not hasattr(copy, "classes_")
    copy.set_params(epochs=3, learning_rate=0.05)
    assert copy.get_params()["epochs"] == 3 and fitted.epochs == 30


# -- randomness -------------------------------------------------------------------------
@pytest.mark.parametrize("options", [{}, {"dropout": 0.2, "early_stopping": 3, "momentum": 0.5}])
def test_random_state_reproducible_and_global_states_untouched(iris, options):
    X, Xt, y, yt = iris
    np.random.seed(123)
    random.seed(456)
    np_before, py_before = np.random.get_state(), random.getstate()

    a = small(random_state=7, **options).fit(X, y)
    b = small(random_state=7, **options).fit(X, y)
    c = small(random_state=8, **options).fit(X, y)

    np_after = np.random.get_state()
    assert np_after[0] == np_before[0] and np.array_equal(np_after[1], np_before[1])
    assert np_after[2:] == np_before[2:]
    assert random.getstate() == py_before
    assert np.array_equal(a.predict(Xt), b.predict(Xt))
    assert np.array_equal(a.predict_proba(Xt), b.predict_proba(Xt))
    for wa, wb, wc in zip(a.network_.weights, b.network_.weights, c.network_.weights):
        assert np.array_equal(wa, wb)
        assert not np.array_equal(wa, wc)
    for ba, bb in zip(a.network_.biases, b.network_.biases):
        assert np.array_equal(ba, bb)
    # refitting the same estimator gives the same network again
    again = a.fit(X, y)
    assert np.array_equal(again.network_.weights[0], b.network_.weights[0])


def test_random_state_none_follows_global_numpy_seed(iris):
    X, _, y, _ = iris
    np.random.seed(0)
    a = small().fit(X, y)
    np.random.seed(0)
    b = small().fit(X, y)
    assert np.array_equal(a.network_.weights[0], b.network_.weights[0])


# -- labels -------------------------------------------------------------------------------
def test_string_labels_round_trip(iris):
    X, Xt, y, yt = iris
    names = np.array(["setosa", "versicolor", "virginica"])
    clf = MLPClassifier(hidden_layer_sizes=(20,), epochs=50, random_state=0).fit(X, names[y])
    assert list(clf.classes_) == list(names)
    predicted = clf.predict(Xt)
    assert predicted.dtype == names.dtype and set(predicted) <= set(names)
    assert clf.score(Xt, names[yt]) >= 0.9
    assert clf.score(Xt, names[yt]) == MLPClassifier(
        hidden_layer_sizes=(20,), epochs=50, random_state=0).fit(X, y).score(Xt, yt)


def test_non_contiguous_int_labels_and_binary(iris):
    X, Xt, y, yt = iris
    codes = np.array([-3, 7, 42])
    clf = small(epochs=30, random_state=0).fit(X, codes[y])
    assert list(clf.classes_) == [-3, 7, 42]
    assert set(clf.predict(Xt)) <= {-3, 7, 42}
    assert clf.score(Xt, codes[yt]) >= 0.85
    # two classes: two softmax outputs
    binary = (y == 2)
    clf = small(epochs=30, random_state=0).fit(X, binary)
    assert clf.network_.sizes[-1] == 2 and clf.predict_proba(Xt).shape == (len(Xt), 2)
    assert clf.score(Xt, yt == 2) >= 0.85


# -- probabilities ----------------------------------------------------------------------
@pytest.mark.parametrize("output, cost", [(None, None), ("sigmoid", None), ("sigmoid", "quadratic"),
                                          ("tanh", None), ("linear", None), ("relu", None)])
def test_predict_proba_is_a_distribution(iris, output, cost):
    X, Xt, y, yt = iris
    clf = small(output=output, cost=cost, activation="tanh", epochs=20, learning_rate=0.05,
                random_state=0).fit(X, y)
    proba = clf.predict_proba(Xt)
    assert proba.shape == (len(Xt), 3) and proba.dtype == np.float64
    assert (proba >= 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.array_equal(clf.predict(Xt), clf.classes_[proba.argmax(axis=1)])
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(clf.predict_log_proba(Xt), np.log(proba))


def test_architecture_defaults():
    X = np.random.RandomState(0).rand(30, 3)
    y = np.arange(30) % 3
    clf = small(random_state=0).fit(X, y)
    assert clf._architecture == {"activation": "relu", "output": "softmax", "cost": "log-likelihood"}
    assert (clf.network_.output, clf.network_.dtype) == ("softmax", np.float32)
    clf = small(output="sigmoid", random_state=0).fit(X, y)
    assert clf._architecture["cost"] == "cross-entropy" and clf.network_.output == "sigmoid"
    clf = small(cost="quadratic", random_state=0).fit(X, y)
    assert clf.network_.output == "sigmoid"
    net = small(activation="sigmoid", hidden_layer_sizes=(), random_state=0).fit(X, y).network_
    assert net.sizes == [3, 3] and net.activation == "sigmoid"
    assert small(hidden_layer_sizes=7, random_state=0).fit(X, y).network_.sizes == [3, 7, 3]


def test_float64(iris):
    """The only float64 test here (its kernels compile once per machine, then load from
    Numba's disk cache)."""
    X, Xt, y, yt = iris
    clf = small(dtype="float64", epochs=30, random_state=0).fit(X, y)
    assert clf.network_.dtype is np.float64 and clf.network_.weights[0].dtype == np.float64
    assert clf.predict_proba(Xt).dtype == np.float64
    copy = pickle.loads(pickle.dumps(clf))
    assert copy.network_.dtype is np.float64
    assert np.array_equal(copy.predict_proba(Xt), clf.predict_proba(Xt))
    assert clf.score(Xt, yt) >= 0.85


# -- partial_fit, early stopping --------------------------------------------------------
def test_partial_fit_improves(digits):
    X, Xt, y, yt = digits
    clf = MLPClassifier(hidden_layer_sizes=(30,), batch_size=10, learning_rate=0.05,
                        random_state=0)
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X[:100], y[:100])
    chunks = np.array_split(np.arange(len(X)), 5)
    clf.partial_fit(X[chunks[0]], y[chunks[0]], classes=np.arange(10))
    first = clf.score(Xt, yt)
    for _ in range(3):
        for chunk in chunks:
            clf.partial_fit(X[chunk], y[chunk])
    assert clf.n_iter_ == 16 and len(clf.history_) == 16
    last = clf.score(Xt, yt)
    assert last > first + 0.05 and last >= 0.9, (first, last)
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(X[:5], y[:5] + 10)
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X[:5, :10], y[:5])


def test_early_stopping_keeps_the_best_epoch(digits):
    X, Xt, y, yt = digits
    clf = MLPClassifier(hidden_layer_sizes=(30,), epochs=200, early_stopping=3,
                        validation_fraction=0.2, learning_rate=0.05, random_state=0).fit(X, y)
    assert 4 <= clf.n_iter_ < 200
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.history_[-1]["n_validation"] == int(np.ceil(0.2 * len(X)))
    assert clf.history_[-1]["n_train"] == len(X) - int(np.ceil(0.2 * len(X)))
    assert clf.score(Xt, yt) >= 0.9


def test_halve_eta_schedule(iris):
    X, _, y, _ = iris
    clf = small(epochs=500, halve_eta=1, random_state=0).fit(X, y)
    assert clf.n_iter_ < 500
    assert clf.history_[-1]["eta"] < clf.history_[0]["eta"]


# -- validation ---------------------------------------------------------------------------
@pytest.mark.parametrize("param, value", [
    ("hidden_layer_sizes", (10, 0)), ("hidden_layer_sizes", "10"), ("activation", "softmax"),
    ("output", "step"), ("cost", "hinge"), ("init", "xavier"), ("epochs", 0), ("epochs", 2.5),
    ("batch_size", 0), ("learning_rate", 0), ("learning_rate", float("nan")), ("lmbda", -1),
    ("l1", float("inf")), ("momentum", 1.0), ("dropout", -0.1), ("early_stopping", 0),
    ("halve_eta", True), ("validation_fraction", 1.0), ("dtype", "float16"), ("threads", 0),
])
def test_bad_hyper_parameters(param, value):
    X = np.random.RandomState(0).rand(10, 3)
    y = np.arange(10) % 2
    clf = small(**{param: value})
    with pytest.raises(ValueError, match=param):
        clf.fit(X, y)
    with pytest.raises(ValueError, match=param):
        clf.partial_fit(X, y, classes=[0, 1])


def test_incompatible_output_and_cost():
    X = np.random.RandomState(0).rand(10, 3)
    with pytest.raises(ValueError, match="softmax"):
        small(output="softmax", cost="quadratic").fit(X, np.arange(10) % 2)


def test_bad_data():
    X = np.random.RandomState(0).rand(10, 3)
    y = np.arange(10) % 2
    with pytest.raises(ValueError, match="1 class"):
        small().fit(X, np.zeros(10))
    with pytest.raises(ValueError, match="1 class"):
        small().partial_fit(X, np.zeros(10), classes=[0])
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        small().fit(bad, y)
    with pytest.raises(ValueError, match="0 sample"):
        small().fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="Unknown label type"):
        small().fit(X, np.linspace(0, 1, 10))
    fitted = small(random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        fitted.predict(X[:, :2])
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        fitted.predict(bad)


# -- pickling, import ---------------------------------------------------------------------
def test_pickle_round_trip(iris):
    X, Xt, y, yt = iris
    clf = small(epochs=20, momentum=0.5, random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(copy.predict_proba(Xt), clf.predict_proba(Xt))
    assert copy.network_.history == clf.network_.history
    net = copy.network_
    net.weights[0][...] = 0  # still views of the buffer the network computes with
    net.biases[0][...] = 0
    net.weights[1][...] = 0
    assert np.allclose(copy.predict_proba(Xt), copy.predict_proba(Xt[:1]))
    copy.partial_fit(X, y)  # training continues after unpickling
    assert copy.n_iter_ == 21


def test_import_fastnet_does_not_import_sklearn():
    code = "import sys, fastnet; assert 'sklearn' not in sys.modules, 'sklearn imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# -- real MNIST -----------------------------------------------------------------------------
def test_mnist(mnist_dir):
    from fastnet.io.idx import load_mnist_arrays
    (X, y), _, (Xt, yt) = load_mnist_arrays(mnist_dir)
    clf = MLPClassifier(hidden_layer_sizes=(100,), epochs=3, batch_size=10, learning_rate=0.1,
                        random_state=0).fit(X[:10_000], y[:10_000])
    assert clf.network_.sizes == [784, 100, 10]
    accuracy = clf.score(Xt, yt)
    assert accuracy >= 0.9, accuracy
