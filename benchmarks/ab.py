"""Interleaved A/B of two fastnet checkouts: one training epoch, side by side.

    python benchmarks/ab.py --baseline /path/to/other/checkout [--sizes 784,30,10 ...]
        [--threads 1 2] [--batch 10] [--rounds 9] [--data DIR] [--clock wall|cpu]
        [--env NAME=VALUE ...] [--baseline-env NAME=VALUE ...]

Each checkout runs in its own child process (its folder first on ``sys.path``, its own
Numba cache), loads MNIST once and compiles before timing. Round r asks every child for
one ``SGD`` epoch of the same seeded network, in an order that alternates with r, so the
machine's drift hits both alike. Prints the median seconds of each and their ratio
(baseline / this checkout: above 1 means this checkout is faster).

``--clock cpu`` times the process's CPU seconds (``time.process_time``) instead of the
wall clock: on a machine shared with other work, a 1-thread epoch's CPU time is not
stretched by the time slices others take (with 2 threads it also counts the waits at
the barriers). ``--env`` / ``--baseline-env`` set environment variables in one child,
e.g. ``--baseline . --baseline-env FASTNET_VECTOR_BYTES=32`` compares this checkout at the
AVX2 vector width with itself at the host's.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
from fastnet.cli.args import layer_sizes  # noqa: E402  the --sizes type of fastnet train

CHILD = r"""
import contextlib, io, json, random, sys, time
import numpy as np
from fastnet.mnist_loader import load_data
(X, y), _, _ = load_data(sys.argv[1])
clock = time.process_time if sys.argv[2] == "cpu" else time.perf_counter
nets = {}
for line in sys.stdin:
    sizes, threads, batch = json.loads(line)
    key = (tuple(sizes), threads)
    if key not in nets:
        from fastnet import Network
        np.random.seed(0); random.seed(0)
        nets[key] = Network(sizes, threads=threads)
        with contextlib.redirect_stdout(io.StringIO()):
            nets[key].SGD((X[:200], y[:200]), 1, batch, 3.0)  # compile, or load the cache
    start = clock()
    with contextlib.redirect_stdout(io.StringIO()):
        nets[key].SGD((X, y), 1, batch, 3.0)
    print(json.dumps(clock() - start), flush=True)
"""


def start_child(checkout: Path, data: str, cache: str, clock: str, extra: list) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(checkout), NUMBA_CACHE_DIR=cache)
    env.update(setting.split("=", 1) for setting in extra)
    return subprocess.Popen([sys.executable, "-c", CHILD, data, clock], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env, cwd=checkout)


def ask(child: subprocess.Popen, sizes, threads, batch) -> float:
    child.stdin.write(json.dumps([sizes, threads, batch]) + "\n")
    child.stdin.flush()
    line = child.stdout.readline()
    if not line:
        raise RuntimeError("a child process ended early (see its error above)")
    return json.loads(line)


def setting(text: str) -> str:
    """An argparse type: NAME=VALUE."""
    if "=" not in text or not text.split("=", 1)[0]:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, not {text!r}")
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, type=Path, help="the other fastnet checkout")
    parser.add_argument("--sizes", nargs="+", type=layer_sizes,
                        default=[[784, 30, 10], [784, 100, 10], [784, 128, 64, 10]])
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--data", default=os.environ.get("FASTNET_DATA"),
                        help="folder of the MNIST IDX files (default: $FASTNET_DATA)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall-clock seconds (default) or the process's CPU seconds")
    parser.add_argument("--env", nargs="+", default=[], type=setting, metavar="NAME=VALUE",
                        help="environment variables for this checkout's child")
    parser.add_argument("--baseline-env", nargs="+", default=[], type=setting, metavar="NAME=VALUE",
                        help="environment variables for the baseline's child")
    args = parser.parse_args()
    if not args.data:
        parser.error("--data (or $FASTNET_DATA) is needed")
    data = str(Path(args.data).resolve())
    baseline = args.baseline.resolve()
    with tempfile.TemporaryDirectory() as cache_a, tempfile.TemporaryDirectory() as cache_b:
        children = {"this": start_child(HERE, data, cache_a, args.clock, args.env),
                    "baseline": start_child(baseline, data, cache_b, args.clock, args.baseline_env)}
        try:
            print(f"this checkout: {HERE} {' '.join(args.env)}\n"
                  f"baseline: {baseline} {' '.join(args.baseline_env)}\nclock: {args.clock}\n")
            print("| sizes | threads | this (s) | baseline (s) | baseline / this |")
            print("|---|---:|---:|---:|---:|")
            for sizes in args.sizes:
                for threads in args.threads:
                    times = {name: [] for name in children}
                    for name, child in children.items():
                        ask(child, sizes, threads, args.batch)  # warm-up epoch, untimed
                    for r in range(args.rounds):
                        order = list(children) if r % 2 == 0 else list(children)[::-1]
                        for name in order:
                            times[name].append(ask(children[name], sizes, threads, args.batch))
                    this, base = (statistics.median(times[n]) for n in ("this", "baseline"))
                    print(f"| {sizes} | {threads} | {this:.4f} | {base:.4f} | {base / this:.3f} |",
                          flush=True)
        finally:
            for child in children.values():
                child.stdin.close()
                child.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
