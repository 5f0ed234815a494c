"""Running many independent training runs: in this process one after another, or as
tasks on a Dask cluster (an embedded ``LocalCluster`` of ``jobs`` single-threaded
worker processes, or an existing cluster by its scheduler's address).

Each run is ``task(dataset, **config) -> dict``, with ``task`` a module-level function.
Runs are single-threaded everywhere (parallelism is across runs), so a run gives the
same numbers in this process, on a local worker and on another machine of the same
kind. A worker loads the data set once and keeps it, with the sparse form of its
training inputs that all its runs share (``data.training_set``): the embedded
cluster's workers map the copy this process saves in memory (``data.share``); a
cluster's workers read it from the same path, or get it sent once each (scattered,
broadcast) when they cannot, never with each task. A worker that dies mid-run has its
run started again on another; Ctrl-C cancels the runs not finished and keeps those
that are.

Dask is imported here only when a cluster is used: ``import fastnet`` never imports it.
The embedded cluster's workers are started with ``spawn``, which imports the calling
script again: a script that runs many runs with ``jobs`` > 1 keeps its code under
``if __name__ == "__main__":``, as any multiprocessing script must.
"""
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np

from ..core.lifetime import skip_collection_at_exit
from ..core.rng import own_random
from ..core.threads import using_threads
from ..core.validate import check_int
from .data import (DataFile, Dataset, Limits, SharedCopy, data_file, dataset_for, share, training_set,
                   unshare)

log = logging.getLogger("fastnet.sweeps")

#: the environment variable naming an existing cluster's scheduler (``--scheduler``)
SCHEDULER_ENV = "FASTNET_SCHEDULER"
#: seconds to wait for a scheduler to answer before giving up
CONNECT_SECONDS = 5
#: environment of the embedded cluster's workers, set before they start: one Numba
#: thread each, as N workers x N threads would oversubscribe the cores
WORKER_ENV = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
#: environment the embedded cluster's workers are spawned with, which glibc reads as
#: the process starts: 64 MiB kept at the top of its heaps, without which a worker
#: gives the memory of each epoch's evaluation back to the system and faults it in
#: again (10,000 page faults per 784-30-10 run; one process running the same runs
#: has none)
SPAWN_ENV = {"MALLOC_TOP_PAD_": str(64 << 20)}
#: Dask settings of the embedded cluster, whose every core runs a training run: no
#: statistical profiler sampling the runs' threads every 10 ms, the event loops'
#: watchdog and system monitor waking less often, none of the scheduler's work
#: stealing and memory manager, which have nothing to move (the runs wait in the
#: scheduler's queue and hold no data), and a worker holds only the run it runs, so
#: the next run goes to whichever worker is free first instead of waiting behind
#: another in a busy worker's queue at the end (docs/performance.md has the figures)
CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False,
                  "distributed.admin.tick.interval": "1s",
                  "distributed.admin.system-monitor.interval": "2s",
                  "distributed.scheduler.work-stealing": False,
                  "distributed.scheduler.active-memory-manager.start": False,
                  "distributed.scheduler.worker-saturation": 1.0}
#: what Dask's nannies put in a worker's environment by default and the embedded
#: cluster's workers go without: glibc's trim threshold at 64 KiB, with which each
#: temporary array over 64 KiB (the test set's costs, 10,000 x 10) is given back to the
#: system when freed and faulted in again when next made
DASK_WORKER_ENV_LEFT_OUT = ("MALLOC_TRIM_THRESHOLD_",)

Task = Callable[..., dict]
Done = Callable[[int, dict], None]


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the platform tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no sched_getaffinity (macOS, Windows)
        return max(1, os.cpu_count() or 1)


def cap_jobs(jobs: int, name: str = "jobs") -> int:
    """``jobs`` capped at the usable CPUs, with a note on the log saying so: more worker
    processes than CPUs would only compete for them."""
    jobs = check_int(jobs, name, 1)
    cpus = usable_cpus()
    if jobs > cpus:
        log.warning("%s %d: this machine has %d usable CPU%s; running %d processes at a time",
                    name, jobs, cpus, "" if cpus == 1 else "s", cpus)
    return min(jobs, cpus)


