"""What the command refuses before any work: output files that are pipes or devices,
and networks too large for the machine (one line, exit status 2, no traceback)."""
import os
import subprocess
import sys

import pytest


def fastnet(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "fastnet", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("option, name", [("--save", "model.npz"), ("--plot", "curve.png")])
def test_a_pipe_as_an_output_file_is_refused_when_parsed(tmp_path, option, name):
    pipe = tmp_path / name
    os.mkfifo(pipe)
    run = fastnet("train", option, pipe, "--data", tmp_path / "no-data-needed")
    assert run.returncode == 2
    assert "it is not a regular file (a pipe or a device)" in run.stderr
    assert "MNIST data not found" not in run.stderr  # refused before the data is looked for


def test_a_network_too_large_for_the_machine_is_one_line(mnist_dir):
    run = fastnet("train", "--sizes", "784,4000000000,10", "--epochs", 1, "--data", mnist_dir)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1
    assert "bytes" in run.stderr
