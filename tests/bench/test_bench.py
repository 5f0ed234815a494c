"""fastnet.bench (``fastnet bench``, benchmarks/compare.py): every peer does the seed's
arithmetic, the table and JSON say what was measured, and bad arguments are refused.

The peers' parity tests skip when torch / jax are not installed; the rest needs neither.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from oracles.reference import ReferenceNetwork

from fastnet.bench import machine, peers, runner, worker
from fastnet.bench.peers import remote
from fastnet.bench.data import load_training
from fastnet.bench.options import Config
from fastnet.bench.peers.fastnet import FastnetImpl
from fastnet.bench.peers.seed import SeedImpl
from fastnet.bench.reference import relative_difference
from fastnet.bench.start import Order, initial_parameters, shuffled_order
from fastnet.cli import bench as cli_bench

REPO = Path(__file__).resolve().parents[2]
SIZES = [12, 7, 5, 3]


def synthetic(n=40, sizes=SIZES, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], n).astype(np.int64)
    return X, y


def reference_after(sizes, start, X, y, indices, batch, eta):
    """tests/oracles/reference.py's ReferenceNetwork (float64) after update_mini_batch on the
    mini-batches of ``indices``, from the parameters ``start``."""
    np.random.seed(0)
    ref = ReferenceNetwork(sizes, dtype=np.float64)
    ref.weights = [np.array(w, np.float64) for w in start[0]]
    ref.biases = [np.array(b, np.float64) for b in start[1]]
    eye = np.eye(sizes[-1])
    pairs = [(X[i].astype(np.float64).reshape(-1, 1), eye[y[i]].reshape(-1, 1)) for i in indices]
    for k in range(0, len(pairs), batch):
        ref.update_mini_batch(pairs[k:k + batch], eta)
    return ref.weights, ref.biases


def normwise(params, expected):
    return relative_difference(params, expected)


@pytest.mark.parametrize("batch", [1, 4, 10])
def test_per_example_equals_the_reference_to_rounding(batch):
    X, y = synthetic(30)
    start = initial_parameters(SIZES, 3)
    indices = np.random.default_rng(1).permutation(30)
    impl = SeedImpl(SIZES, X, y, batch, 3.0, examples=30)
    impl.reset(*start)
    impl.train_exact(Order(indices, None))
    expected = reference_after(SIZES, start, X, y, indices, batch, 3.0)
    for got, want in zip(impl.parameters()[0] + impl.parameters()[1], expected[0] + expected[1]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def peer(name, X, y, batch, eta=3.0):
    if name == "torch":
        pytest.importorskip("torch")
    if name == "torch-autograd":
        pytest.importorskip("torch")
    if name == "torch-nn":
        pytest.importorskip("torch")
    if name == "jax":
        pytest.importorskip("jax")
    config = Config(batch=batch, eta=eta, threads=1)
    return peers.make_impl(name, SIZES, X, y, config)


@pytest.mark.parametrize("name", ["numpy-batch", "torch", "torch-autograd", "torch-nn", "jax"])
@pytest.mark.parametrize("n, batch", [(10, 10), (25, 10)])  # one step; 3 steps, a short last one
def test_peers_do_the_seeds_arithmetic(name, n, batch):
    X, y = synthetic(n)
    start = initial_parameters(SIZES, 5)
    indices = np.random.default_rng(2).permutation(n)
    impl = peer(name, X, y, batch)
    impl.reset(*start)
    impl.train_exact(Order(indices, None))
    expected = reference_after(SIZES, start, X, y, indices, batch, 3.0)
    assert normwise(impl.parameters(), expected) < 1e-5
    assert normwise(start, expected) > 1e-3  # the step did move the parameters


def test_fastnet_epoch_follows_the_given_order():
    """fastnet shuffles with ``random`` itself: with ``order.state`` set its epoch visits
    exactly ``order.indices``, the order the peers are given."""
    X, y = synthetic(40)
    start = initial_parameters(SIZES, 7)
    random.seed(11)
    order = shuffled_order(40)
    impl = FastnetImpl(SIZES, X, y, 10, 3.0, threads=1)
    impl.reset(*start)
    impl.train_exact(order)
    expected = reference_after(SIZES, start, X, y, order.indices, 10, 3.0)
    assert normwise(impl.parameters(), expected) < 1e-5
    other = reference_after(SIZES, start, X, y, np.arange(40), 10, 3.0)
    assert normwise(impl.parameters(), other) > 10 * normwise(impl.parameters(), expected)


class KeptHistory(list):
    """A Network.history that ignores clear(), so a test can read the epochs' records."""

    def clear(self):
        pass


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs")
def test_one_thread_row_runs_on_one_thread_beside_two():
    """``fastnet-1thread`` trains on one thread in a ``--threads 2`` run (its row is the
    second thread's speed-up), with the same arithmetic as the reference."""
    from fastnet.core.threads import barriers_are_safe
    if not barriers_are_safe():
        pytest.skip("this threading layer trains on one thread only")
    X, y = synthetic(40)
    start = initial_parameters(SIZES, 7)
    config = Config(batch=10, eta=3.0, threads=2)
    threads_used = {}
    for name in ("fastnet", "fastnet-1thread"):
        impl = peers.make_impl(name, SIZES, X, y, config)
        impl.net.history = KeptHistory()
        random.seed(11)
        order = shuffled_order(40)
        impl.reset(*start)
        impl.train_exact(order)
        expected = reference_after(SIZES, start, X, y, order.indices, 10, 3.0)
        assert normwise(impl.parameters(), expected) < 1e-5
        threads_used[name] = impl.net.history[-1]["threads"]
    assert threads_used == {"fastnet": 2, "fastnet-1thread": 1}
    assert "fastnet-1thread" in cli_bench.implementation_list("fastnet,fastnet-1thread")
    assert "fastnet-1thread" not in peers.IMPLEMENTATIONS  # not run unless asked for


