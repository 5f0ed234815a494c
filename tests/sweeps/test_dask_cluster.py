"""Sweeps and experiments on a real Dask cluster: a ``dask scheduler`` and two ``dask
worker`` processes on 127.0.0.1 (``conftest.dask_cluster``), the same numbers as on one
process, a worker killed mid-sweep, and scikit-learn's grid search on the cluster."""
import os
import signal
import time

import pytest
from sweeping import fastnet, numbers, records, run_keys, start_fastnet, wait_for_lines

SMALL = ("--epochs", 2, "--limit-train", 2000, "--limit-test", 500)
GRID = ("--sizes", "784,20,10", "784,30,10", "--eta", 0.5, 3.0, "--seeds", 2)


def test_a_sweep_on_the_cluster_gives_the_numbers_of_one_process(dask_cluster, sweep_slice, tmp_path):
    here = fastnet("sweep", *GRID, *SMALL, "--data", sweep_slice, "--out", tmp_path / "here.jsonl",
                   "--jobs", 1)
    there = fastnet("sweep", *GRID, *SMALL, "--data", sweep_slice, "--out", tmp_path / "there.jsonl",
                    "--scheduler", dask_cluster.address)
    assert here.returncode == 0, here.stderr
    assert there.returncode == 0, there.stderr
    local, remote = records(tmp_path / "here.jsonl"), records(tmp_path / "there.jsonl")
    assert len(remote) == 8 and len(set(run_keys(remote))) == 8
    assert numbers(remote) == numbers(local)

    def accuracy_rows(stdout):  # the table without its seconds per epoch
        return [line.rsplit("|", 2)[0] for line in stdout.splitlines() if line.startswith("| 784")]
    assert len(accuracy_rows(there.stdout)) == 4
    assert accuracy_rows(there.stdout) == accuracy_rows(here.stdout)


def test_the_scheduler_can_come_from_the_environment(dask_cluster, sweep_slice, tmp_path):
    env = dict(os.environ, FASTNET_SCHEDULER=dask_cluster.address)
    run = fastnet("sweep", "--sizes", "784,20,10", "--seeds", 1, *SMALL, "--data", sweep_slice,
                  "--out", tmp_path / "r.jsonl", env=env)
    assert run.returncode == 0, run.stderr
    assert len(records(tmp_path / "r.jsonl")) == 1


def test_an_experiment_on_the_cluster_prints_the_table_of_one_process(dask_cluster, sweep_slice):
    argv = ("experiment", "hidden", "--hidden", "0,10", "--seeds", 2, "--epochs", 2,
            "--data", sweep_slice, "--limit-train", 2000, "--limit-test", 500)
    here = fastnet(*argv, "--jobs", 1)
    there = fastnet(*argv, "--scheduler", dask_cluster.address)
    assert here.returncode == 0 and there.returncode == 0, (here.stderr, there.stderr)

    def accuracy_columns(stdout):  # every column but the seconds per epoch
        return [line.rsplit("|", 2)[0] for line in stdout.splitlines() if line.startswith("| ")]
    assert len(accuracy_columns(there.stdout)) == 3  # the header and two rows
    assert accuracy_columns(there.stdout) == accuracy_columns(here.stdout)


def test_grid_search_under_the_dask_joblib_backend(dask_cluster):
    """scikit-learn's way onto a cluster: GridSearchCV(n_jobs=-1) inside
    ``joblib.parallel_backend("dask")``; the same search as without it."""
    joblib = pytest.importorskip("joblib")
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_iris
    from sklearn.model_selection import GridSearchCV
    from fastnet import MLPClassifier
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    grid = {"learning_rate": [0.001, 0.1], "hidden_layer_sizes": [(5,), (20,)]}

    def search():
        return GridSearchCV(MLPClassifier(epochs=20, random_state=0), grid, cv=3, n_jobs=-1).fit(X, y)
    with dask_cluster.client() as client:
        with joblib.parallel_backend("dask"):
            there = search()
        workers = client.run(lambda: 1)
    here = search()
    assert len(workers) == 2
    assert there.best_params_ == here.best_params_
    assert list(there.cv_results_["mean_test_score"]) == list(here.cv_results_["mean_test_score"])
    assert there.best_score_ >= 0.85


def test_a_worker_killed_mid_sweep_has_its_run_done_again_elsewhere(dask_cluster, mnist_dir, tmp_path):
    out = tmp_path / "results.jsonl"
    process = start_fastnet("sweep", *GRID, "--epochs", 15, "--limit-train", 20000,
                            "--limit-test", 1000, "--data", mnist_dir, "--out", out,
                            "--scheduler", dask_cluster.address)
    try:
        wait_for_lines(out, 1, process)
        with dask_cluster.client() as client:
            pids = client.run(os.getpid)
            busy = sorted(worker for worker, tasks in client.processing().items() if tasks)
            assert busy, "no run in progress to kill"
            os.kill(pids[busy[0]], signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=600)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    final = records(out)
    assert len(final) == 8 and sorted(run_keys(final)) == sorted(set(run_keys(final)))
    assert "Traceback" not in stderr
    dask_cluster.wait_for_workers(2)  # the nanny starts the killed worker again


@pytest.fixture(autouse=True)
def _time_limit():
    start = time.monotonic()
    yield
    assert time.monotonic() - start < 600
