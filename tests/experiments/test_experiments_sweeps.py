"""The hidden-size and learning-rate sweeps (fastnet.experiments.hidden / eta) and the
``fastnet experiment`` subcommand, on small slices of MNIST."""
import argparse

import numpy as np
import pytest

from fastnet.cli import experiment as cli
from fastnet.experiments import common, eta, hidden
from fastnet.experiments.common import Dataset, Result, load_dataset

LIMITS = (2000, 500)


@pytest.fixture(scope="module")
def small(mnist_dir):
    return load_dataset(mnist_dir, *LIMITS)


@pytest.fixture(scope="module")
def hidden_result(small):
    return hidden.run(dataset=small, seeds=2, epochs=1, hidden=(0, 10))


@pytest.fixture(scope="module")
def eta_result(small):
    return eta.run(dataset=small, seeds=2, epochs=1, etas=(0.1, 3.0))


def experiment(argv):
    """``fastnet experiment ...`` through a parser like the main command's."""
    parser = argparse.ArgumentParser(prog="fastnet")
    commands = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--threads", type=int)
    cli.add_parser(commands, common)
    args = parser.parse_args(["experiment"] + [str(a) for a in argv])
    return args.run(args)


def toy_dataset(inputs=16, classes=4, n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, inputs), dtype=np.float32)
    y = rng.integers(0, classes, n).astype(np.int64)
    y[0] = classes - 1
    return Dataset((X[:150], y[:150]), (X[150:], y[150:]))


def check_rows(result, key, values, sizes):
    assert [row[key] for row in result.rows] == list(values)
    assert [row["sizes"] for row in result.rows] == sizes
    for row in result.rows:
        assert row["runs"] == 2 and row["seeds"] == [0, 1]
        assert all(0 <= a <= 100 for a in row["finals"] + row["curve"] + [row["final"], row["best"]])
        assert row["final"] == pytest.approx(np.mean(row["finals"]))
        assert row["final_std"] == pytest.approx(np.std(row["finals"], ddof=1))
        assert row["best"] == max(row["curve"]) and row["best_epoch"] == int(np.argmax(row["curve"]))
        assert row["seconds"] > 0
    assert not result.interrupted


def table_rows(markdown):
    return [line for line in markdown.splitlines() if line.startswith("| ")][1:]  # after the header


def test_hidden_rows_and_table(hidden_result):
    check_rows(hidden_result, "n", [0, 10], [[784, 10], [784, 10, 10]])
    keys = [key for key, _ in hidden_result.columns]
    assert keys[:4] == ["n", "sizes", "runs", "final"] and "final_std" in keys and "best_epoch" in keys
    text = hidden_result.markdown()
    lines = table_rows(text)
    assert len(lines) == 2
    assert lines[0].startswith("| 0 | [784, 10] | 2 | ")
    assert lines[1].startswith("| 10 | [784, 10, 10] | 2 | ")
    assert f"{hidden_result.rows[1]['final']:.2f}" in lines[1]
    best = max(hidden_result.rows, key=lambda row: row["final"])
    assert f"Best final accuracy: n={best['n']}" in hidden_result.note and hidden_result.note in text


def test_eta_rows_and_table(eta_result):
    check_rows(eta_result, "eta", [0.1, 3.0], [[784, 30, 10]] * 2)
    lines = table_rows(eta_result.markdown())
    assert [line.split(" | ")[0] for line in lines] == ["| 0.1", "| 3"]
    best = max(eta_result.rows, key=lambda row: row["final"])
    assert eta_result.note.startswith(f"Best final accuracy: eta={best['eta']:g}")


def test_sizes_follow_the_data():
    result = hidden.run(dataset=toy_dataset(), seeds=2, epochs=2, hidden=(0, 5))
    assert [row["sizes"] for row in result.rows] == [[16, 4], [16, 5, 4]]
    assert all(len(row["curve"]) == 2 for row in result.rows)
    result = eta.run(dataset=toy_dataset(), seeds=1, epochs=1, etas=(0.001, 1))
    assert [row["sizes"] for row in result.rows] == [[16, 30, 4]] * 2
    assert table_rows(result.markdown())[0].startswith("| 0.001 | ")  # not "0.00"
    with pytest.raises(ValueError, match="do not fit"):
        eta.run(dataset=toy_dataset(), seeds=1, epochs=1, etas=(1,), sizes=[10, 4])
    with pytest.raises(ValueError):
        hidden.run(dataset=toy_dataset(), hidden=(-1,))
    with pytest.raises(ValueError):
        eta.run(dataset=toy_dataset(), etas=(0,))


def test_same_numbers_with_two_jobs(mnist_dir, hidden_result):
    parallel = hidden.run(data=mnist_dir, limits=LIMITS, seeds=2, epochs=1, hidden=(0, 10), jobs=2)
    for one, two in zip(hidden_result.rows, parallel.rows, strict=True):
        assert (one["n"], one["sizes"], one["seeds"]) == (two["n"], two["sizes"], two["seeds"])
        assert one["finals"] == two["finals"] and one["curve"] == two["curve"]


