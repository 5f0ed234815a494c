"""A scikit-learn estimator around ``fastnet.Network``: ``MLPClassifier``.

``MLPClassifier`` fits a fully connected network (ReLU hidden layers and a softmax
output trained on the log-likelihood cost by default) with fastnet's compiled
mini-batch SGD, and behaves as a scikit-learn classifier: ``fit``, ``partial_fit``,
``predict``, ``predict_proba``, ``predict_log_proba``, ``score``, ``get_params`` /
``set_params``; it works in pipelines, ``cross_val_score``, ``GridSearchCV`` and
``clone``, takes any class labels (strings, non-contiguous ints) and passes
scikit-learn's estimator checks.

This module needs scikit-learn (``pip install scikit-learn``); ``import fastnet`` does
not import it.

Randomness: the network's initial weights are drawn as ``np.random.randn`` draws them
and each epoch's shuffle as Python's ``random.shuffle`` (the book's ``network.py``
behaviour), but during ``fit``/``partial_fit`` from generators of the fit's own, seeded
from ``random_state`` (``core.rng.own_random``): an int ``random_state`` gives
reproducible fits, the caller's global random states are neither read nor changed, and
fits in several threads at once give the results of fits one by one.
(``random_state=None`` follows scikit-learn: one draw is taken from the global
``np.random`` to seed the fit.)
"""
import numbers
from contextlib import contextmanager

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .core.registry import ACTIVATIONS, COSTS, INITS, OUTPUTS
from .core import rng
from .core.rng import own_random
from .core.threads import check_threads
from .core.training import TrainingDiverged, check_eta
from .core.validate import check_dtype, check_int, check_layer, check_real, check_sizes
from .network import Network

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # pragma: no cover - older scikit-learn
    def _validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)

__all__ = ["MLPClassifier"]

_SEED_LIMIT = 2**32  # seeds drawn for np.random.seed / random.seed: [0, 2**32)
_DEFAULT_PATIENCE = 10  # early_stopping=True: as scikit-learn's n_iter_no_change
_NO_Y = object()  # _validate without labels (None is a y the user may wrongly pass)


def _samples(a):
    """The number of rows of an array-like (its first dimension), or None where that is
    not known without converting it (scikit-learn's checks then judge it)."""
    shape = getattr(a, "shape", None)
    if shape is not None:
        return shape[0] if len(shape) else None
    try:
        return len(a)
    except TypeError:
        return None


