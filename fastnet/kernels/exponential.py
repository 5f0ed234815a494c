"""e^x written out (range reduction, a polynomial, a power of two from its bits), so
that a loop of sigmoids compiles to SIMD code: ``np.exp`` compiles to a call of the C
library's scalar exp, one element at a time.

float32: Cephes' expf polynomial; float64: Cephes' exp (a Pade form). Both are within
1-2 ulp of the exact value; overflow gives inf (so sigmoid(-100) is exactly 0, as with
np.exp), underflow goes through the subnormals to 0, NaN stays NaN.
"""
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core.errors import TypingError
from numba.extending import intrinsic, overload

from ..config import ORDERED_JIT_OPTIONS

#: the type of the same width of the other kind
_SAME_BITS = {types.int32: types.float32, types.int64: types.float64,
              types.float32: types.int32, types.float64: types.int64}
_IR = {types.float32: ir.FloatType(), types.float64: ir.DoubleType(),
       types.int32: ir.IntType(32), types.int64: ir.IntType(64)}


@intrinsic
def same_bits(typingctx, x):
    """The value with x's bits of the other kind: float32 <-> int32, float64 <-> int64."""
    if x not in _SAME_BITS:
        raise TypingError(f"same_bits: a 32- or 64-bit float or int expected, not {x}")
    result = _SAME_BITS[x]
    return result(x), lambda context, builder, signature, args: builder.bitcast(args[0], _IR[result])


@njit(**ORDERED_JIT_OPTIONS)
def reduce(x, lowest, highest, magic, ln2_hi, ln2_lo):
    """x = n ln2 + r with n whole and |r| <= ln2 / 2 (e^x = 2^n e^r), x first clamped
    to [lowest, highest] (beyond, e^x is 0 or inf anyway): returns r and n + magic
    (n in its low bits). Compiled without reassociation: (t + magic) - magic rounds t."""
    clamped = min(max(x, lowest), highest)
    shifted = clamped * type(x)(1.4426950408889634) + magic  # log2(e) x, rounded
    n = shifted - magic
    return (clamped - n * ln2_hi) - n * ln2_lo, shifted


@njit(**ORDERED_JIT_OPTIONS)
def times_power_of_two(e_r, shifted, magic, mantissa_bits, bias):
    """e_r 2^n, n from ``reduce``, as two powers of two that are each a valid float (n
    runs past the exponent's range: the product overflows to inf or goes through the
    subnormals to 0 as it should)."""
    I = type(bias)  # int32 for float32, int64 for float64 (Numba widens int32 sums)
    whole = I(same_bits(shifted) - same_bits(magic))
    half = I(whole >> 1)
    two_a = same_bits(I((half + bias) << mantissa_bits))
    two_b = same_bits(I((whole - half + bias) << mantissa_bits))
    return e_r * two_a * two_b


@njit(**ORDERED_JIT_OPTIONS)
def exp32(x):
    """e^x for a float32, branch-free (Cephes' expf polynomial)."""
    T = np.float32
    magic = T(12582912.0)  # 1.5 * 2^23: adding it rounds to a whole number
    r, shifted = reduce(x, T(-104), T(89), magic, T(0.693359375), T(-2.12194440e-4))
    p = T(1.9875691500e-4) * r + T(1.3981999507e-3)
    p = p * r + T(8.3334519073e-3)
    p = p * r + T(4.1665795894e-2)
    p = p * r + T(1.6666665459e-1)
    p = p * r + T(5.0000001201e-1)
    e_r = p * (r * r) + r + T(1)
    result = times_power_of_two(e_r, shifted, magic, np.int32(23), np.int32(127))
    return x if x != x else result  # NaN in, NaN out


@njit(**ORDERED_JIT_OPTIONS)
def exp64(x):
    """e^x for a float64, branch-free (Cephes' exp: a Pade form)."""
    T = np.float64
    magic = T(6755399441055744.0)  # 1.5 * 2^52
    r, shifted = reduce(x, T(-746), T(710), magic, T(6.93145751953125e-1),
                        T(1.42860682030941723212e-6))
    z = r * r
    p = r * ((T(1.26177193074810590878e-4) * z + T(3.02994407707441961300e-2)) * z
             + T(9.99999999999999999910e-1))
    q = ((T(3.00198505138664455042e-6) * z + T(2.52448340349684104192e-3)) * z
         + T(2.27265548208155028766e-1)) * z + T(2.00000000000000000009e0)
    e_r = T(1) + T(2) * (p / (q - p))
    result = times_power_of_two(e_r, shifted, magic, np.int64(52), np.int64(1023))
    return x if x != x else result


def exp(x):
    """e^x for a float32 or float64 scalar, in compiled code: ``exp32`` or ``exp64``."""
    return np.exp(x)


@overload(exp)
def _exp(x):
    if x == types.float32:
        return lambda x: exp32(x)
    if x == types.float64:
        return lambda x: exp64(x)
    raise TypingError(f"exp: float32 or float64 expected, not {x}")