def test_macs_and_helpers():
    assert machine.macs_per_example([784, 30, 10]) == 2 * (784 * 30 + 30 * 10) + 30 * 10
    assert machine.macs_per_example([784, 10]) == 2 * 7840
    assert machine.macs_per_example([784, 128, 64, 10]) == (2 * (784 * 128 + 128 * 64 + 64 * 10)
                                                         + 128 * 64 + 64 * 10)
    env = runner.worker_environment(1, base={})
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "1"
    assert "XLA_FLAGS" not in env  # set per JAX process


def test_xla_flags_and_environment_of_a_peers_process(tmp_path):
    flags = remote.XLA_ONE_THREAD
    assert remote.child_environment(1, True, base={})["XLA_FLAGS"] == flags
    assert "XLA_FLAGS" not in remote.child_environment(1, False, base={"XLA_FLAGS": flags})
    assert "XLA_FLAGS" not in remote.child_environment(2, True, base={})  # one thread only
    kept = remote.child_environment(1, False, base={"XLA_FLAGS": "--xla_dump_to=/x " + flags})
    assert kept["XLA_FLAGS"] == "--xla_dump_to=/x"  # the user's own flags stay
    base = {"NUMBA_CACHE_DIR": "/c", "PYTHONPATH": os.pathsep.join([str(REPO), "/lib"])}
    other = remote.child_environment(1, root=tmp_path, base=base)
    assert "NUMBA_CACHE_DIR" not in other and other["PYTHONPATH"] == "/lib"
    assert remote.child_environment(1, root=REPO, base=base)["NUMBA_CACHE_DIR"] == "/c"


def sparse_macs_by_hand(sizes, X):
    """Per example: the first layer's sums and update over its non-zero inputs, the other
    layers' forward, backward and update dense."""
    total = 0
    for x in X:
        nonzero = sum(1 for value in x if value != 0)
        total += nonzero * sizes[1] + nonzero * sizes[1]  # forward z1, update of W1's rows
        for n_in, n_out in zip(sizes[1:-1], sizes[2:]):
            total += 3 * n_in * n_out  # forward, backward (BP2), update
    return total


