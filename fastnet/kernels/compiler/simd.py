"""Explicit SIMD vectors for the loops over weight rows (the first layer's sums and
update, BP2's W^T delta): a Numba type lowered to LLVM's ``<N x float>`` /
``<N x double>`` of ``config.VECTOR_BYTES`` (one register: 64 bytes where the CPU the
kernels compile for has AVX-512, 32 with AVX2), and the operations on it: ``load``,
``store``, ``splat``, ``fma`` and ``lanes``; for the last columns of a row and for dot
products, ``load_partial`` and ``store_partial`` (masked) and ``total``, the sum of a
vector's lanes.

Why: in ``z += x_k W^0[k, :]`` over an example's non-zero inputs k, the compiler's own
vectorisation keeps z in memory and re-checks, per input, that z and the weight row do
not overlap: a fixed cost per input. Written with these vectors, a block
of z lives in registers across all the inputs, and each input costs its loads and
multiply-adds.

The caller guarantees the whole vector is inside the array: nothing is bounds-checked
(``forward.partial_sum`` and ``update.subtract_sparse_outer`` use whole vectors only
within a row, and finish what is left column by column).
"""
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.errors import TypingError
from numba.extending import intrinsic, models, register_model

from ...config import VECTOR_BYTES


class Vector(types.Type):
    """VECTOR_BYTES of ``dtype`` (float32: VECTOR_BYTES / 4 lanes, float64: half as many),
    held in a register."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.lanes = VECTOR_BYTES * 8 // dtype.bitwidth
        super().__init__(name=f"Vector({dtype}x{self.lanes})")


def _ir_type(vector):
    element = ir.FloatType() if vector.dtype == types.float32 else ir.DoubleType()
    return ir.VectorType(element, vector.lanes)


@register_model(Vector)
class VectorModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _ir_type(fe_type))


def _vector_of(array):
    if not (isinstance(array, types.Array) and array.dtype in (types.float32, types.float64)
            and array.ndim == 1 and array.layout == "C"):
        raise TypingError(f"simd: a contiguous 1-d float32 or float64 array expected, not {array}")
    return Vector(array.dtype)


def _check_index(index):
    if not isinstance(index, types.Integer):
        raise TypingError(f"simd: an integer index expected, not {index}")


def _vector_pointer(context, builder, signature, args):
    """A pointer to the vector at args[1] (any integer type) of the array args[0]."""
    array_type, index_type = signature.args[:2]
    view = context.make_array(array_type)(context, builder, args[0])
    index = context.cast(builder, args[1], index_type, types.intp)  # unsigned: zero-extended
    element = cgutils.get_item_pointer(context, builder, array_type, view, [index])
    return builder.bitcast(element, _ir_type(Vector(array_type.dtype)).as_pointer())


@intrinsic
def load(typingctx, array, index):
    """The vector array[index : index + lanes] (1-d array, any alignment)."""
    vector = _vector_of(array)
    _check_index(index)

    def codegen(context, builder, signature, args):
        pointer = _vector_pointer(context, builder, signature, args)
        return builder.load(pointer, align=array.dtype.bitwidth // 8)

    return vector(array, index), codegen


@intrinsic
def store(typingctx, array, index, vector):
    """array[index : index + lanes] = vector."""
    if _vector_of(array) != vector:
        raise TypingError("simd.store: the vector's type does not match the array's")
    if not array.mutable:
        raise TypingError("simd.store: the array is read-only")
    _check_index(index)

    def codegen(context, builder, signature, args):
        pointer = _vector_pointer(context, builder, signature, args)
        builder.store(args[2], pointer, align=array.dtype.bitwidth // 8)
        return context.get_dummy_value()

    return types.void(array, index, vector), codegen


@intrinsic
def splat(typingctx, like, value):
    """A vector of the array ``like``'s type with every lane = value."""
    vector = _vector_of(like)
    if not isinstance(value, (types.Integer, types.Float, types.Boolean)):
        raise TypingError(f"simd.splat: a real number expected, not {value}")

    def codegen(context, builder, signature, args):
        scalar = context.cast(builder, args[1], signature.args[1], vector.dtype)
        vector_type = _ir_type(vector)
        first = builder.insert_element(ir.Constant(vector_type, ir.Undefined), scalar,
                                       ir.IntType(32)(0))
        lanes = ir.Constant(ir.VectorType(ir.IntType(32), vector.lanes), [0] * vector.lanes)
        return builder.shuffle_vector(first, ir.Constant(vector_type, ir.Undefined), lanes)

    return vector(like, value), codegen


