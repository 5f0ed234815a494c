"""Interleaved A/B of two fastnet checkouts: one training epoch, side by side.

    python benchmarks/ab.py --baseline /path/to/other/checkout [--sizes 784,30,10 ...]
        [--threads 1 2] [--batch 10] [--rounds 9] [--data DIR]

Each checkout runs in its own child process (its folder first on ``sys.path``, its own
Numba cache), loads MNIST once and compiles before timing. Round r asks every child for
one ``SGD`` epoch of the same seeded network, in an order that alternates with r, so the
machine's drift hits both alike. Prints the median seconds of each and their ratio
(baseline / this checkout: above 1 means this checkout is faster).
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
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        nets[key].SGD((X, y), 1, batch, 3.0)
    print(json.dumps(time.perf_counter() - start), flush=True)
"""


def start_child(checkout: Path, data: str, cache: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(checkout), NUMBA_CACHE_DIR=cache)
    return subprocess.Popen([sys.executable, "-c", CHILD, data], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env, cwd=checkout)


def ask(child: subprocess.Popen, sizes, threads, batch) -> float:
    child.stdin.write(json.dumps([sizes, threads, batch]) + "\n")
    child.stdin.flush()
    line = child.stdout.readline()
    if not line:
        raise RuntimeError("a child process ended early (see its error above)")
    return json.loads(line)


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
    args = parser.parse_args()
    if not args.data:
        parser.error("--data (or $FASTNET_DATA) is needed")
    data = str(Path(args.data).resolve())
    baseline = args.baseline.resolve()
    with tempfile.TemporaryDirectory() as cache_a, tempfile.TemporaryDirectory() as cache_b:
        children = {"this": start_child(HERE, data, cache_a), "baseline": start_child(baseline, data, cache_b)}
        try:
            print(f"this checkout: {HERE}\nbaseline: {baseline}\n")
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