def test_sparse_floor_counts_the_non_zero_inputs():
    X = np.array([[0, 0.5, 0, 1], [0, 0, 0, 0], [0.25, 0, 0, 0]], np.float32)
    assert machine.sparse_macs_per_epoch([4, 3, 2], X) == 72  # 2*3*3 + 3 examples * 3*6
    assert sparse_macs_by_hand([4, 3, 2], X) == 72
    X, _ = synthetic(20, [12, 7, 5, 3])
    X[X < 0.6] = 0
    for sizes in ([12, 7, 5, 3], [12, 3]):
        assert machine.sparse_macs_per_epoch(sizes, X) == sparse_macs_by_hand(sizes, X)
    dense = np.ones((20, 12), np.float32)  # no zeros: the dense count
    assert machine.sparse_macs_per_epoch([12, 7, 5, 3], dense) == 20 * machine.macs_per_example(
        [12, 7, 5, 3])


def table_rows(text):
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] not in ("implementation", "---"):
            rows[cells[0]] = cells
    return rows


def test_tiny_run_table_and_json(mnist_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if not installed
    hidden = tmp_path / "hidden"  # jax runs in a process of its own: hidden from it there
    (hidden / "jax").mkdir(parents=True)
    (hidden / "jax" / "__init__.py").write_text("raise ImportError('No module named jax')\n")
    monkeypatch.setenv("PYTHONPATH", str(hidden))
    out = tmp_path / "bench.json"
    config = Config(sizes=[[784, 10]], rounds=2, ref_examples=200, limit=2000,
                          epochs_per_call=1, data=str(mnist_dir), json=str(out))
    document = worker.run_worker(config)
    text = capsys.readouterr().out
    rows = table_rows(text)
    assert len(rows) == len(peers.IMPLEMENTATIONS)
    assert rows["torch"][1] == rows["torch-nn"][1] == rows["jax"][1] == "not installed"
    measured = document["networks"][0]["results"]
    fast_median = measured["fastnet"]["median"]
    for name, key in (("fastnet", "fastnet"), ("seed", "seed"), ("numpy-batch", "numpy")):
        (row,) = [r for label, r in rows.items() if label.startswith(key)]
        times = measured[name]["times"]
        median, low = float(row[1]), float(row[2])
        assert 0 < low <= median
        assert median == pytest.approx(np.median(times), abs=6e-4)  # printed to 3 decimals
        assert low == pytest.approx(min(times), abs=6e-4)
        ratio = np.median(times) / fast_median  # the column: median / fastnet's median
        assert float(row[3].rstrip("x")) == pytest.approx(ratio, abs=0.06 if ratio >= 10 else 0.006)
        assert float(row[4].replace(",", "")) == pytest.approx(2000 / np.median(times), abs=1)
    assert rows[next(label for label in rows if label.startswith("fastnet"))][3] == "1.0x"
    assert "Fraction of the arithmetic floor: fastnet" in text
    assert "Machine:" in text and "threads: 1" in text and "rounds 2" in text
    saved = json.loads(out.read_text())
    assert saved["networks"] == json.loads(json.dumps(document["networks"]))
    results = saved["networks"][0]["results"]
    assert set(results) == set(peers.IMPLEMENTATIONS)
    assert results["torch"]["status"] == results["jax"]["status"] == "not installed"
    fastnet = results["fastnet"]["median"]
    for name in ("fastnet", "seed", "numpy-batch"):
        row = results[name]
        assert row["status"] == "ok" and len(row["times"]) == 2 and min(row["times"]) > 0
        assert row["fastnet_speedup"] == pytest.approx(row["median"] / fastnet)
        assert row["check_relative_difference"] < 1e-5
    assert results["seed"]["examples_timed"] == 200
    network = saved["networks"][0]
    assert network["macs_per_example"] == 2 * 7840
    assert 0 < results["fastnet"]["floor_fraction"] < 2
    X = load_training(config)[0][0]
    assert network["nonzero_inputs"] == np.count_nonzero(X)
    assert network["sparse_macs_per_epoch"] == 2 * 10 * np.count_nonzero(X)  # 784,10: no other layer
    peak = saved["machine"]["peak_macs_per_second"]
    assert network["sparse_floor_seconds"] == pytest.approx(network["sparse_macs_per_epoch"] / peak)
    assert results["fastnet"]["sparse_floor_fraction"] == pytest.approx(
        network["sparse_floor_seconds"] / fastnet)
    share = f"{100 * network['nonzero_inputs'] / X.size:.1f}% of them"
    assert (f"{100 * results['fastnet']['sparse_floor_fraction']:.1f}% of the sparse floor" in text
            and share in text)


def ok_row(median, fastnet_median, check=None):
    return dict(status="ok", median=median, fastnet_speedup=median / fastnet_median,
                check_relative_difference=check)


def test_summary_table_has_a_row_per_network_and_a_column_per_implementation():
    from fastnet.bench.report import summary_table
    results = [dict(sizes=sizes, threads=2, batch=10, rounds=11, eta=3.0, examples=50_000,
                    results={"fastnet": ok_row(fast, fast, 2e-7),
                             "fastnet-1thread": ok_row(1.5 * fast, fast, 2e-7),
                             "seed": ok_row(5.15, fast, 0.0),
                             "torch": dict(status="not installed", detail="no torch")})
               for sizes, fast in (([784, 30, 10], 0.113), ([784, 100, 10], 0.204))]
    text = summary_table(results, dict(cpu="AMD EPYC", cpus=2))
    lines = text.splitlines()
    assert lines[0] == ("| 2 threads, mini-batch 10 | fastnet | fastnet, 1 thread | seed's network.py "
                        "| PyTorch, manual gradients |")
    assert lines[1] == "|---|---:|---:|---:|---:|"
    assert lines[2] == "| `[784, 30, 10]` | 0.113 s | 0.170 s (1.50x) | 5.15 s (45.6x) | not installed |"
    assert lines[3] == "| `[784, 100, 10]` | 0.204 s | 0.306 s (1.50x) | 5.15 s (25.2x) | not installed |"
    assert lines[4] == ""
    assert "Medians of 11 interleaved rounds" in lines[5] and "AMD EPYC, 2 CPUs" in lines[5]
    assert "within 2.0e-07 of the float64 reference" in lines[5]  # the seed's own 0 left out
    assert summary_table([], {}) == ""


def test_markdown_option_prints_the_summary_table(mnist_dir, capsys):
    args = cli_bench.build_parser().parse_args(["--markdown"])
    assert cli_bench.config_from_args(args).markdown is True
    assert cli_bench.config_from_args(cli_bench.build_parser().parse_args([])).markdown is False
    config = Config(sizes=[[784, 10]], rounds=1, limit=500, ref_examples=100, epochs_per_call=1,
                    data=str(mnist_dir), only=["fastnet", "numpy-batch"], markdown=True)
    document = worker.run_worker(config)
    text = capsys.readouterr().out
    header = "| 1 thread, mini-batch 10 | fastnet | numpy mini-batch |"
    assert text.count(header) == 1
    (row,) = [line for line in text.splitlines() if line.startswith("| `[784, 10]` |")]
    measured = document["networks"][0]["results"]
    fastnet_cell, numpy_cell = [c.strip() for c in row.strip("|").split("|")[1:]]
    assert fastnet_cell == f"{measured['fastnet']['median']:.3f} s"
    from fastnet.bench.report import speedup_cell
    speedup = speedup_cell("numpy-batch", measured["numpy-batch"]["fastnet_speedup"])
    assert numpy_cell.endswith(f"({speedup})")


def test_torch_nn_row_and_check_in_the_table(mnist_dir, capsys):
    pytest.importorskip("torch")
    config = Config(sizes=[[784, 10]], rounds=1, limit=500, data=str(mnist_dir),
                          only=["numpy-batch", "torch-nn"])
    document = worker.run_worker(config)
    text = capsys.readouterr().out
    from fastnet.bench.peers.torch import TorchNNImpl
    label = TorchNNImpl.label
    assert label == "PyTorch (float32, nn.Sequential + loss.backward + optim.SGD)"
    assert float(table_rows(text)[label][1]) > 0
    row = document["networks"][0]["results"]["torch-nn"]
    assert row["status"] == "ok" and row["check_relative_difference"] < 1e-5
    assert re.search(r"torch-nn \d\.\de-\d\d", text)  # the "Check:" line


def test_script_runs_in_a_child_with_the_thread_environment(mnist_dir, tmp_path):
    """From a second checkout (a copy), the script measures that checkout's fastnet,
    although this one is importable too."""
    checkout = copy_of_this_checkout(tmp_path / "checkout")
    (checkout / "benchmarks").mkdir()
    shutil.copy2(REPO / "benchmarks" / "compare.py", checkout / "benchmarks")
    out = tmp_path / "run.json"
    done = subprocess.run([sys.executable, str(checkout / "benchmarks" / "compare.py"),
                           "--sizes", "784,10", "--rounds", "1", "--ref-examples", "100",
                           "--limit", "1000", "--only", "fastnet,numpy-batch",
                           "--data", str(mnist_dir), "--json", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(table_rows(done.stdout)) == 2
    saved = json.loads(out.read_text())
    assert "OPENBLAS_NUM_THREADS=1" in saved["machine"]["thread_env"]
    assert saved["config"]["threads"] == 1
    assert saved["machine"]["package"] == str(checkout / "fastnet")


def test_help():
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "compare.py"), "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for option in ("--sizes", "--batch", "--threads", "--rounds", "--epochs-per-call",
                   "--ref-examples", "--only", "--data", "--json", "--markdown",
                   "--accuracy-epochs", "--limit"):
        assert option in done.stdout


@pytest.mark.parametrize("argv, message", [
    (["--sizes", "784"], "at least two comma-separated integers"),
    (["--sizes", "784,x,10"], "comma-separated integers"),
    (["--sizes", "784,0,10"], "integers >= 1"),
    (["--batch", "0"], "positive integer"),
    (["--threads", "0"], "positive integer"),
    (["--threads", "100000"], "threads must be from 1 to"),
    (["--rounds", "0"], "positive integer"),
    (["--only", "fastnet,tensorflow"], "unknown implementation tensorflow"),
])
def test_argument_errors_exit_2_with_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        cli_bench.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "error:" in err


def test_argument_error_from_the_script():
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "compare.py"), "--batch", "-3"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--batch" in done.stderr


