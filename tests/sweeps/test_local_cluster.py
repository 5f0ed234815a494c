"""The embedded cluster (``--jobs N``): its workers map the data set this process saved
in memory instead of decoding the data files again, each builds the sparse form of the
training inputs once for all its runs, and the copy is gone afterwards."""
import os

import numpy as np
from sweeping import runs_held, where_the_data_is, worker_environment

from fastnet.sweeps.data import Dataset
from fastnet.sweeps.engine import run_tasks


def test_the_workers_map_one_saved_copy_which_is_deleted_at_the_end():
    generator = np.random.default_rng(3)
    X = generator.random((300, 16), dtype=np.float32)
    y = generator.integers(0, 4, 300)
    dataset = Dataset((X[:200], y[:200]), (X[200:], y[200:]))
    results, interrupted = run_tasks(where_the_data_is, [{}] * 4, jobs=2, dataset=dataset)
    assert not interrupted and len(results) == 4
    assert {r["type"] for r in results.values()} == {"memmap"}
    assert all(r["writeable"] for r in results.values())
    for pid in {r["pid"] for r in results.values()}:
        kept = {r["kept"] for r in results.values() if r["pid"] == pid}
        assert len(kept) == 1 and None not in kept
    folders = {r["folder"] for r in results.values()}
    assert len(folders) == 1 and os.path.basename(folders.pop()).startswith("fastnet-data-")
    assert not any(os.path.exists(r["folder"]) for r in results.values())
    assert {r["sum"] for r in results.values()} == {float(X[:200].astype(np.float64).sum())}
    assert os.getpid() not in {r["pid"] for r in results.values()}


def test_the_workers_run_one_numba_thread_without_dasks_trim_threshold(monkeypatch):
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    dataset = Dataset((np.ones((4, 3), np.float32), np.arange(4) % 2),
                      (np.ones((2, 3), np.float32), np.arange(2)))
    results, _ = run_tasks(worker_environment, [{}] * 2, jobs=2, dataset=dataset)
    assert len({r["pid"] for r in results.values()}) == 2
    for result in results.values():
        assert result["numba_threads"] == 1 and result["NUMBA_NUM_THREADS"] == "1"
        assert result["MALLOC_TRIM_THRESHOLD_"] is None and result["MALLOC_TOP_PAD_"] == str(64 << 20)


def test_a_worker_holds_only_the_run_it_runs_so_the_next_goes_to_the_first_free_one():
    dataset = Dataset((np.ones((4, 3), np.float32), np.arange(4) % 2),
                      (np.ones((2, 3), np.float32), np.arange(2)))
    results, _ = run_tasks(runs_held, [{}] * 10, jobs=2, dataset=dataset)
    assert len({r["pid"] for r in results.values()}) == 2
    # the first runs reach the workers before the scheduler sees a batch worth queuing
    # (each worker holding its next run); from then on, none waits in a worker's queue
    assert [results[i]["held"] for i in range(2, 10)] == [0] * 8


def test_only_a_worker_that_ends_with_the_sweep_skips_the_collection_at_its_exit(monkeypatch):
    from fastnet.core import lifetime
    from fastnet.sweeps import engine
    engine.prepare_worker(None)  # the imports of a first preparation register their own
    registered = []
    monkeypatch.setattr(lifetime.atexit, "register", lambda function: registered.append(function))
    monkeypatch.setattr(lifetime, "_REGISTERED", [])
    engine.prepare_worker(None)  # a worker of the user's own cluster lives on
    assert registered == []
    engine.prepare_worker(None, True)
    engine.prepare_worker(None, True)  # a second sweep's preparation registers nothing more
    assert registered == [lifetime.gc.freeze]