def scheduler_from(option: Optional[str], jobs: Optional[int]) -> Tuple[Optional[str], str]:
    """The scheduler's address and how to name it in errors: ``--scheduler`` if given,
    else ``$FASTNET_SCHEDULER`` unless ``--jobs`` was given, else None (this machine)."""
    if option is not None:
        return option, "--scheduler"
    if jobs is None and os.environ.get(SCHEDULER_ENV):
        return os.environ[SCHEDULER_ENV], f"${SCHEDULER_ENV}"
    return None, "--scheduler"


def run_tasks(task: Task, configs: List[dict], *, jobs: int = 1, scheduler: Optional[str] = None,
              dataset: Optional[Dataset] = None, path=None, limits: Limits = (None, None),
              done: Optional[Done] = None, argument: str = "data=",
              cost: Optional[Callable[[dict], float]] = None) -> Tuple[Dict[int, dict], bool]:
    """``task(data set, **configs[i])`` for every i: the results by i, and whether Ctrl-C
    cut the runs short (then only the finished runs are there).

    The data set is ``dataset`` if given, else the data at ``path`` (``argument`` names
    it in errors) cut to ``limits``. Where the runs go, and ``cost``: see ``Executor``.
    ``done(i, result)`` is called here as each run finishes, before the next result is
    taken."""
    if not configs:
        return {}, False
    source = dataset if dataset is not None else data_file(path, limits, argument)
    with Executor(jobs, scheduler, len(configs)) as executor:
        return executor.run(task, configs, source, done, cost)


class Executor:
    """Where runs go: with ``scheduler`` (an address such as tcp://host:8786) the cluster
    there; else with ``jobs`` > 1 (capped at the CPUs and at ``runs``) an embedded
    cluster of that many single-threaded workers; else this process, one run after
    another. A cluster is started (or connected to) in the background as soon as the
    executor is made, so the caller can load and check its data meanwhile; a
    ConnectionError from it surfaces at the first ``run``. Close it (``with``) to stop
    the embedded cluster."""

    def __init__(self, jobs: int = 1, scheduler: Optional[str] = None, runs: Optional[int] = None,
                 source: Optional[DataFile] = None):
        self.jobs = min(cap_jobs(jobs), max(1, runs)) if runs is not None else cap_jobs(jobs)
        self.here = scheduler is None and self.jobs == 1
        self._embedded = scheduler is None and not self.here
        self._starter = self._client = self._shared = None
        if not self.here:
            self._stack = ExitStack()
            self._starter = ThreadPoolExecutor(1, thread_name_prefix="fastnet-cluster")
            self._client = self._starter.submit(self._start, scheduler, source)

    def _start(self, scheduler: Optional[str], source: Optional[DataFile]):
        """The client, once the cluster is up and every worker has prepared
        (``prepare_worker``: on another cluster, also loading ``source``)."""
        client = self._stack.enter_context(dask_client(self.jobs, scheduler))
        client.run(prepare_worker, None if self._embedded else source, self._embedded)
        return client

    def run(self, task: Task, configs: List[dict], source, done: Optional[Done] = None,
            cost: Optional[Callable[[dict], float]] = None) -> Tuple[Dict[int, dict], bool]:
        """``task(data set, **configs[i])`` for every i, on ``source`` (a Dataset or a
        DataFile): the results by i, and whether Ctrl-C cut the runs short. On a cluster,
        runs of a larger ``cost(config)`` start first, so the last ones to finish are
        short and no worker waits long for the others at the end."""
        results: Dict[int, dict] = {}

        def finished(index: int, result: dict) -> None:
            results[index] = result
            if done is not None:
                done(index, result)
        if self.here:
            try:
                for index, config in enumerate(configs):
                    finished(index, run_one(task, source, config))
            except KeyboardInterrupt:
                return results, True
            return results, False
        if self._embedded:  # saved while the workers start, mapped by each of them
            if self._shared is None:
                self._shared = share(dataset_for(source))
            source = self._shared
        client = self._client.result()
        return results, _run_on_cluster(client, task, configs, source, finished, cost)

    def close(self) -> None:
        if self._starter is not None:
            try:
                self._client.result()  # a cluster still starting is stopped once started
            except BaseException:
                pass
            finally:
                self._starter.shutdown()
                self._stack.close()
                self._starter = None
                if self._shared is not None:
                    unshare(self._shared)
                    self._shared = None

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _run_on_cluster(client, task: Task, configs: List[dict], source, finished: Done,
                    cost: Optional[Callable[[dict], float]] = None) -> bool:
    """Submit every run (the costliest first), hand each result to ``finished`` as it
    comes; True after Ctrl-C (the runs not finished are cancelled)."""
    from dask.distributed import as_completed
    data = place_data(client, source)
    costs = [cost(config) if cost else 0.0 for config in configs]
    order = sorted(range(len(configs)), key=lambda i: -costs[i])  # stable: ties keep their order
    futures = {client.submit(run_one, task, data, configs[i], pure=False,
                             priority=len(configs) - rank): i
               for rank, i in enumerate(order)}
    try:
        for future in as_completed(futures):
            finished(futures[future], future.result())
    except KeyboardInterrupt:
        client.cancel(list(futures))
        return True
    except BaseException:
        client.cancel(list(futures))
        raise
    return False


