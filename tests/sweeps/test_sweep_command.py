"""``fastnet sweep`` end to end on a slice of MNIST: the grid, the results file, the same
numbers on one process and on several, resuming after Ctrl-C, and the errors that stop
a sweep before it writes anything."""
import json
import os
import signal
import time

import pytest
from sweeping import fastnet, numbers, records, run_keys, start_fastnet, wait_for_lines
from terminal import run_on_a_terminal

SMALL = ("--epochs", 2, "--limit-train", 2000, "--limit-test", 500)
GRID = ("--sizes", "784,20,10", "784,30,10", "--eta", 0.5, 3.0, "--seeds", 2)


def sweep(tmp_path, data, *extra, out="results.jsonl", **kwargs):
    return fastnet("sweep", *GRID, *SMALL, "--data", data, "--out", tmp_path / out, *extra, **kwargs)


@pytest.fixture(scope="module")
def serial(sweep_slice, tmp_path_factory):
    """The 2 x 2 x 2-seed sweep run here with --jobs 1: (process, its records)."""
    tmp = tmp_path_factory.mktemp("serial")
    run = sweep(tmp, sweep_slice, "--jobs", 1)
    assert run.returncode == 0, run.stderr
    return run, records(tmp / "results.jsonl")


def test_every_configuration_and_seed_once_with_its_history(serial):
    run, rows = serial
    assert len(rows) == 8 and len(set(run_keys(rows))) == 8
    grid = {(tuple(row["config"]["sizes"]), row["config"]["eta"], row["seed"]) for row in rows}
    assert grid == {(sizes, eta, seed) for sizes in ((784, 20, 10), (784, 30, 10))
                    for eta in (0.5, 3.0) for seed in (0, 1)}
    for row in rows:
        assert row["config"]["epochs"] == 2 and row["config"]["cost"] == "quadratic"
        assert [epoch["epoch"] for epoch in row["history"]] == [0, 1]
        accuracy = [100.0 * epoch["correct"] / 500 for epoch in row["history"]]
        assert [epoch["accuracy"] for epoch in row["history"]] == pytest.approx(accuracy)
        assert row["final_accuracy"] == pytest.approx(accuracy[-1])
        assert row["best_accuracy"] == pytest.approx(max(accuracy))
        assert all(epoch["test_cost"] > 0 and epoch["seconds"] > 0 for epoch in row["history"])
        assert row["data"]["train"] == 2000 and row["data"]["test"] == 500
        assert row["fastnet"] and row["compile_seconds"] >= 0


def test_the_table_sorts_configurations_by_accuracy(serial):
    run, rows = serial
    table = [line for line in run.stdout.splitlines() if line.startswith("| 784")]
    assert len(table) == 4
    means = [float(line.split("|")[4]) for line in table]
    assert means == sorted(means, reverse=True)
    by_config = {}
    for row in rows:
        key = (",".join(map(str, row["config"]["sizes"])), f"{row['config']['eta']:g}")
        by_config.setdefault(key, []).append(row["final_accuracy"])
    for line, mean in zip(table, means):
        cells = [cell.strip() for cell in line.split("|")[1:3]]
        assert mean == pytest.approx(sum(by_config[tuple(cells)]) / 2, abs=0.006)


