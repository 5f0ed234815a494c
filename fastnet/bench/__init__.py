"""``fastnet bench``: one training epoch of fastnet side by side with its peers.

In one process, interleaved round by round (round r runs every implementation once, in
an order that rotates with r), times one epoch of the same sigmoid network on the same
data -- quadratic cost, mini-batch SGD with the book's update ``w -= eta/m * (sum of the
per-example gradients)`` -- for:

- ``fastnet``: ``fastnet.Network(sizes, dtype=np.float32)``, compiled with Numba;
- ``seed``: the seed's network.py algorithm, per example, numpy float64 (a compact copy
  of the book's backprop, :class:`PerExample`), timed on a slice and scaled to the epoch;
- ``numpy-batch``: the whole mini-batch as matrices, numpy float32 (BLAS);
- ``torch``: the same matrices in PyTorch, float32, gradients written by hand (no
  autograd: it is the faster of the two; ``torch-autograd`` is there to compare);
- ``torch-nn``: idiomatic PyTorch training code, as users write it: ``nn.Sequential`` of
  ``nn.Linear`` and ``nn.Sigmoid``, a loss module, ``optimizer.zero_grad()``,
  ``loss.backward()``, ``optimizer.step()`` with ``torch.optim.SGD``;
- ``jax``: the whole epoch as one jitted ``jax.lax.scan`` over the mini-batches, float32;
- ``fastnet-1thread`` (only with ``--only``): fastnet on one thread whatever ``--threads``
  says, so that with ``--threads 2`` its row gives fastnet's speed-up from the second
  thread, measured in the same run, interleaved.

Every implementation starts each round from the same initial parameters (``np.random``
seeded, ``randn`` as the book) and visits the examples in the same shuffled order (the
permutation ``random.shuffle`` makes, which is fastnet's own). Compilation and warm-up are
never timed. Before timing, each implementation trains a few mini-batches from the same
start and its parameters are compared with the float64 per-example reference (the
"check" line): a benchmark is only honest if every peer does the same arithmetic.

Threads: everything runs on ``--threads N`` (default 1): Numba through
``fastnet.threads.using_threads``, BLAS/OpenMP/MKL through environment variables, which
only work if they are set before numpy is imported. So the measurement always runs in a
child process (``python -m fastnet.bench --worker CONFIG``) started with that
environment; the parent only checks the arguments and waits.

    python benchmarks/compare.py                          # 784,30,10, batch 10, 1 thread
    python benchmarks/compare.py --sizes 784,30,10 784,100,10 --rounds 7
    fastnet bench --sizes 784,128,64,10 --batch 100 --threads 2 --only fastnet,numpy-batch,torch
    fastnet bench --json results.json --accuracy-epochs 30

Output: a Markdown table per network (median and fastest epoch, how many times faster
fastnet is, examples per second) and the "fraction of the arithmetic floor": the
multiply-adds of an epoch over the machine's measured float32 matmul rate.
"""
import argparse
import dataclasses
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

from ..cli.args import non_negative_int, positive_float, positive_int

IMPLEMENTATIONS = ("fastnet", "seed", "numpy-batch", "torch", "torch-nn", "jax")
OPTIONAL = ("torch-autograd", "fastnet-1thread")  # measurable with --only, not run by default
ALL_IMPLEMENTATIONS = IMPLEMENTATIONS + OPTIONAL
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
XLA_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
WORKER_FLAG = "--worker"
INTERRUPTED = 130
DESCRIPTION = ("Time one training epoch of fastnet against the seed's per-example numpy, "
               "mini-batch numpy, PyTorch (hand-written gradients; nn + autograd + optim) "
               "and JAX on the same network, data and order.")


# -- configuration and arguments ---------------------------------------------------------
@dataclasses.dataclass
class Config:
    """What to measure; JSON-serialisable, handed to the worker process as is."""
    sizes: List[List[int]] = dataclasses.field(default_factory=lambda: [[784, 30, 10]])
    batch: int = 10
    eta: float = 3.0
    threads: int = 1
    rounds: int = 5
    epochs_per_call: int = 3
    ref_examples: int = 2000
    only: List[str] = dataclasses.field(default_factory=lambda: list(IMPLEMENTATIONS))
    data: Optional[str] = None
    json: Optional[str] = None
    accuracy_epochs: int = 0
    limit: Optional[int] = None
    seed: int = 12345
    check_examples: int = 200
    prog: str = "fastnet bench"  # the name error messages start with
    command: Optional[str] = None  # the command line, for the record


def sizes_list(text: str) -> List[int]:
    """'784,30,10' -> [784, 30, 10]: at least two layers, each >= 1."""
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"sizes must be comma-separated integers such as 784,30,10, got {text!r}") from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"sizes need at least two layers of at least 1 neuron, got {text!r}")
    return sizes


def implementation_list(text: str) -> List[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in ALL_IMPLEMENTATIONS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown implementation {', '.join(unknown) or repr(text)}; choose from "
            f"{', '.join(ALL_IMPLEMENTATIONS)}")
    return list(dict.fromkeys(names))


