"""network2.py, compiled: the book's improved network (chapter 3) with the same names,
signatures, randomness and printed output, on the same kernels as ``fastnet.network``.

Change ``import network2`` to ``from fastnet import network2`` and keep the script:
``QuadraticCost``/``CrossEntropyCost`` (``fn``, ``delta``), ``Network(sizes,
cost=CrossEntropyCost)`` with ``default_weight_initializer`` (N(0, 1/n_in) weights) and
``large_weight_initializer``, ``SGD`` with L2 regularisation (``lmbda``) and the four
monitors, ``update_mini_batch(mini_batch, eta, lmbda, n)``, ``accuracy``,
``total_cost``, ``save`` (the book's JSON) and ``load``, ``vectorized_result``.

Beyond the book, as keywords that default to it: ``early_stopping_n`` (the book's own
later addition), ``l1``, ``momentum``, ``dropout``, ``halve_eta``; and, on the
constructor, ``activation``/``output`` neurons (with ``LogLikelihoodCost`` for softmax),
``dtype`` and ``threads``. The cross-entropy is computed from the outputs' weighted
inputs, so ``total_cost`` never overflows and needs no ``nan_to_num``.
"""
import re
import sys
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .core.activations import sigmoid, sigmoid_prime
from .core.compile_note import CompileNote
from .core.costs import CrossEntropyCost, LogLikelihoodCost, QuadraticCost
from .core.model import Network as _CoreNetwork
from .core.registry import COSTS, CostLike
from .mnist_loader import vectorized_result

__all__ = ["Network", "QuadraticCost", "CrossEntropyCost", "LogLikelihoodCost", "load",
           "vectorized_result", "sigmoid", "sigmoid_prime"]


