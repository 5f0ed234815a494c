"""The 98% runs of docs/experiments.md ("98% for the 100-hidden-neuron net"):
Network([784, 100, 10]) with ReLU hidden neurons and a softmax output, on MNIST and on
expanded MNIST, seeds 1 and 2; prints the test accuracy, the epochs run and the training
seconds.

    python examples/reach98.py --data ../shared/data/mnist [--expanded DIR]

``--expanded DIR``: a folder written by ``fastnet expand --out DIR`` (made there first
if it does not exist).
"""
import argparse
import random
from pathlib import Path

import numpy as np

from fastnet import Network
from fastnet.io.expand import expand_mnist
from fastnet.io.idx import load_mnist_arrays

RUNS = {  # name: (data, Network options, train_epochs arguments)
    "mnist": ("plain", dict(activation="relu", cost="log-likelihood", init="he"),
              dict(epochs=30, mini_batch_size=10, eta=0.1, lmbda=3.0, halve_eta=2)),
    "expanded": ("expanded", dict(activation="relu", cost="log-likelihood", init="he"),
                 dict(epochs=3, mini_batch_size=20, eta=0.2, lmbda=5.0, halve_eta=1)),
}


def run(data, net_options, train_options, seed):
    (X, y), validation, test = data
    np.random.seed(seed)
    random.seed(seed)
    net = Network([784, 100, 10], **net_options)
    options = dict(train_options)
    results = list(net.train_epochs((X, y), options.pop("epochs"), options.pop("mini_batch_size"),
                                    options.pop("eta"), test, validation_data=validation, **options))
    return results[-1].correct / results[-1].n_test, len(results), sum(r.seconds for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="the MNIST folder (default: $FASTNET_DATA)")
    parser.add_argument("--expanded", help="expanded MNIST folder (fastnet expand)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    sets = {"plain": load_mnist_arrays(args.data)}
    if args.expanded:
        if not Path(args.expanded).exists():
            expand_mnist(args.data, args.expanded)
        sets["expanded"] = load_mnist_arrays(args.expanded)
    for name, (which, net_options, train_options) in RUNS.items():
        if which not in sets:
            continue
        for seed in args.seeds:
            accuracy, epochs, seconds = run(sets[which], net_options, train_options, seed)
            print(f"{name:9s} seed {seed}: {100 * accuracy:.2f}% test accuracy after {epochs} "
                  f"epochs, {seconds:.2f} s of training", flush=True)


if __name__ == "__main__":
    main()