def threads_count(text: str) -> int:
    value = positive_int(text)
    cpus = os.cpu_count() or 1
    if value > cpus:
        raise argparse.ArgumentTypeError(f"threads must be from 1 to {cpus} (this machine's "
                                         f"CPUs), got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser, threads: bool = True) -> None:
    """The benchmark's options (``threads=False``: --threads comes from a parent parser)."""
    parser.add_argument("--sizes", type=sizes_list, action="extend", nargs="+",
                        metavar="N,N,...", help="layer sizes; several networks: repeat the "
                        "option or list them (default 784,30,10)")
    parser.add_argument("--batch", type=positive_int, default=10, help="mini-batch size (default 10)")
    parser.add_argument("--eta", type=positive_float, default=3.0, help="learning rate (default 3.0)")
    if threads:
        parser.add_argument("--threads", type=threads_count, default=1,
                            help="threads for every implementation: Numba, BLAS, OpenMP, "
                            "PyTorch, XLA (default 1)")
    parser.add_argument("--rounds", type=positive_int, default=5,
                        help="interleaved rounds; the table shows their median (default 5)")
    parser.add_argument("--epochs-per-call", type=positive_int, default=3,
                        help="fastnet epochs per train_epochs call, the call's one-off input "
                        "checks amortised over them (default 3; 1: every epoch pays them)")
    parser.add_argument("--ref-examples", type=positive_int, default=2000,
                        help="examples the per-example 'seed' reference trains on per round, "
                        "its time scaled to the epoch (default 2000)")
    parser.add_argument("--only", type=implementation_list, metavar="NAME,NAME,...",
                        help=f"implementations to run (default {','.join(IMPLEMENTATIONS)}; "
                        f"also: {','.join(OPTIONAL)})")
    parser.add_argument("--data", help="a folder with the four MNIST IDX files, or a "
                        "mnist.pkl.gz (default: $FASTNET_DATA, then the cache folder)")
    parser.add_argument("--limit", type=positive_int, metavar="N",
                        help="use the first N training examples only (quick runs)")
    parser.add_argument("--json", metavar="OUT.json", help="also write the results as JSON")
    parser.add_argument("--accuracy-epochs", type=non_negative_int, default=0, metavar="N",
                        help="then train fastnet N epochs from the seed and report its test accuracy")
    parser.add_argument("--seed", type=int, default=12345,
                        help="seed of np.random (initial parameters) and random (order)")


class OneLineErrors(argparse.ArgumentParser):
    """Argument errors as one line on stderr (no usage block), exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = OneLineErrors(prog=prog, description=DESCRIPTION)
    add_arguments(parser)
    parser.add_argument(WORKER_FLAG, metavar="CONFIG", help=argparse.SUPPRESS)
    return parser


def add_parser(subparsers, common_parent: Optional[argparse.ArgumentParser] = None):
    """Register ``bench`` on the ``fastnet`` command's ``subparsers``; like ``experiment``,
    the parsed arguments carry ``run`` (``args.run(args)`` returns the exit status).
    ``common_parent``: the shared options parser; when it defines ``--threads`` that one
    is used (its None default meaning 1 thread)."""
    parents = [common_parent] if common_parent is not None else []
    has_threads = any("--threads" in action.option_strings
                      for parent in parents for action in parent._actions)
    parser = subparsers.add_parser("bench", parents=parents, help="time an epoch against "
                                   "numpy, PyTorch and JAX", description=DESCRIPTION)
    add_arguments(parser, threads=not has_threads)
    parser.set_defaults(run=run_bench)
    return parser


def config_from_args(args) -> Config:
    """The Config of parsed arguments; ValueError for values argparse cannot check alone."""
    threads = getattr(args, "threads", None)
    threads = 1 if threads is None else threads
    cpus = os.cpu_count() or 1
    if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= cpus:
        raise ValueError(f"threads must be from 1 to {cpus} (this machine's CPUs), got {threads!r}")
    config = Config(sizes=args.sizes or [[784, 30, 10]], batch=args.batch, eta=args.eta,
                    threads=threads, rounds=args.rounds, epochs_per_call=args.epochs_per_call,
                    ref_examples=args.ref_examples, only=args.only or list(IMPLEMENTATIONS),
                    data=args.data, json=args.json, accuracy_epochs=args.accuracy_epochs,
                    limit=args.limit, seed=args.seed)
    unique = []
    for sizes in config.sizes:
        if sizes not in unique:
            unique.append(sizes)
    config.sizes = unique
    return config


def worker_environment(threads: int, base: Optional[dict] = None) -> dict:
    """The environment of a measuring process: BLAS, OpenMP, MKL limited to ``threads``;
    XLA's CPU thread pool off for one thread (its flags must precede ``import jax``)."""
    env = dict(os.environ if base is None else base)
    for var in THREAD_VARS:
        env[var] = str(threads)
    if threads == 1:
        flags = env.get("XLA_FLAGS", "")
        if "xla_cpu_multi_thread_eigen" not in flags:
            env["XLA_FLAGS"] = (flags + " " + XLA_ONE_THREAD).strip()
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def spawn_worker(config: Config) -> int:
    """Run the measurement in a child process with the thread environment set; its output
    goes straight to ours. Returns its exit status (130 after Ctrl-C)."""
    command = [sys.executable, "-m", "fastnet.bench", WORKER_FLAG,
               json.dumps(dataclasses.asdict(config))]
    child = subprocess.Popen(command, env=worker_environment(config.threads))
    try:
        return child.wait()
    except KeyboardInterrupt:  # the child got the same SIGINT and is stopping
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        return INTERRUPTED


def run_bench(args) -> int:
    """``fastnet bench``: check the arguments, measure in a child process."""
    config = config_from_args(args)
    config.command = " ".join(["fastnet", *sys.argv[1:]])
    return spawn_worker(config)


def exit_status(prog: str, run: Callable[[], int]) -> int:
    """run()'s exit status; Ctrl-C gives INTERRUPTED, an error a one-line message and 2."""
    try:
        return run()
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return INTERRUPTED
    except (ValueError, TypeError, FileNotFoundError, OSError) as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python benchmarks/compare.py`` / ``python -m fastnet.bench``. Argument errors exit
    with status 2 and a one-line message."""
    parser = build_parser()
    args = parser.parse_args(argv)

    def run() -> int:
        if getattr(args, "worker", None):
            return worker_main(Config(**json.loads(args.worker)))
        config = config_from_args(args)
        config.prog = parser.prog
        config.command = " ".join(["python", sys.argv[0] if argv is None else parser.prog,
                                   *(sys.argv[1:] if argv is None else argv)])
        return spawn_worker(config)

    return exit_status(parser.prog, run)


# -- arithmetic -------------------------------------------------------------------------
def macs_per_example(sizes: Sequence[int]) -> int:
    """Multiply-adds one example costs: forward sum(n_in*n_out), backward (BP2) the
    weight matrices after the first, update (BP4 outer products) sum(n_in*n_out)."""
    pairs = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return sum(pairs) + sum(pairs[1:]) + sum(pairs)


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def peak_macs_per_second(n: int = 1024, repeats: int = 7) -> float:
    """The float32 matmul rate of this process (threads as set): n^3 multiply-adds of an
    (n, n) @ (n, n) np.dot over its best time of ``repeats``."""
    rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    out = np.empty((n, n), np.float32)
    np.dot(a, b, out=out)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.dot(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return n ** 3 / best


# -- the implementations ----------------------------------------------------------------
class NotInstalled(Exception):
    """A peer whose library cannot be imported: a "not installed" row, never a crash."""


class Impl:
    """One implementation: ``reset`` to the initial parameters, ``epoch`` trains the
    examples in ``order`` and returns the seconds to report for one full epoch (compile
    and warm-up belong in ``warm_up``), ``parameters`` gives (weights, biases) as float64
    numpy arrays of the book's shapes."""
    name = ""
    label = ""
    examples_timed: Optional[int] = None  # None: the whole epoch

    def reset(self, weights, biases) -> None:
        raise NotImplementedError

    def warm_up(self, order) -> None:
        self.epoch(order)

    def epoch(self, order) -> float:
        raise NotImplementedError

    def train_exact(self, order) -> None:
        """Train on every example of ``order`` (for the numerical check): by default an epoch."""
        self.epoch(order)

    def parameters(self):
        raise NotImplementedError

    def versions(self) -> Dict[str, str]:
        return {}


def fastnet_network(sizes, threads):
    """A float32 fastnet Network training on exactly ``threads`` threads."""
    from .. import Network
    return Network(sizes, dtype=np.float32, threads=threads)


class FastnetImpl(Impl):
    name, label = "fastnet", "fastnet (Numba, float32)"

    def __init__(self, sizes, X, y, batch, eta, threads, epochs_per_call=1):
        self.X, self.y, self.batch, self.eta = X, y, batch, eta
        self.threads, self.epochs_per_call = threads, epochs_per_call
        self.net = fastnet_network(sizes, threads)
        self.kernel_seconds: List[float] = []

    def reset(self, weights, biases):
        self.net.weights = weights
        self.net.biases = biases

    def epoch(self, order):
        """fastnet shuffles with ``random`` itself: the state is set so that its first
        epoch's order is ``order`` (``order.state``, see :func:`shuffled_order`). Seconds:
        the wall time of one ``train_epochs`` call of ``epochs_per_call`` epochs (input
        checks included) per epoch."""
        from ..core.threads import using_threads
        random.setstate(order.state)
        with using_threads(self.threads):
            start = time.perf_counter()
            results = list(self.net.train_epochs((self.X, self.y), self.epochs_per_call,
                                                 self.batch, self.eta))
            seconds = (time.perf_counter() - start) / self.epochs_per_call
        self.net.history.clear()
        self.kernel_seconds.append(sum(r.seconds for r in results) / len(results))
        return seconds

    def warm_up(self, order):
        from ..core.threads import using_threads
        random.setstate(order.state)
        with using_threads(self.threads):  # compiles (or loads) the kernels
            list(self.net.train_epochs((self.X[:300], self.y[:300]), 1, self.batch, self.eta))
        self.net.history.clear()

    def train_exact(self, order):
        """One epoch in exactly ``order`` (for the numerical check)."""
        from ..core.threads import using_threads
        random.setstate(order.state)
        with using_threads(self.threads):
            list(self.net.train_epochs((self.X, self.y), 1, self.batch, self.eta))
        self.net.history.clear()

    def parameters(self):
        return ([np.array(w, np.float64) for w in self.net.weights],
                [np.array(b, np.float64) for b in self.net.biases])

    def versions(self):
        import numba

        from ..config import __version__
        return {"fastnet": __version__, "numba": numba.__version__}


class FastnetOneThreadImpl(FastnetImpl):
    """fastnet made with threads=1 (``make_impl``), in a run whose other rows may use more."""
    name, label = "fastnet-1thread", "fastnet (Numba, float32, 1 thread)"


class PerExample:
    """The seed's network.py arithmetic, per example, numpy float64: ``update_mini_batch``
    sums ``backprop``'s per-example gradients and steps by eta/m times the sum, (20), (21).
    Columns as in the book: x (n_in, 1), y (n_out, 1), b (n, 1)."""

    def __init__(self, weights, biases, dtype=None):
        self.dtype = np.float64 if dtype is None else dtype
        self.weights = [np.array(w, self.dtype) for w in weights]
        self.biases = [np.array(b, self.dtype).reshape(-1, 1) for b in biases]

    @staticmethod
    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape, self.dtype) for b in self.biases]
        nabla_w = [np.zeros(w.shape, self.dtype) for w in self.weights]
        for x, y in mini_batch:
            delta_b, delta_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_w)]
        scale = self.dtype(eta / len(mini_batch))
        self.weights = [w - scale * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - scale * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        sigmoid = self.sigmoid
        activation = np.asarray(x, self.dtype)
        activations, zs = [activation], []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        s = sigmoid(zs[-1])
        delta = (activations[-1] - np.asarray(y, self.dtype)) * (s * (1 - s))  # BP1
        nabla_b[-1] = delta  # BP3
        nabla_w[-1] = np.dot(delta, activations[-2].T)  # BP4
        for l in range(2, len(self.weights) + 1):
            s = sigmoid(zs[-l])
            delta = np.dot(self.weights[-l + 1].T, delta) * (s * (1 - s))  # BP2
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].T)
        return nabla_b, nabla_w


