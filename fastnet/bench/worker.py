"""The measuring process (``main``, with one Config as JSON), started by
:func:`fastnet.bench.runner.spawn_worker` with the thread environment set. It runs the
whole benchmark (:func:`run_worker`), tables on stdout, progress on stderr."""
import dataclasses
import json
import random
import signal
import sys
import time
from typing import Optional, Sequence

import numpy as np

from ..io.atomic import write_atomically
from .data import check_destination, check_fits, load_training
from .machine import load_average, machine_info, peak_macs_per_second
from .options import Config
from .peers.fastnet import fastnet_network
from .report import accuracy_line, closing_line, markdown, summary_table
from .runner import measure


def accuracy_run(sizes, train, test, config: Config) -> dict:
    """The book's run with fastnet: seeded, ``config.accuracy_epochs`` epochs, the test
    set's correct count after each."""
    from ..core.threads import using_threads
    np.random.seed(config.seed)
    random.seed(config.seed)
    net = fastnet_network(sizes, config.threads)
    correct, seconds = [], []
    with using_threads(config.threads):
        for result in net.train_epochs(train, config.accuracy_epochs, config.batch, config.eta, test):
            correct.append(result.correct)
            seconds.append(result.seconds)
    return dict(sizes=list(sizes), epochs=config.accuracy_epochs, n_test=len(test[0]),
                correct=correct, seconds=seconds)


def run_worker(config: Config, out=None) -> dict:
    """The whole benchmark in this process (threads as this process's environment set
    them): tables on ``out`` (stdout; with ``config.markdown`` also the summary table of
    all networks), JSON to ``config.json``; returns the results.
    ValueError when the networks do not fit the data."""
    from ..core.threads import using_threads
    out = sys.stdout if out is None else out
    wall = time.perf_counter()
    check_destination(config)
    (X, y), test = load_training(config)
    check_fits(config, X, y, test)
    with using_threads(config.threads):
        peak = peak_macs_per_second()
    machine = machine_info(config.threads, peak)
    results = []
    for sizes in config.sizes:
        started, load_before = time.perf_counter(), load_average()
        result = measure(sizes, X, y, config, peak)
        result["wall_seconds"] = time.perf_counter() - started
        result["load_average"] = [load_before, load_average()]
        results.append(result)
        print(markdown(result, machine), file=out, flush=True)
        print(f"(this network: {result['wall_seconds']:.0f} s wall)\n", file=out, flush=True)
    if config.markdown:
        print(summary_table(results, machine) + "\n", file=out, flush=True)
    accuracy = []
    for sizes in config.sizes if config.accuracy_epochs else []:
        accuracy.append(accuracy_run(sizes, (X, y), test, config))
        print(accuracy_line(accuracy[-1], config), file=out, flush=True)
    document = dict(config=dataclasses.asdict(config), machine=machine, networks=results,
                    accuracy=accuracy, wall_seconds=time.perf_counter() - wall)
    print(closing_line(config, document), file=out, flush=True)
    if config.json:
        text = json.dumps(document, indent=1).encode()
        write_atomically(config.json, lambda f: f.write(text))
        print(f"Results written to {config.json}", file=sys.stderr)
    return document


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The child's entry point: ``argv`` is one Config as JSON, checked by the parent.
    Ctrl-C ends it at once (the parent reports it)."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    (text,) = sys.argv[1:] if argv is None else argv
    run_worker(Config.from_json(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
