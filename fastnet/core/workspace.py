"""The work buffers of a training run and the calls into the training kernels."""
import numpy as np

from .. import kernels
from .inputs import SparseInputs
from .params import ParameterLayout, aligned_zeros
from .threads import using_threads


class Workspace:
    """Work buffers for mini-batches of up to ``capacity`` examples: allocated once,
    reused by every mini-batch of a run."""

    def __init__(self, layout: ParameterLayout, capacity: int, dtype):
        self.layout = layout
        self.sync_state = np.zeros(kernels.SYNC_STATE_SIZE, np.int64)  # the threads' barrier
        self.row_starts, per_example_size = kernels.row_offsets(layout.sizes, capacity)
        self.acts = aligned_zeros(per_example_size, dtype)
        self.derivs = aligned_zeros(per_example_size, dtype)
        self.deltas = aligned_zeros(per_example_size, dtype)
        #: threaded training: the first layer's sums over the lower half of the inputs
        self.lower_sums = aligned_zeros(capacity * layout.first_width, dtype)

    def train(self, inputs: SparseInputs, targets, order, batch_size, cost, codes, eta, average,
              l2_rate, l1_rate, momentum, dropout, seed, first_step, params, velocity,
              threads: int = 1):
        """Mini-batch SGD over ``order`` (``kernels.train_epoch``), on ``threads`` threads."""
        args = (inputs.indptr, inputs.indices, inputs.values, targets, order, batch_size, cost,
                codes, eta, average, l2_rate, l1_rate, momentum, dropout, seed, first_step, params,
                velocity, self.layout.sizes, self.layout.starts, self.acts, self.derivs,
                self.deltas, self.row_starts)
        if threads == 1:
            kernels.train_epoch(*args)
        else:
            with using_threads(threads):
                kernels.train_epoch_threaded(*args, threads, self.sync_state, self.lower_sums)

    def gradient(self, inputs: SparseInputs, targets, cost, codes, params, grads):
        rows = np.arange(len(inputs), dtype=np.int64)
        kernels.batch_gradient(rows, inputs.indptr, inputs.indices, inputs.values, targets, cost,
                               params, self.layout.sizes, self.layout.starts, codes, self.acts,
                               self.derivs, self.deltas, self.row_starts, grads)
