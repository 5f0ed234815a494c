"""Wall time of sweeps: ``--jobs 1`` against ``--jobs N`` on this machine, this checkout's
experiment runner against another checkout's (``--baseline``), and the first runs against
the later ones on a fresh compile cache. Rounds alternate, so the machine's drift hits
both sides alike; medians and ratios are printed as Markdown.

    python benchmarks/sweep_scaling.py --data ../shared/data/mnist --rounds 2 \\
        [--baseline ../base] [--fresh-cache]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
#: the sweep the issue names: 12 configurations x 3 seeds x 10 epochs
SWEEP = ["--sizes", "784,30,10", "784,100,10", "--eta", "0.5", "1", "3", "--lmbda", "0", "5",
         "--cost", "cross-entropy", "--seeds", "3", "--epochs", "10"]
#: an experiment both runners can run: the hidden-layer sweep, 5 sizes x 3 seeds x 10 epochs
EXPERIMENT = ["experiment", "hidden", "--seeds", "3", "--epochs", "10"]


def timed(argv, checkout: Path, env=None) -> float:
    """Seconds of ``python -m fastnet ARGV`` run from ``checkout``'s sources."""
    env = dict(env or os.environ, PYTHONPATH=str(checkout))
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "fastnet", *argv], cwd=checkout, env=env,
                         capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{run.stderr}")
    return seconds


def warm_up(data: str, checkout: Path) -> None:
    """One short run, so that the timed ones load compiled kernels from the disk cache."""
    for jobs in ("1", "2"):
        timed([*EXPERIMENT[:2], "--hidden", "30", "--seeds", "1", "--epochs", "1", "--data", data,
               "--jobs", jobs, "--limit-train", "1000", "--limit-test", "100"], checkout)


def sweep_rounds(data: str, jobs: int, rounds: int, folder: Path) -> dict:
    """Median wall seconds of the sweep with --jobs 1 and --jobs ``jobs``, alternating;
    also each sweep's runs' own seconds summed (``wall_seconds`` of its results), which
    tells the runs' share of a slow round from the rest's (start-up, closing)."""
    warm_up(data, HERE)
    times, summed = {1: [], jobs: []}, {1: [], jobs: []}
    for round_ in range(rounds):
        order = (1, jobs) if round_ % 2 == 0 else (jobs, 1)
        for count in order:
            out = folder / f"sweep-{count}-{round_}.jsonl"
            times[count].append(timed(["sweep", *SWEEP, "--data", data, "--out", str(out),
                                       "--jobs", str(count)], HERE))
            records = [json.loads(line) for line in out.read_text().splitlines()]
            summed[count].append(round(sum(record["wall_seconds"] for record in records), 2))
    return ({count: statistics.median(values) for count, values in times.items()}
            | {"raw": times, "runs": summed})


def runner_rounds(data: str, baseline: Path, rounds: int) -> dict:
    """Median wall seconds of the experiment with --jobs 2 here and in ``baseline``."""
    warm_up(data, baseline)
    times = {"baseline": [], "this": []}
    for round_ in range(rounds):
        order = ("baseline", "this") if round_ % 2 == 0 else ("this", "baseline")
        for side in order:
            checkout = baseline if side == "baseline" else HERE
            times[side].append(timed([*EXPERIMENT, "--data", data, "--jobs", "2"], checkout))
    return {side: statistics.median(values) for side, values in times.items()} | {"raw": times}


def fresh_cache(data: str, jobs: int, folder: Path) -> list:
    """Each run's compile and training seconds, in the order they finished, with an
    empty Numba cache."""
    out = folder / "fresh.jsonl"
    env = dict(os.environ, NUMBA_CACHE_DIR=str(folder / "numba-cache"))
    timed(["sweep", *SWEEP, "--data", data, "--out", str(out), "--jobs", str(jobs)], HERE, env)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    return [(row["config"]["sizes"][1], row["compile_seconds"], row["wall_seconds"]) for row in rows]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="the MNIST folder")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline", type=Path, help="another checkout (e.g. a git worktree)")
    parser.add_argument("--fresh-cache", action="store_true")
    args = parser.parse_args(argv)
    data = str(Path(args.data).resolve())
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sweep = sweep_rounds(data, args.jobs, args.rounds, folder)
        print(f"\n| sweep (12 configs x 3 seeds x 10 epochs) | --jobs 1 | --jobs {args.jobs} | ratio |")
        print("|---|---:|---:|---:|")
        print(f"| median of {args.rounds} | {sweep[1]:.1f} s | {sweep[args.jobs]:.1f} s | "
              f"{sweep[1] / sweep[args.jobs]:.2f}x |")
        print(f"raw: {sweep['raw']}")
        print(f"runs' seconds summed: {sweep['runs']}")
        if args.baseline:
            runner = runner_rounds(data, args.baseline.resolve(), args.rounds)
            print("\n| experiment hidden (5 sizes x 3 seeds x 10 epochs), --jobs 2 | baseline | "
                  "this | baseline / this |")
            print("|---|---:|---:|---:|")
            print(f"| median of {args.rounds} | {runner['baseline']:.1f} s | {runner['this']:.1f} s | "
                  f"{runner['baseline'] / runner['this']:.2f}x |")
            print(f"raw: {runner['raw']}")
        if args.fresh_cache:
            runs = fresh_cache(data, args.jobs, folder)
            print("\nFresh compile cache, runs in the order they finished "
                  "(hidden neurons, compile s, run s):")
            for hidden, compile_seconds, wall in runs:
                print(f"  {hidden:4d}  {compile_seconds:7.2f}  {wall:6.2f}")


if __name__ == "__main__":
    main()
