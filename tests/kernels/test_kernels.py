"""The kernels' building blocks on their own: the compiler extensions (SIMD vectors,
views), the first layer's vector blocks, the exponential, the inputs' fingerprint and the
compiled-kernel cache. The equations each kernel implements: test_equations.py."""
import numpy as np
import pytest
from oracles.checks import assert_close

from fastnet.kernels.records import SparseRows

dtypes = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])


@dtypes
def test_simd_vectors_work_lane_by_lane(dtype):
    """kernels.simd: load, splat, fma and store on vectors of config.VECTOR_BYTES
    (float32: VECTOR_BYTES / 4 lanes, float64: half as many); arrays that are not
    contiguous are refused when compiling."""
    from numba import njit
    from numba.core.errors import TypingError

    from fastnet.config import VECTOR_BYTES
    from fastnet.kernels.compiler.simd import fma, lanes, load, splat, store

    @njit
    def a_times_3_plus_b(a, b, out):
        n = lanes(a)
        for c in range(0, a.size, n):
            store(out, c, fma(load(a, c), splat(a, 3), load(b, c)))
        return n

    def lanes_of(dtype):
        return VECTOR_BYTES // np.dtype(dtype).itemsize

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(48).astype(dtype), rng.standard_normal(48).astype(dtype)
    out = np.full(48 + 16, 7, dtype)
    assert a_times_3_plus_b(a, b, out[:48]) == lanes_of(dtype)
    exact = a.astype(np.longdouble) * 3 + b.astype(np.longdouble)
    assert np.all(np.abs(out[:48] - exact) <= np.spacing(np.abs(exact).astype(dtype)))
    assert np.all(out[48:] == 7)  # nothing written past the vectors
    with pytest.raises(TypingError, match="contiguous"):
        a_times_3_plus_b(a[::2], b[::2], out[:48:2])

    @njit
    def copy_vector_at(a, index, out):
        store(out, 0, load(a, index))

    long = np.arange(300, dtype=dtype)
    copy_vector_at(long, np.uint8(200), out)  # an unsigned index is not taken as negative
    assert np.array_equal(out[:lanes_of(dtype)], long[200:200 + lanes_of(dtype)])
    with pytest.raises(TypingError, match="integer index"):
        copy_vector_at(long, 1.0, out)
    read_only = out.copy()
    read_only.flags.writeable = False
    with pytest.raises(TypingError, match="read-only"):
        copy_vector_at(long, 0, read_only)


@dtypes
def test_masked_loads_and_sums_of_lanes(dtype):
    """simd.load_partial reads count values and zeros (nothing past them: the array
    ends there); total sums a vector's lanes (integers: exact whatever the order)."""
    from numba import njit

    from fastnet.kernels.compiler.simd import lanes, load, load_partial, store, total

    @njit
    def partial_then_sums(a, k, count, out):
        n = lanes(a)
        store(out, 0, load_partial(a, k, count))
        return total(load(a, 3 * n)), total(load(a, 7 * n))

    a = np.random.default_rng(1).integers(-50, 50, 200).astype(dtype)
    from fastnet.config import VECTOR_BYTES
    n = VECTOR_BYTES // np.dtype(dtype).itemsize
    for count in range(n + 1):
        tail = a[: 8 * n + count].copy()  # the masked load ends exactly at the array's end
        out = np.full(n, 7, dtype)
        fourth, eighth = partial_then_sums(tail, 8 * n, count, out)
        assert np.array_equal(out, np.concatenate([a[8 * n: 8 * n + count], np.zeros(n - count)]))
        assert fourth == a[3 * n: 4 * n].sum() and eighth == a[7 * n: 8 * n].sum()


@dtypes
def test_a_masked_store_writes_count_values_and_nothing_past_them(dtype):
    """simd.store_partial writes the first count lanes (the array may end there)."""
    from numba import njit

    from fastnet.config import VECTOR_BYTES
    from fastnet.kernels.compiler.simd import load, store_partial

    @njit
    def copy_partial(source, out, k, count):
        store_partial(out, k, count, load(source, 0))

    n = VECTOR_BYTES // np.dtype(dtype).itemsize
    source = np.arange(1, n + 1).astype(dtype)
    for count in range(n + 1):
        out = np.full(3 + count, -1, dtype)  # ends right after the written lanes
        copy_partial(source, out, 3, count)
        assert out.tolist() == [-1, -1, -1] + source[:count].tolist()


