"""``fastnet train``: train a network on MNIST-format data (the book's run by default),
print each epoch, save the model and draw the learning curve.

    fastnet train [--data DIR] [--sizes 784,30,10] [--epochs 30] [--batch 10] [--eta 3.0]
                  [--save model.npz] [--plot curve.png] [network and training options]
"""
import argparse
import random
import sys
from typing import List, Optional

import numpy as np

from .. import kernels
from ..config import CACHE
from ..core.encodings import ENCODINGS, Encoding, get_encoding
from ..core.registry import ACTIVATIONS, COSTS, INITS, OUTPUTS
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
    model.add_argument("--momentum", type=unit_interval, default=0.0, help="momentum coefficient mu in [0, 1)")
    model.add_argument("--dropout", type=unit_interval, default=0.0, help="probability of dropping a hidden neuron")
    model.add_argument("--early-stopping", type=positive_int, metavar="N",
                       help="stop after N epochs without a better validation accuracy")
    model.add_argument("--halve-eta", type=positive_int, metavar="N", help="halve eta after N epochs "
                       "without a better validation accuracy; stop at eta/128")


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


#: preparing the training kernels for longer than this is reported on a terminal
NOTE_SECONDS = 1.0


def compiled_count() -> int:
    """How many times this process compiled a training kernel (not found in the disk cache)."""
    return sum(sum(kernel.stats.cache_misses.values())
               for kernel in (kernels.train_epoch, kernels.train_epoch_threaded))


class CompileNote:
    """``train_epochs``' ``prepared``: one line on ``stream``, when it is a terminal and
    the training kernels took longer than NOTE_SECONDS to compile or to load from disk,
    saying which of the two it was."""

    def __init__(self, stream):
        self.stream = stream
        self.compiled_before = compiled_count()

    def __call__(self, seconds: float) -> None:
        if seconds <= NOTE_SECONDS or not self.stream.isatty():
            return
        if compiled_count() > self.compiled_before:
            text = (f"Compiled the training kernels for this machine in {seconds:.1f} s"
                    + (" (cached on disk: later runs load it)" if CACHE else ""))
        else:
            text = f"Loaded the compiled training kernels from the disk cache in {seconds:.1f} s"
        print(text, file=self.stream, flush=True)


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