def prepare_worker(source: Optional[DataFile], ends_with_the_sweep: bool = False) -> None:
    """On a worker as a cluster starts, while the caller still checks its own copy of
    the data: load the compiled kernels (a tiny run on made-up data) and, given a
    ``source`` this worker can read, the data set, so its first run starts at once.
    A worker that ``ends_with_the_sweep`` (the embedded cluster's) also skips the
    garbage collection at its exit (``core.lifetime``), which closing the cluster
    waits for."""
    if ends_with_the_sweep:
        skip_collection_at_exit()
    if source is not None and os.path.exists(source.path):
        training_set(source)
    from ..network import Network
    with using_threads(1), own_random():
        X = (np.arange(20 * 16, dtype=np.float32).reshape(20, 16) % 7) / 7
        y = np.arange(20) % 4
        for _ in Network([16, 2, 4]).train_epochs((X, y), 1, 10, 1.0, (X, y),
                                                   monitor=("test_cost",)):
            pass


def run_one(task: Task, data, config: dict) -> dict:
    """One run, here or on a worker: single-threaded, on the data set this process keeps
    (``data``: a Dataset or a DataFile), drawing from generators of its own
    (``core.rng.own_random``); its network stays where it was trained."""
    with using_threads(1), own_random():
        result = task(training_set(data), **config)
    result.pop("net", None)
    return result


def place_data(client, source):
    """What the tasks get as their data: a SharedCopy (the embedded cluster's workers
    share this machine), a DataFile when every worker can read that path, else the data
    set itself, sent once to every worker (a Future)."""
    if isinstance(source, SharedCopy):
        return source
    if isinstance(source, DataFile):
        readable = client.run(os.path.exists, source.path)
        if readable and all(readable.values()):
            return source
        source = dataset_for(source)
    return client.scatter(source, broadcast=True)


@contextmanager
def dask_client(jobs: int, scheduler: Optional[str]) -> Iterator:
    """A Dask client of the cluster at ``scheduler``, or of an embedded ``LocalCluster``
    of ``jobs`` single-threaded worker processes (``WORKER_ENV``; no memory limit, so
    nothing polls their memory every 100 ms); both closed on exit.
    An address that does not answer within CONNECT_SECONDS is a ConnectionError naming
    it."""
    import dask
    from dask.distributed import Client, LocalCluster
    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # workers restarting, connections closing: said below
    cluster = None
    try:
        if scheduler is not None:
            try:
                client = Client(scheduler, timeout=f"{CONNECT_SECONDS}s")
            except (OSError, TimeoutError, ValueError, TypeError) as error:
                raise ConnectionError(f"no Dask scheduler answered at {scheduler} within "
                                      f"{CONNECT_SECONDS} s ({error})") from None
        else:
            dasks_env = dask.config.get("distributed.nanny.pre-spawn-environ", {})
            spawn_env = {name: value for name, value in dasks_env.items()
                         if name not in DASK_WORKER_ENV_LEFT_OUT} | SPAWN_ENV
            settings = {**CLUSTER_CONFIG, "distributed.nanny.pre-spawn-environ": spawn_env}
            with dask.config.set(settings):  # the workers are started with these
                cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=logging.CRITICAL,
                                       env=dict(WORKER_ENV), memory_limit=0)
            client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
        quiet.setLevel(level)