class SeedImpl(Impl):
    name, label = "seed", "seed (numpy per example, float64)"

    def __init__(self, sizes, X, y, batch, eta, examples):
        self.X, self.y, self.batch, self.eta = X, y, batch, eta
        self.n, self.outputs = len(X), sizes[-1]
        self.examples_timed = min(examples, len(X))
        self.eye = np.eye(sizes[-1])
        self.net = None

    def reset(self, weights, biases):
        self.net = PerExample(weights, biases)

    def pairs(self, order):
        """The book's (x column, one-hot column) pairs in float64, made outside the timing
        (the original's data come that way from mnist_loader)."""
        return [(self.X[i].astype("float64").reshape(-1, 1), self.eye[self.y[i]].reshape(-1, 1))
                for i in order]

    def run(self, pairs):
        for k in range(0, len(pairs), self.batch):
            self.net.update_mini_batch(pairs[k:k + self.batch], self.eta)

    def epoch(self, order):
        pairs = self.pairs(order.indices[:self.examples_timed])
        start = time.perf_counter()
        self.run(pairs)
        return (time.perf_counter() - start) * self.n / len(pairs)

    def warm_up(self, order):
        self.run(self.pairs(order.indices[:2 * self.batch]))

    def train_exact(self, order):
        self.run(self.pairs(order.indices))

    def parameters(self):
        return self.net.weights, self.net.biases


