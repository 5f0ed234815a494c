"""Views of contiguous arrays built in place, without Numba's ``reshape``.

``reshape`` calls a runtime helper (``numba_attempt_nocopy_reshape``) that handles any
strides, and a training step takes dozens of views (every layer's weights, activations,
deltas; every example's weight rows). These two only write the new shape and strides,
since their inputs are contiguous by type."""
from numba import types
from numba.core import cgutils
from numba.core.errors import TypingError
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array


def _contiguous(array, ndim):
    if not (isinstance(array, types.Array) and array.ndim == ndim and array.layout == "C"):
        raise TypingError(f"views: a C-contiguous {ndim}-d array expected, not {array}")


def _view(context, builder, source_type, source, result_type, data, shape):
    itemsize = context.get_constant(
        types.intp, context.get_abi_sizeof(context.get_data_type(source_type.dtype)))
    strides, stride = [], itemsize
    for extent in reversed(shape):
        strides.insert(0, stride)
        stride = builder.mul(stride, extent)
    out = make_array(result_type)(context, builder)
    populate_array(out, data=data, shape=cgutils.pack_array(builder, shape),
                   strides=cgutils.pack_array(builder, strides), itemsize=itemsize,
                   meminfo=source.meminfo, parent=source.parent)
    return impl_ret_borrowed(context, builder, result_type, out._getvalue())


@intrinsic
def matrix(typingctx, buffer, start, rows, cols):
    """buffer[start : start + rows * cols] as a (rows, cols) array (a view; the caller keeps
    it inside buffer: nothing is checked)."""
    _contiguous(buffer, 1)
    result = buffer.copy(ndim=2, layout="C")

    def codegen(context, builder, signature, args):
        source = make_array(signature.args[0])(context, builder, args[0])
        start_, rows_, cols_ = (context.cast(builder, value, t, types.intp)
                                for value, t in zip(args[1:], signature.args[1:]))
        return _view(context, builder, signature.args[0], source, result,
                     builder.gep(source.data, [start_]), [rows_, cols_])

    return result(buffer, start, rows, cols), codegen


@intrinsic
def flat(typingctx, array):
    """A C-contiguous 2-d array as one row of all its values (a view)."""
    _contiguous(array, 2)
    result = array.copy(ndim=1, layout="C")

    def codegen(context, builder, signature, args):
        source = make_array(signature.args[0])(context, builder, args[0])
        shape = cgutils.unpack_tuple(builder, source.shape, 2)
        return _view(context, builder, signature.args[0], source, result, source.data,
                     [builder.mul(shape[0], shape[1])])

    return result(array), codegen
