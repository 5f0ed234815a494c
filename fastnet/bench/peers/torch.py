"""PyTorch peers, float32 (torch is imported when one is made):

- ``torch``: the matrix formulas of numpy-batch with the gradients written by hand;
- ``torch-autograd``: the same forward, gradients from ``torch.autograd.grad``;
- ``torch-nn``: idiomatic training code, ``nn.Sequential`` + a loss module +
  ``loss.backward()`` + ``torch.optim.SGD``.
"""
import contextlib

import numpy as np

from .base import Impl, NotInstalled, one_hot, time_steps


class TorchImpl(Impl):
    """Hand-written gradients (addmm, in-place updates) under ``torch.no_grad``."""
    name, label = "torch", "PyTorch (float32, manual gradients)"

    def __init__(self, sizes, X, y, batch, eta, threads):
        try:
            import torch
        except ImportError as error:
            raise NotInstalled(str(error)) from None
        torch.set_num_threads(threads)
        self.torch = torch
        super().__init__(sizes, torch.from_numpy(np.ascontiguousarray(X, np.float32)), y, batch, eta)
        self.T = torch.from_numpy(one_hot(y, sizes[-1], np.float32))

    @classmethod
    def from_config(cls, sizes, X, y, config):
        return cls(sizes, X, y, config.batch, config.eta, config.threads)

    def reset(self, weights, biases):
        torch = self.torch
        self.W = [torch.from_numpy(np.array(w, np.float32)) for w in weights]
        self.b = [torch.from_numpy(np.array(b, np.float32).reshape(-1)) for b in biases]

    def step(self, idx):
        torch = self.torch
        W, b = self.W, self.b
        A = self.X.index_select(0, idx)
        acts = [A]
        for Wl, bl in zip(W, b):
            A = torch.addmm(bl, A, Wl.t()).sigmoid_()
            acts.append(A)
        scale = self.eta / len(idx)
        D = (A - self.T.index_select(0, idx)) * A * (1 - A)
        for l in range(len(W) - 1, -1, -1):
            prev = acts[l]
            grad_b = D.sum(0)
            if l > 0:
                D_next = (D @ W[l]) * prev * (1 - prev)
            W[l].addmm_(D.t(), prev, alpha=-scale)
            b[l].sub_(grad_b, alpha=scale)
            if l > 0:
                D = D_next

    def gradients(self):
        """The context the steps run in: no autograd graph."""
        return self.torch.no_grad()

    def _run(self, order, limit=None) -> float:
        idx = self.torch.from_numpy(np.ascontiguousarray(order.indices[:limit]))
        with self.gradients():
            return time_steps(self.step, idx, self.batch)

    def epoch(self, order):
        return self._run(order)

    def warm_up(self, order):
        self._run(order, 20 * self.batch)

    def parameters(self):
        return ([w.detach().numpy().astype(np.float64) for w in self.W],
                [b.detach().numpy().astype(np.float64).reshape(-1, 1) for b in self.b])

    def versions(self):
        return {"torch": self.torch.__version__}


class TorchAutogradImpl(TorchImpl):
    """Autograd: loss = 1/2 sum over the batch of ||a - y||^2 (so the gradient is the sum
    of the per-example ones), then W -= eta/m * W.grad."""
    name, label = "torch-autograd", "PyTorch (float32, autograd + manual SGD)"

    def reset(self, weights, biases):
        super().reset(weights, biases)
        for p in self.W + self.b:
            p.requires_grad_(True)

    def gradients(self):
        return contextlib.nullcontext()

    def step(self, idx):
        torch = self.torch
        A = self.X.index_select(0, idx)
        for Wl, bl in zip(self.W, self.b):
            A = torch.sigmoid(torch.addmm(bl, A, Wl.t()))
        loss = 0.5 * (A - self.T.index_select(0, idx)).pow(2).sum()
        params = self.W + self.b
        grads = torch.autograd.grad(loss, params)
        scale = self.eta / len(idx)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(g, alpha=scale)


class TorchNNImpl(TorchAutogradImpl):
    """``nn.Sequential(nn.Linear, nn.Sigmoid, ...)``, a loss module,
    ``optimizer.zero_grad(); loss.backward(); optimizer.step()`` with ``torch.optim.SGD``.
    The same update: loss = 1/2 ``MSELoss(reduction='sum')`` (the sum of the per-example
    costs) and lr = eta/m, set per step (a shorter last mini-batch has its own m)."""
    name, label = "torch-nn", "PyTorch (float32, nn.Sequential + loss.backward + optim.SGD)"

    def __init__(self, sizes, X, y, batch, eta, threads):
        super().__init__(sizes, X, y, batch, eta, threads)
        nn = self.torch.nn
        self.model = nn.Sequential(*[layer for m, n in zip(sizes[:-1], sizes[1:])
                                     for layer in (nn.Linear(m, n), nn.Sigmoid())])
        self.loss = nn.MSELoss(reduction="sum")
        self.optimizer = self.torch.optim.SGD(self.model.parameters(), lr=eta / batch)
        self.W = [linear.weight for linear in self.model[::2]]  # (out, in), as ours
        self.b = [linear.bias for linear in self.model[::2]]

    def reset(self, weights, biases):
        with self.torch.no_grad():
            for p, value in zip(self.W + self.b, [*weights, *biases]):
                p.copy_(self.torch.from_numpy(np.asarray(value, np.float32).reshape(p.shape)))

    def step(self, idx):
        self.optimizer.param_groups[0]["lr"] = self.eta / len(idx)
        self.optimizer.zero_grad()
        loss = 0.5 * self.loss(self.model(self.X.index_select(0, idx)), self.T.index_select(0, idx))
        loss.backward()
        self.optimizer.step()


class TorchPinnedImpl(TorchImpl):
    """The manual-gradient peer in a process of its own pinned to ``--threads`` CPUs."""
    name, label = "torch-pinned", "PyTorch (float32, manual gradients)"
    own_process, pinned = True, True


class TorchNNPinnedImpl(TorchNNImpl):
    """``torch-nn`` in a process of its own pinned to ``--threads`` CPUs."""
    name, label = "torch-nn-pinned", TorchNNImpl.label
    own_process, pinned = True, True
