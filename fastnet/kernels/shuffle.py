"""Python's ``random.shuffle``, compiled: the same Mersenne Twister (MT19937) and the
same ``_randbelow`` rejection sampling as CPython, so the permutation is identical to
the one ``random.shuffle`` would make from the same state (the original's example
order), without Python's per-item cost."""
from numba import njit

from ..config import CACHE

N, M = 624, 397  # MT19937 state words, and the twist offset


@njit(cache=CACHE, nogil=True)
def twist(mt):
    """Regenerate the 624 state words in place (CPython's genrand_uint32 refill)."""
    for kk in range(N):
        y = (mt[kk] & 0x80000000) | (mt[(kk + 1) % N] & 0x7FFFFFFF)
        value = mt[(kk + M) % N] ^ (y >> 1)
        if y & 1:
            value ^= 0x9908B0DF
        mt[kk] = value


@njit(cache=CACHE, nogil=True)
def shuffle_in_place(order, mt, pos):
    """``random.shuffle(order)`` from the generator state ``mt`` (624 int64 words in
    [0, 2**32)) at position ``pos``; updates ``mt`` and returns the new position.
    For len(order) <= 2**32: CPython then draws one 32-bit word per candidate."""
    for i in range(order.size - 1, 0, -1):
        n = i + 1
        k = 0
        while (n >> k) != 0:
            k += 1  # k = n.bit_length()
        while True:  # _randbelow_with_getrandbits: r = getrandbits(k) until r < n
            if pos >= N:
                twist(mt)
                pos = 0
            y = mt[pos]
            pos += 1
            y ^= y >> 11
            y ^= (y << 7) & 0x9D2C5680
            y ^= (y << 15) & 0xEFC60000
            y ^= y >> 18
            r = y >> (32 - k)
            if r < n:
                break
        order[i], order[r] = order[r], order[i]
    return pos
