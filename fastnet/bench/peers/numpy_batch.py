"""The whole mini-batch as matrices in numpy float32 (BLAS): rows are examples."""
import numpy as np

from .base import Impl, one_hot, time_steps


class NumpyBatchImpl(Impl):
    name, label = "numpy-batch", "numpy mini-batch matrices (float32, BLAS)"

    def __init__(self, sizes, X, y, batch, eta):
        super().__init__(sizes, np.ascontiguousarray(X, np.float32), y, batch, eta)
        self.T = one_hot(y, sizes[-1], np.float32)

    def reset(self, weights, biases):
        self.W = [np.array(w, np.float32) for w in weights]
        self.b = [np.array(b, np.float32).reshape(-1) for b in biases]

    def step(self, idx):
        """One mini-batch: Z = A W^T + b, A = sigmoid(Z); deltas
        D_L = (A_L - T) A_L (1 - A_L), D_l = (D_{l+1} W_{l+1}) A_l (1 - A_l); then
        W -= eta/m D^T A_prev, b -= eta/m sum(D)."""
        W, b = self.W, self.b
        A = self.X[idx]
        acts = [A]
        for Wl, bl in zip(W, b):
            Z = A @ Wl.T
            Z += bl
            np.negative(Z, out=Z)
            np.exp(Z, out=Z)
            Z += 1
            A = np.reciprocal(Z, out=Z)
            acts.append(A)
        scale = np.float32(self.eta / len(idx))
        D = (A - self.T[idx]) * A * (1 - A)
        for l in range(len(W) - 1, -1, -1):
            prev = acts[l]
            grad_W = D.T @ prev
            grad_b = D.sum(axis=0)
            if l > 0:
                D = (D @ W[l]) * prev * (1 - prev)  # with the old W[l]
            grad_W *= scale
            W[l] -= grad_W
            grad_b *= scale
            b[l] -= grad_b

    def epoch(self, order):
        return time_steps(self.step, order.indices, self.batch)

    def warm_up(self, order):
        time_steps(self.step, order.indices[:20 * self.batch], self.batch)

    def parameters(self):
        return ([np.array(w, np.float64) for w in self.W],
                [np.array(b, np.float64).reshape(-1, 1) for b in self.b])

    def versions(self):
        return {"numpy": np.__version__}
