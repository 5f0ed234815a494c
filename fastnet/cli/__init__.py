"""The ``fastnet`` command: train, evaluate, predict, read, info, experiment, bench, expand.

    fastnet train [--data DIR] [--epochs 30] [--batch 10] [--eta 3.0] [--save model.npz]
    fastnet evaluate model.npz [--plot confusion.png]
    fastnet predict model.npz digit.png [more images...]
    fastnet read model.npz number.png [--show boxes.png]
    fastnet info model.npz
    fastnet experiment hidden|encoding|detector|reduction|eta|perceptron|descent [...]
    fastnet bench [--sizes 784,30,10] [--threads 1]     # side by side with the peers
    fastnet expand --out DIR                            # MNIST shifted: 250,000 images

Errors in the user's input (arguments, data, model or image files) are reported in one
line on stderr with exit status 2; Ctrl-C stops cleanly with status 130 (``status``).
One module per larger command: ``experiment``, ``bench``, ``expand``; shared argument
types in ``args``.
"""
import argparse
import random
import sys
from typing import List, Optional

import numpy as np

from ..config import __version__
from ..core.registry import ACTIVATIONS, COSTS, INITS, OUTPUTS
from ..core.threads import using_threads
from ..io.idx import DATA_ENV, data_env, default_cache_dir, load_mnist_arrays
from ..network import Network
from .args import (
    layer_sizes,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    thread_count,
)
from .status import INTERRUPTED, run_command


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command in ``argv`` (default: the command line); its exit status."""
    args = build_parser().parse_args(argv)

    def command() -> int:
        with using_threads(args.threads):
            return args.run(args)
    return run_command(args.command, command)


def build_parser() -> argparse.ArgumentParser:
    """The ``fastnet`` parser with every command."""
    parser = argparse.ArgumentParser(prog="fastnet", description="Train and use sigmoid "
                                     "networks on MNIST-format data, compiled with Numba.")
    parser.add_argument("--version", action="version", version=f"fastnet {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--threads", type=thread_count,
                        help="threads for the parallel kernels (default: "
                        "$FASTNET_NUM_THREADS, else automatic)")

    train = commands.add_parser("train", parents=[common], help="train a network (the book's run by default)")
    train.add_argument("--sizes", type=layer_sizes, help="layer sizes, e.g. 784,30,10 "
                       "(default: the data's inputs, 30 hidden, the data's classes)")
    train.add_argument("--epochs", type=non_negative_int, default=30)
    train.add_argument("--batch", type=positive_int, default=10, help="mini-batch size")
    train.add_argument("--eta", type=positive_float, default=3.0, help="learning rate")
    train.add_argument("--seed", type=non_negative_int,
                       help="seed for np.random and random (reproducible runs)")
    train.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    data_help = (f"a folder with the four IDX files, or a mnist.pkl.gz (default: ${DATA_ENV}, "
                 f"then {default_cache_dir()}, downloaded there if missing)")
    train.add_argument("--data", help=data_help)
    train.add_argument("--save", metavar="MODEL.npz", help="save the trained model (.npz, or .json "
                       "in the book's network2 format)")
    train.add_argument("--plot", metavar="CURVE.png", help="draw the learning curve")
    train.add_argument("--quiet", action="store_true", help="no progress bar, no per-epoch lines")
    add_model_options(train)
    train.set_defaults(run=run_train)

    evaluate = commands.add_parser("evaluate", parents=[common], help="accuracy and confusion matrix")
    evaluate.add_argument("model")
    evaluate.add_argument("--data", help=data_help)
    evaluate.add_argument("--plot", metavar="CONFUSION.png", help="draw the confusion matrix")
    evaluate.set_defaults(run=run_evaluate)

    predict = commands.add_parser("predict", parents=[common], help="read digits from image files")
    predict.add_argument("model")
    predict.add_argument("images", nargs="+", metavar="IMAGE", help="PNG, JPEG or NPY image of one digit")
    add_polarity_options(predict)
    predict.set_defaults(run=run_predict)

    read = commands.add_parser("read", parents=[common], help="read handwritten numbers from images")
    read.add_argument("model")
    read.add_argument("images", nargs="+", metavar="IMAGE", help="PNG, JPEG or NPY image of a number")
    add_polarity_options(read)
    read.add_argument("--show", metavar="OUT.png", help="draw the boxes and the digits read "
                      "(several images: OUT-1.png, OUT-2.png, ...)")
    read.set_defaults(run=run_read)

    info = commands.add_parser("info", parents=[common], help="what a model file holds")
    info.add_argument("model")
    info.set_defaults(run=run_info)

    from .experiment import add_parser as add_experiment_parser
    add_experiment_parser(commands, common)
    from .bench import add_parser as add_bench_parser
    add_bench_parser(commands)
    from .expand import add_parser as add_expand_parser
    add_expand_parser(commands, common)
    return parser


def add_model_options(train: argparse.ArgumentParser) -> None:
    """The neuron types, cost and training options beyond the book's chapter 1."""
    model = train.add_argument_group("network and training options (default: the book's network.py)")
    model.add_argument("--activation", choices=sorted(ACTIVATIONS), default="sigmoid",
                       help="hidden neurons")
    model.add_argument("--output", choices=sorted(OUTPUTS), help="output neurons (default: "
                       "softmax with --cost log-likelihood, else sigmoid)")
    model.add_argument("--cost", choices=sorted(COSTS), default="quadratic")
    model.add_argument("--init", choices=sorted(INITS), default="standard",
                       help="initial weights: standard N(0,1), scaled N(0,1/n_in), he N(0,2/n_in)")
    model.add_argument("--lmbda", type=non_negative_float, default=0.0,
                       help="L2 regularisation (network2's lmbda)")
    model.add_argument("--l1", type=non_negative_float, default=0.0, help="L1 regularisation")
    model.add_argument("--momentum", type=float, default=0.0, help="momentum coefficient mu in [0, 1)")
    model.add_argument("--dropout", type=float, default=0.0, help="probability of dropping a hidden neuron")
    model.add_argument("--early-stopping", type=positive_int, metavar="N",
                       help="stop after N epochs without a better validation accuracy")
    model.add_argument("--halve-eta", type=positive_int, metavar="N", help="halve eta after N epochs "
                       "without a better validation accuracy; stop at eta/128")