def test_the_same_numbers_on_two_worker_processes(serial, sweep_slice, tmp_path):
    run = sweep(tmp_path, sweep_slice, "--jobs", 2, "--plot", tmp_path / "sweep.png")
    assert run.returncode == 0, run.stderr
    parallel = records(tmp_path / "results.jsonl")
    assert numbers(parallel) == numbers(serial[1])
    assert (tmp_path / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_second_run_skips_what_the_file_holds(serial, sweep_slice, tmp_path):
    out = tmp_path / "results.jsonl"
    rows = serial[1]
    out.write_text("".join(json.dumps(row) + "\n" for row in rows[:5]))
    run = sweep(tmp_path, sweep_slice, "--jobs", 1)
    assert run.returncode == 0, run.stderr
    assert "Skipping 5 runs already in the results file." in run.stderr
    assert run.stderr.count("finished:") == 3
    assert sorted(run_keys(records(out))) == sorted(run_keys(rows))
    before = out.read_bytes()
    again = sweep(tmp_path, sweep_slice, "--jobs", 1)
    assert again.returncode == 0 and "Skipping 8 runs" in again.stderr
    assert out.read_bytes() == before


def test_other_data_is_not_mistaken_for_these_runs(serial, sweep_slice, tmp_path):
    out = tmp_path / "results.jsonl"
    out.write_text("".join(json.dumps(row) + "\n" for row in serial[1]))
    run = fastnet("sweep", *GRID, "--epochs", 2, "--limit-train", 1000, "--limit-test", 500,
                  "--data", sweep_slice, "--out", out, "--jobs", 1)
    assert run.returncode == 0, run.stderr
    assert "Skipping" not in run.stderr and len(records(out)) == 16


@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_keeps_finished_runs_and_a_rerun_completes_the_sweep(mnist_dir, tmp_path, jobs):
    out = tmp_path / "results.jsonl"
    argv = ("sweep", *GRID, "--epochs", 10, "--limit-test", 1000,  # runs of ~1 s each
            "--data", mnist_dir, "--out", out, "--jobs", jobs)
    process = start_fastnet(*argv)
    try:
        wait_for_lines(out, 2, process)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    kept = records(out)
    assert process.returncode == 130, stderr
    assert "Interrupted:" in stderr and "Traceback" not in stderr
    assert 2 <= len(kept) < 8 and len(set(run_keys(kept))) == len(kept)
    assert stdout.count("| 784") >= 1  # the table of what finished
    rerun = fastnet(*argv)
    assert rerun.returncode == 0, rerun.stderr
    assert f"Skipping {len(kept)} run" in rerun.stderr
    assert rerun.stderr.count("finished:") == 8 - len(kept)
    final = records(out)
    assert len(final) == 8 and len(set(run_keys(final))) == 8
    assert final[:len(kept)] == kept


def test_a_corrupt_results_line_is_named_and_the_file_kept(sweep_slice, tmp_path):
    out = tmp_path / "results.jsonl"
    content = b'{"config": {}, "seed": 0}\n{"config": {"sizes": [784\n{}\n'
    out.write_bytes(content)
    run = sweep(tmp_path, sweep_slice, "--jobs", 1)
    assert run.returncode == 2
    assert f"{out} line 2 is not a JSON record" in run.stderr and "Traceback" not in run.stderr
    assert out.read_bytes() == content


def test_an_unknown_value_is_refused_before_anything_is_written(sweep_slice, tmp_path):
    run = sweep(tmp_path, sweep_slice, "--cost", "cubic")
    assert run.returncode == 2 and "invalid choice: 'cubic'" in run.stderr
    assert not (tmp_path / "results.jsonl").exists()


def test_sizes_that_do_not_fit_the_data_are_named(sweep_slice, tmp_path):
    run = fastnet("sweep", "--sizes", "784,30,10", "784,30", *SMALL, "--data", sweep_slice,
                  "--out", tmp_path / "r.jsonl", "--jobs", 1)
    assert run.returncode == 2 and "--sizes 784,30 does not fit the data" in run.stderr
    assert not (tmp_path / "r.jsonl").exists()


def test_an_impossible_combination_is_named(sweep_slice, tmp_path):
    run = fastnet("sweep", "--cost", "cross-entropy", "--output", "softmax", *SMALL,
                  "--data", sweep_slice, "--out", tmp_path / "r.jsonl", "--jobs", 1)
    assert run.returncode == 2, run.stderr
    assert "--cost cross-entropy --output softmax" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "r.jsonl").exists()


@pytest.mark.parametrize("how", ["--scheduler", "env"])
def test_an_unreachable_scheduler_is_named_within_ten_seconds(sweep_slice, tmp_path, how):
    address = "tcp://127.0.0.1:9"  # the discard port: nothing answers there
    env = dict(os.environ)
    extra = ("--scheduler", address) if how == "--scheduler" else ()
    if how == "env":
        env["FASTNET_SCHEDULER"] = address
    start = time.monotonic()
    run = sweep(tmp_path, sweep_slice, *extra, env=env)
    elapsed = time.monotonic() - start
    assert run.returncode == 2 and "Traceback" not in run.stderr
    name = "--scheduler" if how == "--scheduler" else "$FASTNET_SCHEDULER"
    assert f"{name}: no Dask scheduler answered at {address}" in run.stderr
    assert elapsed < 10 + 5  # the connection's 5 s, and the interpreter's start-up
    assert not (tmp_path / "results.jsonl").exists()


def test_a_relative_out_and_data_keep_working(sweep_slice, tmp_path):
    os.symlink(sweep_slice, tmp_path / "data")
    run = fastnet("sweep", "--sizes", "784,20,10", "--seeds", 1, *SMALL, "--data", "data",
                  "--out", "r.jsonl", "--jobs", 2, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert len(records(tmp_path / "r.jsonl")) == 1


def test_an_unwritable_destination_is_refused_when_parsed(tmp_path):
    run = fastnet("sweep", "--out", tmp_path / "missing" / "r.jsonl")
    assert run.returncode == 2 and "does not exist" in run.stderr
    run = fastnet("sweep", "--out", tmp_path / "r.csv")
    assert run.returncode == 2 and ".jsonl" in run.stderr


def test_a_bar_on_a_terminal_with_the_best_accuracy_so_far(sweep_slice, tmp_path):
    text = run_on_a_terminal(["sweep", "--eta", "0.5", "3", "--seeds", "1", "--epochs", "1",
                              "--limit-train", "1000", "--limit-test", "200", "--jobs", "1",
                              "--data", str(sweep_slice), "--out", str(tmp_path / "r.jsonl")])
    assert "2/2" in text and ("run/s" in text or "s/run" in text)  # tqdm's bar and rate
    best = max(row["final_accuracy"] for row in records(tmp_path / "r.jsonl"))
    assert f"best {best:.2f}%" in text
    assert "finished:" not in text  # no plain lines on a terminal


def test_importing_fastnet_does_not_import_dask():
    import subprocess
    import sys
    code = ("import sys, fastnet, fastnet.cli, fastnet.experiments.common, fastnet.sweeps.runner; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