def one_hot(y, outputs, dtype):
    targets = np.zeros((len(y), outputs), dtype)
    targets[np.arange(len(y)), y] = 1
    return targets


class NumpyBatchImpl(Impl):
    name, label = "numpy-batch", "numpy mini-batch matrices (float32, BLAS)"

    def __init__(self, sizes, X, y, batch, eta):
        self.X = np.ascontiguousarray(X, np.float32)
        self.T = one_hot(y, sizes[-1], np.float32)
        self.batch, self.eta = batch, eta

    def reset(self, weights, biases):
        self.W = [np.array(w, np.float32) for w in weights]
        self.b = [np.array(b, np.float32).reshape(-1) for b in biases]

    def step(self, idx):
        """One mini-batch: rows are examples. Z = A W^T + b, A = sigmoid(Z); deltas
        D_L = (A_L - T) A_L (1 - A_L), D_l = (D_{l+1} W_{l+1}) A_l (1 - A_l); then
        W -= eta/m D^T A_prev, b -= eta/m sum(D)."""
        W, b = self.W, self.b
        A = self.X[idx]
        acts = [A]
        for Wl, bl in zip(W, b):
            Z = A @ Wl.T
            Z += bl
            np.negative(Z, out=Z)
            np.exp(Z, out=Z)
            Z += 1
            A = np.reciprocal(Z, out=Z)
            acts.append(A)
        scale = np.float32(self.eta / len(idx))
        D = (A - self.T[idx]) * A * (1 - A)
        for l in range(len(W) - 1, -1, -1):
            prev = acts[l]
            grad_W = D.T @ prev
            grad_b = D.sum(axis=0)
            if l > 0:
                D = (D @ W[l]) * prev * (1 - prev)  # with the old W[l]
            grad_W *= scale
            W[l] -= grad_W
            grad_b *= scale
            b[l] -= grad_b

    def _run(self, indices):
        start = time.perf_counter()
        for k in range(0, len(indices), self.batch):
            self.step(indices[k:k + self.batch])
        return time.perf_counter() - start

    def epoch(self, order):
        return self._run(order.indices)


    def warm_up(self, order):
        self._run(order.indices[:20 * self.batch])

    def parameters(self):
        return ([np.array(w, np.float64) for w in self.W],
                [np.array(b, np.float64).reshape(-1, 1) for b in self.b])

    def versions(self):
        return {"numpy": np.__version__}


class TorchImpl(Impl):
    """PyTorch, float32, the same matrix formulas as numpy-batch with the gradients
    written by hand (addmm, in-place updates) under ``torch.no_grad``."""
    name, label = "torch", "PyTorch (float32, manual gradients)"

    def __init__(self, sizes, X, y, batch, eta, threads):
        try:
            import torch
        except ImportError as error:
            raise NotInstalled(str(error)) from None
        torch.set_num_threads(threads)
        self.torch = torch
        self.X = torch.from_numpy(np.ascontiguousarray(X, np.float32))
        self.T = torch.from_numpy(one_hot(y, sizes[-1], np.float32))
        self.batch, self.eta = batch, eta

    def reset(self, weights, biases):
        torch = self.torch
        self.W = [torch.from_numpy(np.array(w, np.float32)) for w in weights]
        self.b = [torch.from_numpy(np.array(b, np.float32).reshape(-1)) for b in biases]

    def step(self, idx):
        torch = self.torch
        W, b = self.W, self.b
        A = self.X.index_select(0, idx)
        acts = [A]
        for Wl, bl in zip(W, b):
            A = torch.addmm(bl, A, Wl.t()).sigmoid_()
            acts.append(A)
        scale = self.eta / len(idx)
        D = (A - self.T.index_select(0, idx)) * A * (1 - A)
        for l in range(len(W) - 1, -1, -1):
            prev = acts[l]
            grad_b = D.sum(0)
            if l > 0:
                D_next = (D @ W[l]) * prev * (1 - prev)
            W[l].addmm_(D.t(), prev, alpha=-scale)
            b[l].sub_(grad_b, alpha=scale)
            if l > 0:
                D = D_next

    def _run(self, order, limit=None):
        torch = self.torch
        idx = torch.from_numpy(np.ascontiguousarray(order.indices))
        end = len(idx) if limit is None else min(limit, len(idx))
        with torch.no_grad():
            start = time.perf_counter()
            for k in range(0, end, self.batch):
                self.step(idx[k:k + self.batch])
            return time.perf_counter() - start

    def epoch(self, order):
        return self._run(order)


    def warm_up(self, order):
        self._run(order, 20 * self.batch)

    def parameters(self):
        return ([w.numpy().astype(np.float64) for w in self.W],
                [b.numpy().astype(np.float64).reshape(-1, 1) for b in self.b])

    def versions(self):
        return {"torch": self.torch.__version__}


