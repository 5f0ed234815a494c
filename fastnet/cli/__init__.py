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
from ..core.encodings import ENCODINGS, Encoding, get_encoding
from ..core.registry import ACTIVATIONS, COSTS, INITS, OUTPUTS
from ..core.threads import using_threads
from ..io.idx import DATA_ENV, data_env, default_cache_dir, load_mnist_arrays
from ..network import Network
from .args import (
    figure_file,
    layer_sizes,
    model_file,
    non_negative_float,
    non_negative_int,
    positive_float,
    png_file,
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
    train.add_argument("--epochs", type=positive_int, default=30)
    train.add_argument("--batch", type=positive_int, default=10, help="mini-batch size")
    train.add_argument("--eta", type=positive_float, default=3.0, help="learning rate")
    train.add_argument("--seed", type=non_negative_int,
                       help="seed for np.random and random (reproducible runs)")
    train.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    data_help = (f"a folder with the four IDX files, or a mnist.pkl.gz (default: ${DATA_ENV}, "
                 f"then {default_cache_dir()}, downloaded there if missing)")
    train.add_argument("--data", help=data_help)
    train.add_argument("--save", metavar="MODEL.npz", type=model_file, help="save the trained "
                       "model (.npz, or .json in the book's network2 format)")
    train.add_argument("--plot", metavar="CURVE.png", type=figure_file, help="draw the learning curve")
    train.add_argument("--quiet", action="store_true", help="no progress bar, no per-epoch lines")
    add_model_options(train)
    train.set_defaults(run=run_train)

    evaluate = commands.add_parser("evaluate", parents=[common], help="accuracy and confusion matrix")
    evaluate.add_argument("model")
    evaluate.add_argument("--data", help=data_help)
    evaluate.add_argument("--plot", metavar="CONFUSION.png", type=figure_file,
                          help="draw the confusion matrix")
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
    read.add_argument("--show", metavar="OUT.png", type=png_file, help="draw the boxes and the digits read "
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
    model.add_argument("--output-encoding", dest="encoding", choices=sorted(ENCODINGS),
                       help="how the outputs code the classes (default: one-hot, an output per "
                       "class; binary: the bits of the class, 4 outputs for 10 classes)")
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


def fitting_outputs(encoding: Encoding, classes: int, n_out: int) -> bool:
    """Whether ``n_out`` outputs of ``encoding`` code ``classes`` classes and none is
    spare (one-hot: an output per class; binary: the fewest bits; threshold: 1 of 2)."""
    try:
        return (encoding.classes(n_out) >= classes
                and (n_out == 1 or encoding.classes(n_out - 1) < classes))
    except ValueError:  # the threshold encoding with other than 1 output
        return False


def train_sizes(sizes: Optional[List[int]], encoding: Optional[str], inputs: int, classes: int) -> List[int]:
    """The layer sizes to train: ``--sizes``, checked against the data (its inputs, and
    the outputs the encoding needs for its classes: enough, none spare), or the data's
    inputs, 30 hidden and those outputs. ValueError naming the option at fault."""
    named = ENCODINGS[encoding or "one-hot"]
    needed = next((n for n in range(1, classes + 1) if fitting_outputs(named, classes, n)), None)
    if needed is None:
        raise ValueError(f"--output-encoding {encoding} cannot code the data's {classes} classes")
    if sizes is None:
        return [inputs, 30, needed]
    coding = named if encoding else get_encoding(None, sizes[-1])  # 1 output: threshold
    if sizes[0] != inputs or not fitting_outputs(coding, classes, sizes[-1]):
        raise ValueError(f"--sizes {','.join(map(str, sizes))} does not fit the data: {inputs} "
                         f"inputs and {classes} classes need {inputs},...,{needed} "
                         f"({named.name} outputs)")
    return sizes


def run_train(args) -> int:
    (X, y), validation, test = load_data(args.data)
    classes = int(max(y.max(), test[1].max())) + 1
    sizes = train_sizes(args.sizes, args.encoding, X.shape[1], classes)
    if args.seed is not None:
        np.random.seed(args.seed)
        random.seed(args.seed)
    net = Network(sizes, dtype=np.dtype(args.dtype).type, encoding=args.encoding,
                  activation=args.activation, output=args.output, cost=args.cost, init=args.init,
                  threads=args.threads)
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
        try:
            path = net.save(args.save, metadata)
        except OSError as error:
            raise OSError(f"--save {args.save}: the model could not be written "
                          f"({error.strerror or error})") from None
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


def run_predict(args) -> int:
    from ..io.images import load_digit
    net = load_model(args.model)
    if net.sizes[0] != 784:
        raise ValueError(f"{args.model} takes {net.sizes[0]} inputs, not a 28x28 image")
    for path in args.images:
        try:
            x = load_digit(path, invert=args.invert)
        except ValueError as error:
            raise ValueError(f"{path}: {error}{polarity_hint(args.invert)}") from None
        activations = net.feedforward(x.reshape(784, 1))[:, 0]
        digit = int(net.encoding.decode(activations[None, :])[0])
        confidence = f"  (activation {activations[digit]:.3f})" if net.encoding.name == "one-hot" else ""
        print(f"{path}: {digit}{confidence}")
        print("  " + "  ".join(f"{j}:{a:.3f}" for j, a in enumerate(activations)))
    return 0


def polarity_hint(invert: Optional[bool]) -> str:
    """What to say when no digit was found in a picture read with ``invert``: a
    polarity the user chose may be the wrong one."""
    if invert is None:
        return ""
    given = "--dark-on-light" if invert else "--light-on-dark"
    return f"; is {given} right for this picture? Without it the polarity is detected"


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
        print(f"{path}: {reading.text or '(no digits found' + polarity_hint(args.invert) + ')'}")
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
        print(f"trained: {len(history)} epochs{training_summary(history)}")
        scored = [(i, h) for i, h in enumerate(history) if number(h.get("correct")) is not None]
        if scored:
            last = scored[-1][1]
            best_epoch, best = max(scored, key=lambda item: item[1]["correct"])
            print(f"test accuracy: last {last['correct']}{out_of(last)}, best {best['correct']} "
                  f"(epoch {best_epoch})")
    else:
        print("trained: no epochs recorded")
    for key in ("seed", "data", "interrupted", "cost"):
        if meta.get(key) is not None:
            print(f"{key}: {meta[key]}")
    return 0


def number(value) -> Optional[float]:
    """``value`` when it is a number (a saved history may hold anything), else None."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def training_summary(history: List[dict]) -> str:
    """" (mini-batch 10, eta 3.0, 50,000 examples), 52.1 s" from the epochs' records,
    with whatever of it they hold."""
    runs = []
    for h in history:
        batch, eta, n_train = (number(h.get(key)) for key in ("mini_batch_size", "eta", "n_train"))
        parts = ([f"mini-batch {batch}"] if batch is not None else []) + \
            ([f"eta {eta}"] if eta is not None else []) + \
            ([f"{n_train:,} examples"] if n_train is not None else [])
        run = ", ".join(parts)
        if run and run not in runs:
            runs.append(run)
    seconds = [t for t in (number(h.get("seconds")) for h in history) if t is not None]
    return (f" ({'; '.join(runs)})" if runs else "") + (f", {sum(seconds):.1f} s" if seconds else "")


def out_of(record: dict) -> str:
    """" / 10000 (91.23%)" for an epoch's record, or what of it is there."""
    n_test = number(record.get("n_test"))
    if not n_test:
        return ""
    return f" / {n_test} ({100 * record['correct'] / n_test:.2f}%)"


if __name__ == "__main__":
    sys.exit(main())