@dtypes
def test_views_are_numpys_views_and_keep_their_buffer_alive(dtype):
    """kernels.views: matrix(flat, start, rows, cols) is flat[start:start + rows*cols]
    reshaped, flat(M) is M.ravel(); both write through to the buffer, keep it alive when
    returned to Python (they hold its reference), and refuse arrays that are not
    contiguous when compiling."""
    import gc
    import weakref

    from numba import njit
    from numba.core.errors import TypingError

    from fastnet.kernels.compiler.views import flat, matrix

    @njit
    def view_and_mark(buffer, start, rows, cols):
        m = matrix(buffer, start, rows, cols)
        m[rows - 1, cols - 1] = -1
        f = flat(m)
        f[0] = -2
        return m, f

    buffer = np.arange(40, dtype=dtype)
    expected = buffer.copy()
    expected[3 + 4 * 5 - 1], expected[3] = -1, -2
    m, f = view_and_mark(buffer, 3, 4, 5)
    assert m.shape == (4, 5) and m.dtype == dtype and f.shape == (20,)
    assert np.array_equal(buffer, expected)  # written through, nothing else touched
    assert np.array_equal(m, expected[3:23].reshape(4, 5)) and np.array_equal(f, expected[3:23])
    alive = weakref.ref(buffer)
    del buffer
    gc.collect()
    assert alive() is not None  # the views own a reference
    assert np.array_equal(m, expected[3:23].reshape(4, 5))
    del m, f
    gc.collect()
    assert alive() is None  # ... and only while they live
    with pytest.raises(TypingError, match="contiguous"):
        view_and_mark(np.arange(80, dtype=dtype)[::2], 0, 2, 2)


