"""The measurement: in one process, interleaved round by round (round r runs every
implementation once, in an order that rotates with r), one epoch of each implementation
from the same start in the same order; and the child process it all runs in, started
with the thread environment set (BLAS, OpenMP and XLA read it when they are imported)."""
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Optional

import numpy as np

from .machine import THREAD_VARS, macs_per_example, sparse_macs_per_epoch
from .options import Config
from .peers import BASELINE, Impl, NotInstalled, make_impl
from .reference import check_against_reference
from .start import initial_parameters, shuffled_order

#: seconds each implementation waits, idle, before its timed epoch: the threads of the one
#: timed before it (OpenMP's, XLA's, Numba's) keep spinning for a while after their work,
#: and would take the cores from it (docs/performance.md, "Spread")
SETTLE_SECONDS = 0.25

#: the child's program, ``python -c WORKER PACKAGE_PARENT CONFIG_JSON``: the fastnet of
#: PACKAGE_PARENT first on sys.path, before the current folder ``python -m`` would put there
WORKER = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
          "from fastnet.bench.worker import main; sys.exit(main())")


def worker_environment(threads: int, base: Optional[dict] = None) -> dict:
    """The environment of the measuring process (``base``: os.environ): BLAS, OpenMP,
    MKL limited to ``threads`` (XLA's flags are set per JAX process, ``peers.remote``)."""
    env = dict(os.environ if base is None else base)
    for var in THREAD_VARS:
        env[var] = str(threads)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def spawn_worker(config: Config) -> int:
    """Run the benchmark in a child process with the thread environment set; its output
    goes straight to ours. Returns its exit status; raises KeyboardInterrupt after Ctrl-C
    (the child got the same SIGINT), once the child has stopped."""
    env = worker_environment(config.threads)
    package_parent = str(Path(__file__).resolve().parents[2])  # this fastnet, installed or not
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    child = subprocess.Popen([sys.executable, "-c", WORKER, package_parent, config.to_json()],
                             env=env)
    try:
        status = child.wait()
    except KeyboardInterrupt:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        raise
    if status == -signal.SIGINT:
        raise KeyboardInterrupt
    return status


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def failure(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def prepare(sizes, X, y, config: Config, start) -> tuple:
    """(implementations that are ready, a row per name in ``config.only``): each made and
    warmed up from ``start``; one that is not installed or fails is a row, not a crash."""
    rows: Dict[str, dict] = {}
    impls: Dict[str, Impl] = {}
    for name in [*config.only, *([BASELINE] if config.baseline else [])]:
        try:
            impls[name] = make_impl(name, sizes, X, y, config)
            rows[name] = dict(status="ok", label=impls[name].label, times=[])
        except NotInstalled as error:
            rows[name] = dict(status="not installed", detail=str(error), label=name)
        except Exception as error:
            rows[name] = dict(status="failed", detail=failure(error), label=name)
    random.seed(config.seed)
    warm_order = shuffled_order(len(X))
    for name, impl in list(impls.items()):
        try:
            impl.reset(*start)
            impl.warm_up(warm_order)
            rows[name]["versions"] = impl.versions()
        except Exception as error:
            rows[name].update(status="failed", detail=failure(error))
            impls.pop(name).close()
    return impls, rows


def time_rounds(impls: Dict[str, Impl], rows: Dict[str, dict], n: int, config: Config, start,
                label: str, progress: Callable[[str], None]) -> None:
    """``config.rounds`` interleaved rounds: each appends its epoch's seconds to its row's
    ``times``; one that fails is marked so and leaves the rounds."""
    names = list(impls)
    random.seed(config.seed)
    for r in range(config.rounds):
        order = shuffled_order(n)
        k = r % len(names) if names else 0
        done = []
        for name in names[k:] + names[:k]:
            try:
                impls[name].reset(*start)
                time.sleep(SETTLE_SECONDS)
                seconds = impls[name].epoch(order)
            except Exception as error:
                rows[name].update(status="failed", detail=failure(error))
                continue
            rows[name]["times"].append(seconds)
            done.append(f"{name} {seconds:.3f} s")
        names = [name for name in names if rows[name]["status"] == "ok"]
        progress(f"{label} round {r + 1}/{config.rounds}: " + ", ".join(done))


def measure(sizes, X, y, config: Config, peak: Optional[float] = None,
            progress: Callable[[str], None] = log) -> dict:
    """Time the implementations on the network ``sizes`` (X (n, n_in) float32, y (n,)
    int64); ``peak``: the machine's multiply-add rate. The result dict (see ``--json``)."""
    n = len(X)
    start = initial_parameters(sizes, config.seed)
    impls, rows = prepare(sizes, X, y, config, start)
    try:
        try:
            for name, diff in check_against_reference(impls, sizes, X, y, config, start).items():
                rows[name]["check_relative_difference"] = diff
        except Exception as error:  # reported, and the timing goes on
            progress(f"numerical check failed: {failure(error)}")
        time_rounds(impls, rows, n, config, start, str(sizes), progress)
        summarise(rows, impls, n)
    finally:
        for impl in impls.values():
            impl.close()
    macs, sparse_macs = macs_per_example(sizes), sparse_macs_per_epoch(sizes, X)
    floor = macs * n / peak if peak else None
    sparse_floor = sparse_macs / peak if peak else None
    for row in rows.values():
        if row.get("median"):
            row["floor_fraction"] = floor / row["median"] if floor else None
            row["sparse_floor_fraction"] = sparse_floor / row["median"] if sparse_floor else None
    baseline = rows.get(BASELINE, {})
    if baseline.get("median") and rows.get("fastnet", {}).get("median"):
        baseline["current_over_baseline"] = rows["fastnet"]["median"] / baseline["median"]
    return dict(sizes=list(sizes), batch=config.batch, eta=config.eta, examples=n,
                rounds=config.rounds, threads=config.threads,
                epochs_per_call=config.epochs_per_call, macs_per_example=macs,
                macs_per_epoch=macs * n, floor_seconds=floor,
                nonzero_inputs=int(np.count_nonzero(X)), sparse_macs_per_epoch=sparse_macs,
                sparse_floor_seconds=sparse_floor, results=rows)


def summarise(rows: Dict[str, dict], impls: Dict[str, Impl], n: int) -> None:
    """Each timed row's median, fastest, examples/s, ratio to fastnet and own entries."""
    fast = rows.get("fastnet", {})
    fast_median = statistics.median(fast["times"]) if fast.get("times") else None
    for name, row in rows.items():
        if row["status"] != "ok" or not row["times"]:
            continue
        row["median"] = statistics.median(row["times"])
        row["min"] = min(row["times"])
        row["examples_per_second"] = n / row["median"]
        row["examples_timed"] = impls[name].examples_timed or n
        row["fastnet_speedup"] = row["median"] / fast_median if fast_median else None
        row.update(impls[name].extra_results())