def add_polarity_options(parser: argparse.ArgumentParser) -> None:
    polarity = parser.add_mutually_exclusive_group()
    polarity.add_argument("--dark-on-light", dest="invert", action="store_const", const=True,
                          help="the ink is dark on a light background (default: detected)")
    polarity.add_argument("--light-on-dark", dest="invert", action="store_const", const=False,
                          help="the ink is light on a dark background, as in MNIST")


def load_data(path: Optional[str]):
    """(training, validation, test) arrays; downloads MNIST into the cache folder when
    no data was named (no --data, no $FASTNET_DATA) and none is there yet."""
    try:
        return load_mnist_arrays(path, validation_size=None)
    except FileNotFoundError:
        if path is not None or data_env() is not None:
            raise
    from ..io.download import fetch_mnist
    print(f"MNIST not found: downloading it into {default_cache_dir()}", file=sys.stderr)
    return load_mnist_arrays(fetch_mnist(default_cache_dir()), validation_size=None)


def run_train(args) -> int:
    (X, y), validation, test = load_data(args.data)
    classes = int(max(y.max(), test[1].max())) + 1
    sizes = args.sizes or [X.shape[1], 30, classes]
    if sizes[0] != X.shape[1] or sizes[-1] < classes:
        raise ValueError(f"--sizes {','.join(map(str, sizes))} does not fit the data: "
                         f"{X.shape[1]} inputs and {classes} classes")
    if args.seed is not None:
        np.random.seed(args.seed)
        random.seed(args.seed)
    net = Network(sizes, dtype=np.dtype(args.dtype).type, activation=args.activation,
                  output=args.output, cost=args.cost, init=args.init, threads=args.threads)
    options = dict(lmbda=args.lmbda, l1=args.l1, momentum=args.momentum, dropout=args.dropout,
                   early_stopping=args.early_stopping, halve_eta=args.halve_eta)
    if args.early_stopping or args.halve_eta:
        options["validation_data"] = validation
    accuracy, cost = [], []
    bar = ProgressBar(len(X), enabled=not args.quiet and sys.stderr.isatty())
    interrupted = False
    try:
        for result in net.train_epochs((X, y), args.epochs, args.batch, args.eta, test,
                                       progress=bar.update_to, **options):
            accuracy.append(100.0 * result.correct / result.n_test)
            if args.plot:
                cost.append(net.cost((X, y)))
            bar.clear()
            if not args.quiet:
                validated = result.record["validation_correct"]
                print(f"Epoch {result.epoch}: {result.correct} / {result.n_test} "
                      f"({accuracy[-1]:.2f}%)  {result.seconds:.2f} s  "
                      f"{result.examples / result.seconds:,.0f} examples/s"
                      + (f"  validation {validated} / {result.record['n_validation']}"
                         f"  eta {result.record['eta']:g}" if validated is not None else ""),
                      flush=True)
            if result.stop and not args.quiet:
                print(f"Stopped after epoch {result.epoch}: {result.stop}", flush=True)
    except KeyboardInterrupt:
        interrupted = True
        bar.clear()
        print(f"\nInterrupted during epoch {len(accuracy)}: keeping the parameters after the "
              f"last complete mini-batch ({len(accuracy)} full epochs trained).", file=sys.stderr)
    finally:
        bar.close()
    if args.save:
        metadata = dict(command="train", sizes=sizes, dtype=args.dtype, epochs=args.epochs,
                        options={k: v for k, v in options.items() if k != "validation_data"},
                        epochs_completed=len(accuracy), mini_batch_size=args.batch, eta=args.eta,
                        seed=args.seed, data=str(args.data or data_env() or default_cache_dir()),
                        interrupted=interrupted, test_accuracy=accuracy)
        path = net.save(args.save, metadata)
        print(f"Saved the model{' as it is' if interrupted else ''} to {path}", file=sys.stderr)
    if args.plot and accuracy:
        from ..io.plots import learning_curve
        learning_curve(accuracy[:len(cost)], cost, args.plot, title=f"Network({sizes}), "
                       f"mini-batch {args.batch}, eta {args.eta}")
        print(f"Learning curve written to {args.plot}", file=sys.stderr)
    return INTERRUPTED if interrupted else 0


