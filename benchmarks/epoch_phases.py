"""Where one training epoch's time goes, phase by phase, read from the CPU's time-stamp
counter: for machines whose hardware counters ``perf`` cannot read (virtual machines).

    python benchmarks/epoch_phases.py --data ../shared/data/mnist [--sizes 784,30,10] [--rounds 5]

The epoch is ``kernels.train_epoch``'s loop (one thread, the book's plain SGD: no
regularisation, momentum or dropout) with the counter read between its calls: the
prefetch of the next mini-batch, the first layer's sums, the rest of the forward pass,
the deltas (BP1, BP2), the first layer's update and the later layers' updates. The
same parameters as ``train_epoch`` come out (checked against it on a copy). The counter
ticks at a constant rate (``constant_tsc``), calibrated against ``time.perf_counter``
over the run; a read costs some 20-40 cycles, about 1% of a mini-batch of 10.
"""
import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import mnist  # noqa: E402
from fastnet import Network, kernels  # noqa: E402
from fastnet.config import JIT_OPTIONS  # noqa: E402
from fastnet.core.inputs import SparseInputs  # noqa: E402
from fastnet.core.workspace import Workspace  # noqa: E402
from fastnet.kernels.backward import backprop_deltas  # noqa: E402
from fastnet.kernels.compiler.prefetch import prefetch_batches  # noqa: E402
from fastnet.kernels.forward import first_layer, forward_after_first  # noqa: E402
from fastnet.kernels.layout import first_biases, first_weights, layer_rows  # noqa: E402
from fastnet.kernels.records import (  # noqa: E402
    Architecture, Dropout, HyperParameters, Parameters, Rates)
from fastnet.kernels.update import dense_step, first_step, part_range  # noqa: E402

PHASES = ("prefetch", "first layer's sums", "rest of the forward pass", "deltas (BP1, BP2)",
          "first layer's update", "later layers' updates")


@intrinsic
def ticks(typingctx):
    """The time-stamp counter (``llvm.readcyclecounter``)."""
    def codegen(context, builder, signature, args):
        fn = builder.module.declare_intrinsic("llvm.readcyclecounter", (),
                                              ir.FunctionType(ir.IntType(64), []))
        return builder.call(fn, [])
    return types.int64(), codegen


