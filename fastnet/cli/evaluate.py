"""``fastnet evaluate``: a model's accuracy on the test images and its confusion matrix.

    fastnet evaluate model.npz [--data DIR] [--plot confusion.png]
"""
import argparse
import sys

import numpy as np

from ..io.idx import data_env, default_cache_dir
from ..network import Network
from .args import figure_file
from .inputs import data_help, load_model, load_test_data


def add_parser(commands, common) -> argparse.ArgumentParser:
    """Register ``evaluate`` on the main parser's ``commands``."""
    evaluate = commands.add_parser("evaluate", parents=[common], help="accuracy and confusion matrix")
    evaluate.add_argument("model")
    evaluate.add_argument("--data", help=data_help())
    evaluate.add_argument("--plot", metavar="CONFUSION.png", type=figure_file,
                          help="draw the confusion matrix")
    evaluate.set_defaults(run=run_evaluate)
    return evaluate


def run_evaluate(args) -> int:
    net = load_model(args.model)
    X, y = load_test_data(args.data)
    check_model_fits(net, args, X.shape[1], int(y.max()) + 1)
    predicted = net.predict(X)
    k = int(max(y.max(), predicted.max())) + 1
    matrix = np.bincount(y * k + predicted, minlength=k * k).reshape(k, k)
    correct = int(np.trace(matrix))
    print(f"Test accuracy: {correct} / {len(y)} ({100 * correct / len(y):.2f}%)")
    print("Confusion matrix (rows: true digit, columns: predicted):")
    width = max(5, len(str(matrix.max())) + 1)
    print("true\\pred" + "".join(f"{j:>{width}}" for j in range(k)))
    for i in range(k):
        print(f"{i:>9}" + "".join(f"{matrix[i, j]:>{width}}" for j in range(k)))
    if args.plot:
        from ..io.plots import confusion_matrix
        confusion_matrix(matrix, args.plot, title=f"{args.model}: {100 * correct / len(y):.2f}%")
        print(f"Confusion matrix written to {args.plot}", file=sys.stderr)
    return 0


def check_model_fits(net: Network, args, inputs: int, classes: int) -> None:
    """ValueError naming the model file and the data when the model's inputs are not the
    data's, or its outputs cannot code the data's classes."""
    data = f"--data {args.data}" if args.data else f"the data in {data_env() or default_cache_dir()}"
    n_out = net.sizes[-1]
    if net.sizes[0] != inputs:
        raise ValueError(f"{args.model} takes {net.sizes[0]} inputs; {data} has {inputs} per example")
    if net.encoding.classes(n_out) < classes:
        raise ValueError(f"the outputs of {args.model} do not fit the data's classes: "
                         f"{n_out} {net.encoding.name} outputs code {net.encoding.classes(n_out)} "
                         f"classes; {data} has {classes}")