def test_sizes_that_do_not_fit_the_data(mnist_dir, capsys):
    code = cli_bench.main(["--sizes", "100,10", "--limit", "100", "--data", str(mnist_dir)],
                          prog="compare.py")
    assert code == 2
    err = capsys.readouterr().err
    assert re.fullmatch(r"compare\.py: error: --sizes 100,10 does not fit the data: 784 inputs "
                        r"and 10 classes\n", err)


def test_add_parser_like_the_fastnet_command():
    parser = argparse.ArgumentParser(prog="fastnet")
    commands = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--threads", type=int)
    cli_bench.add_parser(commands, common)
    args = parser.parse_args(["bench", "--sizes", "784,30,10", "784,100,10", "--sizes",
                              "784,128,64,10", "--batch", "100", "--only", "fastnet,torch"])
    assert args.run is cli_bench.run_bench
    config = cli_bench.config_from_args(args)
    assert config.sizes == [[784, 30, 10], [784, 100, 10], [784, 128, 64, 10]]
    assert (config.batch, config.threads, config.only) == (100, 1, ["fastnet", "torch"])
    with pytest.raises(ValueError, match="threads"):
        cli_bench.config_from_args(parser.parse_args(["bench", "--threads", "0"]))
    # without a common parent, bench brings its own --threads
    alone = argparse.ArgumentParser()
    cli_bench.add_parser(alone.add_subparsers(dest="command"))
    assert cli_bench.config_from_args(alone.parse_args(["bench", "--threads", "1"])).threads == 1


