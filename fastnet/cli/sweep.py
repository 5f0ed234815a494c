"""``fastnet sweep``: train every combination of the given values, each from several
seeds, on this machine's cores or a Dask cluster; every finished run is kept in a
JSON-lines file, and rerunning the command resumes the sweep.

    fastnet sweep --sizes 784,30,10 784,100,10 --eta 0.5 3.0 --lmbda 0 5 \\
        --cost quadratic cross-entropy --seeds 3 --epochs 10 --out results.jsonl \\
        [--data PATH] [--limit-train N] [--limit-test N] \\
        [--jobs N | --scheduler tcp://HOST:8786] [--plot sweep.png]

Prints a Markdown table (mean ± std over the seeds per configuration, best first) on
stdout; exit status 130 after Ctrl-C (the table then shows the runs that finished).
"""
import argparse
import logging
import sys

from ..sweeps import report
from ..sweeps.engine import SCHEDULER_ENV, cap_jobs, scheduler_from, usable_cpus
from ..sweeps.grid import DEFAULTS, Grid, first_seeds, label
from ..sweeps.runner import run_sweep
from .args import figure_file, layer_sizes, positive_float, positive_int, results_file
from .inputs import data_help, data_path
from .status import INTERRUPTED
from .train import add_model_options


def add_parser(commands) -> argparse.ArgumentParser:
    """Register ``sweep`` on the main parser's ``commands``."""
    sweep = commands.add_parser(
        "sweep", help="train every combination of the given values over several seeds",
        description="Train every combination of the given option values, each from seeds "
        "0..SEEDS-1, in parallel; append each finished run to --out (rerun to resume).")
    sweep.add_argument("--sizes", type=layer_sizes, nargs="+", metavar="SIZES",
                       help="layer sizes, e.g. 784,30,10 784,100,10 (default: the data's "
                       "inputs, 30 hidden, the data's classes)")
    sweep.add_argument("--eta", type=positive_float, nargs="+", metavar="ETA", help="learning rates")
    sweep.add_argument("--batch", type=positive_int, nargs="+", metavar="N", help="mini-batch sizes")
    add_model_options(sweep, many=True)
    runs = sweep.add_argument_group("runs")
    runs.add_argument("--seeds", type=positive_int, default=3, help="seeds 0..SEEDS-1 per "
                      "configuration (default 3)")
    runs.add_argument("--epochs", type=positive_int, default=10, help="epochs per run (default 10)")
    runs.add_argument("--out", required=True, type=results_file, metavar="RESULTS.jsonl",
                      help="the results file: one JSON line per finished run, appended as "
                      "runs finish; runs already in it are skipped")
    runs.add_argument("--plot", metavar="PNG", type=figure_file,
                      help="draw the final accuracy per configuration")
    runs.add_argument("--data", help=data_help())
    runs.add_argument("--limit-train", type=positive_int, metavar="N",
                      help="use the first N training examples only")
    runs.add_argument("--limit-test", type=positive_int, metavar="N",
                      help="use the first N test examples only")
    where = runs.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=positive_int, help="runs at once on this machine, each "
                       f"in its own process (default: its CPUs, {usable_cpus()} here)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on the Dask cluster whose "
                       f"scheduler is at ADDRESS, e.g. tcp://10.0.0.5:8786 (default: ${SCHEDULER_ENV})")
    sweep.set_defaults(run=run_sweep_command)
    return sweep


def run_sweep_command(args) -> int:
    values = {option: getattr(args, option) for option in DEFAULTS if getattr(args, option, None)}
    grid = Grid(values, args.epochs, first_seeds(args.seeds))
    scheduler, scheduler_name = scheduler_from(args.scheduler, args.jobs)
    note = logging.StreamHandler(sys.stderr)  # the note capping --jobs
    logging.getLogger("fastnet.sweeps").addHandler(note)
    jobs = cap_jobs(args.jobs or usable_cpus(), "--jobs")
    feedback = Feedback(sys.stderr, lambda config: label(config, grid.varying()))
    try:
        outcome = run_sweep(grid, args.out, data=data_path(args.data),
                            limits=(args.limit_train, args.limit_test), jobs=jobs,
                            scheduler=scheduler, before=feedback.start, progress=feedback.update,
                            out_name=args.out, data_name="--data")
    except ConnectionError as error:
        raise ConnectionError(f"{scheduler_name}: {error}") from None
    finally:
        feedback.close()
    options = grid.varying()
    rows = report.summarise(outcome.records, options)
    configurations = outcome.total // len(grid.seeds)
    title = (f"Sweep: {configurations} configuration{'s' * (configurations != 1)} x "
             f"{len(grid.seeds)} seeds, {grid.epochs} epochs ({outcome.ran} runs now, "
             f"{outcome.skipped} already in {args.out})")
    print(report.markdown(rows, options, title), flush=True)
    if outcome.interrupted:
        print(f"\nInterrupted: {outcome.ran} of {outcome.total - outcome.skipped} runs finished "
              f"and kept in {args.out}; run the same command again to go on.", file=sys.stderr)
    if args.plot:
        if rows:
            report.plot(rows, args.plot, title)
            print(f"Figure written to {args.plot}", file=sys.stderr)
        else:
            print("No figure: no run finished.", file=sys.stderr)
    return INTERRUPTED if outcome.interrupted else 0


class Feedback:
    """Runs finished / to run and the best accuracy so far: a tqdm bar on a terminal,
    else a plain line per run."""

    def __init__(self, stream, describe):
        self.stream = stream
        self.describe = describe
        self.bar = None
        self.best = None

    def start(self, skipped: int, todo: int) -> None:
        if skipped:
            print(f"Skipping {skipped} run{'s' * (skipped != 1)} already in the results file.",
                  file=self.stream, flush=True)
        if todo and self.stream.isatty():
            from tqdm import tqdm
            self.bar = tqdm(total=todo, unit="run", file=self.stream)

    def update(self, finished: int, todo: int, record: dict) -> None:
        accuracy = record["final_accuracy"]
        self.best = accuracy if self.best is None else max(self.best, accuracy)
        if self.bar is not None:
            self.bar.set_postfix_str(f"best {self.best:.2f}%")
            self.bar.update(1)
        else:
            print(f"run {finished}/{todo} finished: {self.describe(record['config'])} seed "
                  f"{record['seed']}: "
                  f"{accuracy:.2f}% (best so far {self.best:.2f}%)", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
