"""Side-by-side speed of one training epoch: fastnet against the seed's per-example numpy
network.py, mini-batch numpy, PyTorch and JAX (those installed), on the same network,
data, initial parameters and example order, interleaved round by round, on
``--threads`` threads (default 1); the same as ``fastnet bench`` (the command line is
``fastnet/cli/bench.py``, the measurement ``fastnet/bench/``).

    python benchmarks/compare.py                                   # 784,30,10, batch 10, 5 rounds
    python benchmarks/compare.py --sizes 784,30,10 784,100,10 --json out.json
    python benchmarks/compare.py --sizes 784,30,10 784,100,10 --markdown   # + one table of both
    python benchmarks/compare.py --sizes 784,128,64,10 --batch 100 --threads 2 \\
        --only fastnet,numpy-batch,torch
    python benchmarks/compare.py --baseline /tmp/base              # + another checkout's fastnet
    python benchmarks/compare.py --help                            # every option

The fastnet measured is the one of the checkout holding this script, even where another
is installed (a ``git worktree`` measures itself). Data: ``--data PATH``, else
``$FASTNET_DATA``, else fastnet's default location. The peers are optional:
``pip install torch jax`` (CPU builds); a missing one is a "not installed" row. The
commands behind the tables of docs/performance.md are written there.
"""
import sys
from pathlib import Path

# this checkout's fastnet, whichever fastnet is installed
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastnet.cli.bench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