@njit(**JIT_OPTIONS)
def timed_epoch(inputs, targets, order, net, hyper, trained, work, spent):
    """``train_epoch`` without regularisation, momentum or dropout, compiled with its
    options, adding each phase's ticks to spent (len(PHASES),)."""
    T = trained.params.dtype.type
    n, batch_size, sizes = order.size, hyper.batch_size, net.sizes
    no_dropout = Dropout(rate=0.0, seed=0, step=0)
    for k in range(0, n, batch_size):
        rows = order[k : min(k + batch_size, n)]
        m = rows.size
        rates = Rates(scale=T(hyper.eta / m), l2=T(0), l1=T(0), mu=T(0))
        t0 = ticks()
        prefetch_batches(order, k, batch_size, inputs, targets)
        t1 = ticks()
        z = layer_rows(work.acts, sizes, work.row_starts, 1, m)
        lower = layer_rows(work.derivs, sizes, work.row_starts, 1, m)
        first_layer(rows, inputs, first_weights(trained.params, sizes, net.starts),
                    first_biases(trained.params, sizes, net.starts), z, lower, T(1))
        t2 = ticks()
        forward_after_first(rows, trained.params, net, work, True, no_dropout, 0, m)
        t3 = ticks()
        backprop_deltas(targets, rows, trained.params, net, work, 0, m)
        t4 = ticks()
        first_step(trained, net, rows, inputs, layer_rows(work.deltas, sizes, work.row_starts, 1, m),
                   rates, 0, 2, True, T(1))
        t5 = ticks()
        for l in range(1, len(sizes) - 1):
            j_lo, j_hi = part_range(sizes[l + 1], 0, 1, 1)
            dense_step(trained, net, l, layer_rows(work.deltas, sizes, work.row_starts, l + 1, m),
                       layer_rows(work.acts, sizes, work.row_starts, l, m), rates, j_lo, j_hi)
        t6 = ticks()
        spent[0] += t1 - t0
        spent[1] += t2 - t1
        spent[2] += t3 - t2
        spent[3] += t4 - t3
        spent[4] += t5 - t4
        spent[5] += t6 - t5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get("FASTNET_DATA"), help="MNIST folder")
    parser.add_argument("--sizes", default="784,30,10")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not args.data:
        parser.error("--data (or $FASTNET_DATA) is needed")
    sizes = [int(s) for s in args.sizes.split(",")]
    os.environ["FASTNET_DATA"] = str(Path(args.data).resolve())
    (X, y), _ = mnist()
    np.random.seed(0)
    net = Network(sizes, threads=1)
    targets = np.zeros((len(X), sizes[-1]), np.float32)
    targets[np.arange(len(X)), y] = 1
    inputs = SparseInputs(X).rows
    space = Workspace(net._layout, 10, net.dtype)
    arch = Architecture(sizes=net._layout.sizes, starts=net._layout.starts, codes=net._codes,
                        cost=int(net._kernel_cost))
    hyper = HyperParameters(batch_size=10, eta=3.0, average=True, l2=0.0, l1=0.0, momentum=0.0,
                            dropout=0.0, seed=0, first_step=0)
    order = np.arange(len(X), dtype=np.int64)
    random.Random(0).shuffle(order)

    # the same parameters as train_epoch: on copies, over the first 2,000 examples
    a, b = net._params.copy(), net._params.copy()
    kernels.train_epoch(inputs, targets, order[:2000], arch, hyper, Parameters(params=a, velocity=a),
                        space.buffers)
    timed_epoch(inputs, targets, order[:2000], arch, hyper, Parameters(params=b, velocity=b), space.buffers,
                np.zeros(len(PHASES), np.int64))
    if a.tobytes() != b.tobytes():
        print("the timed epoch does not compute what train_epoch does", file=sys.stderr)
        return 1

    rounds = []  # (seconds per phase, timed epoch, train_epoch), interleaved
    for _ in range(args.rounds):
        timed_params, plain_params = net._params.copy(), net._params.copy()
        spent = np.zeros(len(PHASES), np.int64)
        start, first_tick = time.perf_counter(), ticks_now()
        timed_epoch(inputs, targets, order, arch, hyper,
                    Parameters(params=timed_params, velocity=timed_params), space.buffers, spent)
        seconds, elapsed = time.perf_counter() - start, ticks_now() - first_tick
        start = time.perf_counter()
        kernels.train_epoch(inputs, targets, order, arch, hyper,
                            Parameters(params=plain_params, velocity=plain_params), space.buffers)
        rounds.append((spent / (elapsed / seconds), seconds, time.perf_counter() - start))
    per_phase = np.median([r[0] for r in rounds], axis=0)
    timed, real = statistics.median(r[1] for r in rounds), statistics.median(r[2] for r in rounds)
    rest = statistics.median(r[1] - r[0].sum() for r in rounds)
    n = len(X)
    print(f"{args.sizes}, 1 thread, mini-batch 10, {n} examples, medians of {args.rounds} rounds")
    print(f"timed epoch {timed:.4f} s, train_epoch {real:.4f} s (interleaved)\n")
    print("| phase | seconds | share | ns per example |\n|---|---:|---:|---:|")
    for name, s in zip(PHASES, per_phase):
        print(f"| {name} | {s:.4f} | {s / timed:.0%} | {1e9 * s / n:.0f} |")
    print(f"| loop and counter reads | {rest:.4f} | {rest / timed:.0%} | {1e9 * rest / n:.0f} |")
    print(f"\nThe first layer's sums alone (``forward.first_layer``), every mini-batch, "
          f"{inputs.indptr[-1] / n:.1f} non-zero inputs per example:\n")
    print("| examples in | W^0's rows | seconds | ns per non-zero input |\n|---|---|---:|---:|")
    in_l1 = inputs._replace(indices=(inputs.indices % L1_ROWS).astype(inputs.indices.dtype))
    for label, rows, data, where in (("shuffled order", order, inputs, "all"),
                                     ("their order", np.arange(n), inputs, "all"),
                                     ("shuffled order", order, in_l1, f"{L1_ROWS} (in L1)"),
                                     ("their order", np.arange(n), in_l1, f"{L1_ROWS} (in L1)")):
        seconds = sums_alone(rows, data, net, args.rounds)
        print(f"| {label} | {where} | {seconds:.4f} | {1e9 * seconds / inputs.indptr[-1]:.2f} |")
    return 0


#: rows of W^0 that fit in a 32 KiB L1 cache at 32 float32 each (the input numbers are
#: folded into them for the last rows of the table: the same work, other numbers)
L1_ROWS = 128


@njit(**JIT_OPTIONS)
def all_sums(order, inputs, weights_t, biases, z, lower):
    """The first layer's weighted inputs of every mini-batch of 10 of ``order``."""
    for k in range(0, order.size, 10):
        first_layer(order[k:k + 10], inputs, weights_t, biases, z, lower, weights_t.dtype.type(1))


def sums_alone(order, inputs, net, rounds: int) -> float:
    """Median seconds of ``all_sums`` over ``order``."""
    sizes, starts = net._layout.sizes, net._layout.starts
    weights_t, biases = first_weights(net._params, sizes, starts), first_biases(net._params, sizes, starts)
    z = np.zeros((10, weights_t.shape[1]), weights_t.dtype)
    lower = np.zeros_like(z)
    all_sums(order[:10], inputs, weights_t, biases, z, lower)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        all_sums(order, inputs, weights_t, biases, z, lower)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@njit
def ticks_now():
    """The time-stamp counter, from Python."""
    return ticks()


if __name__ == "__main__":
    sys.exit(main())
