"""``fastnet bench``: one training epoch of fastnet side by side with its peers.

Every implementation trains the same sigmoid network on the same data -- quadratic cost,
mini-batch SGD with the book's update ``w -= eta/m * (sum of the per-example
gradients)`` -- from the same initial parameters (``np.random`` seeded, ``randn`` as the
book) in the same shuffled order (the permutation ``random.shuffle`` makes, which is
fastnet's own). The rounds are interleaved: round r runs every implementation once, in an
order that rotates with r. Compilation and warm-up are never timed. Before timing, each
implementation's parameters after a few mini-batches are compared with the float64
per-example reference (the "check" line).

The peers (``peers/``, one module per family, each importing its framework only when
used): ``fastnet``; ``seed``, the seed's per-example numpy float64 network.py, timed on a
slice and scaled to the epoch; ``numpy-batch``, the mini-batch as float32 matrices;
``torch`` (hand-written gradients), ``torch-nn`` (``nn.Sequential``, ``loss.backward()``,
``torch.optim.SGD``); ``jax`` (the epoch as one jitted ``lax.scan``, in a process of its
own pinned to ``--threads`` CPUs); with ``--only`` also ``torch-autograd``,
``fastnet-1thread`` (fastnet on one thread whatever ``--threads``: beside ``--threads 2``
its row is the second thread's speed-up) and the other settings of JAX and PyTorch
(``jax-unpinned``, ``jax-xla-flags``, ``jax-unpinned-xla-flags``, ``torch-pinned``,
``torch-nn-pinned``). ``--baseline PATH`` adds ``fastnet-baseline``: the fastnet of the
checkout PATH in a process of its own (``peers.remote``, ``serve``), interleaved with the
others.

Threads: everything runs on ``--threads N`` (default 1): Numba through
``fastnet.core.threads.using_threads``, BLAS/OpenMP/MKL through environment variables,
which only work if they are set before numpy is imported. So the measurement runs in a
child process (``fastnet.bench.worker``, this checkout's) started with that environment;
the parent checks the arguments, the data and the --json destination, and waits.

Output: a Markdown table per network (median and fastest epoch, how many times faster
fastnet is, examples per second) and fastnet's "fraction of the arithmetic floor": the
dense floor, every multiply-add of an epoch's matrices over the machine's measured
float32 matmul rate, and the sparse floor, the multiply-adds fastnet performs (the first
layer on the non-zero inputs only) over the same rate. ``--markdown`` adds one table of
all networks (a row per network, a column per implementation), the form of the tables in
docs/performance.md. ``--json`` is written atomically (``io.atomic``).

Layout: ``options`` (Config, what to measure), ``peers`` (the implementations by name),
``start`` (initial parameters, epoch order), ``reference`` (the numerical check),
``runner`` (rounds, timing, the child process), ``worker`` (the child's entry point),
``serve`` (a peer's own process), ``data``, ``machine``, ``report`` (Markdown). The
command line is ``fastnet.cli.bench`` (``fastnet bench``, ``benchmarks/compare.py``).
"""
