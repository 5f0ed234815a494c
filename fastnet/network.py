"""network.py, compiled: the book's ``Network`` with the same names, signatures,
attributes, randomness and printed output, running on Numba kernels.

Change ``import network`` to ``from fastnet import network`` (or ``from fastnet.network
import *``) and keep the script. The parameters live in one contiguous buffer of
``dtype`` (float32 by default; float64 reproduces the original to rounding);
``weights`` and ``biases`` are views of it.
"""
import time
from typing import Callable, Iterator, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from . import kernels
from ._convert import (check_count, check_dtype, check_eta, check_inputs, check_reduction,
                       check_sizes, to_arrays)
from ._params import LayerList, ParameterLayout, copy_into
from ._random import shuffle
from .encodings import Encoding, get_encoding

__all__ = ["Network", "sigmoid", "sigmoid_prime"]

# Examples per compiled call while training: a call only sees Ctrl-C (and reports
# progress) when it returns, so it is kept to ~50 ms on [784, 30, 10].
CHUNK_EXAMPLES = 10_000


class EpochResult(NamedTuple):
    """What one epoch of training did."""
    epoch: int  #: index of the epoch within its SGD / train_epochs call
    correct: Optional[int]  #: test examples right after the epoch (None without test data)
    n_test: Optional[int]  #: size of the test set (None without test data)
    seconds: float  #: training time of the epoch (shuffle included, evaluation not)
    examples: int  #: training examples seen


