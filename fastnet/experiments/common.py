"""What every experiment shares: the data, one seeded training run, running many runs
(in parallel processes with ``jobs``), and the result as a Markdown table."""
import logging
import multiprocessing
import os
import random
import statistics
import sys
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

Arrays = Tuple[np.ndarray, np.ndarray]  # X (n, inputs) float32, y (n,) int64

# "run k/N finished" as runs complete (the command line shows these on stderr)
log = logging.getLogger("fastnet.experiments")


@dataclass
class Dataset:
    """Training and test arrays (MNIST's 50,000 / 10,000 unless limited)."""
    train: Arrays
    test: Arrays


def load_dataset(path=None, train_limit: Optional[int] = None, test_limit: Optional[int] = None) -> Dataset:
    """MNIST (or any data set in its format) via ``fastnet.data``; the first
    ``train_limit`` / ``test_limit`` examples only, for quick runs and tests."""
    from ..io.idx import load_mnist_arrays
    (X, y), _, (Xt, yt) = load_mnist_arrays(path, validation_size=None)
    return Dataset((X[:train_limit], y[:train_limit]), (Xt[:test_limit], yt[:test_limit]))


def seeded(seed: int) -> None:
    """Seed both generators the original draws from."""
    np.random.seed(seed)
    random.seed(seed)


def train_run(dataset: Dataset, sizes: Sequence[int], seed: int, epochs: int, batch: int = 10,
              eta: float = 3.0, encoding: Optional[str] = None, reduction: str = "mean",
              targets: Optional[Callable] = None) -> dict:
    """Train a freshly seeded ``Network(sizes)``; return per-epoch test accuracy (%),
    the best epoch, the final accuracy and the median epoch time. ``targets`` maps the
    data's labels to the labels this network learns (e.g. "is it a 3?")."""
    from ..network import Network
    (X, y), (Xt, yt) = dataset.train, dataset.test
    if targets is not None:
        y, yt = targets(y), targets(yt)
    seeded(seed)
    net = Network(sizes, encoding=encoding)
    accuracy, seconds = [], []
    for result in net.train_epochs((X, y), epochs, batch, eta, (Xt, yt), reduction=reduction):
        accuracy.append(100.0 * result.correct / result.n_test)
        seconds.append(result.seconds)
    best = int(np.argmax(accuracy)) if accuracy else None
    return dict(sizes=list(sizes), seed=seed, accuracy=accuracy, best_epoch=best,
                final=accuracy[-1] if accuracy else None,
                seconds_per_epoch=statistics.median(seconds) if seconds else None, net=net)


@dataclass
class Result:
    """An experiment's answer: one row per configuration, shown as a Markdown table."""
    title: str
    columns: List[Tuple[str, str]]  # (key in each row, column header)
    rows: List[dict] = field(default_factory=list)
    note: str = ""
    interrupted: bool = False

    def markdown(self) -> str:
        lines = [f"### {self.title}", "",
                 "| " + " | ".join(header for _, header in self.columns) + " |",
                 "|" + "|".join("---" for _ in self.columns) + "|"]
        for row in self.rows:
            lines.append("| " + " | ".join(_cell(row.get(key)) for key, _ in self.columns) + " |")
        if self.interrupted:
            lines += ["", f"Interrupted: {len(self.rows)} rows from the runs that finished."]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e-3 or abs(value) >= 1e5 else f"{value:.2f}"
    return str(value)


def mean_std(values: Sequence[float]) -> Tuple[float, float]:
    """Mean and (sample) standard deviation; std 0 for a single value."""
    values = list(values)
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


_worker_dataset: Optional[Dataset] = None


def _worker_init(path, limits) -> None:
    global _worker_dataset
    _worker_dataset = load_dataset(path, *limits)


def _worker_call(task_and_config):
    task, config = task_and_config
    result = task(_worker_dataset, **config)
    result.pop("net", None)  # networks stay in the worker
    return result


def run_many(task: Callable[..., dict], configs: List[dict], jobs: int = 1,
             dataset: Optional[Dataset] = None, path=None,
             limits: Tuple[Optional[int], Optional[int]] = (None, None)) -> Tuple[List[dict], bool]:
    """``[task(dataset, **config) for config in configs]`` and whether Ctrl-C cut it short
    (then the list holds the finished runs only, in order).

    ``jobs`` > 1 runs the configs in that many ``spawn``-ed processes (fork is unsafe with
    Numba's OpenMP threads), each single-threaded and loading the data once from ``path``;
    a ``task`` must then be a module-level function and its result picklable (the
    ``net`` entry is dropped)."""
    if jobs <= 1:
        dataset = dataset or load_dataset(path, *limits)
        results = []
        try:
            for config in configs:
                results.append(task(dataset, **config))
                log.info("run %d/%d finished", len(results), len(configs))
        except KeyboardInterrupt:
            return results, True
        return results, False
    context = multiprocessing.get_context("spawn")
    saved = os.environ.get("NUMBA_NUM_THREADS")
    os.environ["NUMBA_NUM_THREADS"] = "1"  # read by each worker at import: runs are parallel already
    try:
        pool = context.Pool(jobs, initializer=_worker_init, initargs=(path, limits))
    finally:
        if saved is None:
            del os.environ["NUMBA_NUM_THREADS"]
        else:
            os.environ["NUMBA_NUM_THREADS"] = saved
    results = []
    try:
        for result in pool.imap(_worker_call, [(task, config) for config in configs]):
            results.append(result)
            log.info("run %d/%d finished", len(results), len(configs))
        pool.close()
        pool.join()
    except KeyboardInterrupt:  # also while the pool shuts down, after the last result
        pool.terminate()
        pool.join()
        if len(results) == len(configs):
            return results, False
        print(f"Interrupted: {len(results)} of {len(configs)} runs finished.", file=sys.stderr)
        return results, True
    return results, False