class TorchAutogradImpl(TorchImpl):
    """PyTorch with autograd: loss = 1/2 sum over the batch of ||a - y||^2 (so the
    gradient is the sum of the per-example ones), then W -= eta/m * W.grad."""
    name, label = "torch-autograd", "PyTorch (float32, autograd + manual SGD)"

    def reset(self, weights, biases):
        super().reset(weights, biases)
        for p in self.W + self.b:
            p.requires_grad_(True)

    def step(self, idx):
        torch = self.torch
        A = self.X.index_select(0, idx)
        for Wl, bl in zip(self.W, self.b):
            A = torch.sigmoid(torch.addmm(bl, A, Wl.t()))
        loss = 0.5 * (A - self.T.index_select(0, idx)).pow(2).sum()
        params = self.W + self.b
        grads = torch.autograd.grad(loss, params)
        scale = self.eta / len(idx)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(g, alpha=scale)

    def _run(self, order, limit=None):
        torch = self.torch
        idx = torch.from_numpy(np.ascontiguousarray(order.indices))
        end = len(idx) if limit is None else min(limit, len(idx))
        start = time.perf_counter()
        for k in range(0, end, self.batch):
            self.step(idx[k:k + self.batch])
        return time.perf_counter() - start

    def parameters(self):
        return ([w.detach().numpy().astype(np.float64) for w in self.W],
                [b.detach().numpy().astype(np.float64).reshape(-1, 1) for b in self.b])


class TorchNNImpl(TorchAutogradImpl):
    """Idiomatic PyTorch: ``nn.Sequential(nn.Linear, nn.Sigmoid, ...)``, a loss module,
    ``optimizer.zero_grad(); loss.backward(); optimizer.step()`` with ``torch.optim.SGD``.
    The same update: loss = 1/2 ``MSELoss(reduction='sum')`` (the sum of the per-example
    costs) and lr = eta/m, set per step (a shorter last mini-batch has its own m)."""
    name, label = "torch-nn", "PyTorch (float32, nn.Sequential + loss.backward + optim.SGD)"

    def __init__(self, sizes, X, y, batch, eta, threads):
        super().__init__(sizes, X, y, batch, eta, threads)
        nn = self.torch.nn
        self.model = nn.Sequential(*[layer for m, n in zip(sizes[:-1], sizes[1:])
                                     for layer in (nn.Linear(m, n), nn.Sigmoid())])
        self.loss = nn.MSELoss(reduction="sum")
        self.optimizer = self.torch.optim.SGD(self.model.parameters(), lr=eta / batch)
        self.W = [linear.weight for linear in self.model[::2]]  # (out, in), as ours
        self.b = [linear.bias for linear in self.model[::2]]

    def reset(self, weights, biases):
        with self.torch.no_grad():
            for p, value in zip(self.W + self.b, [*weights, *biases]):
                p.copy_(self.torch.from_numpy(np.asarray(value, np.float32).reshape(p.shape)))

    def step(self, idx):
        self.optimizer.param_groups[0]["lr"] = self.eta / len(idx)
        self.optimizer.zero_grad()
        loss = 0.5 * self.loss(self.model(self.X.index_select(0, idx)), self.T.index_select(0, idx))
        loss.backward()
        self.optimizer.step()


