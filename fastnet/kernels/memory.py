"""Memory hints: fetch the next mini-batch's rows while the current one is computed.

With shuffled examples, every mini-batch reads rows scattered over the whole training
set (157 MB for MNIST in float32), which the hardware prefetcher cannot guess.
Measured on [784, 30, 10], batch 10: 0.28 s -> 0.24 s per epoch.
"""
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from .._config import JIT_OPTIONS

CACHE_LINE_BYTES = 64


@intrinsic
def prefetch(typingctx, array, index):
    """Hint the CPU to bring the cache line of ``array[index]`` (1-D) into cache.
    A hint only: it never faults and changes no value."""
    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        address = cgutils.get_item_pointer(context, builder, array_type, view, [args[1]])
        byte_pointer = builder.bitcast(address, ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        signature_ir = ir.FunctionType(ir.VoidType(), [byte_pointer.type, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [byte_pointer.type], signature_ir)
        builder.call(fn, [byte_pointer, i32(0), i32(3), i32(1)])  # read, keep in all levels, data
        return context.get_dummy_value()

    return types.void(array, index), codegen


@njit(**JIT_OPTIONS)
def prefetch_rows(source, rows):
    """Prefetch every cache line of source[r] for r in rows (source 2-D, C-contiguous)."""
    for r in rows:
        row = source[r]
        step = max(1, CACHE_LINE_BYTES // row.itemsize)
        for k in range(0, row.size, step):
            prefetch(row, k)