def test_json_is_replaced_atomically_and_checked_before_the_run(mnist_dir, tmp_path):
    out = tmp_path / "run.json"
    out.write_text("earlier results")
    (tmp_path / "link.json").hardlink_to(out)  # a second name of the old file keeps it
    config = Config(sizes=[[784, 10]], rounds=1, limit=300, ref_examples=50, epochs_per_call=1,
                    data=str(mnist_dir), only=["fastnet"], json=str(out))
    worker.run_worker(config, out=open(os.devnull, "w"))
    assert json.loads(out.read_text())["config"]["json"] == str(out)  # complete
    assert (tmp_path / "link.json").read_text() == "earlier results"  # renamed onto, not rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "run.json"]  # no temporary
    for bad, error, message in [(tmp_path, ValueError, "is not a regular file but a folder"),
                                (tmp_path / "no" / "r.json", FileNotFoundError,
                                 "folder does not exist")]:
        config.json, config.data = str(bad), str(tmp_path / "no such data")  # the data comes after
        with pytest.raises(error, match=f"--json .*{message}"):
            worker.run_worker(config)


def test_json_destination_errors_exit_2_before_loading(tmp_path, capsys):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code = cli_bench.main(["--json", str(fifo), "--data", str(tmp_path / "none")],
                          prog="compare.py")
    assert code == 2
    err = capsys.readouterr().err
    assert "--json" in err and "FIFO" in err and err.count("\n") == 1
    assert fifo.exists()