@dtypes
@pytest.mark.parametrize("width", [8, 16, 24, 32, 40, 64, 72, 96, 104, 136, 3, 30, 101])
def test_first_layer_vector_blocks_match_numpy(width, dtype):
    """The first layer's sums and updates, 8, 4, 2 and 1 vectors of a row at a time,
    for widths that exercise each block, and widths that are not whole vectors (the
    columns left over): against numpy in float64."""
    from fastnet.kernels.forward import partial_sum
    from fastnet.kernels.update import subtract_sparse_outer
    rng = np.random.default_rng(width)
    n_in, m = 50, 3
    W = rng.standard_normal((n_in, width)).astype(dtype)
    X = rng.random((m, n_in)).astype(dtype)
    X[X < 0.6] = 0
    indptr, indices, values = [0], [], []
    for x in X:  # two sparse rows per example: the lower, then the upper half
        for lo, hi in ((0, n_in // 2), (n_in // 2, n_in)):
            k = lo + np.flatnonzero(x[lo:hi])
            indices += list(k)
            values += list(x[k])
            indptr.append(len(indices))
    indptr, indices = np.array(indptr, np.int64), np.array(indices + [0], np.int32)
    values = np.array(values + [0], dtype)
    z = np.full(width, 5, dtype)
    t, stop = indptr[2], indptr[4]  # example 1, both halves
    partial_sum(indices[t:stop], values[t:stop], W.ravel(), width, z)
    assert_close(z, X[1].astype(np.float64) @ W.astype(np.float64), dtype, factor=0.1)
    delta = rng.standard_normal((m, width)).astype(dtype)
    expected = W.astype(np.float64) - 0.3 * X.astype(np.float64).T @ delta.astype(np.float64)
    inputs = SparseRows(indptr=indptr, indices=indices, values=values)
    subtract_sparse_outer(np.arange(m), inputs, delta, W, dtype(0.3), 0, 2)
    assert_close(W, expected, dtype, factor=0.1)


@dtypes
@pytest.mark.parametrize("width", [8, 16, 30, 32, 48, 64, 112, 128, 136, 200, 3])
def test_two_sums_at_once_are_bit_identical_to_one_by_one(width, dtype):
    """partial_sums_pair (two sums interleaved, for more independent multiply-adds) gives
    each sum the bits partial_sum gives it alone, whichever of the two has more rows
    (or none), for widths through every vector block and past the last whole vector."""
    from fastnet.kernels.forward import partial_sum, partial_sums_pair
    rng = np.random.default_rng(width)
    n_in = 60
    w = rng.standard_normal(n_in * width).astype(dtype)
    for na, nb in [(17, 5), (5, 17), (9, 9), (0, 7), (7, 0), (0, 0)]:
        ia = np.sort(rng.choice(n_in, na, replace=False)).astype(np.int32)
        ib = np.sort(rng.choice(n_in, nb, replace=False)).astype(np.int32)
        va, vb = rng.random(na).astype(dtype), rng.random(nb).astype(dtype)
        za, zb, alone_a, alone_b = (np.full(width, 5, dtype) for _ in range(4))
        partial_sums_pair(ia, va, za, ib, vb, zb, w, width)
        partial_sum(ia, va, w, width, alone_a)
        partial_sum(ib, vb, w, width, alone_b)
        np.testing.assert_array_equal(za, alone_a)
        np.testing.assert_array_equal(zb, alone_b)
        exact = va.astype(np.float64) @ w.reshape(n_in, width)[ia].astype(np.float64)
        assert_close(za, exact, dtype, factor=0.1)


@dtypes
@pytest.mark.parametrize("width", [1, 3, 7, 9, 15, 30, 33, 64, 100, 131])
def test_weighted_rows_of_any_width_match_numpy(width, dtype):
    """partial_sum over all rows (indices None: BP2's (W^{l+1})^T delta^{l+1}) for widths
    that are not whole vectors: vector blocks, then the columns left, against numpy."""
    from fastnet.kernels.forward import partial_sum
    rng = np.random.default_rng(width)
    W = rng.standard_normal((11, width)).astype(dtype)
    v = rng.standard_normal(11).astype(dtype)
    z = np.full(width + 3, 9, dtype)
    partial_sum(None, v, W.ravel(), width, z[:width])
    assert_close(z[:width], W.astype(np.float64).T @ v.astype(np.float64), dtype, factor=0.1)
    assert np.all(z[width:] == 9)


@dtypes
def test_compiled_exp_is_within_two_ulp_and_keeps_inf_and_nan(dtype):
    """kernels.exponential.exp (branch-free, so sigmoid loops vectorise) against e^x in
    long double, over the whole range: finite results within 2 ulp (and of np.exp),
    subnormals within two steps, overflow to inf, inf/-inf/NaN as np.exp gives them."""
    from numba import njit

    from fastnet.kernels.exponential import exp

    @njit
    def exp_all(x, out):
        for i in range(x.size):
            out[i] = exp(x[i])

    top = {np.float32: 95, np.float64: 715}[dtype]
    x = np.concatenate([np.linspace(-top - 15, top, 400_001),
                        np.random.default_rng(0).standard_normal(100_000) * 5,
                        [0.0, -0.0, 1.0, -1.0]]).astype(dtype)
    out = np.empty_like(x)
    exp_all(x, out)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        exact = np.exp(x.astype(np.longdouble))
        normal = np.isfinite(exact.astype(dtype)) & (exact >= np.finfo(dtype).tiny)
        ulp = np.spacing(exact.astype(dtype)).astype(np.longdouble)
        assert np.max(np.abs(out - exact)[normal] / ulp[normal]) <= 2
        assert np.max(np.abs(out - np.exp(x))[normal] / ulp[normal]) <= 2
        below = exact < np.finfo(dtype).tiny
        assert np.max(np.abs(out[below] - exact[below])) <= 2 * np.finfo(dtype).smallest_subnormal
        assert np.all(np.isinf(out[np.isinf(exact.astype(dtype))]))
    special = np.array([np.inf, -np.inf, np.nan, -1e30, 1e30], dtype)
    out = np.empty_like(special)
    exp_all(special, out)
    np.testing.assert_array_equal(out, [np.inf, 0, np.nan, 0, np.inf])


def test_fingerprint_sees_every_change_of_the_inputs():
    """The digest that decides whether the sparse form of the inputs can be reused."""
    from fastnet.kernels import fingerprint
    rng = np.random.default_rng(0)
    X = rng.random((300, 784)).astype(np.float32)
    X[X < 0.8] = 0
    digest = fingerprint(X)
    assert fingerprint(X.copy()) == digest
    for change in range(200):  # one value nudged by one ulp, anywhere
        i, k = rng.integers(300), rng.integers(784)
        Y = X.copy()
        Y[i, k] = np.nextafter(Y[i, k], np.float32(2))
        assert fingerprint(Y) != digest
    Y = X.copy()
    Y[[10, 20]] = Y[[20, 10]]  # two examples swapped
    assert fingerprint(Y) != digest
    Y = X.copy()
    Y[:, [0, 256]] = Y[:, [256, 0]]  # two pixels swapped in every example (0.5/1.0-style
    assert fingerprint(Y) != digest  # bit patterns 256 words apart)
    Y = np.zeros_like(X)
    Y[0, 0], Y[0, 256] = 0.5, 1.0
    Z = np.zeros_like(X)
    Z[0, 0], Z[0, 256] = 1.0, 0.5
    assert fingerprint(Y) != fingerprint(Z)
    assert fingerprint(X.astype(np.float64)) != digest


def test_fingerprint_is_its_definition():
    """The compiled digest (32-bit multiplies only) equals the formulas in its docstring,
    computed here with numpy's wrapping 64-bit arithmetic, for an even and an odd number
    of words."""
    from fastnet.kernels import fingerprint
    from fastnet.kernels.sparse import KEY_START, KEY_STEP
    for shape in [(7, 13), (6, 13), (1, 1)]:
        X = np.random.default_rng(1).random(shape).astype(np.float32)
        X[X < 0.5] = 0
        w = X.reshape(-1).view(np.uint32).astype(np.uint64)
        j = np.arange(w.size, dtype=np.uint64)
        linear = np.sum(w * ((np.uint64(2) * j + np.uint64(1)) & np.uint64(0xFFFFFFFF)),
                        dtype=np.uint64)
        pairs = np.append(w, np.uint64(0))[: 2 * ((w.size + 1) // 2)].reshape(-1, 2)
        p = pairs[:, 0] | (pairs[:, 1] << np.uint64(32))
        q = p ^ (KEY_START + np.arange(p.size, dtype=np.uint64) * KEY_STEP)
        mixed = np.sum((q & np.uint64(0xFFFFFFFF)) * (q >> np.uint64(32)), dtype=np.uint64)
        assert fingerprint(X) == (linear, mixed), shape


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_finiteness_scan_finds_the_first_bad_value_in_any_chunk(dtype):
    """first_non_finite: the index of the first NaN or infinity, at either end of a chunk
    of the scan, or -1; the largest finite values and -0.0 are finite."""
    from fastnet.kernels.checks import CHUNK, first_non_finite
    X = np.random.default_rng(2).random((3 * CHUNK + 6,)).astype(dtype)
    X[[7, CHUNK + 1]] = np.finfo(dtype).max, -0.0
    assert first_non_finite(X) == -1
    assert first_non_finite(X.reshape(-1, 6)) == -1
    for where in (0, CHUNK - 1, CHUNK, 2 * CHUNK + 17, X.size - 1):
        for bad in (np.nan, np.inf, -np.inf):
            Y = X.copy()
            Y[where] = bad
            Y[min(where + 3, Y.size - 1)] = np.nan  # a later one is not the first
            assert first_non_finite(Y) == where
            assert first_non_finite(Y.reshape(-1, 6)) == where


@pytest.mark.parametrize("cache_dir", ["", "numba-cache"])
def test_cached_kernels_are_cleared_when_any_source_changes(tmp_path, monkeypatch, cache_dir):
    """Numba re-checks only a kernel's own file; a change anywhere in the package must
    drop every cached kernel (callers hold copies of their callees), in __pycache__ or
    under $NUMBA_CACHE_DIR, and those compiled for a forced vector width (vector-N)."""
    import numba

    from fastnet.config import _cache_folder, clear_stale_cache
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path / cache_dir) if cache_dir else "")
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.py").write_text("y = 2\n")

    def cache_files():
        files = [_cache_folder(package) / "a.f-1.py311.nbi", _cache_folder(package) / "a.f-1.py311.1.nbc",
                 _cache_folder(package / "sub") / "b.g-3.py311.nbi",
                 _cache_folder(package) / "vector-32" / "a.f-1.py311.nbi"]
        for f in files:
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_bytes(b"compiled")
        return files

    files = cache_files()
    assert (files[0].parent == package / "__pycache__") == (not cache_dir)
    assert clear_stale_cache(package)  # no stamp yet: cleared
    assert not any(f.exists() for f in files)
    files = cache_files()
    assert not clear_stale_cache(package)  # nothing changed: kept
    assert all(f.exists() for f in files)
    (package / "sub" / "b.py").write_text("y = 22\n")  # a callee's file changes
    assert clear_stale_cache(package)
    assert not any(f.exists() for f in files)
    assert (package / "a.py").read_text() == "x = 1\n"  # sources untouched
    assert not clear_stale_cache(package)


def test_only_sources_of_compiled_code_clear_the_cache(tmp_path):
    """The kernels' folder and the files named in ``also`` (settings the kernels read)
    count; any other file of the project may change without a recompilation."""
    from fastnet.config import _cache_folder, clear_stale_cache
    (tmp_path / "kernels").mkdir()
    (tmp_path / "kernels" / "k.py").write_text("k = 1\n")
    (tmp_path / "config.py").write_text("c = 1\n")
    (tmp_path / "cli.py").write_text("print()\n")
    kernels, settings = tmp_path / "kernels", (tmp_path / "config.py",)
    assert clear_stale_cache(kernels, also=settings)
    cached = _cache_folder(kernels) / "k.f-1.py311.nbi"
    cached.write_bytes(b"compiled")
    (tmp_path / "cli.py").write_text("print('changed')\n")
    assert not clear_stale_cache(kernels, also=settings) and cached.exists()
    (tmp_path / "config.py").write_text("c = 22\n")
    assert clear_stale_cache(kernels, also=settings) and not cached.exists()
