"""Each compiled kernel on its own, against the numpy oracle of the equation it implements
(tests/oracles/equations.py): the forward pass (25), BP1, BP2, BP3/BP4 and the step
(20)/(21) with L2, L1 and momentum, and a whole epoch; float64 and float32 (compared with
the oracle computed in float64 from the same float32 numbers), odd sizes and batches.

The kernels are called directly, on flat buffers laid out as ``kernels.layout`` says and
their records (``kernels.records``) built here; nothing goes through ``Network``.
"""
import numba
import numpy as np
import pytest
from oracles import equations as eq
from oracles.checks import assert_close

from fastnet import kernels
from fastnet.core.inputs import SparseInputs
from fastnet.core.params import ParameterLayout, aligned_zeros

dtypes = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
SIZES = [[5, 3, 2], [17, 33, 9, 4], [30, 11, 7], [784, 30, 10], [9, 1]]
BATCHES = [1, 3, 4, 7, 13]
CODES = {"sigmoid": kernels.SIGMOID, "tanh": kernels.TANH, "relu": kernels.RELU,
         "softmax": kernels.SOFTMAX, "linear": kernels.IDENTITY}
COSTS = {eq.QUADRATIC: kernels.QUADRATIC, eq.A_MINUS_Y: kernels.A_MINUS_Y}


class Net:
    """A network of ``sizes`` as the kernels see it: random parameters (scaled by
    1/sqrt(fan-in), so that no neuron saturates) in the flat buffer, the records, and
    the same numbers per layer in float64 for the oracles."""

    def __init__(self, sizes, dtype, names=None, cost=eq.QUADRATIC, capacity=16, seed=0):
        rng = np.random.default_rng(seed)
        self.sizes, self.dtype = sizes, dtype
        self.names = names or ["sigmoid"] * (len(sizes) - 1)
        self.cost = cost
        self.layout = ParameterLayout(sizes)
        self.params = aligned_zeros(self.layout.size, dtype)
        for w, b in zip(self.layout.weight_views(self.params), self.layout.bias_views(self.params)):
            w[...] = rng.standard_normal(w.shape) / np.sqrt(w.shape[1])
            b[...] = rng.standard_normal(b.shape)
        self.velocity = aligned_zeros(self.layout.size, dtype)
        self.net = kernels.Architecture(sizes=self.layout.sizes, starts=self.layout.starts,
                                codes=np.array([CODES[n] for n in self.names], np.int64),
                                cost=COSTS[cost])
        row_starts, total = kernels.row_offsets(self.layout.sizes, capacity)
        self.work = kernels.Buffers(acts=np.zeros(total, dtype), derivs=np.zeros(total, dtype),
                            deltas=np.zeros(total, dtype), row_starts=row_starts)
        self.shared = kernels.Shared(lower=np.zeros(capacity * self.layout.first_width, dtype),
                             sync=np.zeros(kernels.SYNC_STATE_SIZE, np.int64))

    def weights(self, buffer=None):
        return [w.astype(np.float64) for w in self.layout.weight_views(
            self.params if buffer is None else buffer)]

    def biases(self, buffer=None):
        return [b[:, 0].astype(np.float64) for b in self.layout.bias_views(
            self.params if buffer is None else buffer)]

    def rows(self, buffer, l, m):
        """Layer l's first m rows of a per-example buffer, the padding included."""
        return kernels.layer_rows(buffer, self.layout.sizes, self.work.row_starts, l, m)


