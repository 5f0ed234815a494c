"""The compiled kernels against tests/oracles/reference.py, the seed's equations in plain numpy:
float64 to 1e-12 and float32 to 1e-5 (relative), for the book's net and odd shapes.

The float32 kernels are compared with the reference computed in float64 from the same
(float32) starting parameters and inputs, i.e. with the exact answer: a float32 numpy
reference would add its own rounding (it sums 784 products in another order).
"""
import random

import numpy as np
import pytest
from oracles.reference import ReferenceNetwork

from fastnet import Network

SIZES = [[784, 30, 10], [784, 10], [5, 3, 2], [17, 33, 9, 4], [784, 1], [3, 8, 8, 8, 2]]
TOLERANCE = {np.float64: 1e-12, np.float32: 1e-5}
dtypes = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])


def twin_networks(sizes, dtype, seed=0):
    """A fastnet network of dtype and a float64 reference network with the same
    initial parameters: the same seeded draws, rounded to dtype."""
    np.random.seed(seed)
    ref = ReferenceNetwork(sizes, np.float64)
    ref.weights = [w.astype(dtype).astype(np.float64) for w in ref.weights]
    ref.biases = [b.astype(dtype).astype(np.float64) for b in ref.biases]
    np.random.seed(seed)
    net = Network(sizes, dtype=dtype)
    return net, ref


def random_examples(sizes, n, rng, dtype=np.float64):
    """n pairs (x (n_in, 1) in [0, 1), y one-hot (n_out, 1)), the loader's shapes."""
    n_in, n_out = sizes[0], sizes[-1]
    return [(rng.random((n_in, 1)).astype(dtype), np.eye(n_out)[:, [rng.integers(n_out)]])
            for _ in range(n)]


def assert_close(actual, expected, dtype, factor=1):
    """Normwise relative error: max |actual - expected| <= tol * max |expected|, per array.
    (Elementwise relative error is meaningless for entries like sigma'(z) of a saturated
    neuron, where float32's a(1 - a) has lost all digits in the original formula too.)"""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    assert actual.shape == expected.shape
    error = np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), np.finfo(dtype).tiny)
    assert error <= factor * TOLERANCE[dtype], f"relative error {error:.3g}"


@dtypes
@pytest.mark.parametrize("sizes", SIZES, ids=str)
def test_initial_parameters_are_the_originals_draws(sizes, dtype):
    """np.random.randn, biases first then weights, exactly as the original."""
    np.random.seed(7)
    biases = [np.random.randn(y, 1) for y in sizes[1:]]
    weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]
    np.random.seed(7)
    net = Network(sizes, dtype=dtype)
    for got, drawn in zip(net.weights + net.biases, weights + biases):
        assert got.dtype == dtype and got.shape == drawn.shape
        np.testing.assert_array_equal(got, drawn.astype(dtype))


@dtypes
@pytest.mark.parametrize("sizes", SIZES, ids=str)
def test_feedforward_matches_reference(sizes, dtype):
    net, ref = twin_networks(sizes, dtype)
    rng = np.random.default_rng(1)
    x = rng.random((sizes[0], 1)).astype(dtype)
    assert_close(net.feedforward(x), ref.feedforward(x), dtype)
    columns = rng.random((sizes[0], 7)).astype(dtype)  # columns are examples, as np.dot allows
    assert_close(net.feedforward(columns), ref.feedforward(columns), dtype)


@dtypes
@pytest.mark.parametrize("sizes", SIZES, ids=str)
def test_backprop_matches_reference(sizes, dtype):
    net, ref = twin_networks(sizes, dtype)
    # With N(0, 1) weights on 784 inputs an output neuron saturates (|z| ~ 30), where
    # sigma'(z) ~ e^-|z| carries the relative error of z itself: float32 rounding of a
    # 784-term sum, ~1e-5 ([784, 1] measures 1.1e-5). Hence 3x the float32 tolerance.
    tolerance = 3 if dtype == np.float32 else 1
    for x, y in random_examples(sizes, 3, np.random.default_rng(2), dtype):
        nabla_b, nabla_w = net.backprop(x, y)
        ref_b, ref_w = ref.backprop(x, y)
        for got, want in zip(nabla_b + nabla_w, ref_b + ref_w):
            assert got.dtype == dtype
            assert_close(got, want, dtype, tolerance)


@dtypes
@pytest.mark.parametrize("sizes", SIZES, ids=str)
@pytest.mark.parametrize("batch", [1, 3, 4, 7, 10, 13])
def test_update_mini_batch_matches_reference(sizes, dtype, batch):
    net, ref = twin_networks(sizes, dtype)
    mini_batch = random_examples(sizes, batch, np.random.default_rng(batch), dtype)
    net.update_mini_batch(mini_batch, 3.0)
    ref.update_mini_batch(mini_batch, 3.0)
    for got, want in zip(net.weights + net.biases, ref.weights + ref.biases):
        assert_close(got, want, dtype)