class ProgressBar:
    """A tqdm bar over one epoch's examples when attached to a terminal, else nothing."""

    def __init__(self, total: int, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="ex", unit_scale=True, leave=False, file=sys.stderr)

    def update_to(self, done: int) -> None:
        if self.bar is not None:
            if done < self.bar.n:
                self.bar.reset()
            self.bar.update(done - self.bar.n)

    def clear(self) -> None:
        if self.bar is not None:
            self.bar.reset()
            self.bar.clear()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def load_model(path: str) -> Network:
    from ..io.persist import load
    return load(path)  # ValueError / FileNotFoundError with the reason for a bad file


def run_evaluate(args) -> int:
    net = load_model(args.model)
    _, _, (X, y) = load_data(args.data)
    predicted = net.predict(X)
    k = net.sizes[-1]
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


def run_predict(args) -> int:
    from ..io.images import load_digit
    net = load_model(args.model)
    if net.sizes[0] != 784:
        raise ValueError(f"{args.model} takes {net.sizes[0]} inputs, not a 28x28 image")
    for path in args.images:
        x = load_digit(path, invert=args.invert)
        activations = net.feedforward(x.reshape(784, 1))[:, 0]
        digit = int(np.argmax(activations))
        print(f"{path}: {digit}  (activation {activations[digit]:.3f})")
        print("  " + "  ".join(f"{j}:{a:.3f}" for j, a in enumerate(activations)))
    return 0


def run_read(args) -> int:
    from pathlib import Path

    from ..io.images import read_image
    from ..vision.reading import draw
    net = load_model(args.model)
    if net.sizes[0] != 784:
        raise ValueError(f"{args.model} takes {net.sizes[0]} inputs, not 28x28 digits")
    for i, path in enumerate(args.images, start=1):
        image = read_image(path)
        reading = net.read_number(image, invert=args.invert)
        print(f"{path}: {reading.text or '(no digits found)'}")
        for digit, confidence, box in reading.digits:
            print(f"  {digit}  confidence {confidence:.3f}  box (top, left, bottom, right) {tuple(box)}")
        if args.show:
            out = Path(args.show)
            if len(args.images) > 1:
                out = out.with_name(f"{out.stem}-{i}{out.suffix}")
            draw(image, reading, out)
            print(f"Boxes drawn in {out}", file=sys.stderr)
    return 0


def run_info(args) -> int:
    net = load_model(args.model)
    meta = net.metadata
    n_params = sum(w.size + b.size for w, b in zip(net.weights, net.biases))
    print(f"{args.model}: saved by fastnet {meta.get('fastnet_version', 'unknown')}")
    print(f"sizes: {net.sizes}  dtype: {np.dtype(net.dtype).name}  parameters: {n_params:,}")
    history = net.history
    if history:
        runs = sorted({(h['mini_batch_size'], h['eta'], h['n_train']) for h in history})
        how = "; ".join(f"mini-batch {b}, eta {e}, {n:,} examples" for b, e, n in runs)
        print(f"trained: {len(history)} epochs ({how}), {sum(h['seconds'] for h in history):.1f} s")
        scored = [(i, h) for i, h in enumerate(history) if h.get("correct") is not None]
        if scored:
            last = scored[-1][1]
            best_epoch, best = max(scored, key=lambda item: item[1]["correct"])
            print(f"test accuracy: last {last['correct']} / {last['n_test']} "
                  f"({100 * last['correct'] / last['n_test']:.2f}%), best {best['correct']} "
                  f"(epoch {best_epoch})")
    else:
        print("trained: no epochs recorded")
    for key in ("seed", "data", "interrupted", "cost"):
        if meta.get(key) is not None:
            print(f"{key}: {meta[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
