"""The ``fastnet`` command: train, evaluate, predict, read, info, experiment, sweep, bench, expand.

    fastnet train [--data DIR] [--epochs 30] [--batch 10] [--eta 3.0] [--save model.npz]
    fastnet evaluate model.npz [--plot confusion.png]
    fastnet predict model.npz digit.png [more images...]
    fastnet read model.npz number.png [--show boxes.png]
    fastnet info model.npz
    fastnet experiment hidden|encoding|detector|reduction|eta|perceptron|descent|strings [...]
    fastnet sweep --sizes 784,30,10 784,100,10 --eta 0.5 3 --seeds 3 --out results.jsonl
    fastnet bench [--sizes 784,30,10] [--threads 1]     # side by side with the peers
    fastnet expand --out DIR                            # MNIST shifted: 250,000 images

Errors in the user's input (arguments, data, model or image files) are reported in one
line on stderr with exit status 2; Ctrl-C stops cleanly with status 130 (``status``).
One module per command (``train``, ``evaluate``, ``predict``, ``read``, ``info``,
``experiment``, ``sweep``, ``bench``, ``expand``), each with its ``add_parser``; shared argument
types in ``args``, what commands read in ``inputs``, exit codes in ``status``.
"""
import argparse
import sys
from typing import List, Optional

from ..config import __version__
from ..core.lifetime import skip_collection_at_exit
from ..core.threads import using_threads
from . import bench, evaluate, expand, experiment, info, predict, read, sweep, train
from .args import thread_count
from .status import run_command


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command in ``argv`` (default: the command line); its exit status. Run on
    the command line, it is the process's whole work, which ends without a last garbage
    collection (``core.lifetime``)."""
    if argv is None:
        skip_collection_at_exit()
    args = build_parser().parse_args(argv)

    def command() -> int:
        with using_threads(getattr(args, "threads", None)):
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
    for command in (train, evaluate, predict, read, info, experiment):
        command.add_parser(commands, common)
    sweep.add_parser(commands)
    bench.add_parser(commands)
    expand.add_parser(commands, common)
    return parser


if __name__ == "__main__":
    sys.exit(main())