@contextmanager
def _seeded_generators(state: np.random.RandomState):
    """For the body, this thread draws its weights and shuffles from generators of its
    own (``core.rng.own_random``), seeded from ``state``: the shared ``np.random`` and
    ``random`` are neither read nor changed, so fits in several threads at once (joblib's,
    a Dask worker's) give the results of fits one by one."""
    np_seed, py_seed = (int(s) for s in state.randint(_SEED_LIMIT, size=2, dtype=np.int64))
    with own_random() as generators:
        generators.numbers.seed(np_seed)
        generators.shuffles.seed(py_seed)
        yield


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """A multi-layer perceptron classifier trained by fastnet's compiled mini-batch SGD.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Neurons in each hidden layer (an int for one layer; ``()`` for none).
    activation : {"relu", "tanh", "sigmoid"}, default="relu"
        Hidden neurons.
    output : {"softmax", "sigmoid", "tanh", "relu", "linear"} or None, default=None
        Output neurons, one per class. None: softmax, unless ``cost`` asks otherwise
        (the cross-entropy and quadratic costs default to sigmoid outputs).
    cost : {"log-likelihood", "cross-entropy", "quadratic"} or None, default=None
        None: log-likelihood for a softmax output, cross-entropy for sigmoid outputs,
        quadratic for any other.
    epochs : int, default=30
        Epochs ``fit`` trains (fewer when early stopping or the eta schedule stops it).
    batch_size : int, default=10
        Mini-batch size (clipped to the number of training examples).
    learning_rate : float, default=0.1
        The learning rate eta (steps by eta times the mini-batch's mean gradient).
    lmbda, l1 : float, default=0.0
        L2 and L1 regularisation of the weights, scaled by 1/n as in the book.
    momentum : float in [0, 1), default=0.0
    dropout : float in [0, 1), default=0.0
        Probability of dropping each hidden neuron while training.
    early_stopping : int, bool or None, default=None
        Stop after this many epochs without a better accuracy on a validation split of
        ``validation_fraction`` of the training data (True: 10 epochs). The parameters
        of the best epoch are kept.
    validation_fraction : float in (0, 1), default=0.1
        Share of the training data held out (stratified) when ``early_stopping`` or
        ``halve_eta`` is set.
    halve_eta : int or None, default=None
        The book's schedule: halve eta after this many epochs without a better
        validation accuracy, stop once it is eta/128.
    init : {"he", "scaled", "standard"} or None, default=None
        Initial weights: N(0, 2/n_in), N(0, 1/n_in), N(0, 1). None: "he" for ReLU hidden
        neurons, "scaled" otherwise.
    dtype : {"float32", "float64"}, default="float32"
        The network's floating type.
    threads : int or None, default=None
        Threads of the compiled kernels (None: $FASTNET_NUM_THREADS, else Numba's).
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, shuffles, dropout and validation split.
    verbose : bool, default=False
        Print a line per epoch.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str (only when fitted on data with string column names)
    network_ : fastnet.Network
        The trained network (inputs ``n_features_in_``, one output per class).
    n_iter_ : int
        Epochs trained (by ``fit``, or in total by the ``partial_fit`` calls).
    history_ : list of dict
        The network's per-epoch records (eta, seconds, validation accuracy, ...).
    validation_scores_ : list of float
        Validation accuracy after each epoch (empty without a validation split).
    best_validation_score_ : float or None
        The best of those, whose parameters the network holds (None without a split).
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", output=None, cost=None,
                 epochs=30, batch_size=10, learning_rate=0.1, lmbda=0.0, l1=0.0, momentum=0.0,
                 dropout=0.0, early_stopping=None, validation_fraction=0.1, halve_eta=None,
                 init=None, dtype="float32", threads=None, random_state=None, verbose=False):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output = output
        self.cost = cost
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.lmbda = lmbda
        self.l1 = l1
        self.momentum = momentum
        self.dropout = dropout
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.halve_eta = halve_eta
        self.init = init
        self.dtype = dtype
        self.threads = threads
        self.random_state = random_state
        self.verbose = verbose

    # -- fitting -----------------------------------------------------------------------
    def fit(self, X, y):
        """Train a new network on ``X`` (n_samples, n_features) and labels ``y`` for
        ``epochs`` epochs (or until early stopping). Returns self."""
        self._check_params()
        X, y = self._validate(X, y, reset=True)
        classes, y_index = np.unique(y, return_inverse=True)
        self._check_n_classes(len(classes))
        self.classes_ = classes
        y_index = y_index.reshape(-1).astype(np.int64)
        self._rng = np.random.RandomState(
            check_random_state(self.random_state).randint(_SEED_LIMIT, dtype=np.int64))
        with _seeded_generators(self._rng):
            X_train, y_train, validation = self._validation_split(X, y_index)
            self._build(X.shape[1], len(self.classes_))
            self._train(X_train, y_train, self.epochs, validation)
        return self

    def partial_fit(self, X, y, classes=None):
        """One epoch of SGD on ``X``, ``y``, continuing from the current network. The
        first call builds the network and needs ``classes``, every label ``y`` can take
        (as scikit-learn's ``partial_fit``). Early stopping and the eta schedule do not
        apply. Returns self."""
        self._check_params()
        first_call = not hasattr(self, "network_")
        if first_call and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        if not first_call and classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes={classes!r} is not the same as on the first call to "
                             f"partial_fit, {self.classes_!r}")
        X, y = self._validate(X, y, reset=first_call)
        if first_call:
            classes = np.asarray(classes)
            if classes.ndim != 1:
                raise ValueError(f"classes must be a 1-d array of labels, got shape {classes.shape}")
            check_classification_targets(classes)
            classes = np.unique(classes)
            self._check_n_classes(len(classes))
            self.classes_ = classes
        known = np.isin(y, self.classes_)
        if not known.all():
            raise ValueError(f"y contains labels not in classes: {np.unique(y[~known])!r} "
                             f"(classes: {self.classes_!r})")
        y_index = np.searchsorted(self.classes_, y).astype(np.int64)
        if first_call:
            self._rng = np.random.RandomState(
                check_random_state(self.random_state).randint(_SEED_LIMIT, dtype=np.int64))
        with _seeded_generators(self._rng):
            if first_call:
                self._build(X.shape[1], len(self.classes_))
            self._train(X, y_index, 1, None)
        return self

    # -- prediction --------------------------------------------------------------------
    def predict_proba(self, X):
        """Class probabilities (n_samples, n_classes), float64, rows summing to 1: the
        softmax outputs; other outputs are made non-negative (tanh: (a+1)/2; relu and
        linear: softmax of the outputs) and divided by their row sum (a row of zeros
        gives equal probabilities)."""
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        # rows of X, C-contiguous in the network's dtype: errors name X ("X input 3: ...")
        outputs = self.network_._forward(X, "X")[0].astype(np.float64)
        kind = self.network_.output
        if kind == "tanh":
            outputs = (outputs + 1) / 2
        elif kind in ("relu", "linear"):
            outputs = np.exp(outputs - outputs.max(axis=1, keepdims=True))
        outputs = np.maximum(outputs, 0)
        totals = outputs.sum(axis=1, keepdims=True)
        zero = totals[:, 0] <= 0
        outputs[zero] = 1.0
        totals[zero] = outputs.shape[1]
        return outputs / totals

    def predict_log_proba(self, X):
        """The logarithm of ``predict_proba`` (-inf where a probability is 0)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each row of ``X`` (labels from ``classes_``)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "network_")

    # -- pickling: the network's weights are views of one buffer; rebuild them so -----
    def __getstate__(self):
        state = super().__getstate__()
        net = state.get("network_")
        if isinstance(net, Network):
            state = dict(state)
            # copies, checked finite as unpickling will check them: what pickles unpickles
            layers = {name: [check_layer(a, a.shape, net.dtype, f"pickling: network_.{name}[{l}]")
                             for l, a in enumerate(getattr(net, name))]
                      for name in ("weights", "biases")}
            state["network_"] = {
                "sizes": list(net.sizes), "dtype": np.dtype(net.dtype).name, **layers,
                "history": list(net.history), "metadata": dict(net.metadata)}
        return state

    def __setstate__(self, state):
        spec = state.get("network_")
        if isinstance(spec, dict):
            state = dict(state)
            net = Network.from_parameters(spec["sizes"], spec["weights"], spec["biases"],
                                          dtype=spec["dtype"], threads=state.get("threads"),
                                          **state["_architecture"])
            net.history = spec["history"]
            net.metadata = spec["metadata"]
            state["network_"] = net
        super().__setstate__(state)

    # -- helpers -----------------------------------------------------------------------
    def _check_params(self) -> None:
        """Every hyper-parameter checked (``fastnet.core.validate``), with a ValueError
        naming it."""
        self._hidden_sizes()
        for name, known, optional in (("activation", ACTIVATIONS, False), ("output", OUTPUTS, True),
                                      ("cost", COSTS, True), ("init", INITS, True)):
            value = getattr(self, name)
            if not ((isinstance(value, str) and value in known) or (optional and value is None)):
                raise ValueError(f"{name} must be {'None or ' if optional else ''}one of "
                                 f"{sorted(known)}, got {value!r}")
        check_int(self.epochs, "epochs", 1)
        check_int(self.batch_size, "batch_size", 1)
        for name in ("lmbda", "l1"):
            check_real(getattr(self, name), name, 0)
        for name in ("momentum", "dropout"):
            check_real(getattr(self, name), name, 0, 1, high_open=True)
        if self.early_stopping is not None and not isinstance(self.early_stopping, (bool, np.bool_)):
            check_int(self.early_stopping, "early_stopping", 1)
        if self.halve_eta is not None:
            check_int(self.halve_eta, "halve_eta", 1)
        check_real(self.validation_fraction, "validation_fraction", 0, 1, low_open=True, high_open=True)
        check_eta(self.learning_rate, check_dtype(self.dtype), "learning_rate")
        check_threads(self.threads)

    def _hidden_sizes(self) -> list:
        """``hidden_layer_sizes`` as a list (an int is one layer)."""
        hidden = self.hidden_layer_sizes
        if isinstance(hidden, numbers.Integral) and not isinstance(hidden, (bool, np.bool_)):
            hidden = [hidden]
        return check_sizes(hidden, "hidden_layer_sizes", min_layers=0)

    def _validate(self, X, y=_NO_Y, reset=False):
        """X as a C-contiguous, writeable array of the network's dtype (the one the
        compiled kernels were built for: no new compilation for read-only or
        Fortran-ordered inputs); y checked as classification labels, 1-d."""
        dtype = np.dtype(self.network_.dtype if not reset else self.dtype)
        if getattr(X, "ndim", 2) > 2:  # scikit-learn's own message names no argument
            raise ValueError(f"X must be a 2-D array (n_samples, n_features), got "
                             f"{X.ndim} dimensions, shape {X.shape}")
        if y is not _NO_Y and None not in (_samples(X), _samples(y)) and _samples(X) != _samples(y):
            raise ValueError(f"X and y need one label per sample: X has {_samples(X)} "
                             f"samples and y {_samples(y)} labels")
        if y is _NO_Y:
            X = _validate_data(self, X, reset=reset, dtype=dtype, ensure_min_features=1)
        else:
            X, y = _validate_data(self, X, y, reset=reset, dtype=dtype, ensure_min_features=1)
            check_classification_targets(y)
        if not (X.flags.c_contiguous and X.flags.writeable):
            X = np.array(X, dtype=dtype, order="C")
        return X if y is _NO_Y else (X, np.asarray(y))

    @staticmethod
    def _check_n_classes(n_classes: int) -> None:
        if n_classes < 2:
            raise ValueError(f"MLPClassifier needs at least 2 classes in the data, got {n_classes} "
                             f"class (a classifier cannot train when only one class is present)")

    def _patience(self):
        if isinstance(self.early_stopping, (bool, np.bool_)):
            return _DEFAULT_PATIENCE if self.early_stopping else None
        return self.early_stopping

    def _validation_split(self, X, y):
        """(X_train, y_train, validation or None): a stratified, seeded split of
        ``validation_fraction`` when early stopping or the eta schedule needs one."""
        if self._patience() is None and self.halve_eta is None:
            return X, y, None
        if len(X) < 2:
            raise ValueError(f"early_stopping and halve_eta hold out a validation set: they "
                             f"need at least 2 samples, got n_samples={len(X)}")
        seed = rng.randint(_SEED_LIMIT)  # from the fit's own, seeded generator
        try:
            X_train, X_val, y_train, y_val = train_test_split(
                X, y, test_size=self.validation_fraction, random_state=seed, stratify=y)
        except ValueError:  # a class too small to stratify: a plain random split
            X_train, X_val, y_train, y_val = train_test_split(
                X, y, test_size=self.validation_fraction, random_state=seed)
        return (np.ascontiguousarray(X_train), y_train,
                (np.ascontiguousarray(X_val), y_val))

    def _architecture_for(self):
        output, cost = self.output, self.cost
        if cost is None:
            cost = {None: "log-likelihood", "softmax": "log-likelihood",
                    "sigmoid": "cross-entropy"}.get(output, "quadratic")
        return {"activation": self.activation, "output": output, "cost": cost}

    def _build(self, n_features: int, n_classes: int) -> None:
        """A new network (initial weights drawn from the seeded ``np.random``)."""
        hidden = self._hidden_sizes()
        init = self.init or ("he" if self.activation == "relu" else "scaled")
        architecture = self._architecture_for()
        net = Network([n_features, *hidden, n_classes], dtype=np.dtype(self.dtype).type,
                      init=init, threads=self.threads, **architecture)
        self._architecture = {**architecture, "output": net.output}  # for unpickling
        self.network_ = net
        self.n_iter_ = 0
        self.history_ = []
        self.validation_scores_ = []
        self.best_validation_score_ = None

    def _train(self, X, y, epochs: int, validation) -> None:
        net = self.network_
        patience = self._patience() if validation is not None else None
        halve_eta = self.halve_eta if validation is not None else None
        try:
            self._run(net, X, y, epochs, validation, patience, halve_eta)
        except TrainingDiverged:
            # the network's parameters are NaN: nothing a prediction could use is left
            del self.network_
            raise TrainingDiverged(
                f"training diverged: the network's parameters became NaN or infinite in "
                f"epoch {self.n_iter_ + 1}; lower learning_rate (now {self.learning_rate!r}) "
                f"or scale X (e.g. with sklearn.preprocessing.StandardScaler); the estimator "
                f"is left unfitted") from None

    def _run(self, net, X, y, epochs, validation, patience, halve_eta) -> None:
        best = None
        results = net.train_epochs(
            (X, y), epochs, min(self.batch_size, len(X)), float(self.learning_rate),
            lmbda=float(self.lmbda), l1=float(self.l1), momentum=float(self.momentum),
            dropout=float(self.dropout), validation_data=validation,
            early_stopping=patience, halve_eta=halve_eta,
            monitor=("training_cost",) if self.verbose else ())
        for result in results:
            record = result.record
            self.n_iter_ += 1
            self.history_.append(record)
            line = f"Epoch {self.n_iter_}: {result.seconds:.3f} s"
            if "training_cost" in record:
                line += f", training cost {record['training_cost']:.5f}"
            if validation is not None:
                score = record["validation_correct"] / record["n_validation"]
                self.validation_scores_.append(score)
                line += f", validation accuracy {score:.4f}"
                if best is None or score > best[0]:
                    best = (score, [np.array(w) for w in net.weights],
                            [np.array(b) for b in net.biases])
            if self.verbose:
                print(line, flush=True)
                if result.stop:
                    print(f"Stopped: {result.stop}", flush=True)
        if best is not None:
            self.best_validation_score_ = best[0]
            net.weights, net.biases = best[1], best[2]
