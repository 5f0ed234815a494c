"""``fastnet expand``: its arguments, and the subcommand on its own (exit status 2 with
one line for a user error)."""
import argparse
import subprocess
import sys

import numpy as np
import pytest

from fastnet.cli import expand as ex
from fastnet.io.idx import IDX_FILES, load_mnist_arrays, write_idx

NAMES = [f"{name}.gz" for name in IDX_FILES.values()]


def _small_source(folder, n=12, n_test=3):
    """A data set in MNIST's format: n training and n_test test images of 4 x 5 pixels."""
    folder.mkdir(parents=True)
    for key, name in IDX_FILES.items():
        count = n if key.startswith("train") else n_test
        write_idx(folder / f"{name}.gz", np.zeros((count, 4, 5) if key.endswith("images") else count, np.uint8))


def test_subcommand(tmp_path, capsys):
    _small_source(tmp_path / "src", n=10010)
    parser = argparse.ArgumentParser(prog="fastnet")
    commands = parser.add_subparsers(dest="command", required=True)
    ex.add_parser(commands)
    args = parser.parse_args(["expand", "--data", str(tmp_path / "src"), "--out", str(tmp_path / "out"),
                              "--seed", "3", "--no-shuffle"])
    assert (args.seed, args.shuffle) == (3, False)
    assert args.run(args) == 0
    out = capsys.readouterr().out
    assert "50 training images (10 x 5, not shuffled) + 10,000 validation images" in out
    assert "3 test images" in out and str(tmp_path / "out" / NAMES[0]) in out
    (X, _), (Xv, _), (Xt, _) = load_mnist_arrays(tmp_path / "out")
    assert (len(X), len(Xv), len(Xt)) == (50, 10000, 3)
    with pytest.raises(SystemExit):
        parser.parse_args(["expand", "--data", str(tmp_path / "src")])  # --out is required
    with pytest.raises(SystemExit):
        parser.parse_args(["expand", "--out", "x", "--seed", "-1"])
    # standalone: python -m fastnet.expand; errors are reported, exit status 2
    assert ex.main(["--data", str(tmp_path / "src"), "--out", str(tmp_path / "src")]) == 2
    assert "source folder" in capsys.readouterr().err


def test_python_dash_m_fastnet_expand_runs_the_command(tmp_path):
    _small_source(tmp_path / "src")
    run = subprocess.run([sys.executable, "-m", "fastnet.expand", "--data", str(tmp_path / "src"),
                          "--out", str(tmp_path / "src")], capture_output=True, text=True)
    assert run.returncode == 2 and run.stderr.startswith("fastnet expand: error: ")
    assert "source folder" in run.stderr and len(run.stderr.strip().splitlines()) == 1