class Network(_CoreNetwork):
    """The book's network2.Network: ``Network(sizes, cost=CrossEntropyCost)``, weights
    from ``default_weight_initializer``. ``cost`` is the cost class, as in the book
    (``net.cost.fn(a, y)``); the cost of data is ``total_cost``."""

    def __init__(self, sizes: Sequence[int], cost: CostLike = CrossEntropyCost,
                 dtype=np.float32, *, activation: str = "sigmoid", output: Optional[str] = None,
                 encoding: Optional[str] = None, threads: Optional[int] = None):
        # init="scaled" is default_weight_initializer's draw
        super().__init__(sizes, dtype, encoding, activation=activation, output=output,
                         cost=cost, init="scaled", threads=threads)

    @property
    def cost(self) -> type:
        """The cost class (``QuadraticCost``, ``CrossEntropyCost``, ``LogLikelihoodCost``),
        as the book's ``self.cost``."""
        return COSTS[self.cost_name]

    def default_weight_initializer(self) -> None:
        """Biases N(0, 1); weights N(0, 1/n_in) (n_in: the neuron's inputs), drawn with
        np.random.randn, biases first, as the book."""
        self.initialise("scaled")

    def large_weight_initializer(self) -> None:
        """Biases and weights N(0, 1), as chapter 1's network.py."""
        self.initialise("standard")

    def SGD(self, training_data, epochs: int, mini_batch_size: int, eta: float,
            lmbda: float = 0.0, evaluation_data=None,
            monitor_evaluation_cost: bool = False, monitor_evaluation_accuracy: bool = False,
            monitor_training_cost: bool = False, monitor_training_accuracy: bool = False,
            early_stopping_n: int = 0, *, l1: float = 0.0, momentum: float = 0.0,
            dropout: float = 0.0, halve_eta: Optional[int] = None
            ) -> Tuple[List[float], List[int], List[float], List[int]]:
        """Mini-batch SGD with L2 regularisation ``lmbda``, printing and returning, per
        epoch, what the monitors ask for: ``(evaluation_cost, evaluation_accuracy,
        training_cost, training_accuracy)``. ``early_stopping_n`` > 0 stops after that
        many epochs without a better evaluation accuracy (the book's later version)."""
        if evaluation_data is not None and not isinstance(evaluation_data, tuple):
            evaluation_data = list(evaluation_data)
        evaluation_cost, evaluation_accuracy = [], []
        training_cost, training_accuracy = [], []
        # what each monitor asks train_epochs for, where it is in the epoch's record (and
        # out of how many), the list SGD returns it in, and the book's printed line
        reports = [(monitor_training_cost, "training_cost", "training_cost", None,
                    training_cost, "Cost on training data"),
                   (monitor_training_accuracy, "training_accuracy", "training_correct", "n_train",
                    training_accuracy, "Accuracy on training data"),
                   (monitor_evaluation_cost, "validation_cost", "validation_cost", None,
                    evaluation_cost, "Cost on evaluation data"),
                   (monitor_evaluation_accuracy, None, "validation_correct", "n_validation",
                    evaluation_accuracy, "Accuracy on evaluation data")]
        reports = [report[1:] for report in reports if report[0]]
        if (monitor_evaluation_cost or monitor_evaluation_accuracy or early_stopping_n) \
                and not evaluation_data:
            raise ValueError("monitoring or early stopping on evaluation data needs evaluation_data")
        try:
            results = self.train_epochs(training_data, epochs, mini_batch_size, eta, lmbda=lmbda,
                                        l1=l1, momentum=momentum, dropout=dropout,
                                        validation_data=evaluation_data or None,
                                        early_stopping=early_stopping_n or None,
                                        halve_eta=halve_eta,
                                        monitor={monitor for monitor, *_ in reports if monitor},
                                        prepared=CompileNote(sys.stderr))
        except (TypeError, ValueError) as error:
            raise _in_book_terms(error) from None
        for result in results:
            record = result.record
            print("Epoch %s training complete" % result.epoch)
            for _, key, out_of, values, line in reports:
                values.append(record[key])
                print(f"{line}: {record[key]}" + (f" / {record[out_of]}" if out_of else ""))
            if result.stop:
                print(f"Stopped: {result.stop}")
            print(flush=True)
        return evaluation_cost, evaluation_accuracy, training_cost, training_accuracy

    def update_mini_batch(self, mini_batch, eta: float, lmbda: float = 0.0, n: Optional[int] = None,
                          **options) -> None:
        """One step: w -> (1 - eta lmbda/n) w - (eta/m) sum grad_w, b -> b - (eta/m) sum
        grad_b, m = len(mini_batch), n the training set's size (the book's (93))."""
        super().update_mini_batch(mini_batch, eta, lmbda=lmbda, n=n, **options)

    def accuracy(self, data, convert: bool = False) -> int:
        """How many examples of ``data`` the network gets right. The book's ``convert``
        (True for one-hot y, as in training data) is accepted; labels and one-hot
        targets are told apart by their shape either way."""
        return self.evaluate(data)

    def total_cost(self, data, lmbda: float, convert: bool = False) -> float:
        """(1/n) sum_x C_x + (lmbda/2n) sum ||w||^2 over ``data`` (n = len(data)), the
        book's ``total_cost``; ``convert`` is accepted, labels are vectorised as needed."""
        return super().cost(data, lmbda)

    def save(self, filename, metadata: Optional[dict] = None):
        """Write the book's JSON (``{"sizes", "weights", "biases", "cost"}``) to
        ``filename``, whatever its name, as the book does; fastnet's format for a name
        ending in ``.npz``. Atomic; returns the path written."""
        from .io.persist import save
        npz = str(filename).lower().endswith(".npz")
        return save(self, filename, metadata, form="npz" if npz else "json")

    def __repr__(self) -> str:
        return "network2." + super().__repr__()


#: train_epochs' names of network2.SGD's arguments, as its errors begin with them
_BOOK_NAMES = {"validation_data": "evaluation_data", "early_stopping": "early_stopping_n"}


def _in_book_terms(error: Exception) -> Exception:
    """``error`` from train_epochs, naming network2.SGD's argument as the caller wrote it
    (``evaluation_data``, not ``validation_data``)."""
    message = str(error)
    for name, book in _BOOK_NAMES.items():
        if re.match(rf"{name}\b", message):  # "validation_data[3] ...", not "..._n"
            return type(error)(book + message[len(name):])
    return error


def load(filename, dtype=None) -> Network:
    """The network saved in ``filename`` (the book's JSON, or a fastnet .npz), as a
    network2 ``Network`` with its cost class."""
    from .io.persist import load as load_file
    return load_file(filename, dtype=dtype, cls=Network)

