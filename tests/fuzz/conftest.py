"""The fuzz suite's worker (one for the whole suite) and its options: ``--fuzz-long`` (or
FUZZ_LONG=1) runs 20 times the CI examples, FUZZ_EXAMPLES=N runs N per test."""
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Worker  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--fuzz-long", action="store_true",
                     help="fuzz suite: 20 times the CI examples (also FUZZ_LONG=1)")


def pytest_configure(config):
    if config.getoption("--fuzz-long", default=False):
        os.environ["FUZZ_LONG"] = "1"


_WORKERS = []


@pytest.fixture(scope="package")
def worker():
    """The subprocess that runs the cases (restarted when one kills it)."""
    w = Worker()
    _WORKERS.append(w)
    yield w
    w.close()


def pytest_terminal_summary(terminalreporter):
    """How many cases ran, per case and outcome (refused / result / problem)."""
    for w in _WORKERS:
        counts = {}
        for (name, outcome), count in sorted(w.outcomes.items()):
            counts.setdefault(name, []).append(f"{outcome} {count}")
        terminalreporter.write_line(f"fuzz: {w.cases} cases in a worker process started "
                                    f"{w.restarts + 1} time(s)")
        for name, parts in counts.items():
            terminalreporter.write_line(f"  {name}: {', '.join(parts)}")


@pytest.fixture(scope="package")
def verdict(worker):
    """``verdict(name, params)``: run the case in the worker and fail with its problem."""
    def run(name, params):
        answer = worker.run(name, params)
        assert answer["ok"], f"{name} {params!r}\n{answer['problem']}"
        return answer
    return run
