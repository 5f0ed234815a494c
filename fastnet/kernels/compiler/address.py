"""Reading memory by address: a 64-bit or a 32-bit integer where a pointer points.

For ``objects``, which reads Python objects whose layout the caller has checked. Nothing
is checked here: an address that does not point into live memory crashes the process."""
from llvmlite import ir
from numba import types
from numba.extending import intrinsic


def _load(bits):
    def codegen(context, builder, signature, args):
        value = builder.load(builder.inttoptr(args[0], ir.IntType(bits).as_pointer()))
        return value if bits == 64 else builder.sext(value, ir.IntType(64))
    return codegen


@intrinsic
def int64_at(typingctx, address):
    """The int64 at ``address`` (an int64)."""
    return types.int64(types.int64), _load(64)


@intrinsic
def int32_at(typingctx, address):
    """The int32 at ``address`` (an int64), as an int64."""
    return types.int64(types.int64), _load(32)
