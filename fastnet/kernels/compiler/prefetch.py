"""Memory hints: start fetching the next mini-batch's inputs and targets (and the row
pointers of the one after it) while this one is computed.

Shuffled examples are scattered over the whole sparse training set (60 MB for MNIST),
where the hardware prefetcher cannot guess the next address: without the hint, the
first layer spends much of its time waiting for memory (docs/design.md). The lines go
to the L2 cache, not L1: a mini-batch's ~150 lines would push out of L1 the rows of
W^0 the current one is summing over.
"""
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from ...config import JIT_OPTIONS

CACHE_LINE_BYTES = 64


@intrinsic
def prefetch(typingctx, array, index):
    """Hint the CPU to bring the cache line of ``array[index]`` (1-D) into the L2 cache.
    A hint only: it never faults (even past the end) and changes no value."""
    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        address = cgutils.get_item_pointer(context, builder, array_type, view, [args[1]])
        byte_pointer = builder.bitcast(address, ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        signature_ir = ir.FunctionType(ir.VoidType(), [byte_pointer.type, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [byte_pointer.type], signature_ir)
        builder.call(fn, [byte_pointer, i32(0), i32(2), i32(1)])  # read, locality 2 (L2 and out), data
        return context.get_dummy_value()

    return types.void(array, index), codegen


@njit(**JIT_OPTIONS)
def prefetch_range(array, lo, hi):
    """Prefetch the cache lines of array[lo:hi] (1-D): one hint per line's worth of
    entries, and one for the last entry, whose line the steps may have skipped."""
    for t in range(lo, hi, CACHE_LINE_BYTES // array.itemsize):
        prefetch(array, t)
    if hi > lo:
        prefetch(array, hi - 1)


@njit(**JIT_OPTIONS)
def prefetch_examples(rows, indptr, indices, values):
    """Prefetch every cache line of the sparse inputs (indices, values) of the examples
    ``rows`` (their row pointers are read now: ``prefetch_batches`` hinted them a batch
    earlier)."""
    for r in rows:
        lo, hi = indptr[2 * r], indptr[2 * r + 2]  # both halves
        prefetch_range(indices, lo, hi)
        prefetch_range(values, lo, hi)


@njit(**JIT_OPTIONS)
def prefetch_batches(order, k, batch_size, inputs, targets):
    """While the mini-batch order[k : k + batch_size] is computed: the next one's sparse
    inputs (``prefetch_examples``; inputs: ``records.SparseRows``) and targets, and the
    row pointers of the one after it, which the next call reads to find its inputs.
    Shuffled, these are all cache misses."""
    n = order.size
    indptr = inputs.indptr
    following = order[min(k + batch_size, n) : min(k + 2 * batch_size, n)]
    prefetch_examples(following, indptr, inputs.indices, inputs.values)
    for r in following:
        target = targets[r]
        prefetch(target, 0)
        prefetch(target, target.size - 1)
    for r in order[min(k + 2 * batch_size, n) : min(k + 3 * batch_size, n)]:
        prefetch(indptr, 2 * r)
        prefetch(indptr, 2 * r + 2)
