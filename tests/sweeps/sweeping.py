"""What the sweep tests share: the ``fastnet`` command in a subprocess, the records of a
results file, and a real Dask cluster (a ``dask scheduler`` and two ``dask worker``
processes on 127.0.0.1) that ``conftest.dask_cluster`` starts and stops."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from terminal import ctrl_c_enabled


def fastnet(*args, timeout=600, **kwargs) -> subprocess.CompletedProcess:
    """``python -m fastnet ARGS`` to completion (text output)."""
    return subprocess.run([sys.executable, "-m", "fastnet", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, **kwargs)


def start_fastnet(*args, **kwargs) -> subprocess.Popen:
    """``python -m fastnet ARGS`` started, not waited for."""
    return subprocess.Popen([sys.executable, "-m", "fastnet", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ctrl_c_enabled, **kwargs)


def records(path: Path) -> list:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run_keys(rows: list) -> list:
    """Each run's configuration and seed, as comparable text."""
    return [json.dumps([row["config"], row["seed"]], sort_keys=True) for row in rows]


def numbers(rows: list) -> dict:
    """What a run computed (not how long it took), by run."""
    return {key: ([epoch["correct"] for epoch in row["history"]],
                  [epoch["test_cost"] for epoch in row["history"]])
            for key, row in zip(run_keys(rows), rows)}


def wait_for_lines(path: Path, count: int, process: subprocess.Popen, timeout: float = 300) -> None:
    """Until ``path`` holds ``count`` lines (fails if ``process`` ends first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= count:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.2)
    raise AssertionError(f"{path} did not reach {count} lines in {timeout} s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """Stop a server and every process it started (its own process group)."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


class Cluster:
    """A scheduler and two single-threaded workers, each in its own process group."""

    def __init__(self, tmp: Path):
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        self.processes = []
        self.log = tmp
        env = dict(os.environ, NUMBA_NUM_THREADS="1")
        port = self.address.rsplit(":", 1)[1]
        self._start(["scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
                    "scheduler", env)
        for name in ("worker-a", "worker-b"):
            self._start(["worker", self.address, "--nthreads", "1", "--nworkers", "1",
                         "--no-dashboard", "--name", name, "--death-timeout", "60"], name, env)

    def _start(self, argv, name, env):
        log = open(self.log / f"{name}.log", "w")
        self.processes.append(subprocess.Popen([sys.executable, "-m", "dask", *argv], stdout=log,
                                               stderr=subprocess.STDOUT, env=env,
                                               start_new_session=True))

    def client(self):
        from dask.distributed import Client
        return Client(self.address, timeout="30s")

    def wait_for_workers(self, count: int = 2, timeout: float = 120) -> None:
        with self.client() as client:
            client.wait_for_workers(count, timeout=timeout)

    def stop(self) -> None:
        for process in reversed(self.processes):
            _stop(process)


def where_the_data_is(dataset, **config) -> dict:
    """A run's task that reports what its data set is in the worker: its training
    inputs' type, folder (for a mapped file), whether they are writeable (else every
    network would copy them), their sum, and the sparse form kept for them in this
    process (``core.inputs.keep_sparse``), by its id, if there is one."""
    from fastnet.core import inputs
    X = dataset.train[0]
    kept = inputs._KEPT.get(inputs._content_key(X))
    return {"type": type(X).__name__, "folder": os.path.dirname(getattr(X, "filename", "") or ""),
            "writeable": bool(X.flags.writeable), "kept": None if kept is None else id(kept),
            "sum": float(np.asarray(X, dtype=np.float64).sum()), "pid": os.getpid()}


def worker_environment(dataset, **config) -> dict:
    """A run's task that reports the worker's Numba threads and the environment
    variables the embedded cluster sets or leaves out."""
    import time
    import numba
    time.sleep(0.5)  # long enough that the two runs go to both workers
    return {"numba_threads": numba.config.NUMBA_NUM_THREADS, "pid": os.getpid(),
            **{name: os.environ.get(name) for name in ("NUMBA_NUM_THREADS", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")}}


def runs_held(dataset, **config) -> dict:
    """A run's task that reports how many other runs its worker holds meanwhile (given
    to it, waiting to start)."""
    import time
    from distributed import get_worker
    time.sleep(0.3)  # the scheduler has long handed out whatever it hands out early
    worker = get_worker()
    key = worker.get_current_task()
    held = [task for task in worker.state.tasks.values()
            if task.key != key and task.state in ("ready", "constrained", "waiting", "executing")]
    return {"pid": os.getpid(), "held": len(held)}
