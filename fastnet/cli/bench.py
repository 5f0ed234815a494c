"""``fastnet bench`` and ``benchmarks/compare.py``: the arguments of the side-by-side
benchmark (``fastnet.bench``), checked with the data before the measuring child starts.

    python benchmarks/compare.py                          # 784,30,10, batch 10, 1 thread
    python benchmarks/compare.py --sizes 784,30,10 784,100,10 --rounds 7
    fastnet bench --sizes 784,128,64,10 --batch 100 --threads 2 --only fastnet,numpy-batch,torch
    fastnet bench --json results.json --accuracy-epochs 30
    python benchmarks/compare.py --baseline /tmp/base      # + another checkout's fastnet
    python benchmarks/compare.py --sizes 784,30,10 784,100,10 --markdown   # + one summary table

Exit status as every fastnet command's (``fastnet.cli.status``): 2 and one line on stderr
for a mistake in the arguments or the data, 130 after Ctrl-C.
"""
import argparse
import sys
from pathlib import Path
from typing import List, Optional, Sequence

from ..bench.data import check_baseline, check_destination, check_fits, load_training
from ..bench.options import Config
from ..bench.peers import ALL_IMPLEMENTATIONS, IMPLEMENTATIONS, OPTIONAL
from ..bench.runner import spawn_worker
from ..core.validate import check_int
from ..sweeps.engine import usable_cpus
from .args import layer_sizes, machine_threads, non_negative_int, positive_float, positive_int
from .status import USER_ERROR, run_command

DESCRIPTION = ("Time one training epoch of fastnet against the seed's per-example numpy, "
               "mini-batch numpy, PyTorch (hand-written gradients; nn + autograd + optim) "
               "and JAX on the same network, data and order.")


def implementation_list(text: str) -> List[str]:
    """'fastnet,torch' -> ['fastnet', 'torch']: known names, each once."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in ALL_IMPLEMENTATIONS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown implementation {', '.join(unknown) or repr(text)}; choose from "
            f"{', '.join(ALL_IMPLEMENTATIONS)}")
    return list(dict.fromkeys(names))


def add_arguments(parser: argparse.ArgumentParser, threads: bool = True) -> None:
    """The benchmark's options (``threads=False``: --threads comes from a parent parser)."""
    parser.add_argument("--sizes", type=layer_sizes, action="extend", nargs="+",
                        metavar="N,N,...", help="layer sizes; several networks: repeat the "
                        "option or list them (default 784,30,10)")
    parser.add_argument("--batch", type=positive_int, default=10, help="mini-batch size (default 10)")
    parser.add_argument("--eta", type=positive_float, default=3.0, help="learning rate (default 3.0)")
    if threads:
        parser.add_argument("--threads", type=machine_threads, default=1,
                            help="threads for every implementation: Numba, BLAS, OpenMP, "
                            "PyTorch, XLA (default 1)")
    parser.add_argument("--rounds", type=positive_int, default=5,
                        help="interleaved rounds; the table shows their median (default 5)")
    parser.add_argument("--epochs-per-call", type=positive_int, default=3,
                        help="fastnet epochs per train_epochs call, the call's one-off input "
                        "checks amortised over them (default 3; 1: every epoch pays them)")
    parser.add_argument("--ref-examples", type=positive_int, default=2000,
                        help="examples the per-example 'seed' reference trains on per round, "
                        "its time scaled to the epoch (default 2000)")
    parser.add_argument("--only", type=implementation_list, metavar="NAME,NAME,...",
                        help=f"implementations to run (default {','.join(IMPLEMENTATIONS)}; "
                        f"also: {','.join(OPTIONAL)})")
    parser.add_argument("--data", help="a folder with the four MNIST IDX files, or a "
                        "mnist.pkl.gz (default: $FASTNET_DATA, then the cache folder)")
    parser.add_argument("--limit", type=positive_int, metavar="N",
                        help="use the first N training examples only (quick runs)")
    parser.add_argument("--json", metavar="OUT.json", help="also write the results as JSON")
    parser.add_argument("--baseline", metavar="PATH", help="also time the fastnet of another "
                        "checkout (e.g. `git worktree add /tmp/base COMMIT`) in its own process, "
                        "interleaved with this one: a 'fastnet (baseline)' row")
    parser.add_argument("--markdown", action="store_true",
                        help="also print one table of all networks (a row per network, a "
                        "column per implementation), as docs/performance.md shows it")
    parser.add_argument("--accuracy-epochs", type=non_negative_int, default=0, metavar="N",
                        help="then train fastnet N epochs from the seed and report its test accuracy")
    parser.add_argument("--seed", type=int, default=12345,
                        help="seed of np.random (initial parameters) and random (order)")


