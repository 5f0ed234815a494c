"""Inputs as compressed sparse rows: for each example, its non-zero values and their
input indices (81% of MNIST pixels are 0, so the first layer does a fifth of the dense
work). Built by ``count_nonzero_halves`` then ``fill_sparse_rows`` into arrays the
caller allocates (``core.inputs.SparseInputs``), or row by row for inference
(``sparse_row``).

Each example is two sparse rows: its non-zero inputs in the lower half of the inputs,
then those in the upper half (``input_halves``). Example r's non-zeros are
``indptr[2r]:indptr[2r+2]``, its upper half's start from ``indptr[2r+1]``. The first
layer sums the two halves separately, so that two threads can each own one half of
W^0 (``forward.first_layer``)."""
import numpy as np
from numba import njit

from ..config import JIT_OPTIONS


@njit(**JIT_OPTIONS)
def half_start(n_in, half):
    """The first input number of half 0 or 1 of n_in inputs (half 2: n_in, the end)."""
    return n_in if half >= 2 else half * (n_in // 2)


@njit(**JIT_OPTIONS)
def input_halves(part, n_parts):
    """The halves [h_lo, h_hi) of the inputs whose first-layer weights thread ``part``
    of ``n_parts`` owns: both on one thread; the lower half for thread 0 and the upper
    half for thread 1 of several; none for threads beyond two."""
    part = np.int64(part)  # a prange index may be unsigned
    if n_parts == 1:
        return np.int64(0), np.int64(2)
    return (part, part + 1) if part < 2 else (np.int64(2), np.int64(2))


@njit(**JIT_OPTIONS)
def count_nonzero_halves(X, counts):
    """counts[2i] and counts[2i+1] = the non-zero entries of X[i] (n, width) in the lower
    and in the upper half of its inputs; counts (2n,)."""
    half = half_start(X.shape[1], 1)
    for i in range(X.shape[0]):
        lower = upper = 0
        x = X[i]
        for k in range(half):
            lower += x[k] != 0
        for k in range(half, x.size):
            upper += x[k] != 0
        counts[2 * i], counts[2 * i + 1] = lower, upper


@njit(**JIT_OPTIONS)
def sparse_row(x, indices, values):
    """x's non-zero values into values[:count], their input numbers into indices[:count]
    (an integer type that holds x.size - 1), in input order; returns count. One slot
    more than count is written (the fill is branch-free), so indices and values need
    count + 1 slots."""
    count = 0
    for k in range(x.size):
        v = x[k]
        indices[count] = k  # written always, kept only when v != 0: no branch
        values[count] = v
        count += v != 0
    return count


@njit(**JIT_OPTIONS)
def fill_sparse_rows(X, indptr, indices, values):
    """Example i's non-zeros go to values[indptr[2i]:indptr[2i+2]], their input numbers
    to indices[...]. indptr (2n + 1,): 0 then the running sums of
    ``count_nonzero_halves``; indices (integers that hold X.shape[1] - 1) and values
    need indptr[2n] + 1 slots (``sparse_row`` writes one past the last kept entry)."""
    for i in range(X.shape[0]):
        sparse_row(X[i], indices[indptr[2 * i]:], values[indptr[2 * i]:])


# The mixed sum's keys (splitmix64's constants): KEY_START + i KEY_STEP, mod 2^64.
KEY_START, KEY_STEP = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x9E3779B97F4A7C15)
LOW_32 = np.uint64(0xFFFFFFFF)


@njit(**JIT_OPTIONS)
def fingerprint(X):
    """A 128-bit digest of the bytes of X (C-contiguous), to tell whether inputs changed
    since their sparse form was built: two 64-bit sums, mod 2^64, over its 32-bit words
    w_j, read in pairs p_i = w_2i + 2^32 w_2i+1 (a last odd word pairs with 0).
    linear = sum_j w_j m_j with m_j = 2j + 1 mod 2^32: odd, distinct (below 2^31 words,
    8 GiB), and words and multipliers are < 2^32, so a change of one word (delta m_j) and a
    swap of any two different words ((w_j - w_k)(m_k - m_j)) are never 0 mod 2^64.
    mixed = sum_i lo(q_i) hi(q_i), q_i = p_i xor (KEY_START + i KEY_STEP): non-linear, for
    what a linear sum could cancel. Only 32 x 32 -> 64-bit multiplies, which SIMD units
    have, so that the digest runs at memory speed."""
    words = X.reshape(X.size).view(np.uint32)
    pairs = words.size // 2
    p = words[: 2 * pairs].view(np.uint64)
    linear = mixed = np.uint64(0)
    m = np.uint32(1)  # the multiplier of the pair's first word, m_2i = 4i + 1
    key = KEY_START
    for i in range(pairs):
        lo, hi = p[i] & LOW_32, p[i] >> np.uint64(32)
        linear += lo * np.uint64(m) + hi * np.uint64(np.uint32(m + np.uint32(2)))
        q = p[i] ^ key
        mixed += (q & LOW_32) * (q >> np.uint64(32))
        m = np.uint32(m + np.uint32(4))
        key += KEY_STEP
    if words.size % 2:
        last = np.uint64(words[words.size - 1])
        linear += last * np.uint64(m)
        q = last ^ key
        mixed += (q & LOW_32) * (q >> np.uint64(32))
    return linear, mixed
