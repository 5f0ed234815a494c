"""MLPClassifier never answers with NaN: a fit that diverges, or inputs the network
overflows on, are a clear ValueError, and what pickles unpickles.

scikit-learn is a test-only dependency: without it this module is skipped."""
import pickle

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.exceptions import NotFittedError  # noqa: E402

from fastnet.sklearn import MLPClassifier  # noqa: E402


def data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 4))
    return X, (X[:, 0] > 0.5).astype(int)


@pytest.mark.parametrize("case", ["huge X", "huge learning_rate"])
def test_a_fit_that_diverges_raises_and_leaves_the_estimator_unfitted(case):
    X, y = data()
    if case == "huge X":
        clf, X = MLPClassifier(epochs=3, random_state=0), np.full_like(X, 1e30)
    else:
        clf = MLPClassifier(epochs=3, random_state=0, activation="sigmoid", output="linear",
                            cost="quadratic", learning_rate=1e30)
    with pytest.raises(ValueError, match=r"training diverged.*epoch 1; lower learning_rate "
                                         r".*or scale X") as error:
        clf.fit(X, y)
    assert isinstance(error.value, FloatingPointError)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    with pytest.raises(ValueError, match="training diverged"):
        MLPClassifier(random_state=0).partial_fit(np.full_like(X, 1e30), y, classes=[0, 1])


def test_inputs_the_network_overflows_on_are_refused_not_class_0():
    X, y = data()
    clf = MLPClassifier(epochs=3, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="NaN or infinite.*scale the inputs"):
        clf.predict(np.full((2, 4), 3e38))
    assert np.isfinite(clf.predict_proba(X)).all()


def test_pickling_round_trips_or_refuses_clearly():
    X, y = data()
    clf = MLPClassifier(epochs=2, random_state=0).fit(X, y)
    back = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(back.predict_proba(X), clf.predict_proba(X))
    clf.network_.weights[0][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"weights\[0\] contains NaN or infinity"):
        pickle.dumps(clf)


def test_a_learning_rate_the_dtype_cannot_carry_is_refused_by_name():
    X, y = data()
    with pytest.raises(ValueError, match="learning_rate must be finite in float32"):
        MLPClassifier(learning_rate=1e300).fit(X, y)
    assert MLPClassifier(learning_rate=1e-3, dtype="float64", epochs=1).fit(X, y).n_iter_ == 1
