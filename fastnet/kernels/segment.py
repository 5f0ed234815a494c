"""Compiled image kernels of :mod:`fastnet.vision.segment`: a 3x3 median filter and
8-connected component labelling (two-pass union-find) of 2-D arrays.

No reduction here to vectorise: the kernels compile with ``ORDERED_JIT_OPTIONS``, their
arrays counted (``IMAGE_JIT_OPTIONS``: they allocate)."""
import numpy as np
from numba import njit

from ..config import ORDERED_JIT_OPTIONS

IMAGE_JIT_OPTIONS = {**ORDERED_JIT_OPTIONS, "_nrt": True}


@njit(**IMAGE_JIT_OPTIONS)
def median3x3(a):
    """3x3 median filter of a 2-D float array ``a`` (h, w), edges replicated: a new (h, w)
    array of ``a``'s dtype."""
    h, w = a.shape
    out = np.empty_like(a)
    win = np.empty(9, dtype=a.dtype)
    for i in range(h):
        for j in range(w):
            n = 0
            for di in range(-1, 2):
                ii = min(max(i + di, 0), h - 1)
                for dj in range(-1, 2):
                    jj = min(max(j + dj, 0), w - 1)
                    v = a[ii, jj]
                    # insertion into the sorted window
                    k = n
                    while k > 0 and win[k - 1] > v:
                        win[k] = win[k - 1]
                        k -= 1
                    win[k] = v
                    n += 1
            out[i, j] = win[4]
    return out


@njit(**IMAGE_JIT_OPTIONS)
def _find(parent, x):
    """The root of label ``x`` in the int32 forest ``parent``, compressing the path."""
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


@njit(**IMAGE_JIT_OPTIONS)
def _union(parent, a, b):
    """Join the trees of labels ``a`` and ``b`` under the smaller root; returns that root."""
    ra = _find(parent, a)
    rb = _find(parent, b)
    if ra < rb:
        parent[rb] = ra
        return ra
    if rb < ra:
        parent[ra] = rb
    return rb


@njit(**IMAGE_JIT_OPTIONS)
def label_components(mask):
    """8-connected components of a 2-D boolean array ``mask`` (h, w), two-pass union-find.

    Returns ``(labels, stats)``: int32 labels (0 = background, components 1..n in
    raster order of their first pixel) and an (n + 1, 5) int64 array, row ``c``
    = (area, top, left, bottom, right) of component ``c`` (bottom/right exclusive).
    """
    h, w = mask.shape
    labels = np.zeros((h, w), dtype=np.int32)
    count = 0
    for i in range(h):
        for j in range(w):
            if mask[i, j]:
                count += 1
    parent = np.empty(count + 1, dtype=np.int32)
    parent[0] = 0
    nxt = 0
    for i in range(h):
        for j in range(w):
            if not mask[i, j]:
                continue
            lab = 0
            # neighbours already visited: W, NW, N, NE
            if j > 0 and labels[i, j - 1] > 0:
                lab = labels[i, j - 1]
            if i > 0:
                for dj in range(-1, 2):
                    jj = j + dj
                    if 0 <= jj < w and labels[i - 1, jj] > 0:
                        other = labels[i - 1, jj]
                        if lab == 0:
                            lab = other
                        elif other != lab:
                            lab = _union(parent, lab, other)
            if lab == 0:
                nxt += 1
                parent[nxt] = nxt
                lab = nxt
            labels[i, j] = lab
    # resolve to consecutive labels 1..n
    final = np.zeros(nxt + 1, dtype=np.int32)
    n = 0
    for k in range(1, nxt + 1):
        r = _find(parent, k)
        if r == k:
            n += 1
            final[k] = n
    for k in range(1, nxt + 1):
        final[k] = final[_find(parent, k)]
    stats = np.zeros((n + 1, 5), dtype=np.int64)
    for c in range(1, n + 1):
        stats[c, 1] = h
        stats[c, 2] = w
    for i in range(h):
        for j in range(w):
            k = labels[i, j]
            if k > 0:
                c = final[k]
                labels[i, j] = c
                stats[c, 0] += 1
                if i < stats[c, 1]:
                    stats[c, 1] = i
                if j < stats[c, 2]:
                    stats[c, 2] = j
                if i + 1 > stats[c, 3]:
                    stats[c, 3] = i + 1
                if j + 1 > stats[c, 4]:
                    stats[c, 4] = j + 1
    return labels, stats