class JaxImpl(Impl):
    """JAX, float32: the whole epoch is one jitted ``lax.scan`` over the mini-batches
    (gather, forward, hand-written backward, update: the same formulas as numpy-batch),
    the data on the device as arguments of the jitted function; a smaller last batch, if
    any, is one more jitted step. Compilation happens in ``warm_up``."""
    name, label = "jax", "JAX (float32, jit + lax.scan epoch)"

    def __init__(self, sizes, X, y, batch, eta):
        try:
            import jax
            import jax.numpy as jnp
        except ImportError as error:
            raise NotInstalled(str(error)) from None
        self.jax, self.jnp = jax, jnp
        self.batch, self.eta = batch, eta
        self.X = jax.device_put(np.ascontiguousarray(X, np.float32))
        self.T = jax.device_put(one_hot(y, sizes[-1], np.float32))
        eta32 = np.float32(eta)

        def step(params, X, T, idx):
            W, b = list(params[0]), list(params[1])
            A = jnp.take(X, idx, axis=0)
            acts = [A]
            for Wl, bl in zip(W, b):
                A = jax.nn.sigmoid(A @ Wl.T + bl)
                acts.append(A)
            scale = eta32 / np.float32(idx.shape[0])
            D = (A - jnp.take(T, idx, axis=0)) * A * (1 - A)
            for l in range(len(W) - 1, -1, -1):
                prev = acts[l]
                grad_W, grad_b = D.T @ prev, D.sum(axis=0)
                if l > 0:
                    D = (D @ W[l]) * prev * (1 - prev)  # with the old W[l]
                W[l] = W[l] - scale * grad_W
                b[l] = b[l] - scale * grad_b
            return tuple(W), tuple(b)

        def epoch(params, X, T, batches):
            return jax.lax.scan(lambda p, idx: (step(p, X, T, idx), None), params, batches)[0]

        self._epoch = jax.jit(epoch)
        self._single = jax.jit(step)

    def reset(self, weights, biases):
        jnp = self.jnp
        self.params = (tuple(jnp.asarray(np.array(w, np.float32)) for w in weights),
                       tuple(jnp.asarray(np.array(b, np.float32).reshape(-1)) for b in biases))

    def _run(self, indices):
        start = time.perf_counter()
        full = len(indices) // self.batch * self.batch
        params = self.params
        if full:
            batches = self.jnp.asarray(np.asarray(indices[:full], np.int32).reshape(-1, self.batch))
            params = self._epoch(params, self.X, self.T, batches)
        if full < len(indices):
            params = self._single(params, self.X, self.T,
                                  self.jnp.asarray(np.asarray(indices[full:], np.int32)))
        self.params = self.jax.block_until_ready(params)
        return time.perf_counter() - start

    def epoch(self, order):
        return self._run(order.indices)


    def warm_up(self, order):
        saved = self.params
        self._run(order.indices)  # compiles for the epoch's shapes (the timed epochs reuse it)
        self.params = saved

    def parameters(self):
        W, b = self.params
        return ([np.asarray(w, np.float64) for w in W],
                [np.asarray(v, np.float64).reshape(-1, 1) for v in b])

    def versions(self):
        import jaxlib
        return {"jax": self.jax.__version__, "jaxlib": jaxlib.__version__}


def make_impl(name: str, sizes, X, y, config: Config) -> Impl:
    b, eta = config.batch, config.eta
    if name == "fastnet":
        return FastnetImpl(sizes, X, y, b, eta, config.threads, config.epochs_per_call)
    if name == "fastnet-1thread":
        return FastnetOneThreadImpl(sizes, X, y, b, eta, 1, config.epochs_per_call)
    if name == "seed":
        return SeedImpl(sizes, X, y, b, eta, config.ref_examples)
    if name == "numpy-batch":
        return NumpyBatchImpl(sizes, X, y, b, eta)
    if name == "torch":
        return TorchImpl(sizes, X, y, b, eta, config.threads)
    if name == "torch-autograd":
        return TorchAutogradImpl(sizes, X, y, b, eta, config.threads)
    if name == "torch-nn":
        return TorchNNImpl(sizes, X, y, b, eta, config.threads)
    if name == "jax":
        return JaxImpl(sizes, X, y, b, eta)
    raise ValueError(f"unknown implementation {name!r}")


# -- the measurement --------------------------------------------------------------------
class Order:
    """An epoch's order: ``indices``, a permutation (int64 array), and ``state``, the
    ``random`` state from which ``random.shuffle`` -- and so fastnet's epoch, which
    shuffles exactly like it -- produces that permutation."""

    def __init__(self, indices: np.ndarray, state):
        self.indices, self.state = indices, state

    def __len__(self) -> int:
        return len(self.indices)


def shuffled_order(n: int) -> Order:
    """The next epoch's order: what ``random.shuffle`` does to range(n) from the current
    ``random`` state, which it advances."""
    state = random.getstate()
    indices = list(range(n))
    random.shuffle(indices)
    return Order(np.asarray(indices, np.int64), state)


def initial_parameters(sizes, seed):
    """The book's initial network: np.random seeded, randn biases then weights."""
    np.random.seed(seed)
    biases = [np.random.randn(n, 1) for n in sizes[1:]]
    weights = [np.random.randn(n, m) for m, n in zip(sizes[:-1], sizes[1:])]
    return weights, biases


def relative_difference(params, reference) -> float:
    """max over layers of ||p - r|| / ||r|| (Frobenius), weights and biases."""
    worst = 0.0
    for got, want in zip(params[0] + params[1], reference[0] + reference[1]):
        got, want = np.asarray(got, np.float64).reshape(want.shape), np.asarray(want, np.float64)
        worst = max(worst, float(np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-300)))
    return worst


