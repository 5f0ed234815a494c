"""On real MNIST: parity with the reference, accuracy, and the seed's own script."""
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
from oracles.reference import ReferenceNetwork

from fastnet import Network, mnist_loader


def test_one_epoch_on_1000_examples_matches_the_reference_in_float64(mnist_dir, capsys):
    training, _, _ = mnist_loader.load_data_wrapper(mnist_dir)
    data = training[:1000]
    np.random.seed(2)
    ref = ReferenceNetwork([784, 30, 10], np.float64)
    np.random.seed(2)
    net = Network([784, 30, 10], dtype=np.float64)
    random.seed(3)
    ref.SGD(list(data), 1, 10, 3.0)
    random.seed(3)
    net.SGD(list(data), 1, 10, 3.0)
    for got, want in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_one_epoch_on_50000_images_reaches_90_percent(mnist_dir, capsys):
    (X, y), _, test = mnist_loader.load_data(mnist_dir)
    np.random.seed(0)
    random.seed(0)
    net = Network([784, 30, 10])
    net.SGD((X, y), 1, 10, 3.0, test_data=test)
    correct = net.evaluate(test)
    assert capsys.readouterr().out == f"Epoch 0: {correct} / 10000\n"
    assert correct >= 9000


SEED_SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "train_mnist.py"


def test_the_seeds_test_script_runs_with_only_its_imports_changed(mnist_dir, tmp_path):
    """examples/train_mnist.py is the seed's test.py with ``from src.network import *``
    (and mnist_loader) changed to fastnet: 30 epochs of mini-batch 3 on 50,000 images."""
    assert "from fastnet.network import *" in SEED_SCRIPT.read_text()
    env = dict(os.environ, FASTNET_DATA=str(mnist_dir))
    run = subprocess.run([sys.executable, str(SEED_SCRIPT)], env=env, capture_output=True,
                         text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 30
    counts = []
    for j, line in enumerate(lines):
        head, tail = line.split(": ")
        correct, total = tail.split(" / ")
        assert head == f"Epoch {j}" and total == "10000"
        counts.append(int(correct))
    assert max(counts) >= 9300, lines  # the book's run reaches ~95%
