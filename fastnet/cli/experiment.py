"""The ``fastnet experiment NAME`` subcommand: run one experiment, print its Markdown
table on stdout, optionally draw its figure.

    fastnet experiment hidden [--hidden 0,10,30,100,300] [--seeds 3] [--epochs 10]
                              [--jobs N | --scheduler tcp://HOST:8786]
    fastnet experiment eta [--etas 0.001,0.01,0.1,1,3,10,100] [--plot eta.png]
    fastnet experiment detector [--digit 3] [--size 28|64]
    fastnet experiment perceptron [--scales ...]
    fastnet experiment strings [--count 1000] --seeds 1 --epochs 30
    fastnet experiment encoding | reduction | descent ...

Every experiment module ``fastnet.experiments.<NAME>`` has
``run(data, seeds, epochs, jobs, limits, **specific) -> Result`` and
``plot(result, path)``; the options below that belong to one experiment only are
passed on as ``specific`` keywords when given. Runs go to this machine's cores
(``--jobs``) or a Dask cluster (``--scheduler``, ``$FASTNET_SCHEDULER``) as in
``fastnet sweep``. Exit status 130 if Ctrl-C cut the
sweep short (the table then shows the runs that finished), else 0.
"""
import argparse
import importlib
import logging
import sys

from ..experiments import NAMES
from ..sweeps.engine import SCHEDULER_ENV, cap_jobs, scheduler_from, usable_cpus
from .args import digit, figure_file, float_list, int_list, positive_int
from .inputs import data_help, data_path
from .status import INTERRUPTED

# option dest -> (keyword of module.run, experiments that take it)
SPECIFIC = {
    "hidden": ("hidden", ("hidden",)),
    "etas": ("etas", ("eta", "descent")),
    "digit": ("digit", ("detector",)),
    "size": ("size", ("detector",)),
    "scales": ("scales", ("perceptron",)),
    "count": ("count", ("strings",)),
}

def add_parser(subparsers, common_parent) -> argparse.ArgumentParser:
    """Register ``experiment`` on the main parser's ``subparsers``."""
    parser = subparsers.add_parser(
        "experiment", parents=[common_parent] if common_parent is not None else [],
        help="run an experiment over several seeds and print its table",
        description="Run one of the experiments over several seeds; print a Markdown table.")
    parser.add_argument("name", metavar="NAME", choices=NAMES,
                        help="one of: " + ", ".join(NAMES))
    parser.add_argument("--seeds", type=positive_int, default=3, help="seeds 0..SEEDS-1 per configuration (default 3)")
    parser.add_argument("--epochs", type=positive_int, default=10, help="epochs per run (default 10)")
    parser.add_argument("--data", help=data_help())
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=positive_int, help="runs at once, each in its own process "
                       f"(default: this machine's CPUs, {usable_cpus()} here)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on the Dask cluster whose "
                       f"scheduler is at ADDRESS (default: ${SCHEDULER_ENV})")
    parser.add_argument("--plot", metavar="PNG", type=figure_file, help="draw the experiment's figure")
    parser.add_argument("--limit-train", type=positive_int, metavar="N",
                        help="use the first N training examples only (quick runs)")
    parser.add_argument("--limit-test", type=positive_int, metavar="N",
                        help="use the first N test examples only (quick runs)")
    specific = parser.add_argument_group("experiment-specific options")
    specific.add_argument("--hidden", "--sizes", dest="hidden", type=int_list, metavar="N,N,...",
                          help="hidden: hidden-layer sizes (default 0,10,30,100,300; 0 = none)")
    specific.add_argument("--etas", type=float_list, metavar="ETA,ETA,...",
                          help="eta, descent: learning rates (e.g. 0.001,0.01,0.1,1,3,10,100)")
    specific.add_argument("--digit", type=digit, metavar="K", help="detector: the digit to detect (default 3)")
    specific.add_argument("--size", type=int, choices=(28, 64),
                          help="detector: input size 28 or 64 (default both)")
    specific.add_argument("--scales", type=float_list, metavar="S,S,...",
                          help="perceptron: the scales to try")
    specific.add_argument("--count", type=positive_int, metavar="N",
                          help="strings: generated numbers to read per seed (default 1000)")
    parser.set_defaults(run=run_experiment)
    return parser


def specific_options(args) -> dict:
    """The experiment-specific options the user gave, as ``run`` keywords; an option of
    another experiment is an error (ValueError)."""
    given = {}
    for dest, (keyword, names) in SPECIFIC.items():
        value = getattr(args, dest, None)
        if value is None:
            continue
        if args.name not in names:
            raise ValueError(f"--{dest} applies to {' and '.join(names)}, not {args.name}")
        given[keyword] = value
    return given


def run_experiment(args) -> int:
    specific = specific_options(args)
    module = importlib.import_module(f"fastnet.experiments.{args.name}")
    progress = logging.StreamHandler(sys.stderr)  # "run k/N finished" as the sweep goes
    progress.setFormatter(logging.Formatter("%(message)s"))
    for name in ("fastnet.experiments", "fastnet.sweeps"):  # and the note capping --jobs
        log = logging.getLogger(name)
        log.addHandler(progress)
        log.setLevel(logging.INFO)
    jobs = cap_jobs(args.jobs or usable_cpus(), "--jobs")
    scheduler, scheduler_name = scheduler_from(args.scheduler, args.jobs)
    if scheduler is not None:
        specific["scheduler"] = scheduler
    try:
        data = data_path(args.data) if args.name != "descent" else None
        result = module.run(data=data, seeds=args.seeds, epochs=args.epochs, jobs=jobs,
                            limits=(args.limit_train, args.limit_test), **specific)
    except ConnectionError as error:
        raise ConnectionError(f"{scheduler_name}: {error}") from None
    print(result.markdown(), flush=True)
    if args.plot:
        if result.rows:
            path = module.plot(result, args.plot)
            print(f"Figure written to {path or args.plot}", file=sys.stderr)
        else:
            print("No figure: no run finished.", file=sys.stderr)
    return INTERRUPTED if result.interrupted else 0