def check_against_reference(impls: Dict[str, Impl], sizes, X, y, config: Config,
                            start) -> Dict[str, float]:
    """Train each implementation one epoch over the first ``check_examples`` examples
    (shuffled, mini-batch ``batch``) from the same start: the relative difference of its
    parameters from those of the float64 per-example reference (:class:`PerExample`)."""
    n = min(config.check_examples, len(X))
    random.seed(config.seed + 1)
    order = shuffled_order(n)  # indices < n: the peers index their full data with it
    reference = SeedImpl(sizes, X, y, config.batch, config.eta, n)
    reference.reset(*start)
    reference.train_exact(order)
    expected = reference.parameters()
    differences = {}
    for name, impl in impls.items():
        if isinstance(impl, FastnetImpl):  # it shuffles range(len(its data)): give it n examples
            impl = type(impl)(sizes, X[:n], y[:n], config.batch, config.eta, impl.threads)
        impl.reset(*start)
        impl.train_exact(order)
        differences[name] = relative_difference(impl.parameters(), expected)
    return differences


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(sizes, X, y, config: Config, peak: Optional[float] = None,
            progress: Callable[[str], None] = log) -> dict:
    """Time the implementations on one network; the result dict (see ``--json``)."""
    n = len(X)
    start = initial_parameters(sizes, config.seed)
    rows: Dict[str, dict] = {}
    impls: Dict[str, Impl] = {}
    for name in config.only:
        try:
            impls[name] = make_impl(name, sizes, X, y, config)
            rows[name] = dict(status="ok", label=impls[name].label, times=[])
        except NotInstalled as error:
            rows[name] = dict(status="not installed", detail=str(error), label=name)
        except Exception as error:  # a broken peer is a row, not a crash
            rows[name] = dict(status="failed", detail=f"{type(error).__name__}: {error}", label=name)
    random.seed(config.seed)
    warm_order = shuffled_order(n)
    for name, impl in list(impls.items()):
        try:
            impl.reset(*start)
            impl.warm_up(warm_order)
            rows[name]["versions"] = impl.versions()
        except Exception as error:
            rows[name].update(status="failed", detail=f"{type(error).__name__}: {error}")
            del impls[name]
    try:
        for name, diff in check_against_reference(impls, sizes, X, y, config, start).items():
            rows[name]["check_relative_difference"] = diff
    except Exception as error:  # report, but still time
        progress(f"numerical check failed: {type(error).__name__}: {error}")
    names = list(impls)
    random.seed(config.seed)
    for r in range(config.rounds):
        order = shuffled_order(n)
        k = r % len(names) if names else 0
        done = []
        for name in names[k:] + names[:k]:
            impl = impls[name]
            try:
                impl.reset(*start)
                seconds = impl.epoch(order)
            except Exception as error:
                rows[name].update(status="failed", detail=f"{type(error).__name__}: {error}")
                continue
            rows[name]["times"].append(seconds)
            done.append(f"{name} {seconds:.3f} s")
        names = [name for name in names if rows[name]["status"] == "ok"]
        progress(f"{sizes} round {r + 1}/{config.rounds}: " + ", ".join(done))
    macs = macs_per_example(sizes)
    floor = macs * n / peak if peak else None
    fast = rows.get("fastnet", {})
    fast_median = statistics.median(fast["times"]) if fast.get("times") else None
    for name, row in rows.items():
        if row["status"] != "ok" or not row["times"]:
            continue
        row["median"] = statistics.median(row["times"])
        row["min"] = min(row["times"])
        row["examples_per_second"] = n / row["median"]
        row["examples_timed"] = impls[name].examples_timed or n
        row["fastnet_speedup"] = row["median"] / fast_median if fast_median else None
        row["floor_fraction"] = floor / row["median"] if floor else None
        if isinstance(impls[name], FastnetImpl):
            row["kernel_seconds"] = impls[name].kernel_seconds
    return dict(sizes=list(sizes), batch=config.batch, eta=config.eta, examples=n,
                rounds=config.rounds, threads=config.threads,
                epochs_per_call=config.epochs_per_call, macs_per_example=macs,
                macs_per_epoch=macs * n, floor_seconds=floor, results=rows)


def markdown(result: dict, machine: dict) -> str:
    """The Markdown table of one network's ``measure`` result, and its notes."""
    n = result["examples"]
    lines = [f"#### One epoch of Network({result['sizes']}), mini-batch {result['batch']}, "
             f"eta {result['eta']}, {n:,} examples, {result['threads']} thread(s)", "",
             "| implementation | epoch median (s) | min | fastnet is N x faster | examples/s |",
             "|---|---:|---:|---:|---:|"]
    for name, row in result["results"].items():
        if row["status"] != "ok" or "median" not in row:
            status = row["status"] if row["status"] != "ok" else "no time"
            lines.append(f"| {name} | {status} | - | - | - |")
            continue
        label = row["label"]
        if row["examples_timed"] < n:
            label += f" (timed on {row['examples_timed']:,} examples, scaled)"
        speedup = row.get("fastnet_speedup")
        speed = "-" if speedup is None else ("1.0x" if name == "fastnet" else f"{speedup:.1f}x"
                                             if speedup >= 10 else f"{speedup:.2f}x")
        lines.append(f"| {label} | {row['median']:.3f} | {row['min']:.3f} | {speed} | "
                     f"{row['examples_per_second']:,.0f} |")
    lines.append("")
    lines.append(f"Machine: {machine['cpu']}, {machine['cpus']} CPUs; threads: {result['threads']} "
                 f"({machine['thread_env']}); sizes {result['sizes']}; batch {result['batch']}; "
                 f"rounds {result['rounds']} (interleaved, rotating order; fastnet: "
                 f"{result['epochs_per_call']} epoch(s) per train_epochs call).")
    loads = result.get("load_average") or [None, None]
    if None not in loads:
        busy = max(loads) > machine["cpus"] + 0.5
        lines.append(f"Load average (1 min) {loads[0]:.2f} at the start, {loads[1]:.2f} at the "
                     f"end{': other processes were running, the times are noisy' if busy else ''}.")
    if result["results"].get("jax", {}).get("status") == "ok":
        flags = machine.get("xla_flags") or ""
        lines.append("JAX threads: " + ("one (XLA_FLAGS=" + flags + ")."
                                        if "multi_thread_eigen=false" in flags else
                                        f"XLA's own CPU pool ({machine['cpus']} CPUs; XLA has no "
                                        "switch for a count between 1 and all)."))
    fast = result["results"].get("fastnet", {})
    if result["floor_seconds"] and fast.get("median"):
        lines.append(f"Fraction of the arithmetic floor: fastnet {100 * fast['floor_fraction']:.1f}% "
                     f"(floor {result['floor_seconds']:.4f} s = {result['macs_per_epoch']:,} "
                     f"multiply-adds per epoch ({result['macs_per_example']:,} per example) / "
                     f"{machine['peak_macs_per_second'] / 1e9:.1f} G multiply-add/s, the "
                     f"measured 1024x1024 float32 np.dot rate).")
    checks = [(name, row["check_relative_difference"]) for name, row in result["results"].items()
              if row.get("check_relative_difference") is not None and name != "seed"]
    if checks:
        lines.append("Check: largest relative difference of the parameters from the float64 "
                     "per-example reference after the same mini-batches: "
                     + ", ".join(f"{name} {diff:.1e}" for name, diff in checks) + ".")
    missing = [f"{name} ({row['status']}: {row.get('detail', '')})"
               for name, row in result["results"].items() if row["status"] != "ok"]
    if missing:
        lines.append("Not measured: " + "; ".join(missing) + ".")
    return "\n".join(lines)