@dtypes
@pytest.mark.parametrize("sizes", [[5, 3, 2], [17, 33, 9, 4], [784, 30, 10]], ids=str)
@pytest.mark.parametrize("batch", [1, 3, 10, 100, 250])
def test_sgd_epochs_match_reference(sizes, dtype, batch, capsys):
    """Whole epochs, same seeds: same shuffles, same mini-batches (the last one short,
    or one batch larger than the data), same parameters."""
    net, ref = twin_networks(sizes, dtype)
    data = random_examples(sizes, 103, np.random.default_rng(3), dtype)
    random.seed(4)
    net.SGD(list(data), 2, batch, 0.5)
    random.seed(4)
    ref.SGD(list(data), 2, batch, 0.5)
    loose = {np.float64: 1e-10, np.float32: 1e-4}[dtype]  # rounding of 2 epochs, not one step
    for got, want in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(got, want, rtol=loose, atol=loose)
    assert capsys.readouterr().out == "Epoch 0 complete\nEpoch 1 complete\n"


@pytest.mark.parametrize("n_in, index_type", [(2**16, np.uint16), (2**16 + 1, np.int32)])
def test_input_numbers_take_the_narrowest_type_and_train_the_same(n_in, index_type):
    """Sparse inputs store input numbers as uint16 up to 65,536 inputs, int32 beyond; the
    last input (number n_in - 1, past uint16 in the second case) trains its weights."""
    from fastnet.core.inputs import SparseInputs
    rng = np.random.default_rng(6)
    X = np.zeros((6, n_in), np.float32)
    for i, x in enumerate(X):
        x[rng.choice(n_in, 40, replace=False)] = rng.random(40)
        x[n_in - 1 - i % 2] = 0.5  # the last two inputs, one of them in every example
    assert SparseInputs(X).indices.dtype == index_type
    net, ref = twin_networks([n_in, 3, 2], np.float32)
    data = [(x.reshape(-1, 1), np.eye(2)[:, [i % 2]]) for i, x in enumerate(X)]
    before = net.weights[0][:, -2:].copy()
    random.seed(4)
    net.SGD(list(data), 1, 2, 0.5)
    random.seed(4)
    ref.SGD(list(data), 1, 2, 0.5)
    assert not np.array_equal(net.weights[0][:, -2:], before)
    for got, want in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@dtypes
def test_evaluate_matches_reference(dtype):
    net, ref = twin_networks([20, 6, 4], dtype)
    rng = np.random.default_rng(5)
    test = [(rng.random((20, 1)).astype(dtype), int(rng.integers(4))) for _ in range(1000)]
    assert net.evaluate(test) == ref.evaluate(test)


def test_sigmoid_saturates_without_overflow_in_float32():
    """Inputs far beyond exp's float32 range must give exact 0 and 1, not NaN or warnings."""
    net = Network([2, 1])
    net.weights = [np.array([[100.0, -100.0]])]
    net.biases = [np.zeros((1, 1))]
    with np.errstate(all="raise"):
        low = net.feedforward(np.array([[0.0], [30.0]]))   # z = -3000
        high = net.feedforward(np.array([[30.0], [0.0]]))  # z = +3000
    assert low[0, 0] == 0.0 and high[0, 0] == 1.0


@dtypes
def test_simd_vectors_work_lane_by_lane(dtype):
    """kernels.simd: load, splat, fma and store on 32-byte vectors (float32: 8 lanes,
    float64: 4); arrays that are not contiguous are refused when compiling."""
    from numba import njit
    from numba.core.errors import TypingError

    from fastnet.kernels.compiler.simd import fma, lanes, load, splat, store

    @njit
    def a_times_3_plus_b(a, b, out):
        n = lanes(a)
        for c in range(0, a.size, n):
            store(out, c, fma(load(a, c), splat(a, 3), load(b, c)))
        return n

    def lanes_of(dtype):
        return 32 // np.dtype(dtype).itemsize

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(24).astype(dtype), rng.standard_normal(24).astype(dtype)
    out = np.full(24 + 8, 7, dtype)
    assert a_times_3_plus_b(a, b, out[:24]) == lanes_of(dtype)
    exact = a.astype(np.float64) * 3 + b.astype(np.float64)
    assert np.all(np.abs(out[:24] - exact) <= np.spacing(np.abs(exact).astype(dtype)))
    assert np.all(out[24:] == 7)  # nothing written past the vectors
    with pytest.raises(TypingError, match="contiguous"):
        a_times_3_plus_b(a[::2], b[::2], out[:24:2])

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
    subtract_sparse_outer(np.arange(m), indptr, indices, values, delta, W, dtype(0.3), 0, 2)
    assert_close(W, expected, dtype, factor=0.1)


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


@pytest.mark.parametrize("cache_dir", ["", "numba-cache"])
def test_cached_kernels_are_cleared_when_any_source_changes(tmp_path, monkeypatch, cache_dir):
    """Numba re-checks only a kernel's own file; a change anywhere in the package must
    drop every cached kernel (callers hold copies of their callees), in __pycache__ or
    under $NUMBA_CACHE_DIR."""
    import numba

    from fastnet.config import _cache_folder, clear_stale_cache
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path / cache_dir) if cache_dir else "")
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.py").write_text("y = 2\n")

    def cache_files():
        files = [_cache_folder(package) / "a.f-1.py311.nbi", _cache_folder(package) / "a.f-1.py311.1.nbc",
                 _cache_folder(package / "sub") / "b.g-3.py311.nbi"]
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
