"""The book's own script, end to end, against the seed's network.py epoch in one run:

    training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
    net = network.Network([784, 30, 10])
    net.SGD(training_data, 30, 10, 3.0, test_data=test_data)

with ``from fastnet import mnist_loader, network``. Each round starts a fresh process
(the kernels load from Numba's disk cache, as in any script's second run) and times the
``SGD`` call as the script sees it: a 30-epoch call with test data, and a 1-epoch call
without. The seed's per-epoch time is the per-example reference of ``compare.py``
(``fastnet.bench.peers.seed``), timed on ``--ref-examples`` examples and scaled to the
50,000. Rounds alternate the three, and the medians and ratios are printed as Markdown:

    python benchmarks/book_script.py --data ../shared/data/mnist --rounds 3
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import contextlib, io, json, sys, time
from fastnet import mnist_loader, network
training_data, validation_data, test_data = mnist_loader.load_data_wrapper(sys.argv[1])
net = network.Network([784, 30, 10])
epochs = int(sys.argv[2])
with contextlib.redirect_stdout(io.StringIO()) as out:
    start = time.perf_counter()
    net.SGD(training_data, epochs, 10, 3.0, test_data=test_data if epochs > 1 else None)
    seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "last": out.getvalue().splitlines()[-1],
                  "threads": net.history[-1]["threads"]}))
"""

SEED = r"""
import json, random, sys, time
import numpy as np
from fastnet.bench.peers.seed import PerExample
from fastnet.sweeps.data import load_dataset
examples = int(sys.argv[2])
(X, y), _ = load_dataset(sys.argv[1], train_limit=examples, test_limit=1).train, None
np.random.seed(0)
sizes = [784, 30, 10]
net = PerExample([np.random.randn(n, m) for m, n in zip(sizes[:-1], sizes[1:])],
                 [np.random.randn(n, 1) for n in sizes[1:]])
pairs = [(x.reshape(-1, 1).astype(np.float64), np.eye(10)[label].reshape(-1, 1)) for x, label in zip(X, y)]
random.shuffle(pairs)
start = time.perf_counter()
for k in range(0, len(pairs), 10):
    net.update_mini_batch(pairs[k:k + 10], 3.0)
print(json.dumps({"seconds": (time.perf_counter() - start) * 50000 / len(pairs)}))
"""


def run(code: str, *args) -> dict:
    result = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True,
                            text=True, env=dict(os.environ, PYTHONPATH=str(HERE)))
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="the MNIST folder")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ref-examples", type=int, default=2000)
    options = parser.parse_args()
    data = str(Path(options.data).absolute())
    times = {"seed": [], "1": [], "30": []}
    for round_ in range(options.rounds):
        names = list(times)[round_ % 3:] + list(times)[:round_ % 3]
        for name in names:
            if name == "seed":
                times[name].append(run(SEED, data, options.ref_examples)["seconds"])
            else:
                outcome = run(SCRIPT, data, name)
                times[name].append(outcome["seconds"])
                if name == "30":
                    threads, last = outcome["threads"], outcome["last"]
        print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.3f} s" for k, v in times.items()),
              file=sys.stderr)
    seed, one, thirty = (statistics.median(times[k]) for k in ("seed", "1", "30"))
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs; fastnet on {threads} thread(s); "
          f"last line of the 30-epoch run: {last}\n")
    print("| the book's script, [784,30,10] | seconds (median) | seed's time / this |")
    print("|---|---:|---:|")
    print(f"| seed network.py, one epoch | {seed:.2f} | 1.0x |")
    print(f"| fastnet `SGD(training_data, 1, 10, 3.0)` | {one:.3f} | {seed / one:.1f}x |")
    print(f"| fastnet `SGD(training_data, 30, 10, 3.0, test_data=test_data)` | {thirty:.2f} | "
          f"{30 * seed / thirty:.1f}x (against 30 seed epochs) |")
    print(f"raw: {json.dumps(times)}")


if __name__ == "__main__":
    main()