def test_a_given_dataset_reaches_the_local_workers_as_one_shared_copy(small, hidden_result, monkeypatch):
    """With ``dataset=`` on the embedded cluster, the data set is saved once for the
    workers to map (``sweeps.data.share``), never sent with each run nor scattered, and
    the numbers stay the same."""
    from dask.distributed import Client

    from fastnet.sweeps import engine
    scattered, shared = [], []
    scatter, share = Client.scatter, engine.share

    def spy_scatter(self, data, **kwargs):
        scattered.append(type(data).__name__)
        return scatter(self, data, **kwargs)

    def spy_share(dataset):
        shared.append(dataset is small)
        return share(dataset)
    monkeypatch.setattr(Client, "scatter", spy_scatter)
    monkeypatch.setattr(engine, "share", spy_share)
    parallel = hidden.run(dataset=small, seeds=2, epochs=1, hidden=(0, 10), jobs=2)
    assert scattered == [] and shared == [True]
    assert [row["finals"] for row in parallel.rows] == [row["finals"] for row in hidden_result.rows]
    assert [row["curve"] for row in parallel.rows] == [row["curve"] for row in hidden_result.rows]


def test_plots(tmp_path, hidden_result, eta_result):
    for module, result in ((hidden, hidden_result), (eta, eta_result)):
        path = tmp_path / f"{module.__name__}.png"
        module.plot(result, path)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_prints_the_table_and_draws(mnist_dir, tmp_path, capsys):
    png = tmp_path / "eta.png"
    status = experiment(["eta", "--etas", "0.1,3", "--seeds", 2, "--epochs", 1, "--data", mnist_dir,
                         "--limit-train", LIMITS[0], "--limit-test", LIMITS[1], "--plot", png])
    out, err = capsys.readouterr()
    assert status == 0
    assert out.startswith("### Learning rate eta") and len(table_rows(out)) == 2
    assert png.read_bytes()[:4] == b"\x89PNG" and str(png) in err


def test_cli_options(monkeypatch, mnist_dir):
    calls = []

    def fake_run(**kwargs):
        calls.append(kwargs)
        return Result("fake", [("n", "n")], [dict(n=0)])
    monkeypatch.setattr(hidden, "run", fake_run)
    assert experiment(["hidden", "--hidden", "0,30", "--jobs", 2, "--limit-test", 100,
                       "--data", mnist_dir]) == 0
    assert calls == [dict(data=mnist_dir, seeds=3, epochs=10, jobs=2, limits=(None, 100), hidden=[0, 30])]
    with pytest.raises(ValueError, match="--etas applies to eta and descent, not hidden"):
        experiment(["hidden", "--etas", "1,3"])
    for bad in (["nonsense"], ["hidden", "--hidden", "a,b"], ["hidden", "--seeds", 0],
                ["detector", "--size", 32], ["detector", "--digit", 10]):
        with pytest.raises(SystemExit):
            experiment(bad)


def interrupting_train_run(at):
    """A stand-in for train_run that raises KeyboardInterrupt (Ctrl-C) on call ``at``."""
    calls = []

    def fake(dataset, sizes, seed, epochs, batch=10, eta=3.0, **_):
        calls.append(seed)
        if len(calls) == at:
            raise KeyboardInterrupt
        accuracy = [10.0 + len(sizes) + seed + epoch for epoch in range(epochs)]
        return dict(sizes=list(sizes), seed=seed, accuracy=accuracy, best_epoch=epochs - 1,
                    final=accuracy[-1], seconds_per_epoch=0.5, net=None)
    return fake


@pytest.mark.parametrize("at, runs", [(3, [2]), (4, [2, 1]), (1, [])])
def test_interrupted_sweep_keeps_the_finished_runs(monkeypatch, at, runs):
    monkeypatch.setattr(common, "train_run", interrupting_train_run(at))  # the sweeps' run
    result = hidden.run(dataset=toy_dataset(), seeds=2, epochs=3, hidden=(0, 10, 30))
    assert result.interrupted
    assert [row["runs"] for row in result.rows] == runs
    assert [row["n"] for row in result.rows] == [0, 10][:len(runs)]
    if runs:
        assert result.rows[0]["finals"] == [14.0, 15.0] and result.rows[0]["best_epoch"] == 2
    text = result.markdown()
    assert f"Interrupted: {len(runs)} rows" in text and len(table_rows(text)) == len(runs)


def test_interrupted_cli_exits_130(monkeypatch, mnist_dir, tmp_path, capsys):
    monkeypatch.setattr(common, "train_run", interrupting_train_run(2))
    status = experiment(["eta", "--jobs", 1, "--etas", "1,3", "--seeds", 1, "--epochs", 2, "--data", mnist_dir,
                         "--limit-train", 100, "--limit-test", 100, "--plot", tmp_path / "e.png"])
    out, _ = capsys.readouterr()
    assert status == 130
    assert len(table_rows(out)) == 1 and "Interrupted: 1 rows" in out
    assert (tmp_path / "e.png").is_file()
