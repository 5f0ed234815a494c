"""The work buffers of a training run and the calls into the training kernels: the one
place where the kernels' records (``kernels.records``) are built, by keyword."""
from typing import Callable, Optional

import numpy as np

from .. import kernels
from ..kernels.records import (
    Architecture,
    Buffers,
    HyperParameters,
    Parameters,
    Shared,
)
from .compile_note import will_compile
from .guards import parallel_launch
from .inputs import SparseInputs
from .params import ParameterLayout, aligned_zeros
from .threads import using_threads


class Workspace:
    """Work buffers for mini-batches of up to ``capacity`` examples: allocated once,
    reused by every mini-batch of a run."""

    def __init__(self, layout: ParameterLayout, capacity: int, dtype):
        self.layout = layout
        row_starts, per_example_size = kernels.row_offsets(layout.sizes, capacity)
        self.buffers = Buffers(
            acts=aligned_zeros(per_example_size, dtype),
            derivs=aligned_zeros(per_example_size, dtype),
            deltas=aligned_zeros(per_example_size, dtype),
            row_starts=row_starts,
        )
        #: threaded training's barrier state and lower half's first-layer sums
        self.shared = Shared(lower=aligned_zeros(capacity * layout.first_width, dtype),
                             sync=np.zeros(kernels.SYNC_STATE_SIZE, np.int64))

    @property
    def acts(self) -> np.ndarray:
        return self.buffers.acts

    @property
    def derivs(self) -> np.ndarray:
        return self.buffers.derivs

    @property
    def deltas(self) -> np.ndarray:
        return self.buffers.deltas

    def _architecture(self, cost: int, codes) -> Architecture:
        return Architecture(sizes=self.layout.sizes, starts=self.layout.starts, codes=codes,
                            cost=int(cost))

    def train(self, inputs: SparseInputs, targets, order, *, batch_size, cost, codes, eta,
              average, l2_rate, l1_rate, momentum, dropout, seed, first_step, params, velocity,
              threads: int = 1, before_compiling: Optional[Callable[[], None]] = None):
        """Mini-batch SGD over ``order`` (``kernels.train_epoch``), on ``threads`` threads:
        ``velocity`` (laid out like params) is used when momentum > 0; l2_rate = lmbda/n,
        l1_rate = l1/n; dropout masks keyed by seed and the step numbers from first_step.
        ``before_compiling()`` is called first if the kernel compiles for these types."""
        hyper = HyperParameters(batch_size=int(batch_size), eta=float(eta), average=bool(average),
                                l2=float(l2_rate), l1=float(l1_rate), momentum=float(momentum),
                                dropout=float(dropout), seed=int(seed), first_step=int(first_step))
        args = (inputs.rows, targets, order, self._architecture(cost, codes), hyper,
                Parameters(params=params, velocity=velocity), self.buffers)
        if threads > 1:
            args += (self.shared, threads)
        kernel = kernels.train_epoch if threads == 1 else kernels.train_epoch_threaded
        if before_compiling is not None and will_compile(kernel, args):
            before_compiling()
        if threads == 1:
            kernel(*args)
        else:
            with using_threads(threads), parallel_launch():
                kernel(*args)

    def gradient(self, inputs: SparseInputs, targets, cost, codes, params, grads):
        """The summed gradient of the cost over every example of inputs, into grads."""
        rows = np.arange(len(inputs), dtype=np.int64)
        kernels.batch_gradient(rows, inputs.rows, targets, params, self._architecture(cost, codes), self.buffers,
                               grads)
