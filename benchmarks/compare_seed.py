"""Side-by-side speed of fastnet and the seed's per-example numpy network.py (issue "foundation").

Measures, in one process and interleaved round by round, one training epoch of
``fastnet.Network(sizes)`` (float32, mini-batch 10, eta 3.0) on the 50,000 MNIST
training images against the seed's algorithm (``tests/reference.py``,
``ReferenceNetwork.update_mini_batch``, float64 as in the original) on a slice of
them; the reference's time is scaled to a per-example rate. Everything runs on one
thread (Numba, OpenMP and BLAS), so neither side gets a second core. Numba
compilation happens in a warm-up and is never timed. Prints a Markdown table of
the medians.

    python benchmarks/compare_seed.py                      # 784,30,10, 5 rounds
    python benchmarks/compare_seed.py --sizes 784,100,10
    python benchmarks/compare_seed.py --accuracy-epochs 30 # also the book's 30-epoch run

Data: ``--data PATH``, else ``$FASTNET_DATA``, else fastnet's default location.
"""
import os

THREAD_VARS = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
for _var in THREAD_VARS:  # before numpy/numba are imported, or it is too late
    os.environ.setdefault(_var, "1")

import argparse
import contextlib
import io
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import numba
import numpy as np

from fastnet import Network
from fastnet.mnist_loader import load_data

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from reference import ReferenceNetwork  # noqa: E402  (the seed's algorithm, not a copy)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def fastnet_epoch(net, X, y, batch, eta, epochs=1):
    """Seconds per epoch of one ``SGD`` call of ``epochs`` epochs (its one-off input
    checks and conversion amortised over them, as in a real run of many epochs)."""
    with contextlib.redirect_stdout(io.StringIO()):  # drop the "Epoch j complete" lines
        start = time.perf_counter()
        net.SGD((X, y), epochs, batch, eta)
        return (time.perf_counter() - start) / epochs


def reference_pass(ref, pairs, batch, eta):
    start = time.perf_counter()
    for k in range(0, len(pairs), batch):
        ref.update_mini_batch(pairs[k:k + batch], eta)
    return time.perf_counter() - start


def accuracy_run(sizes, train, test, epochs, batch, eta, seed):
    """The book's run: one SGD call with test data; times each epoch from its printed line
    (so an epoch's time includes scoring the 10,000 test images)."""
    np.random.seed(seed)
    random.seed(seed)
    net = Network(sizes)
    out = io.StringIO()
    stamps = [time.perf_counter()]

    class Clock(io.TextIOBase):
        def write(self, s):
            out.write(s)
            stamps.extend(time.perf_counter() for _ in range(s.count("\n")))
            return len(s)

    with contextlib.redirect_stdout(Clock()):
        net.SGD(train, epochs, batch, eta, test_data=test)
    correct = [int(line.split(":")[1].split("/")[0]) for line in out.getvalue().splitlines()]
    times = [b - a for a, b in zip(stamps, stamps[1:])]
    n = len(test[0])
    print(f"\nAccuracy run: Network({sizes}), {epochs} epochs, mini-batch {batch}, eta {eta}, "
          f"seed {seed}: final {correct[-1]} / {n} ({100 * correct[-1] / n:.2f}%), best "
          f"{max(correct)} / {n} (epoch {correct.index(max(correct))}), median epoch "
          f"{statistics.median(times):.3f} s (includes test scoring)")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="784,30,10", help="layer sizes, comma-separated")
    p.add_argument("--batch", type=int, default=10, help="mini-batch size")
    p.add_argument("--eta", type=float, default=3.0)
    p.add_argument("--repeats", type=int, default=5, help="interleaved rounds")
    p.add_argument("--ref-examples", type=int, default=2000, help="reference slice size")
    p.add_argument("--epochs-per-call", type=int, default=3,
                   help="fastnet epochs per SGD call and round (1: every round pays the "
                        "call's input checks, ~0.02 s)")
    p.add_argument("--accuracy-epochs", type=int, default=0, help="then train N epochs for accuracy")
    p.add_argument("--data", default=os.environ.get("FASTNET_DATA"), help="MNIST folder or .pkl.gz")
    p.add_argument("--seed", type=int, default=12345)
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    (X, y), _, test = load_data(args.data)
    n = len(X)
    np.random.seed(args.seed)
    random.seed(args.seed)
    net = Network(sizes, dtype=np.float32)
    ref = ReferenceNetwork(sizes, dtype=np.float64)
    m = min(args.ref_examples, n)
    # The reference's examples, prepared once as the original's (x (784,1), one-hot (10,1))
    # pairs, in float64 as the original computes (float32 x would be converted per call).
    pairs = [(X[i].astype(np.float64).reshape(-1, 1), np.eye(sizes[-1])[y[i]].reshape(-1, 1))
             for i in range(m)]

    fastnet_epoch(net, X[:300], y[:300], args.batch, args.eta)  # warm-up: compile
    fast, slow = [], []
    for _ in range(args.repeats):
        fast.append(fastnet_epoch(net, X, y, args.batch, args.eta, args.epochs_per_call))
        slow.append(reference_pass(ref, pairs, args.batch, args.eta))
    t_fast, t_ref = statistics.median(fast), statistics.median(slow)
    per_fast, per_ref = t_fast / n, t_ref / m

    threads = ", ".join(f"{v}={os.environ[v]}" for v in THREAD_VARS)
    print(f"One epoch of Network({sizes}), mini-batch {args.batch}, eta {args.eta}, {n} examples; "
          f"median of {args.repeats} interleaved rounds (fastnet: one SGD call of "
          f"{args.epochs_per_call} epoch(s) per round, per epoch). Threads: numba.get_num_threads()="
          f"{numba.get_num_threads()}; {threads}.\n")
    print("| implementation | examples timed | median epoch seconds | examples/s | ratio vs reference |")
    print("|---|---:|---:|---:|---:|")
    print(f"| fastnet (float32, Numba) | {n} | {t_fast:.3f} | {1 / per_fast:,.0f} | "
          f"{per_ref / per_fast:.1f}x |")
    print(f"| reference (seed, numpy per-example, float64) | {m} | {per_ref * n:.2f} "
          f"(extrapolated to {n}) | {1 / per_ref:,.0f} | 1.0x |")
    print(f"\nMachine: {cpu_name()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"numpy {np.__version__}, numba {numba.__version__}")
    print(f"Command: python {' '.join(sys.argv if argv is None else ['compare_seed.py', *argv])}")
    print(f"Raw seconds: fastnet {[round(t, 3) for t in fast]}, reference {[round(t, 3) for t in slow]}")

    if args.accuracy_epochs > 0:
        accuracy_run(sizes, (X, y), test, args.accuracy_epochs, args.batch, args.eta, args.seed)


if __name__ == "__main__":
    main()