def accuracy_run(sizes, train, test, config: Config) -> dict:
    """The book's run with fastnet: seeded, ``accuracy_epochs`` epochs, test accuracy."""
    from ..core.threads import using_threads
    np.random.seed(config.seed)
    random.seed(config.seed)
    net = fastnet_network(sizes, config.threads)
    correct, seconds = [], []
    with using_threads(config.threads):
        for result in net.train_epochs(train, config.accuracy_epochs, config.batch, config.eta, test):
            correct.append(result.correct)
            seconds.append(result.seconds)
    return dict(sizes=list(sizes), epochs=config.accuracy_epochs, n_test=len(test[0]),
                correct=correct, seconds=seconds)


def load_average() -> Optional[float]:
    """The 1-minute load average (None where the system has none): on a shared machine,
    a load above the CPUs' count means the timings were taken with others running."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def machine_info(threads: int, peak: float) -> dict:
    env = ", ".join(f"{var}={os.environ.get(var, 'unset')}" for var in THREAD_VARS[:3])
    try:
        import numba
        env = f"numba {threads}, " + env
        numba_version = numba.__version__
    except ImportError:  # pragma: no cover
        numba_version = None
    return dict(cpu=cpu_name(), cpus=os.cpu_count(), python=platform.python_version(),
                numpy=np.__version__, numba=numba_version, thread_env=env,
                xla_flags=os.environ.get("XLA_FLAGS"), peak_macs_per_second=peak)


def load_training(config: Config):
    from ..io.idx import load_mnist_arrays
    (X, y), _, test = load_mnist_arrays(config.data)
    if config.limit is not None:
        X, y = X[:config.limit], y[:config.limit]
    return (X, y), test


def validate_against_data(config: Config, X, y, test) -> None:
    classes = int(max(y.max(), test[1].max())) + 1
    for sizes in config.sizes:
        if sizes[0] != X.shape[1] or sizes[-1] < classes:
            raise ValueError(f"--sizes {','.join(map(str, sizes))} does not fit the data: "
                             f"{X.shape[1]} inputs and {classes} classes")
    if config.batch > len(X):
        raise ValueError(f"--batch {config.batch} is larger than the {len(X)} training examples")


def run_worker(config: Config, out=None) -> dict:
    """The whole benchmark in this process (threads as this process's environment set
    them): tables on ``out`` (stdout), JSON to ``config.json``; returns the results."""
    out = sys.stdout if out is None else out
    wall = time.perf_counter()
    (X, y), test = load_training(config)
    validate_against_data(config, X, y, test)
    from ..core.threads import using_threads
    with using_threads(config.threads):
        peak = peak_macs_per_second()
    machine = machine_info(config.threads, peak)
    results = []
    for sizes in config.sizes:
        started, load_before = time.perf_counter(), load_average()
        result = measure(sizes, X, y, config, peak)
        result["wall_seconds"] = time.perf_counter() - started
        result["load_average"] = [load_before, load_average()]
        results.append(result)
        print(markdown(result, machine), file=out, flush=True)
        print(f"(this network: {result['wall_seconds']:.0f} s wall)\n", file=out, flush=True)
    accuracy = []
    for sizes in config.sizes if config.accuracy_epochs else []:
        run = accuracy_run(sizes, (X, y), test, config)
        accuracy.append(run)
        best = max(run["correct"])
        print(f"Accuracy run: fastnet Network({sizes}), {run['epochs']} epochs, mini-batch "
              f"{config.batch}, eta {config.eta}, seed {config.seed}: final {run['correct'][-1]} / "
              f"{run['n_test']} ({100 * run['correct'][-1] / run['n_test']:.2f}%), best {best} "
              f"(epoch {run['correct'].index(best)}), median epoch "
              f"{statistics.median(run['seconds']):.3f} s", file=out, flush=True)
    document = dict(config=dataclasses.asdict(config), machine=machine, networks=results,
                    accuracy=accuracy, wall_seconds=time.perf_counter() - wall)
    print(f"Command: {config.command or 'run_worker(' + repr(config) + ')'}; "
          f"Python {machine['python']}, numpy {machine['numpy']}, numba {machine['numba']}"
          + "".join(f", {k} {v}" for k, v in peer_versions(results).items())
          + f"; {document['wall_seconds']:.0f} s in all.", file=out, flush=True)
    if config.json:
        with open(config.json, "w") as f:
            json.dump(document, f, indent=1)
        print(f"Results written to {config.json}", file=sys.stderr)
    return document


def peer_versions(results) -> Dict[str, str]:
    versions = {}
    for result in results:
        for row in result["results"].values():
            versions.update({k: v for k, v in row.get("versions", {}).items()
                             if k not in ("numpy", "numba")})
    return versions


def worker_main(config: Config) -> int:
    def run() -> int:
        run_worker(config)
        return 0
    return exit_status(config.prog, run)


if __name__ == "__main__":
    sys.exit(main())