def examples(n_in, n_out, n, dtype, seed=1):
    """X (n, n_in), sparse like MNIST; one-hot targets Y (n, n_out) in dtype."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_in)).astype(dtype)
    X[rng.random(X.shape) < 0.6] = 0
    Y = np.eye(n_out, dtype=dtype)[rng.integers(0, n_out, n)]
    return X, Y


def sparse(X):
    inputs = SparseInputs(X)
    return kernels.SparseRows(indptr=inputs.indptr, indices=inputs.indices, values=inputs.values)


NO_DROPOUT = kernels.Dropout(rate=0.0, seed=0, step=0)


# ---------------------------------------------------------------- forward: (25)

@dtypes
@pytest.mark.parametrize("n_in, n_out", [(5, 3), (17, 33), (30, 10), (9, 1), (64, 2)])
@pytest.mark.parametrize("m", BATCHES)
def test_dense_is_the_weighted_input(n_in, n_out, m, dtype):
    """forward.dense: z = a_in W^T + b (25) for a later layer, on a batch; a_in wider
    than n_in (padding columns, which are not read)."""
    rng = np.random.default_rng(n_in * m)
    a_in = rng.random((m, n_in + 3)).astype(dtype)
    a_in[:, n_in:] = np.nan  # never read
    w = rng.standard_normal((n_out, n_in)).astype(dtype)
    b = rng.standard_normal(n_out).astype(dtype)
    z = np.full((m, n_out), 7, dtype)
    kernels.dense(a_in, w, b, z)
    assert_close(z, eq.weighted_input(a_in[:, :n_in], w, b), dtype)


@dtypes
@pytest.mark.parametrize("sizes", SIZES, ids=str)
@pytest.mark.parametrize("batch", BATCHES)
def test_forward_gives_every_layers_activations_and_derivatives(sizes, dtype, batch):
    """forward.forward on the examples ``rows`` (any order) of the sparse inputs: layer
    l's rows of acts are a^l = sigma(z^l) (25), of derivs sigma'(z^l); padding is 0."""
    case = Net(sizes, dtype)
    X, _ = examples(sizes[0], sizes[-1], 20, dtype)
    rows = np.random.default_rng(batch).permutation(20)[:batch].astype(np.int64)
    kernels.forward(rows, sparse(X), case.params, case.net, case.work, NO_DROPOUT, 1.0)
    _, activations, derivatives = eq.forward(X[rows], case.weights(), case.biases(), case.names)
    for l in range(1, len(sizes)):
        acts, derivs = case.rows(case.work.acts, l, batch), case.rows(case.work.derivs, l, batch)
        assert_close(acts[:, :sizes[l]], activations[l - 1], dtype)
        assert_close(derivs[:, :sizes[l]], derivatives[l - 1], dtype)
        assert not acts[:, sizes[l]:].any() and not derivs[:, sizes[l]:].any()


@dtypes
@pytest.mark.parametrize("names", [["tanh", "relu", "softmax"], ["relu", "tanh", "linear"],
                                   ["sigmoid", "sigmoid", "tanh"]], ids="-".join)
def test_forward_applies_each_layers_activation(names, dtype):
    case = Net([13, 9, 6, 5], dtype, names)
    X, _ = examples(13, 5, 7, dtype)
    rows = np.arange(7, dtype=np.int64)
    kernels.forward(rows, sparse(X), case.params, case.net, case.work, NO_DROPOUT, 1.0)
    _, activations, derivatives = eq.forward(X, case.weights(), case.biases(), names)
    for l, name in enumerate(names, start=1):
        assert_close(case.rows(case.work.acts, l, 7)[:, :case.sizes[l]], activations[l - 1], dtype)
        if name != "softmax":  # softmax has no elementwise f' (BP1 does not use it)
            assert_close(case.rows(case.work.derivs, l, 7)[:, :case.sizes[l]],
                         derivatives[l - 1], dtype)


@dtypes
@pytest.mark.parametrize("names", [["sigmoid", "sigmoid"], ["tanh", "softmax"], ["relu", "linear"]],
                         ids="-".join)
def test_inference_gives_the_output_layers_z_and_the_same_activations(names, dtype):
    """inference.feedforward_rows: with a z_out of n rows, z_out holds z^L (25) and out the
    activations bit for bit as without it (no rows: z_out untouched)."""
    case = Net([30, 11, 7], dtype, names)
    X, _ = examples(30, 7, 600, dtype)  # more than one chunk of rows
    zs, activations, _ = eq.forward(X, case.weights(), case.biases(), names)
    alone, out, z = (np.empty((600, 7), dtype) for _ in range(3))
    args = (case.params, case.layout.sizes, case.layout.starts, case.net.codes)
    assert kernels.feedforward_rows(X, *args, alone, np.empty((0, 7), dtype)) == -1
    assert kernels.feedforward_rows(X, *args, out, z) == -1
    assert_close(z, zs[-1], dtype)
    assert_close(out, activations[-1], dtype)
    np.testing.assert_array_equal(out, alone)


# ---------------------------------------------------------------- BP1, BP2

@dtypes
@pytest.mark.parametrize("cost", [eq.QUADRATIC, eq.A_MINUS_Y])
@pytest.mark.parametrize("n_out, m", [(1, 1), (3, 7), (10, 13), (5, 4)])
def test_output_delta_is_bp1(cost, n_out, m, dtype):
    """backward.output_delta: delta^L = (a^L - y) * f'(z^L), or a^L - y; the target of
    example i is targets[rows[i]]; the padding columns are set to 0."""
    rng = np.random.default_rng(m)
    width = n_out + 2
    a_out, derivs = rng.random((m, width)).astype(dtype), rng.random((m, width)).astype(dtype)
    targets = rng.random((20, n_out)).astype(dtype)
    rows = rng.permutation(20)[:m].astype(np.int64)
    delta = np.full((m, width), 9, dtype)
    kernels.output_delta(a_out, derivs, targets, rows, n_out, COSTS[cost], delta)
    want = eq.output_delta(a_out[:, :n_out], derivs[:, :n_out], targets[rows], cost)
    assert_close(delta[:, :n_out], want, dtype)
    assert not delta[:, n_out:].any()


@dtypes
@pytest.mark.parametrize("n, n_next", [(1, 1), (3, 2), (33, 9), (30, 10), (100, 7)])
@pytest.mark.parametrize("m", [1, 4, 7])
def test_hidden_delta_is_bp2(n, n_next, m, dtype):
    """backward.hidden_delta: delta^l = ((W^{l+1})^T delta^{l+1}) * f'(z^l); the columns
    past n set to 0."""
    rng = np.random.default_rng(n * m)
    delta_next = rng.standard_normal((m, n_next + 1)).astype(dtype)
    weights_next = rng.standard_normal((n_next, n)).astype(dtype)
    derivs = rng.random((m, n + 5)).astype(dtype)
    delta = np.full((m, n + 5), 9, dtype)
    kernels.hidden_delta(delta_next, weights_next, derivs, delta)
    assert_close(delta[:, :n], eq.hidden_delta(delta_next[:, :n_next], weights_next,
                                               derivs[:, :n]), dtype)
    assert not delta[:, n:].any()


# ---------------------------------------------------------------- BP3, BP4 and the step

@dtypes
@pytest.mark.parametrize("sizes", SIZES, ids=str)
@pytest.mark.parametrize("batch", BATCHES)
def test_batch_gradient_is_bp3_and_bp4(sizes, dtype, batch):
    """backward.batch_gradient: forward, BP1, BP2, then the gradient summed over the
    batch: dC/db = delta (BP3), dC/dw_jk = a_k^{l-1} delta_j^l (BP4), every layer."""
    case = Net(sizes, dtype)
    X, Y = examples(sizes[0], sizes[-1], 20, dtype)
    rows = np.random.default_rng(batch).permutation(20)[:batch].astype(np.int64)
    grads = aligned_zeros(case.layout.size, dtype)
    kernels.batch_gradient(rows, sparse(X), Y, case.params, case.net, case.work, grads)
    nabla_w, nabla_b = eq.gradient(X[rows], Y[rows], case.weights(), case.biases(), case.names,
                                   case.cost)
    for got, want in zip(case.weights(grads) + case.biases(grads), nabla_w + nabla_b):
        assert_close(got, want, dtype)


STEPS = {"plain": {}, "l2": dict(l2=0.05), "l2-l1": dict(l2=0.05, l1=0.02),
         "momentum": dict(mu=0.9, l2=0.05), "momentum-l1": dict(mu=0.5, l1=0.03)}


@dtypes
@pytest.mark.parametrize("options", STEPS.values(), ids=STEPS.keys())
@pytest.mark.parametrize("sizes, batch", [([5, 3, 2], 1), ([17, 33, 9, 4], 7), ([784, 30, 10], 13)],
                         ids=str)
def test_apply_gradient_is_the_step_20_21(sizes, batch, options, dtype):
    """update.apply_gradient after the forward pass and the deltas: one step (20), (21)
    w -> w - (eta/m) sum dC/dw, with L2 (1 - eta l2) w, L1 - eta l1 sign(w), momentum
    v -> mu v - ..., w -> w + v; biases never regularised. Twice, so that a non-zero
    velocity is carried from the first step to the second."""
    case = Net(sizes, dtype)
    X, Y = examples(sizes[0], sizes[-1], 2 * batch, dtype)
    inputs, eta = sparse(X), 0.7
    l2, l1, mu = options.get("l2", 0.0), options.get("l1", 0.0), options.get("mu", 0.0)
    T = dtype
    weights, biases = case.weights(), case.biases()
    velocities = [(np.zeros_like(w), np.zeros_like(b)) for w, b in zip(weights, biases)]
    for first in (0, batch):
        rows = np.arange(first, first + batch, dtype=np.int64)
        kernels.forward(rows, inputs, case.params, case.net, case.work, NO_DROPOUT, 1.0)
        kernels.backprop_deltas(Y, rows, case.params, case.net, case.work, 0, batch)
        rates = kernels.Rates(scale=T(eta / batch), l2=T(eta * l2), l1=T(eta * l1), mu=T(mu))
        trained = kernels.Parameters(params=case.params, velocity=case.velocity)
        kernels.apply_gradient(rows, inputs, case.net, case.work, trained, rates)
        nabla_w, nabla_b = eq.gradient(X[rows], Y[rows], weights, biases, case.names, case.cost)
        weights, biases = eq.step(weights, biases, nabla_w, nabla_b, batch, eta, l2, l1, mu,
                                  velocities)
    for got, want in zip(case.weights() + case.biases(), weights + biases):
        assert_close(got, want, dtype)


@dtypes
@pytest.mark.parametrize("options", STEPS.values(), ids=STEPS.keys())
def test_a_step_shared_by_parts_is_the_whole_step(options, dtype):
    """apply_gradient's parts 0 and 1 of 2 (the threads' slices of every layer, the two
    halves of the first layer's inputs) together give the same bits as the whole step."""
    whole, parts = Net([40, 24, 9, 5], dtype), Net([40, 24, 9, 5], dtype)
    X, Y = examples(40, 5, 10, dtype)
    inputs, rows = sparse(X), np.arange(10, dtype=np.int64)
    rates = kernels.Rates(scale=dtype(0.05), l2=dtype(0.01 * options.get("l2", 0)),
                  l1=dtype(0.01 * options.get("l1", 0)), mu=dtype(options.get("mu", 0)))
    for case in (whole, parts):
        case.velocity[:] = np.random.default_rng(3).standard_normal(case.velocity.size) * 0.01
        kernels.forward(rows, inputs, case.params, case.net, case.work, NO_DROPOUT, 1.0)
        kernels.backprop_deltas(Y, rows, case.params, case.net, case.work, 0, 10)
    kernels.apply_gradient(rows, inputs, whole.net, whole.work,
                           kernels.Parameters(params=whole.params, velocity=whole.velocity), rates)
    for part in (0, 1):
        trained = kernels.Parameters(params=parts.params, velocity=parts.velocity)
        kernels.apply_gradient(rows, inputs, parts.net, parts.work, trained, rates, part, 2)
    np.testing.assert_array_equal(parts.params, whole.params)
    np.testing.assert_array_equal(parts.velocity, whole.velocity)


