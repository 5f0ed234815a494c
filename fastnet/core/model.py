"""network.py, compiled: the book's ``Network`` with the same names, signatures,
attributes, randomness and printed output, running on Numba kernels.

Change ``import network`` to ``from fastnet import network`` (or ``from fastnet.network
import *``) and keep the script. The parameters live in one contiguous buffer of
``dtype`` (float32 by default; float64 reproduces the original to rounding);
``weights`` and ``biases`` are views of it.

Beyond the original, as options that default to it: tanh and ReLU neurons, softmax
and linear outputs, the cross-entropy and log-likelihood costs, scaled initial weights
(constructor); L2 and L1 regularisation, momentum, dropout, early stopping and the
book's eta schedule, per-epoch monitoring (``SGD`` / ``train_epochs``).
"""
import sys
import time
from typing import Callable, Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from .. import kernels
from .compile_note import CompileNote
from .costs import total_cost
from .encodings import Encoding, get_encoding
from .guards import (
    LazyEpochs,
    TrainingLock,
    check_diverged,
    check_fits,
    check_overflow,
    check_parameters,
    parallel_launch,
)
from .inputs import SparseCache, SparseInputs
from .params import (
    LayerList,
    ParameterLayout,
    Sizes,
    aligned_zeros,
    copy_into,
    layers_property,
    neuron_attribute,
    read_only,
)
from .registry import ACTIVATIONS, INITS, OUTPUTS, CostLike, check_architecture
from . import rng
from .rng import shuffle
from .threads import check_threads, default_threads, training_threads, using_threads
from .training import EpochResult, Plateau, TrainingOptions, check_eta
from .validate import (
    check_dtype,
    check_finite,
    check_inputs,
    check_int,
    check_layer,
    check_reduction,
    check_sizes,
    non_finite,
    to_arrays,
)
from .workspace import Workspace

__all__ = ["Network"]

# Examples per compiled call while training: a call only sees Ctrl-C (and reports
# progress) when it returns, so a call is kept to a small fraction of a second.
CHUNK_EXAMPLES = 10_000
# Standard normal numbers drawn per call while initialising (1 MiB of float64): the
# layer-sized temporaries of one call per layer would peak at several times the network.
DRAW_BLOCK = 2**17


