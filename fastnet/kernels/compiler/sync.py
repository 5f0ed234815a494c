"""A barrier for threads that share a training step: atomic operations on an int64
array (LLVM's atomicrmw / atomic load and store), spinning briefly, then yielding the
CPU to the OS while a partner thread is late.

Used inside one parallel region per compiled call (``epoch.train_epoch_threaded``): two
barriers per step instead of a parallel region's fork and join per step, which cost far
more than a barrier does while the threads have their cores."""
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from ...config import JIT_OPTIONS

SPINS_BEFORE_YIELD = 256
#: the state array's slots
ARRIVED, GENERATION = 0, 1
STATE_SIZE = 16  # a 128-byte line pair of its own


def _pointer(context, builder, signature, args):
    array_type = signature.args[0]
    array = context.make_array(array_type)(context, builder, args[0])
    return cgutils.get_item_pointer(context, builder, array_type, array, [args[1]])


@intrinsic
def atomic_add(typingctx, array, index, value):
    """array[index] += value atomically (sequentially consistent); returns the old value."""
    def codegen(context, builder, signature, args):
        return builder.atomic_rmw("add", _pointer(context, builder, signature, args), args[2], "seq_cst")
    return types.int64(array, index, types.int64), codegen


@intrinsic
def atomic_load(typingctx, array, index):
    """array[index], read with acquire ordering."""
    def codegen(context, builder, signature, args):
        return builder.load_atomic(_pointer(context, builder, signature, args), "acquire", 8)
    return types.int64(array, index), codegen


@intrinsic
def atomic_store(typingctx, array, index, value):
    """array[index] = value, written with release ordering."""
    def codegen(context, builder, signature, args):
        builder.store_atomic(args[2], _pointer(context, builder, signature, args), "release", 8)
        return context.get_dummy_value()
    return types.void(array, index, types.int64), codegen


@intrinsic
def yield_cpu(typingctx):
    """sched_yield(2): let the OS run another thread (the one we wait for)."""
    def codegen(context, builder, signature, args):
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.IntType(32), []), "sched_yield")
        builder.call(function, [])
        return context.get_dummy_value()
    return types.void(), codegen


@njit(**JIT_OPTIONS)
def barrier(state, n_threads):
    """Wait until all n_threads threads have arrived; every write made before the
    barrier by any of them is visible after it to all (acquire/release ordering)."""
    generation = atomic_load(state, GENERATION)
    if atomic_add(state, ARRIVED, 1) == n_threads - 1:  # the last one in opens it
        atomic_store(state, ARRIVED, 0)
        atomic_add(state, GENERATION, 1)
    else:
        spins = 0
        while atomic_load(state, GENERATION) == generation:
            spins += 1
            if spins > SPINS_BEFORE_YIELD:
                yield_cpu()
