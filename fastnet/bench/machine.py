"""The machine and the arithmetic: the CPU, its measured float32 matmul rate, the load
average, and the multiply-adds an epoch costs (for the "fraction of the arithmetic
floor")."""
import os
import platform
import time
from typing import Optional, Sequence

import numpy as np

#: the environment variables that set the BLAS / OpenMP / MKL thread counts
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def macs_per_example(sizes: Sequence[int]) -> int:
    """Multiply-adds one example costs: forward sum(n_in*n_out), backward (BP2) the
    weight matrices after the first, update (BP4 outer products) sum(n_in*n_out)."""
    pairs = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return sum(pairs) + sum(pairs[1:]) + sum(pairs)


def sparse_macs_per_epoch(sizes: Sequence[int], X: np.ndarray) -> int:
    """Multiply-adds fastnet performs in one epoch over X (n, n_in): as
    ``macs_per_example``, but the first layer's forward sums and update touch only each
    example's non-zero inputs (nnz(x) * n_1 each, no backward into the inputs); the
    other layers are dense."""
    pairs = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return 2 * int(np.count_nonzero(X)) * sizes[1] + len(X) * 3 * sum(pairs[1:])


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def peak_macs_per_second(n: int = 1024, repeats: int = 7) -> float:
    """The float32 matmul rate of this process (threads as set): n^3 multiply-adds of an
    (n, n) @ (n, n) np.dot over its best time of ``repeats``."""
    rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    out = np.empty((n, n), np.float32)
    np.dot(a, b, out=out)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.dot(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return n ** 3 / best


def load_average() -> Optional[float]:
    """The 1-minute load average (None where the system has none): on a shared machine,
    a load above the CPUs' count means the timings were taken with others running."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def machine_info(threads: int, peak: float) -> dict:
    """The CPU, versions, the fastnet package measured, thread environment and ``peak``
    matmul rate, for the record."""
    env = ", ".join(f"{var}={os.environ.get(var, 'unset')}" for var in THREAD_VARS[:3])
    try:
        import numba
        env = f"numba {threads}, " + env
        numba_version = numba.__version__
    except ImportError:  # pragma: no cover
        numba_version = None
    return dict(cpu=cpu_name(), cpus=os.cpu_count(), python=platform.python_version(),
                package=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                numpy=np.__version__, numba=numba_version, thread_env=env,
                xla_flags=os.environ.get("XLA_FLAGS"), peak_macs_per_second=peak)
