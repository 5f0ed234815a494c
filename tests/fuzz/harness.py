"""The test process's side of the fuzz suite: a long-lived worker subprocess that runs
the cases (``worker.py``), and the hypothesis settings of a CI run and a long run.

A case goes to the worker as ``(name, params)`` (plain, picklable data that the worker
turns into arrays, networks and files) and comes back as a verdict dict: ``ok`` and,
when not, ``problem``. A worker that dies (a segfault, an abort) or answers nothing
within the timeout (a hang) gives a failing verdict saying so, and the next case
starts a new worker.
"""
import os
import pickle
import selectors
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

from hypothesis import HealthCheck, settings

HERE = Path(__file__).resolve().parent
WORKER = HERE / "worker.py"
#: seconds a case may take: a case may compile a kernel signature not yet in the cache
CASE_TIMEOUT = float(os.environ.get("FUZZ_TIMEOUT", "120"))
#: the long run's multiplier of each test's examples (``--fuzz-long`` or FUZZ_LONG=1)
LONG_FACTOR = 20
_HEADER = struct.Struct("<Q")

#: CI: reproducible (derandomized), no example database written, no deadline (a case's
#: time includes the worker's), cases as cheap as hypothesis likes
settings.register_profile(
    "fuzz", derandomize=True, database=None, deadline=None, print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much])


def examples(ci: int) -> int:
    """Examples for a test: ``ci`` in CI; ``$FUZZ_EXAMPLES`` when set; ``LONG_FACTOR``
    times ``ci`` for a long run (``pytest tests/fuzz --fuzz-long`` or ``FUZZ_LONG=1``)."""
    if os.environ.get("FUZZ_EXAMPLES"):
        return int(os.environ["FUZZ_EXAMPLES"])
    if os.environ.get("FUZZ_LONG") == "1":
        return ci * LONG_FACTOR
    return ci


def fuzz_settings(ci: int) -> settings:
    """The settings of a fuzz test that runs ``examples(ci)`` cases."""
    return settings(settings.get_profile("fuzz"), max_examples=examples(ci))


class Worker:
    """One subprocess running cases one after another; restarted when it dies or hangs."""

    def __init__(self, timeout: float = CASE_TIMEOUT):
        self.timeout = timeout
        self.cases = 0
        self.restarts = 0
        #: (case name, outcome) -> count: "refused", "result" or "problem"
        self.outcomes = {}
        self._proc: Optional[subprocess.Popen] = None
        self._stderr = None

    def _start(self) -> None:
        self._stderr = tempfile.TemporaryFile()
        repo = str(HERE.parents[1])  # fastnet from this checkout, installed or not
        path = os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))
        env = dict(os.environ, PYTHONFAULTHANDLER="1", PYTHONPATH=path)
        self._proc = subprocess.Popen([sys.executable, str(WORKER)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=self._stderr, env=env,
                                      cwd=tempfile.gettempdir())

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-3000:]

    def _read(self, size: int, deadline: float) -> Optional[bytes]:
        """``size`` bytes of the worker's answer; None if it ends first, TimeoutError
        past the deadline."""
        fd = self._proc.stdout.fileno()
        chunks, missing = [], size
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while missing:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise TimeoutError
                chunk = os.read(fd, missing)
                if not chunk:
                    return None
                chunks.append(chunk)
                missing -= len(chunk)
        return b"".join(chunks)

    def run(self, name: str, params: dict) -> dict:
        """The worker's verdict on case ``name`` with ``params``."""
        verdict = self._run(name, params)
        key = (name, verdict.get("outcome", "problem"))
        self.outcomes[key] = self.outcomes.get(key, 0) + 1
        return verdict

    def _run(self, name: str, params: dict) -> dict:
        if self._proc is None or self._proc.poll() is not None:
            self._start()
        self.cases += 1
        message = pickle.dumps((name, params))
        try:
            self._proc.stdin.write(_HEADER.pack(len(message)) + message)
            self._proc.stdin.flush()
            deadline = time.monotonic() + self.timeout
            header = self._read(_HEADER.size, deadline)
            answer = header and self._read(_HEADER.unpack(header)[0], deadline)
        except TimeoutError:
            self._stop()
            return {"ok": False, "problem": f"hang: no answer in {self.timeout:.0f} s"}
        except BrokenPipeError:
            answer = None
        if answer is None:
            code = self._proc.wait()
            tail = self._stderr_tail()
            self._proc = None
            self.restarts += 1
            return {"ok": False, "problem": f"crash: the process died (exit status {code})\n{tail}"}
        return pickle.loads(answer)

    def _stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None
            self.restarts += 1

    def close(self) -> None:
        if self._proc is not None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._stop()
            self._proc = None
