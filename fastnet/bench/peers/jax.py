"""JAX, float32 (jax is imported when the peer is made): the whole epoch is one jitted
``lax.scan`` over the mini-batches (gather, forward, hand-written backward, update: the
formulas of numpy-batch), the data on the device as arguments of the jitted function; a
smaller last batch, if any, is one more jitted step. Compilation happens in ``warm_up``."""
import time

import numpy as np

from .base import Impl, NotInstalled, one_hot


class JaxImpl(Impl):
    """Measured in a process of its own pinned to ``--threads`` CPUs, without XLA's
    one-thread flags (the faster setting measured, docs/performance.md); the variants
    below are the other settings, for ``--only``."""
    name, label = "jax", "JAX (float32, jit + lax.scan epoch)"
    own_process, pinned, xla_one_thread = True, True, False

    def __init__(self, sizes, X, y, batch, eta):
        try:
            import jax
            import jax.numpy as jnp
        except ImportError as error:
            raise NotInstalled(str(error)) from None
        self.jax, self.jnp = jax, jnp
        super().__init__(sizes, jax.device_put(np.ascontiguousarray(X, np.float32)), y, batch, eta)
        self.T = jax.device_put(one_hot(y, sizes[-1], np.float32))
        eta32 = np.float32(eta)

        def step(params, X, T, idx):
            W, b = list(params[0]), list(params[1])
            A = jnp.take(X, idx, axis=0)
            acts = [A]
            for Wl, bl in zip(W, b):
                A = jax.nn.sigmoid(A @ Wl.T + bl)
                acts.append(A)
            scale = eta32 / np.float32(idx.shape[0])
            D = (A - jnp.take(T, idx, axis=0)) * A * (1 - A)
            for l in range(len(W) - 1, -1, -1):
                prev = acts[l]
                grad_W, grad_b = D.T @ prev, D.sum(axis=0)
                if l > 0:
                    D = (D @ W[l]) * prev * (1 - prev)  # with the old W[l]
                W[l] = W[l] - scale * grad_W
                b[l] = b[l] - scale * grad_b
            return tuple(W), tuple(b)

        def epoch(params, X, T, batches):
            return jax.lax.scan(lambda p, idx: (step(p, X, T, idx), None), params, batches)[0]

        self._epoch = jax.jit(epoch)
        self._single = jax.jit(step)

    def reset(self, weights, biases):
        jnp = self.jnp
        self.params = (tuple(jnp.asarray(np.array(w, np.float32)) for w in weights),
                       tuple(jnp.asarray(np.array(b, np.float32).reshape(-1)) for b in biases))

    def _run(self, indices) -> float:
        start = time.perf_counter()
        full = len(indices) // self.batch * self.batch
        params = self.params
        if full:
            batches = self.jnp.asarray(np.asarray(indices[:full], np.int32).reshape(-1, self.batch))
            params = self._epoch(params, self.X, self.T, batches)
        if full < len(indices):
            params = self._single(params, self.X, self.T,
                                  self.jnp.asarray(np.asarray(indices[full:], np.int32)))
        self.params = self.jax.block_until_ready(params)
        return time.perf_counter() - start

    def epoch(self, order):
        return self._run(order.indices)

    def warm_up(self, order):
        saved = self.params
        self._run(order.indices)  # compiles for the epoch's shapes (the timed epochs reuse it)
        self.params = saved

    def parameters(self):
        W, b = self.params
        return ([np.asarray(w, np.float64) for w in W],
                [np.asarray(v, np.float64).reshape(-1, 1) for v in b])

    def versions(self):
        import jaxlib
        return {"jax": self.jax.__version__, "jaxlib": jaxlib.__version__}


class JaxUnpinnedImpl(JaxImpl):
    name, label = "jax-unpinned", "JAX (float32, jit + lax.scan epoch, not pinned)"
    pinned = False


class JaxFlagsImpl(JaxImpl):
    name, label = "jax-xla-flags", "JAX (float32, jit + lax.scan epoch, XLA one-thread flags)"
    xla_one_thread = True


class JaxUnpinnedFlagsImpl(JaxFlagsImpl):
    name = "jax-unpinned-xla-flags"
    label = "JAX (float32, jit + lax.scan epoch, not pinned, XLA one-thread flags)"
    pinned = False