# ---------------------------------------------------------------- a whole epoch

EPOCHS = {"book": {}, "sum": dict(average=False, eta=0.05), "l2": dict(l2=0.02),
          "l2-l1": dict(l2=0.02, l1=0.01), "momentum": dict(mu=0.8, l2=0.01),
          "cross-entropy": dict(cost=eq.A_MINUS_Y),
          "softmax": dict(cost=eq.A_MINUS_Y, names=["relu", "tanh", "softmax"])}


def hyper(batch, eta=0.5, average=True, l2=0.0, l1=0.0, mu=0.0, **_):
    return kernels.HyperParameters(batch_size=batch, eta=eta, average=average, l2=l2, l1=l1,
                           momentum=mu, dropout=0.0, seed=0, first_step=0)


@dtypes
@pytest.mark.parametrize("options", EPOCHS.values(), ids=EPOCHS.keys())
@pytest.mark.parametrize("batch", [1, 4, 7, 16])
def test_train_epoch_is_mini_batch_sgd(options, batch, dtype):
    """epoch.train_epoch over a shuffled order of 53 examples (the last mini-batch
    short): the oracle's steps (20), (21), one mini-batch after another. Tolerances are
    an epoch's rounding, not one step's."""
    sizes = [17, 33, 9, 4] if "names" in options else [17, 33, 9, 3]
    names = options.get("names", ["sigmoid"] * 3)
    case = Net(sizes, dtype, names, options.get("cost", eq.QUADRATIC))
    X, Y = examples(sizes[0], sizes[-1], 53, dtype)
    order = np.random.default_rng(batch).permutation(53).astype(np.int64)
    h = hyper(batch, **options)
    want_w, want_b = eq.sgd(case.weights(), case.biases(), X, Y, order, batch, h.eta, names,
                            case.cost, h.average, h.l2, h.l1, h.momentum,
                            [(np.zeros_like(w), np.zeros_like(b))
                             for w, b in zip(case.weights(), case.biases())])
    kernels.train_epoch(sparse(X), Y, order, case.net, h,
                        kernels.Parameters(params=case.params, velocity=case.velocity), case.work)
    loose = {np.float64: 1e-10, np.float32: 2e-4}[dtype]
    for got, want in zip(case.weights() + case.biases(), want_w + want_b):
        np.testing.assert_allclose(got, want, rtol=loose, atol=loose)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 Numba threads")
@dtypes
@pytest.mark.parametrize("options", EPOCHS.values(), ids=EPOCHS.keys())
def test_threaded_epoch_is_bit_identical_to_train_epoch(options, dtype):
    """epoch.train_epoch_threaded on 2 threads: the same bits as train_epoch."""
    names = options.get("names", ["sigmoid"] * 3)
    one, two = (Net([40, 24, 9, 4], dtype, names, options.get("cost", eq.QUADRATIC))
                for _ in range(2))
    X, Y = examples(40, 4, 53, dtype)
    inputs, order = sparse(X), np.random.default_rng(0).permutation(53).astype(np.int64)
    h = hyper(7, **options)
    kernels.train_epoch(inputs, Y, order, one.net, h, kernels.Parameters(one.params, one.velocity),
                        one.work)
    previous = numba.get_num_threads()
    numba.set_num_threads(2)
    try:
        kernels.train_epoch_threaded(inputs, Y, order, two.net, h,
                                     kernels.Parameters(two.params, two.velocity), two.work,
                                     two.shared, 2)
    finally:
        numba.set_num_threads(previous)
    np.testing.assert_array_equal(two.params, one.params)