class Network:
    """A feedforward network trained by mini-batch SGD: by default the book's sigmoid
    neurons and quadratic cost.

    ``Network([784, 30, 10])``: 784 inputs, 30 hidden neurons, 10 outputs. Biases and
    weights start as standard normal draws made with ``np.random.randn`` exactly as
    the original does (biases first, then weights), so seeding ``np.random`` gives the
    original's initial network. ``dtype``: np.float32 (default) or np.float64.
    ``encoding``: how int labels become output targets and outputs become classes
    (``fastnet.encodings``: "one-hot", the default; "binary"; "threshold", the default
    for a single output).

    Options (keywords): ``activation`` of the hidden neurons ("sigmoid", "tanh",
    "relu"); ``output`` neurons ("sigmoid", "tanh", "relu", "linear", "softmax"; default
    softmax with the log-likelihood cost, else sigmoid); ``cost`` ("quadratic",
    "cross-entropy", "log-likelihood", or the ``fastnet.costs`` classes); ``init`` of the
    weights ("standard" N(0,1), "scaled" N(0,1/n_in), "he" N(0,2/n_in)); ``threads`` for
    the parallel kernels (default: $FASTNET_NUM_THREADS, else Numba's default).

    The layout is fixed when the network is made: ``sizes``, ``num_layers`` and ``dtype``
    are read-only, and ``weights``/``biases`` keep one layer per layer (assign a layer,
    ``net.weights[i] = array``, or a whole list). Parameters are checked finite before
    they are used and after every epoch: a run that makes them NaN or infinite stops
    with ``TrainingDiverged`` (a ValueError) naming the epoch.

    Threads: one training run at a time per network. ``SGD``, ``train_epochs`` (while
    an epoch runs), ``update_mini_batch`` or assigning parameters while another thread
    trains the same network raise RuntimeError ("already training in another thread"),
    as does inference then; ``predict``, ``evaluate``, ``feedforward`` and ``cost`` from
    any number of threads at once give the single-thread results.
    """

    def __init__(self, sizes: Sequence[int], dtype=np.float32, encoding: Optional[str] = None,
                 *, activation: str = "sigmoid", output: Optional[str] = None,
                 cost: CostLike = "quadratic", init: str = "standard",
                 threads: Optional[int] = None):
        self._allocate(sizes, dtype, encoding, activation, output, cost, threads)
        self.initialise(init)

    @classmethod
    def zeros(cls, sizes: Sequence[int], dtype=np.float32, encoding: Optional[str] = None,
              **architecture) -> "Network":
        """A network whose weights and biases are 0, to be filled in place (loading a file
        does, ``net.weights[l][...] = W``); draws nothing from ``np.random``.
        ``architecture``: the constructor's activation, output, cost, threads."""
        net = cls.__new__(cls)
        defaults = {"activation": "sigmoid", "output": None, "cost": "quadratic", "threads": None}
        net._allocate(sizes, dtype, encoding, **{**defaults, **architecture})
        return net

    @classmethod
    def from_parameters(cls, sizes: Sequence[int], weights: Iterable[np.ndarray],
                        biases: Iterable[np.ndarray], dtype=np.float32,
                        encoding: Optional[str] = None,
                        layer_names: Tuple[str, str] = ("weights[{l}]", "biases[{l}]"),
                        **architecture) -> "Network":
        """A network with the given parameters, drawing nothing from ``np.random``: for
        loading saved models. Each layer is checked as it is copied into the network
        (``validate.check_layer``: exact shape, biases (n, 1), finite in ``dtype``), one
        at a time, so ``weights`` and ``biases`` may be generators; ``layer_names`` name
        them in errors (``{l}``: the layer). ``architecture``: as ``zeros``."""
        net = cls.zeros(sizes, dtype, encoding, **architecture)
        for views, layers, name in ((net._weights, weights, layer_names[0]),
                                    (net._biases, biases, layer_names[1])):
            given = 0
            for l, layer in enumerate(layers):
                given += 1
                if l < len(views):
                    check_layer(layer, views[l].shape, net.dtype, name.format(l=l), out=views[l])
            if given != len(views):
                raise ValueError(f"{name.split('[')[0]} needs {len(views)} layers, got {given}")
        return net

    def _allocate(self, sizes, dtype, encoding, activation, output, cost, threads) -> None:
        self._sizes = Sizes(check_sizes(sizes))
        self._dtype = check_dtype(dtype)
        self._activation, self._output, self._cost = check_architecture(activation, output, cost,
                                                                         self.sizes[-1])
        self._encoding: Encoding = get_encoding(encoding, self.sizes[-1])
        if self.output == "softmax" and self.encoding.name != "one-hot":
            raise ValueError(f"a softmax output needs the one-hot encoding, got {self.encoding.name!r}")
        #: threads for training and inference (None: $FASTNET_NUM_THREADS, else automatic)
        self.threads: Optional[int] = default_threads() if threads is None else check_threads(threads)
        #: one dict per epoch trained (eta, seconds, accuracies, costs: see ``train_epochs``)
        self.history: List[dict] = []
        #: what a saved model file recorded about its training (empty for a new network)
        self.metadata: dict = {}
        self._layout = ParameterLayout(self.sizes)
        check_fits(self._layout.size, self.dtype, self.sizes)
        self._params = aligned_zeros(self._layout.size, self.dtype)
        self._guard = TrainingLock()  # one training run at a time
        self._velocity: Optional[np.ndarray] = None  # momentum's, laid out like _params
        self._sparse_cache = SparseCache()  # the last training inputs' sparse form
        self._weights = LayerList(self._layout.weight_views(self._params), "weights")
        self._biases = LayerList(self._layout.bias_views(self._params), "biases")
        self._codes = np.array([ACTIVATIONS[self.activation]] * (self.num_layers - 2)
                               + [OUTPUTS[self.output]], dtype=np.int64)
        self._kernel_cost = kernels.QUADRATIC if self._cost.name == "quadratic" else kernels.A_MINUS_Y

    @property
    def cost_name(self) -> str:
        """The cost trained on: "quadratic", "cross-entropy" or "log-likelihood"."""
        return self._cost.name

    # -- the layout: read-only, since the parameter buffer and the kernels follow it --
    sizes = read_only("_sizes", "the neurons in each layer, as the list the original "
                      "keeps (read-only)", "for other sizes make a new network, Network([...])")
    dtype = read_only("_dtype", "np.float32 or np.float64 (read-only)",
                      "for another dtype copy the network: Network.from_parameters(net.sizes, "
                      "net.weights, net.biases, dtype=np.float64), or fastnet.load(path, "
                      "dtype=np.float64)")
    num_layers = read_only("num_layers", "the number of layers, len(sizes) (read-only)",
                           "for other sizes make a new network, Network([...])")

    # -- the neurons: read-only, since the kernels' layer codes and the targets follow them --
    activation = neuron_attribute("_activation", "the hidden layers' activation name (read-only)")
    output = neuron_attribute("_output", "the output layer's activation name (read-only)")
    encoding = neuron_attribute("_encoding", "how labels become targets and outputs become "
                                "classes (``fastnet.encodings``; read-only)")

    def __reduce__(self):
        """Pickling (and copy.deepcopy) rebuilds the flat buffer and its views, instead
        of restoring views detached from it; history, metadata and momentum come along."""
        check_parameters(self._params, self._weights, self._biases, "pickling")
        architecture = dict(activation=self.activation, output=self.output,
                            cost=self._cost.name, threads=self.threads)
        state = dict(history=self.history, metadata=self.metadata, velocity=self._velocity)
        return (_rebuild, (type(self), list(self.sizes), [np.array(w) for w in self.weights],
                           [np.array(b) for b in self.biases], self.dtype, self.encoding.name,
                           architecture, state))

    def initialise(self, init: str = "standard") -> None:
        """Draw new parameters with ``np.random.randn`` (``core.rng.randn``: the thread's
        own generator inside ``rng.own_random``), biases first then weights as the
        original; the weights scaled by ``INITS[init]`` (see the class docstring)."""
        if not isinstance(init, str) or init not in INITS:
            raise ValueError(f"init must be one of {sorted(INITS)}, got {init!r}")
        with self._guard.held("initialise"):
            for b in self._biases:
                b[...] = rng.randn(len(b), 1)
            for w in self._weights:  # a block of rows at a time: no layer-sized float64 copy
                n_out, n_in = w.shape
                scale = INITS[init](n_in)
                rows = max(1, DRAW_BLOCK // n_in)
                for i in range(0, n_out, rows):  # the same draws, in the same order, as one call
                    w[i:i + rows] = rng.randn(min(rows, n_out - i), n_in) * scale
            self._velocity = None

    # -- parameters: views of the flat buffer ------------------------------------------
    weights = layers_property("_weights", "``weights[l]``: (sizes[l+1], sizes[l]) view; "
                              "writes go to the network.")
    biases = layers_property("_biases", "``biases[l]``: (sizes[l+1], 1) view; writes go to the network.")

    def _assign(self, views: List[np.ndarray], layers, name: str) -> None:
        layers = list(layers)
        if len(layers) != len(views):
            raise ValueError(f"{name} needs {len(views)} layers, got {len(layers)}")
        with self._guard.held(f"assigning {name}"):
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
        outputs, _ = self._forward(check_inputs(columns.T, n_in, self.dtype, "feedforward", False),
                                   "feedforward")
        return np.ascontiguousarray(outputs.T).reshape((n_out,) + a.shape[1:])

    def SGD(self, training_data, epochs: int, mini_batch_size: int, eta: float,
            test_data=None, reduction: str = "mean", **options) -> List[dict]:
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
        ``options``: the keywords of ``train_epochs`` (regularisation, momentum, dropout,
        validation data, early stopping, eta schedule, monitoring).
        Returns this run's ``history`` entries (one dict per epoch).
        """
        records = []
        options.setdefault("prepared", CompileNote(sys.stderr))
        for result in self.train_epochs(training_data, epochs, mini_batch_size, eta, test_data,
                                        reduction=reduction, **options):
            if result.correct is not None:
                print("Epoch {0}: {1} / {2}".format(result.epoch, result.correct, result.n_test), flush=True)
            else:
                print("Epoch {0} complete".format(result.epoch), flush=True)
            if result.stop:
                print(f"Stopped: {result.stop}", flush=True)
            records.append(result.record)
        return records

    def train_epochs(self, training_data, epochs: int, mini_batch_size: int, eta: float,
                     test_data=None, progress: Optional[Callable[[int], None]] = None,
                     reduction: str = "mean", *, lmbda: float = 0.0, l1: float = 0.0,
                     momentum: float = 0.0, dropout: float = 0.0, validation_data=None,
                     early_stopping: Optional[int] = None, halve_eta: Optional[int] = None,
                     monitor: Iterable[str] = (),
                     prepared: Optional[Callable[[float], None]] = None) -> Iterator["EpochResult"]:
        """``SGD`` one epoch at a time: an iterator that trains an epoch, then yields its
        ``EpochResult`` (test accuracy when ``test_data`` is given, seconds, examples,
        the epoch's history record, and why training stops, if it does).

        Lazy: the data are checked at the call, but nothing trains until the result is
        iterated (``for result in net.train_epochs(...)``, ``list(...)``); one dropped
        without ever being started warns (RuntimeWarning). To train in one call, ``SGD``.

        Same data forms, randomness and arithmetic as ``SGD`` (which prints these
        results). Each epoch runs as compiled calls of at most ``CHUNK_EXAMPLES``
        examples, whole mini-batches each: between two calls ``progress(examples_done)``
        is called, and Ctrl-C (KeyboardInterrupt) is raised there, so the parameters are
        never left half-updated. Data are checked and converted once, before training.

        Options (all off by default): ``lmbda`` L2 and ``l1`` L1 regularisation (weights
        only, scaled by 1/n as in the book: w -> (1 - eta lmbda/n) w - eta l1/n sign(w) -
        eta/m sum grad); ``momentum`` mu (v -> mu v - eta grad, w -> w + v); ``dropout``
        probability of each hidden neuron (inverted dropout: nothing changes at
        evaluation); ``validation_data`` (same forms as test_data), whose accuracy drives
        ``early_stopping`` (stop after that many epochs without a better one) and
        ``halve_eta`` (halve eta after that many; stop once eta is eta/128, the book's
        schedule); ``monitor``: any of "training_cost", "training_accuracy",
        "validation_cost", "test_cost", measured after each epoch (costs include the
        regularisation terms, as network2's ``total_cost``).

        Before the first epoch the shuffle and training kernels are compiled for these
        arguments' types (or loaded from Numba's disk cache) by calls on no examples,
        which change nothing: epoch times exclude them. The seconds this takes go to the
        first epoch's record as ``compile_seconds``, and to ``prepared(seconds)`` if given;
        ``prepared.starting()``, where it has one, is called first if they will compile
        (``core.compile_note.CompileNote`` prints a line at each).
        """
        epochs = check_int(epochs, "epochs", 0)
        mini_batch_size = check_int(mini_batch_size, "mini_batch_size", 1)
        eta = check_eta(eta, self.dtype)
        self._check_parameters("train_epochs")
        average = check_reduction(reduction)
        options = TrainingOptions.checked(lmbda, l1, momentum, dropout, early_stopping,
                                          halve_eta, monitor)
        any_order = not (options.dropout or {"training_cost", "training_accuracy"} & set(options.monitor))
        X, targets, rows = self._training_arrays(training_data, "training_data", False, any_order)
        inputs = self._sparse_cache.get(X, "training_data", rows)  # checks X (unless seen before)
        test = self._test_arrays(test_data)
        validation = self._test_arrays(validation_data, what="validation_data")
        if validation is None and (options.early_stopping or options.halve_eta
                                   or "validation_cost" in options.monitor):
            raise ValueError("early_stopping, halve_eta and monitoring the validation cost "
                             "need validation_data")
        if test is None and "test_cost" in options.monitor:
            raise ValueError("monitoring the test cost needs test_data")
        callers_list = training_data if isinstance(training_data, list) else None
        return LazyEpochs(self._epoch_loop(X, inputs, targets, rows, test, validation, epochs,
                                           mini_batch_size, eta, average, options, progress,
                                           callers_list, prepared), epochs)

    def _epoch_loop(self, X, inputs, targets, rows, test, validation, epochs, mini_batch_size,
                    eta, average, options, progress, callers_list, prepared=None):
        n = len(X)
        order = np.arange(n, dtype=np.int64)
        work = Workspace(self._layout, min(mini_batch_size, n), self.dtype)
        chunk = max(1, CHUNK_EXAMPLES // mini_batch_size) * mini_batch_size
        as_given = list(callers_list) if callers_list is not None else None
        velocity = self._velocity_buffer(options.momentum)
        seed = rng.randint(2**31) if options.dropout else 0  # np.random untouched otherwise
        threads = training_threads(self.threads, inputs.work_per_batch(self._layout, mini_batch_size),
                                   min(mini_batch_size, n))
        plateau = Plateau(eta, options.early_stopping, options.halve_eta)
        steps = 0

        def train(rows, before_compiling=None):  # a batch beyond the data is all of it (int64)
            work.train(inputs, targets, rows, batch_size=min(mini_batch_size, n),
                       cost=self._kernel_cost, codes=self._codes, eta=plateau.eta,
                       average=average, l2_rate=options.lmbda / n, l1_rate=options.l1 / n,
                       momentum=options.momentum, dropout=options.dropout, seed=seed,
                       first_step=steps, params=self._params, velocity=velocity,
                       threads=threads, before_compiling=before_compiling)
        # the lock is held while an epoch runs, not while the caller has its result
        if epochs:  # the same calls on no examples: compile the kernels, draw and step nothing
            with self._guard.held("train_epochs"):
                start = time.perf_counter()
                shuffle(order[:0])
                train(order[:0], getattr(prepared, "starting", None))
                compile_seconds = time.perf_counter() - start
            if prepared is not None:
                prepared(compile_seconds)
        for j in range(epochs):
            with self._guard.held("train_epochs"):
                self._check_parameters("train_epochs")  # also after a change between epochs
                start = time.perf_counter()
                shuffle(order)  # exactly random.shuffle(training_data), as the original
                if callers_list is not None:  # which shuffles the caller's list in place
                    callers_list[:] = [as_given[i] for i in order.tolist()]
                for k in range(0, n, chunk):
                    train(order[k:k + chunk] if rows is None else rows[order[k:k + chunk]])
                    steps += -(-min(chunk, n - k) // mini_batch_size)
                    if progress is not None:
                        progress(min(k + chunk, n))
                seconds = time.perf_counter() - start
                check_diverged(self._params, self._weights, self._biases, f"during epoch {j}",
                               plateau.eta)
                record = self._measure(dict(mini_batch_size=mini_batch_size, eta=plateau.eta,
                                            n_train=n, seconds=seconds, threads=threads,
                                            reduction="mean" if average else "sum"),
                                       options, (X, targets), test, validation)
                if j == 0:
                    record["compile_seconds"] = compile_seconds
                self.history.append(record)
                stop = plateau.update(record["validation_correct"]) if validation is not None and (
                    options.early_stopping or options.halve_eta) else None
            yield EpochResult(j, record["correct"], record["n_test"], seconds, n, record, stop)
            if stop:
                return

    def _measure(self, record: dict, options, training, test, validation) -> dict:
        """Fill an epoch's history record: test and validation accuracy when there is such
        data, and the monitored costs/accuracies (one forward pass per data set)."""
        lmbda, l1, monitor = options.lmbda, options.l1, options.monitor
        record.update(correct=None, n_test=None, validation_correct=None, n_validation=None)
        costs = {}
        if test is not None:
            correct, costs["test_cost"] = self._score(*test, "test_data", "test_cost" in monitor, lmbda, l1)
            record.update(correct=correct, n_test=len(test[0]))
        if validation is not None:
            correct, costs["validation_cost"] = self._score(*validation, "validation_data",
                                                            "validation_cost" in monitor, lmbda, l1)
            record.update(validation_correct=correct, n_validation=len(validation[0]))
        if "training_cost" in monitor or "training_accuracy" in monitor:
            X, targets = training
            outputs, z = self._forward(X, "training_data", with_z="training_cost" in monitor)
            if z is not None:
                record["training_cost"] = self._cost_of(z, targets, lmbda, l1)
            if "training_accuracy" in monitor:
                record["training_correct"] = int(np.count_nonzero(
                    self.encoding.decode(outputs) == self.encoding.decode(targets)))
        record.update((name, costs[name]) for name in ("validation_cost", "test_cost") if name in monitor)
        if lmbda or l1 or options.momentum or options.dropout:
            record.update(lmbda=lmbda, l1=l1, momentum=options.momentum, dropout=options.dropout)
        return record

    def update_mini_batch(self, mini_batch, eta: float, reduction: str = "mean", *,
                          lmbda: float = 0.0, l1: float = 0.0, momentum: float = 0.0,
                          n: Optional[int] = None) -> None:
        """One gradient-descent step, equations (20) and (21), averaged over ``mini_batch``
        (a list of ``(x, y)`` pairs, or an ``(X, y)`` tuple of arrays); summed with
        ``reduction="sum"``. ``lmbda``/``l1`` regularise as in a training set of ``n``
        examples (network2's ``update_mini_batch(mini_batch, eta, lmbda, n)``); ``momentum``
        uses and updates the network's velocities."""
        eta = check_eta(eta, self.dtype)
        average = check_reduction(reduction)
        options = TrainingOptions.checked(lmbda, l1, momentum)
        self._check_parameters("update_mini_batch")
        X, targets = self._training_arrays(mini_batch, "mini_batch")
        if n is None:
            n = len(X)
        n = check_int(n, "n", 1)
        velocity = self._velocity_buffer(options.momentum)
        order = np.arange(len(X), dtype=np.int64)
        work = Workspace(self._layout, len(X), self.dtype)
        inputs = SparseInputs(X)
        threads = training_threads(self.threads, inputs.work_per_batch(self._layout, len(X)), len(X))
        with self._guard.held("update_mini_batch"):
            work.train(inputs, targets, order, batch_size=len(X), cost=self._kernel_cost,
                       codes=self._codes, eta=eta, average=average, l2_rate=options.lmbda / n,
                       l1_rate=options.l1 / n, momentum=options.momentum, dropout=0.0, seed=0,
                       first_step=0, params=self._params, velocity=velocity, threads=threads)
            check_diverged(self._params, self._weights, self._biases, "in update_mini_batch", eta)

    def backprop(self, x: np.ndarray, y) -> Tuple[List[np.ndarray], List[np.ndarray]]:
        """``(nabla_b, nabla_w)``: the gradient of the cost C_x for one example, layer by
        layer, shaped like ``biases`` and ``weights`` (fresh arrays of the network's dtype)."""
        X, targets = self._training_arrays([(x, y)], "backprop")
        self._check_parameters("backprop")
        grads = aligned_zeros(self._layout.size, self.dtype)
        Workspace(self._layout, 1, self.dtype).gradient(SparseInputs(X), targets, self._kernel_cost,
                                                        self._codes, self._params, grads)
        return ([b.copy() for b in self._layout.bias_views(grads)],
                [w.copy() for w in self._layout.weight_views(grads)])

    def evaluate(self, test_data) -> int:
        """How many examples of ``test_data`` the network gets right (argmax of the output
        equal to the label). Same forms as ``SGD``'s data; y may be labels or one-hot."""
        X, labels = self._test_arrays(test_data, required=True, finite=False, any_order=True)
        return self._score(X, labels, "test_data")[0]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The class of each row of X (n, n_in), read from the outputs by the network's
        encoding (one-hot: the argmax): an (n,) int64 array. Rows run in parallel."""
        X = check_inputs(X, self.sizes[0], self.dtype, "predict", finite=False)
        return self.encoding.decode(self._forward(X, "predict")[0])

    def read_number(self, image, invert: Optional[bool] = None):
        """Read a handwritten number: ``image`` (a 2-D array in [0, 1] or an image file)
        is cut into digits (``fastnet.segment``), each recognised by this network.
        Returns a ``NumberReading``: ``text``, and per digit (digit, confidence, box)."""
        from ..io.images import read_image
        from ..vision.reading import read_number
        if not isinstance(image, np.ndarray):
            image = read_image(image)
        return read_number(self, image, invert=invert)

    def cost(self, data, lmbda: float = 0.0, l1: float = 0.0) -> float:
        """The network's cost over ``data``: (1/n) sum_x C_x (the quadratic (6) by default,
        else the cross-entropy or log-likelihood), plus lmbda/(2n) sum w^2 and l1/n sum |w|
        when given (network2's ``total_cost``); int labels read through the encoding.
        Computed in float64 from the outputs' weighted inputs: never overflows."""
        X, targets = self._training_arrays(data, "data")
        options = TrainingOptions.checked(lmbda, l1)
        return self._cost_of(self._forward(X, "data", with_z=True)[1], targets, options.lmbda, options.l1)

    def save(self, path, metadata: Optional[dict] = None):
        """Write the network to ``path`` atomically: ``.npz`` (fastnet's format: sizes,
        dtype, parameters, ``history`` and ``metadata``) or ``.json`` (the book's
        network2 format). Never pickles. Returns the path written."""
        from ..io.persist import save
        return save(self, path, metadata)

    def cost_derivative(self, output_activations: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dC_x/da for the quadratic cost (27): a - y."""
        return output_activations - y

    # -- helpers -------------------------------------------------------------------------
    def _check_parameters(self, what: str) -> None:
        """ValueError if a layer holds NaN or infinity; RuntimeError if another thread trains it."""
        self._guard.check_idle(what)
        check_parameters(self._params, self._weights, self._biases, what)

    def _velocity_buffer(self, momentum: float) -> np.ndarray:
        """Momentum's velocities, laid out like the parameters (made once); without momentum
        the kernels ignore this argument, and get the parameters."""
        if not momentum:
            return self._params
        if self._velocity is None:
            self._velocity = aligned_zeros(self._layout.size, self.dtype)
        return self._velocity

    def _test_arrays(self, test_data, required: bool = False, what: str = "test_data",
                     finite: bool = True, any_order: bool = False):
        """(X, labels) for evaluation, or None where the original would skip it (``test_data``
        None or an empty list, as ``if test_data:`` does); ``any_order``: see ``to_arrays``.
        ``finite=False``: ``_forward`` reports NaN/infinity, unless X is in its own order."""
        if not required and (test_data is None or (isinstance(test_data, (list, tuple)) and len(test_data) == 0)):
            return None
        X, y, rows = self._arrays(test_data, what, finite, any_order)
        if rows is not None and not finite:
            check_finite(X, what, rows)
        return X, (y if y.ndim == 1 else self.encoding.decode(y))

    def _arrays(self, data, what: str, finite: bool = True, any_order: Optional[bool] = None):
        n_out = self.sizes[-1]
        return to_arrays(data, self.sizes[0], n_out, self.dtype, what, self.encoding.classes(n_out),
                         finite, any_order)

    def _training_arrays(self, data, what: str, finite: bool = True, any_order: Optional[bool] = None):
        """(X, targets): inputs and the (n, n_out) target activations (labels encoded);
        with ``finite=False`` X is not yet checked for NaN/infinity (``SparseCache`` does);
        with ``any_order`` given, (X, targets, rows) as ``validate.to_arrays`` gives them."""
        X, y, *rows = self._arrays(data, what, finite, any_order)
        return (X, self.encoding.targets(y, self.sizes[-1], self.dtype) if y.ndim == 1 else y, *rows)

    def _forward(self, X: np.ndarray, what: str = "inputs", with_z: bool = False
                 ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """``(outputs, z)``: the output activations (n, n_out) for validated inputs X
        (n, n_in), in parallel, and with ``with_z`` the output layer's weighted inputs z
        (n, n_out) from the same pass (else None). Raises ValueError (``what`` names the
        data) for a NaN or infinite input."""
        self._check_parameters(what)
        out = np.empty((len(X), self.sizes[-1]), dtype=self.dtype)
        z = np.empty((len(X) if with_z else 0, self.sizes[-1]), dtype=self.dtype)
        with using_threads(self.threads), parallel_launch():
            bad = kernels.feedforward_rows(X, self._params, self._layout.sizes, self._layout.starts,
                                           self._codes, out, z)
        if bad >= 0:
            raise non_finite(bad, self.dtype, what)
        check_overflow(out, self.dtype, what)
        check_overflow(z, self.dtype, what)
        return out, (z if with_z else None)

    def _cost_of(self, z: np.ndarray, targets: np.ndarray, lmbda: float = 0.0, l1: float = 0.0) -> float:
        """The total cost (``cost``) from the output layer's weighted inputs z (n, n_out)."""
        return total_cost(z, targets, self.output, self._cost, self.weights, lmbda, l1)

    def _score(self, X: np.ndarray, labels: np.ndarray, what: str, with_cost: bool = False,
               lmbda: float = 0.0, l1: float = 0.0) -> Tuple[int, Optional[float]]:
        """``(correct, cost)``: how many rows of X the network classifies as ``labels``
        and, with ``with_cost``, the total cost against them (else None), from one pass."""
        outputs, z = self._forward(X, what, with_cost)
        correct = int(np.count_nonzero(self.encoding.decode(outputs) == labels))
        if z is None:
            return correct, None
        return correct, self._cost_of(z, self.encoding.targets(labels, self.sizes[-1], self.dtype),
                                      lmbda, l1)

    def __repr__(self) -> str:
        options = ""
        if self.encoding is not get_encoding(None, self.sizes[-1]):
            options += f", encoding={self.encoding.name!r}"
        if self.activation != "sigmoid":
            options += f", activation={self.activation!r}"
        if self.output != ("softmax" if self._cost.name == "log-likelihood" else "sigmoid"):
            options += f", output={self.output!r}"
        if self._cost.name != "quadratic":
            options += f", cost={self._cost.name!r}"
        return f"Network({self.sizes}, dtype=np.{np.dtype(self.dtype).name}{options})"


def _rebuild(cls, sizes, weights, biases, dtype, encoding, architecture, state) -> Network:
    """The inverse of ``Network.__reduce__``."""
    net = cls.from_parameters(sizes, weights, biases, dtype=dtype, encoding=encoding, **architecture)
    net.history, net.metadata = state["history"], state["metadata"]
    if state["velocity"] is not None:
        net._velocity_buffer(1.0)[:] = np.asarray(state["velocity"], dtype=net.dtype).reshape(-1)
    return net
