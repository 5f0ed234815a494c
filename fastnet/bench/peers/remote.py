"""A peer measured in a child process of its own (``fastnet/bench/serve.py``), driven
call by call from the benchmark's rounds, so it stays interleaved with the others:

- a peer class with ``pinned = True`` (JAX) runs pinned to ``--threads`` CPUs with
  ``os.sched_setaffinity``, set in the child before its framework is imported, and
  with the XLA flags its class asks for (``xla_one_thread``);
- ``--baseline PATH`` runs ``fastnet`` from another checkout, PATH first on the child's
  ``sys.path`` and its Numba cache its own sources' ``__pycache__``.

Epoch seconds are the child's own (what passes through the pipe is not timed); its
compilation happens in ``warm_up``, as for every peer."""
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

import numpy as np

from .base import Impl, NotInstalled

#: the child's program, run by its path
SERVE = Path(__file__).resolve().parents[1] / "serve.py"
#: the folder holding this checkout's ``fastnet`` package
HERE_ROOT = Path(__file__).resolve().parents[3]
#: XLA_FLAGS that keep XLA's CPU work on one thread
XLA_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
#: the options a peer reads from the run's Config
CONFIG_FIELDS = ("batch", "eta", "threads", "epochs_per_call", "ref_examples", "seed")


def pinned_cores(threads: int) -> Optional[List[int]]:
    """The first ``threads`` CPUs this process may run on; None where the system has no
    CPU affinity (the peer then runs unpinned)."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    return sorted(os.sched_getaffinity(0))[:threads]


def child_environment(threads: int, xla_one_thread: bool = False,
                      root: Optional[Path] = None, base: Optional[dict] = None) -> dict:
    """The environment of a peer's process (``base``: os.environ, whose thread variables
    the measuring process set): XLA_FLAGS for one XLA thread only when ``xla_one_thread``
    and ``threads`` is 1, else without them; for another checkout ``root``, no
    NUMBA_CACHE_DIR (its kernels cache beside its own sources) and no PYTHONPATH entry of
    this checkout."""
    env = dict(os.environ if base is None else base)
    flags = " ".join(part for part in env.get("XLA_FLAGS", "").split()
                     if part not in XLA_ONE_THREAD.split())
    if xla_one_thread and threads == 1:
        flags = f"{flags} {XLA_ONE_THREAD}".strip()
    if flags:
        env["XLA_FLAGS"] = flags
    else:
        env.pop("XLA_FLAGS", None)
    if root is not None and Path(root).resolve() != HERE_ROOT:
        env.pop("NUMBA_CACHE_DIR", None)
        path = [p for p in env.get("PYTHONPATH", "").split(os.pathsep)
                if p and Path(p).resolve() != HERE_ROOT]
        env["PYTHONPATH"] = os.pathsep.join(path)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


class Connection:
    """The child process and its pipes; ``call`` sends one call and returns its answer."""

    def __init__(self, root: Path, env: dict, setup: dict, cores: Optional[List[int]] = None):
        command = [sys.executable, str(SERVE), str(root)]
        if cores:
            command.append(",".join(map(str, cores)))
        self.process = subprocess.Popen(command, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE)
        self.send(setup)
        self.reply = self.receive()

    def send(self, message) -> None:
        pickle.dump(message, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.flush()

    def receive(self):
        try:
            return pickle.load(self.process.stdout)
        except EOFError:
            status = self.process.wait()
            raise RuntimeError(f"the peer's process ended (exit status {status})") from None

    def call(self, key: int, method: str, *args):
        self.send((key, method, args))
        status, value = self.receive()
        if status != "ok":
            raise RuntimeError(value)
        return value

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.send((0, "close", ()))
                self.process.stdin.close()
                self.process.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


class RemoteImpl(Impl):
    """The peer ``peer`` (a name in ``root``'s ``fastnet.bench.peers``) in its own
    process; ``cores``: the CPUs it is pinned to (None: not pinned); ``label``: its
    table row, else the child's own label."""

    def __init__(self, peer: str, sizes, X, y, config, root: Path = HERE_ROOT,
                 cores: Optional[List[int]] = None, xla_one_thread: bool = False,
                 label: Optional[str] = None, name: Optional[str] = None):
        super().__init__(sizes, X, y, config.batch, config.eta)
        self.name, self.cores = name or peer, cores
        env = child_environment(config.threads, xla_one_thread, root)
        self.xla_flags = env.get("XLA_FLAGS")
        setup = dict(name=peer, sizes=list(sizes), X=np.ascontiguousarray(X),
                     y=np.ascontiguousarray(y),
                     config={field: getattr(config, field) for field in CONFIG_FIELDS})
        self.connection, self.key = Connection(root, env, setup, cores), 0
        status, info = self.connection.reply
        if status != "ok":
            self.connection.close()
            raise (NotInstalled if status == "not installed" else RuntimeError)(info)
        self.package, self.examples_timed = info["package"], info["examples_timed"]
        self.label = label or info["label"]
        if cores is not None:
            self.label += f", pinned to CPU {','.join(map(str, cores))}"

    @classmethod
    def pinned(cls, peer_class: type, sizes, X, y, config) -> "RemoteImpl":
        """``peer_class`` of this checkout in its own process pinned to ``--threads`` CPUs
        (all of them when ``pinned`` is False), with the XLA flags it asks for."""
        cores = pinned_cores(config.threads) if peer_class.pinned else None
        return cls(peer_class.name, sizes, X, y, config, cores=cores,
                   xla_one_thread=peer_class.xla_one_thread)

    def _call(self, method: str, *args):
        return self.connection.call(self.key, method, *args)

    def reset(self, weights, biases):
        self._call("reset", weights, biases)

    def warm_up(self, order):
        self._call("warm_up", order)

    def epoch(self, order):
        return self._call("epoch", order)

    def train_exact(self, order):
        self._call("train_exact", order)

    def for_check(self, X, y):
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__, key=self._call("for_check", X, y))
        return view

    def parameters(self):
        return self._call("parameters")

    def versions(self):
        return self._call("versions")

    def affinity(self) -> dict:
        """The CPUs each thread of the child may run on, by thread id."""
        return self._call("affinity")

    def extra_results(self):
        return dict(self._call("extra_results"), process=dict(
            cores=self.cores, xla_flags=self.xla_flags, package=self.package))

    def close(self):
        if self.key == 0:
            self.connection.close()