class Network:
    """A feedforward network of sigmoid neurons trained by mini-batch SGD on the
    quadratic cost.

    ``Network([784, 30, 10])``: 784 inputs, 30 hidden neurons, 10 outputs. Biases and
    weights start as standard normal draws made with ``np.random.randn`` exactly as
    the original does (biases first, then weights), so seeding ``np.random`` gives the
    original's initial network. ``dtype``: np.float32 (default) or np.float64.
    ``encoding``: how int labels become output targets and outputs become classes
    (``fastnet.encodings``: "one-hot", the default; "binary"; "threshold", the default
    for a single output).
    """

    def __init__(self, sizes: Sequence[int], dtype=np.float32, encoding: Optional[str] = None):
        self._allocate(sizes, dtype, encoding)
        self.biases = [np.random.randn(y, 1) for y in self.sizes[1:]]
        self.weights = [np.random.randn(y, x) for x, y in zip(self.sizes[:-1], self.sizes[1:])]

    @classmethod
    def from_parameters(cls, sizes: Sequence[int], weights: Sequence[np.ndarray],
                        biases: Sequence[np.ndarray], dtype=np.float32,
                        encoding: Optional[str] = None) -> "Network":
        """A network with the given parameters (checked like an assignment), drawing
        nothing from ``np.random``: for loading saved models."""
        net = cls.__new__(cls)
        net._allocate(sizes, dtype, encoding)
        net.weights = weights
        net.biases = biases
        return net

    def _allocate(self, sizes: Sequence[int], dtype, encoding) -> None:
        self.sizes = check_sizes(sizes)
        self.num_layers = len(self.sizes)
        self.dtype = check_dtype(dtype)
        #: how labels become targets and outputs become classes (``fastnet.encodings``)
        self.encoding: Encoding = get_encoding(encoding, self.sizes[-1])
        #: one dict per epoch trained: mini_batch_size, eta, n_train, correct, n_test, seconds
        self.history: List[dict] = []
        #: what a saved model file recorded about its training (empty for a new network)
        self.metadata: dict = {}
        self._layout = ParameterLayout(self.sizes)
        self._params = np.zeros(self._layout.size, dtype=self.dtype)
        self._weights = LayerList(self._layout.weight_views(self._params), "weights")
        self._biases = LayerList(self._layout.bias_views(self._params), "biases")

    # -- parameters: views of the flat buffer ------------------------------------------
    @property
    def weights(self) -> List[np.ndarray]:
        """``weights[l]``: (sizes[l+1], sizes[l]) view; writes go to the network."""
        return self._weights

    @weights.setter
    def weights(self, layers: Sequence[np.ndarray]) -> None:
        self._assign(self._weights, layers, "weights")

    @property
    def biases(self) -> List[np.ndarray]:
        """``biases[l]``: (sizes[l+1], 1) view; writes go to the network."""
        return self._biases

    @biases.setter
    def biases(self, layers: Sequence[np.ndarray]) -> None:
        self._assign(self._biases, layers, "biases")

    def _assign(self, views: List[np.ndarray], layers, name: str) -> None:
        layers = list(layers)
        if len(layers) != len(views):
            raise ValueError(f"{name} needs {len(views)} layers, got {len(layers)}")
        saved = self._params.copy()
        try:
            for l, (view, layer) in enumerate(zip(views, layers)):
                copy_into(view, layer, f"{name}[{l}]")
        except Exception:
            self._params[:] = saved  # all layers or none
            raise

    # -- the original API ----------------------------------------------------------------
    def feedforward(self, a: np.ndarray) -> np.ndarray:
        """Output activations for input ``a``: (n_in, 1) -> (n_out, 1). Columns are
        examples, so (n_in, k) -> (n_out, k); a flat (n_in,) gives (n_out,)."""
        a = np.asarray(a)
        n_in, n_out = self.sizes[0], self.sizes[-1]
        if a.ndim not in (1, 2) or a.shape[0] != n_in:
            raise ValueError(f"feedforward input must have shape ({n_in}, 1), ({n_in}, k) "
                             f"or ({n_in},), got {a.shape}")
        columns = a.reshape(n_in, -1)
        outputs = self._outputs(check_inputs(columns.T, n_in, self.dtype, "feedforward"))
        return np.ascontiguousarray(outputs.T).reshape((n_out,) + a.shape[1:])

    def SGD(self, training_data, epochs: int, mini_batch_size: int, eta: float,
            test_data=None, reduction: str = "mean") -> None:
        """Train with mini-batch stochastic gradient descent.

        ``training_data``: a list (or any iterable) of ``(x, y)`` pairs, x (n_in, 1) and
        y a (n_out, 1) target vector or an int label; or a tuple ``(X, y)`` of arrays, X
        (n, n_in), y (n,) int labels or (n, n_out) targets. Each epoch shuffles the
        examples with ``random.shuffle`` (as the original, which shuffles the caller's
        list in place: a list passed here is left in the same shuffled order), cuts them
        into mini-batches and applies one gradient step per batch. With ``test_data``,
        prints ``Epoch j: correct / n`` after each epoch, else ``Epoch j complete``.
        ``reduction="sum"`` steps by eta times the summed gradient instead of its mean
        (the seed's note on on-line learning: the same as eta*m with "mean").
        """
        for result in self.train_epochs(training_data, epochs, mini_batch_size, eta, test_data,
                                        reduction=reduction):
            if result.correct is not None:
                print("Epoch {0}: {1} / {2}".format(result.epoch, result.correct, result.n_test), flush=True)
            else:
                print("Epoch {0} complete".format(result.epoch), flush=True)

    def train_epochs(self, training_data, epochs: int, mini_batch_size: int, eta: float,
                     test_data=None, progress: Optional[Callable[[int], None]] = None,
                     reduction: str = "mean") -> Iterator["EpochResult"]:
        """``SGD`` one epoch at a time: a generator that trains an epoch, then yields its
        ``EpochResult`` (test accuracy when ``test_data`` is given, seconds, examples).

        Same data forms, randomness and arithmetic as ``SGD`` (which prints these
        results). Each epoch runs as compiled calls of at most ``CHUNK_EXAMPLES``
        examples, whole mini-batches each: between two calls ``progress(examples_done)``
        is called, and Ctrl-C (KeyboardInterrupt) is raised there, so the parameters are
        never left half-updated. Data are checked and converted once, before training.
        """
        epochs = check_count(epochs, "epochs", 0)
        mini_batch_size = check_count(mini_batch_size, "mini_batch_size", 1)
        eta = check_eta(eta)
        average = check_reduction(reduction)
        X, targets = self._training_arrays(training_data, "training_data")
        test = self._test_arrays(test_data)
        callers_list = training_data if isinstance(training_data, list) else None
        return self._epoch_loop(X, targets, test, epochs, mini_batch_size, eta, average,
                                progress, callers_list)

    def _epoch_loop(self, X, targets, test, epochs, mini_batch_size, eta, average, progress,
                    callers_list):
        n = len(X)
        order = np.arange(n, dtype=np.int64)
        work = _Workspace(self._layout, min(mini_batch_size, n), self.dtype)
        chunk = max(1, CHUNK_EXAMPLES // mini_batch_size) * mini_batch_size
        as_given = list(callers_list) if callers_list is not None else None
        for j in range(epochs):
            start = time.perf_counter()
            shuffle(order)  # exactly random.shuffle(training_data), as the original
            if callers_list is not None:  # which shuffles the caller's list in place
                callers_list[:] = [as_given[i] for i in order.tolist()]
            for k in range(0, n, chunk):
                work.train_epoch(X, targets, order[k:k + chunk], mini_batch_size, eta, average,
                                 self._params)
                if progress is not None:
                    progress(min(k + chunk, n))
            seconds = time.perf_counter() - start
            correct = self._count_correct(*test) if test is not None else None
            n_test = None if test is None else len(test[0])
            self.history.append(dict(mini_batch_size=mini_batch_size, eta=eta, n_train=n,
                                     correct=correct, n_test=n_test, seconds=seconds,
                                     reduction="mean" if average else "sum"))
            yield EpochResult(j, correct, n_test, seconds, n)

    def update_mini_batch(self, mini_batch, eta: float, reduction: str = "mean") -> None:
        """One gradient-descent step, equations (20) and (21), averaged over ``mini_batch``
        (a list of ``(x, y)`` pairs, or an ``(X, y)`` tuple of arrays); summed with
        ``reduction="sum"``."""
        eta = check_eta(eta)
        average = check_reduction(reduction)
        X, targets = self._training_arrays(mini_batch, "mini_batch")
        order = np.arange(len(X), dtype=np.int64)
        _Workspace(self._layout, len(X), self.dtype).train_epoch(X, targets, order, len(X), eta,
                                                                 average, self._params)

    def backprop(self, x: np.ndarray, y) -> Tuple[List[np.ndarray], List[np.ndarray]]:
        """``(nabla_b, nabla_w)``: the gradient of the cost C_x for one example, layer by
        layer, shaped like ``biases`` and ``weights`` (fresh arrays of the network's dtype)."""
        X, targets = self._training_arrays([(x, y)], "backprop")
        grads = np.empty_like(self._params)
        _Workspace(self._layout, 1, self.dtype).gradient(X, targets, self._params, grads)
        return self._layout.bias_views(grads), self._layout.weight_views(grads)

    def evaluate(self, test_data) -> int:
        """How many examples of ``test_data`` the network gets right (argmax of the output
        equal to the label). Same forms as ``SGD``'s data; y may be labels or one-hot."""
        return self._count_correct(*self._test_arrays(test_data, required=True))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The class of each row of X (n, n_in), read from the outputs by the network's
        encoding (one-hot: the argmax): an (n,) int64 array. Rows run in parallel."""
        X = check_inputs(X, self.sizes[0], self.dtype, "predict")
        return self.encoding.decode(self._outputs(X))

    def read_number(self, image, invert: Optional[bool] = None):
        """Read a handwritten number: ``image`` (a 2-D array in [0, 1] or an image file)
        is cut into digits (``fastnet.segment``), each recognised by this network.
        Returns a ``NumberReading``: ``text``, and per digit (digit, confidence, box)."""
        from .images import read_image
        from .segment import read_number
        if not isinstance(image, np.ndarray):
            image = read_image(image)
        return read_number(self, image, invert=invert)

    def cost(self, data) -> float:
        """The quadratic cost (6) over ``data``: C = 1/(2n) sum_x ||y(x) - a||^2, with
        int labels read as one-hot targets. Same data forms as ``SGD``."""
        X, targets = self._training_arrays(data, "data")
        error = self._outputs(X).astype(np.float64) - targets
        return float(np.einsum("ij,ij->", error, error) / (2 * len(X)))

    def save(self, path, metadata: Optional[dict] = None):
        """Write the network to ``path`` atomically: ``.npz`` (fastnet's format: sizes,
        dtype, parameters, ``history`` and ``metadata``) or ``.json`` (the book's
        network2 format). Never pickles. Returns the path written."""
        from .persist import save
        return save(self, path, metadata)

    def cost_derivative(self, output_activations: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dC_x/da for the quadratic cost (27): a - y."""
        return output_activations - y

    # -- helpers -------------------------------------------------------------------------
    def _test_arrays(self, test_data, required: bool = False):
        """(X, labels) for evaluation, or None where the original would skip it
        (``test_data`` None or an empty list, as ``if test_data:`` does)."""
        if not required and (test_data is None or (isinstance(test_data, (list, tuple)) and len(test_data) == 0)):
            return None
        X, y = self._arrays(test_data, "test_data")
        return X, (y if y.ndim == 1 else self.encoding.decode(y))

    def _arrays(self, data, what: str):
        n_out = self.sizes[-1]
        return to_arrays(data, self.sizes[0], n_out, self.dtype, what, self.encoding.classes(n_out))

    def _training_arrays(self, data, what: str):
        """(X, targets): inputs and the (n, n_out) target activations (labels encoded)."""
        X, y = self._arrays(data, what)
        return X, (self.encoding.targets(y, self.sizes[-1], self.dtype) if y.ndim == 1 else y)

    def _outputs(self, X: np.ndarray) -> np.ndarray:
        """Output activations (n, n_out) for validated inputs X (n, n_in), in parallel."""
        out = np.empty((len(X), self.sizes[-1]), dtype=self.dtype)
        kernels.feedforward_rows(X, self._params, self._layout.sizes, self._layout.starts, out)
        return out

    def _count_correct(self, X: np.ndarray, labels: np.ndarray) -> int:
        return int(np.count_nonzero(self.encoding.decode(self._outputs(X)) == labels))

    def __repr__(self) -> str:
        encoding = "" if self.encoding is get_encoding(None, self.sizes[-1]) else f", encoding={self.encoding.name!r}"
        return f"Network({self.sizes}, dtype=np.{np.dtype(self.dtype).name}{encoding})"


class _Workspace:
    """Work buffers for mini-batches of up to ``capacity`` examples: allocated once,
    reused by every mini-batch of a run."""

    def __init__(self, layout: ParameterLayout, capacity: int, dtype):
        self.layout = layout
        self.row_starts, per_example_size = kernels.row_offsets(layout.sizes, capacity)
        self.batch_inputs = np.empty((capacity, int(layout.sizes[0])), dtype=dtype)
        self.acts = np.empty(per_example_size, dtype=dtype)
        self.deltas = np.empty(per_example_size, dtype=dtype)

    def train_epoch(self, X, targets, order, batch_size, eta, average, params):
        kernels.train_epoch(X, targets, order, batch_size, eta, average, params, self.layout.sizes,
                            self.layout.starts, self.batch_inputs, self.acts, self.deltas,
                            self.row_starts)

    def gradient(self, X, targets, params, grads):
        rows = np.arange(len(X), dtype=np.int64)
        kernels.batch_gradient(X, targets, rows, params, self.layout.sizes, self.layout.starts,
                               self.acts, self.deltas, self.row_starts, grads)


def sigmoid(z):
    """(3): 1 / (1 + e^-z), elementwise, without overflow for large |z|."""
    z = np.asarray(z)
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))  # in [0, 1]: never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))[()]


def sigmoid_prime(z):
    """Derivative of the sigmoid: sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1 - s)