def copy_of_this_checkout(folder: Path) -> Path:
    """The fastnet package copied with its compiled kernels' cache (mtimes kept, so Numba
    loads them), as a second checkout."""
    shutil.copytree(REPO / "fastnet", folder / "fastnet", copy_function=shutil.copy2)
    return folder


def test_baseline_checkout_is_timed_beside_the_current_one(mnist_dir, tmp_path, capsys):
    base = copy_of_this_checkout(tmp_path / "base")
    config = Config(sizes=[[784, 10]], rounds=1, limit=300, ref_examples=50, epochs_per_call=1,
                    data=str(mnist_dir), only=["fastnet"], baseline=str(base), markdown=True)
    document = worker.run_worker(config)
    text = capsys.readouterr().out
    rows = document["networks"][0]["results"]
    row = rows[peers.BASELINE]
    assert row["status"] == "ok" and len(row["times"]) == 1
    assert row["process"]["package"] == str(base / "fastnet")  # the copy's, not this one
    assert row["check_relative_difference"] < 1e-5
    assert row["current_over_baseline"] == pytest.approx(rows["fastnet"]["median"] / row["median"])
    assert row["fastnet_speedup"] == pytest.approx(1 / row["current_over_baseline"])
    assert f"fastnet (baseline: {base})" in table_rows(text)
    assert f"= {row['current_over_baseline']:.3f}" in text and "Baseline: fastnet from" in text
    assert "| 1 thread, mini-batch 10 | fastnet | fastnet (baseline) |" in text
    fast = rows["fastnet"]
    assert (f"dense / sparse arithmetic floor: `[784, 10]` {100 * fast['floor_fraction']:.1f}% / "
            f"{100 * fast['sparse_floor_fraction']:.1f}%.") in text


def test_baseline_must_be_a_checkout(tmp_path, capsys):
    code = cli_bench.main(["--baseline", str(tmp_path), "--limit", "100"], prog="compare.py")
    assert code == 2
    assert "--baseline" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity here")
def test_jax_runs_pinned_in_a_process_of_its_own():
    pytest.importorskip("jax")
    X, y = synthetic(20)
    impl = peers.make_impl("jax", SIZES, X, y, Config(batch=10, threads=1))
    try:
        assert isinstance(impl, remote.RemoteImpl)
        impl.reset(*initial_parameters(SIZES, 3))
        impl.warm_up(shuffled_order(20))  # XLA has started its threads
        affinities = impl.affinity()
        assert len(affinities) > 1  # XLA's threads, besides the main one
        assert all(cores == remote.pinned_cores(1) for cores in affinities.values())
        assert impl.extra_results()["process"]["cores"] == remote.pinned_cores(1)
        assert impl.connection.process.pid != os.getpid()
    finally:
        impl.close()
    assert impl.connection.process.poll() == 0
    free = peers.make_impl("jax-unpinned", SIZES, X, y, Config(batch=10, threads=1))
    try:
        assert set(map(tuple, free.affinity().values())) == {tuple(sorted(os.sched_getaffinity(0)))}
    finally:
        free.close()