class OneLineErrors(argparse.ArgumentParser):
    """Argument errors as one line on stderr (no usage block), exit status 2."""

    def error(self, message):
        self.exit(USER_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    """The parser of ``benchmarks/compare.py``."""
    parser = OneLineErrors(prog=prog, description=DESCRIPTION)
    add_arguments(parser)
    return parser


def add_parser(subparsers, common_parent: Optional[argparse.ArgumentParser] = None):
    """Register ``bench`` on the ``fastnet`` command's ``subparsers``; the parsed arguments
    carry ``run`` (``args.run(args)`` returns the exit status). ``common_parent``: the
    shared options parser; when it defines ``--threads`` that one is used (its None
    default meaning 1 thread)."""
    parents = [common_parent] if common_parent is not None else []
    has_threads = any("--threads" in action.option_strings
                      for parent in parents for action in parent._actions)
    parser = subparsers.add_parser("bench", parents=parents, help="time an epoch against "
                                   "numpy, PyTorch and JAX", description=DESCRIPTION)
    add_arguments(parser, threads=not has_threads)
    parser.set_defaults(run=run_bench)
    return parser


def config_from_args(args) -> Config:
    """The Config of parsed arguments; ValueError for values argparse cannot check alone."""
    sizes = []
    for layers in args.sizes or [[784, 30, 10]]:
        if layers not in sizes:
            sizes.append(layers)
    threads = getattr(args, "threads", None)  # None: --threads came from no parser
    threads = 1 if threads is None else check_int(threads, "threads", 1, usable_cpus(),
                                                  "this machine's CPUs")
    return Config(sizes=sizes, batch=args.batch, eta=args.eta, threads=threads, rounds=args.rounds,
                  epochs_per_call=args.epochs_per_call, ref_examples=args.ref_examples,
                  only=args.only or list(IMPLEMENTATIONS), data=args.data, json=args.json,
                  markdown=args.markdown, accuracy_epochs=args.accuracy_epochs, limit=args.limit,
                  seed=args.seed,
                  baseline=str(Path(args.baseline).resolve()) if args.baseline else None)


def measure_in_child(config: Config) -> int:
    """Check ``config`` against the data, the --json destination and the --baseline
    checkout (ValueError, FileNotFoundError), then measure in a child process; its exit
    status."""
    check_destination(config)
    check_baseline(config)
    (X, y), test = load_training(config)
    check_fits(config, X, y, test)
    del X, y, test  # the child loads its own copy
    return spawn_worker(config)


def run_bench(args) -> int:
    """``fastnet bench`` (the fastnet command maps its errors to the exit status)."""
    config = config_from_args(args)
    config.command = " ".join(["fastnet", *sys.argv[1:]])
    return measure_in_child(config)


def main(argv: Optional[Sequence[str]] = None, prog: Optional[str] = None) -> int:
    """``python benchmarks/compare.py [options]`` (``argv``: sys.argv[1:]; ``prog``: the
    script's name). Argument errors exit with status 2 and a one-line message."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)

    def command() -> int:
        config = config_from_args(args)
        config.command = " ".join(["python", sys.argv[0] if argv is None else parser.prog,
                                   *(sys.argv[1:] if argv is None else argv)])
        return measure_in_child(config)

    return run_command("bench", command, prog=parser.prog)
