"""``fastnet train``: train a network on MNIST-format data (the book's run by default),
print each epoch, save the model and draw the learning curve.

    fastnet train [--data DIR] [--sizes 784,30,10] [--epochs 30] [--batch 10] [--eta 3.0]
                  [--save model.npz] [--plot curve.png] [network and training options]
"""
import argparse
import random
import sys

import numpy as np

from ..core.compile_note import CompileNote
from ..core.encodings import ENCODINGS, sizes_for_data
from ..core.registry import ACTIVATIONS, COSTS, INITS, OUTPUTS
from ..core.training import check_eta
from ..io.idx import data_env, default_cache_dir
from ..network import Network
from .args import (
    figure_file,
    layer_sizes,
    model_file,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    unit_interval,
)
from .inputs import data_help, load_data
from .status import INTERRUPTED


def add_parser(commands, common) -> argparse.ArgumentParser:
    """Register ``train`` on the main parser's ``commands``."""
    train = commands.add_parser("train", parents=[common], help="train a network (the book's run by default)")
    train.add_argument("--sizes", type=layer_sizes, help="layer sizes, e.g. 784,30,10 "
                       "(default: the data's inputs, 30 hidden, the data's classes)")
    train.add_argument("--epochs", type=positive_int, default=30)
    train.add_argument("--batch", type=positive_int, default=10, help="mini-batch size")
    train.add_argument("--eta", type=positive_float, default=3.0, help="learning rate")
    train.add_argument("--seed", type=non_negative_int,
                       help="seed for np.random and random (reproducible runs)")
    train.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    train.add_argument("--data", help=data_help())
    train.add_argument("--save", metavar="MODEL.npz", type=model_file, help="save the trained "
                       "model (.npz, or .json in the book's network2 format)")
    train.add_argument("--plot", metavar="CURVE.png", type=figure_file, help="draw the learning curve")
    train.add_argument("--quiet", action="store_true", help="no progress bar, no per-epoch lines")
    add_model_options(train)
    train.set_defaults(run=run_train)
    return train


def add_model_options(parser: argparse.ArgumentParser, many: bool = False) -> None:
    """The neuron types, cost and training options beyond the book's chapter 1; with
    ``many`` (``fastnet sweep``) each takes one or more values and has no default here
    (the sweep's grid fills in the book's), and the eta schedules are left out."""
    def option(*flags, default=None, **kwargs):
        if many:
            kwargs["nargs"] = "+"
            if "choices" not in kwargs:
                kwargs["metavar"] = flags[0][2:].upper()
            default = None
        model.add_argument(*flags, default=default, **kwargs)
    model = parser.add_argument_group("network and training options (default: the book's "
                                      "network.py)" + ("; each takes one or more values" if many else ""))
    option("--activation", choices=sorted(ACTIVATIONS), default="sigmoid", help="hidden neurons")
    option("--output", choices=sorted(OUTPUTS), help="output neurons (default: "
           "softmax with --cost log-likelihood, else sigmoid)")
    option("--cost", choices=sorted(COSTS), default="quadratic")
    option("--output-encoding", dest="encoding", choices=sorted(ENCODINGS),
           help="how the outputs code the classes (default: one-hot, an output per "
           "class; binary: the bits of the class, 4 outputs for 10 classes)")
    option("--init", choices=sorted(INITS), default="standard",
           help="initial weights: standard N(0,1), scaled N(0,1/n_in), he N(0,2/n_in)")
    option("--lmbda", type=non_negative_float, default=0.0, help="L2 regularisation (network2's lmbda)")
    option("--l1", type=non_negative_float, default=0.0, help="L1 regularisation")
    option("--momentum", type=unit_interval, default=0.0, help="momentum coefficient mu in [0, 1)")
    option("--dropout", type=unit_interval, default=0.0, help="probability of dropping a hidden neuron")
    if many:
        return
    model.add_argument("--early-stopping", type=positive_int, metavar="N",
                       help="stop after N epochs without a better validation accuracy")
    model.add_argument("--halve-eta", type=positive_int, metavar="N", help="halve eta after N epochs "
                       "without a better validation accuracy; stop at eta/128")


def run_train(args) -> int:
    check_eta(args.eta, args.dtype, "--eta")  # before the data load: a float32 run cannot carry 1e300
    (X, y), validation, test = load_data(args.data)
    classes = int(max(y.max(), test[1].max())) + 1
    sizes = sizes_for_data(args.sizes, args.encoding, X.shape[1], classes)
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
                                       progress=bar.update_to, prepared=CompileNote(sys.stderr),
                                       **options):
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