@intrinsic
def fma(typingctx, a, b, c):
    """a * b + c lane by lane, rounded once where the CPU has fused multiply-add
    (``llvm.fmuladd``: the same instruction wherever this is compiled for a CPU)."""
    if not (isinstance(a, Vector) and a == b == c):
        raise TypingError("simd.fma: three vectors of one type expected")

    def codegen(context, builder, signature, args):
        vector_type = _ir_type(a)
        name = f"llvm.fmuladd.v{a.lanes}f{a.dtype.bitwidth}"
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(vector_type, [vector_type] * 3), name)
        return builder.call(function, list(args))

    return a(a, b, c), codegen


@intrinsic
def lanes(typingctx, like):
    """The number of lanes of a vector of the array ``like``'s type (a constant)."""
    vector = _vector_of(like)

    def codegen(context, builder, signature, args):
        return ir.IntType(64)(vector.lanes)

    return types.int64(like), codegen


def _first_lanes(context, builder, count, count_type, lanes):
    """The mask <lane < count> of a vector of ``lanes`` lanes (count: an integer value)."""
    i32 = ir.IntType(32)
    count_ = builder.trunc(context.cast(builder, count, count_type, types.int64), i32)
    wanted = builder.insert_element(ir.Constant(ir.VectorType(i32, lanes), ir.Undefined), count_,
                                    i32(0))
    wanted = builder.shuffle_vector(wanted, ir.Constant(wanted.type, ir.Undefined),
                                    ir.Constant(wanted.type, [0] * lanes))
    return builder.icmp_signed("<", ir.Constant(wanted.type, list(range(lanes))), wanted)


@intrinsic
def load_partial(typingctx, array, index, count):
    """The vector of array[index : index + count] then zeros (0 <= count <= lanes): a
    masked load, which reads nothing past the count (``llvm.masked.load``)."""
    vector = _vector_of(array)
    _check_index(index)
    _check_index(count)

    def codegen(context, builder, signature, args):
        pointer = _vector_pointer(context, builder, signature, args)
        vector_type = _ir_type(vector)
        i32 = ir.IntType(32)
        mask = _first_lanes(context, builder, args[2], signature.args[2], vector.lanes)
        name = f"llvm.masked.load.v{vector.lanes}f{vector.dtype.bitwidth}.p0"
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(vector_type, [pointer.type, i32, mask.type, vector_type]),
            name)
        zeros = ir.Constant(vector_type, [0.0] * vector.lanes)
        return builder.call(function, [pointer, i32(array.dtype.bitwidth // 8), mask, zeros])

    return vector(array, index, count), codegen


@intrinsic
def store_partial(typingctx, array, index, count, vector):
    """array[index : index + count] = the first count lanes of vector (0 <= count <=
    lanes): a masked store, which writes nothing past the count (``llvm.masked.store``)."""
    if _vector_of(array) != vector:
        raise TypingError("simd.store_partial: the vector's type does not match the array's")
    if not array.mutable:
        raise TypingError("simd.store_partial: the array is read-only")
    _check_index(index)
    _check_index(count)

    def codegen(context, builder, signature, args):
        pointer = _vector_pointer(context, builder, signature, args)
        mask = _first_lanes(context, builder, args[2], signature.args[2], vector.lanes)
        name = f"llvm.masked.store.v{vector.lanes}f{vector.dtype.bitwidth}.p0"
        i32 = ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [_ir_type(vector), pointer.type, i32,
                                                            mask.type]), name)
        builder.call(function, [args[3], pointer, i32(array.dtype.bitwidth // 8), mask])
        return context.get_dummy_value()

    return types.void(array, index, count, vector), codegen


@intrinsic
def total(typingctx, vector):
    """The sum of a vector's lanes, always in the same order: the upper half added to the
    lower half, halving until one lane is left (plain ``fadd``: no reassociation)."""
    if not isinstance(vector, Vector):
        raise TypingError("simd.total: a vector expected")

    def codegen(context, builder, signature, args):
        value, width = args[0], vector.lanes
        i32 = ir.IntType(32)
        while width > 1:
            width //= 2
            low = builder.shuffle_vector(value, value, ir.Constant(ir.VectorType(i32, width),
                                                                   list(range(width))))
            high = builder.shuffle_vector(value, value, ir.Constant(ir.VectorType(i32, width),
                                                                    list(range(width, 2 * width))))
            value = builder.fadd(low, high)
        return builder.extract_element(value, i32(0))

    return vector.dtype(vector), codegen

