"""The process a peer is measured in apart from the others (``peers.remote``):
``python serve.py ROOT [CPUS]``, run by its path, with ROOT -- a folder holding a ``fastnet``
package -- first on ``sys.path``, so the peer served is that checkout's (``--baseline``
serves another checkout's fastnet this way).

CPUS (``0,1``) pins the process to those CPUs before anything else happens, so every
thread started later (numpy's, the peer framework's) inherits the affinity. Messages are
pickled: the setup (peer name, sizes, data, run options) then calls
``(key, method, args)`` on stdin; each answer ``(status, value)`` goes to the original
stdout, and anything the peer prints goes to stderr.
Only the standard library is imported here: this file must run beside any checkout's
``fastnet.bench``.
"""
import os
import pickle
import signal
import sys
import types

#: the peer methods a caller may call (``Impl``'s interface)
METHODS = ("reset", "warm_up", "epoch", "train_exact", "parameters", "versions",
           "extra_results")


def thread_affinities() -> dict:
    """The CPUs each thread of this process may run on, by thread id."""
    affinities = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            affinities[int(tid)] = sorted(os.sched_getaffinity(int(tid)))
        except OSError:  # the thread ended meanwhile
            pass
    return affinities


def describe(impl) -> dict:
    import fastnet
    return dict(label=impl.label, examples_timed=impl.examples_timed,
                package=os.path.dirname(os.path.abspath(fastnet.__file__)), pid=os.getpid())


def make(setup: dict):
    """The peer of ``setup`` (its class from ROOT's ``fastnet.bench.peers``)."""
    from fastnet.bench import peers
    config = types.SimpleNamespace(**setup["config"])
    try:
        impl = peers.peer_class(setup["name"]).from_config(setup["sizes"], setup["X"], setup["y"],
                                                           config)
    except peers.NotInstalled as error:
        return None, ("not installed", str(error))
    return impl, ("ok", describe(impl))


def call(impls: dict, key: int, method: str, args: tuple):
    """The answer to one call: ``for_check`` makes a new peer (its key is the answer),
    ``affinity`` gives the threads' CPUs, the rest are the peer's own methods."""
    if method == "for_check":
        impls[len(impls)] = impls[key].for_check(*args)
        return len(impls) - 1
    if method == "affinity":
        return thread_affinities()
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    return getattr(impls[key], method)(*args)


def serve(inp, out) -> None:
    """Answer the setup, then every call until ``close`` or the end of ``inp``."""
    def answer(status, value):
        pickle.dump((status, value), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    setup = pickle.load(inp)
    try:
        impl, reply = make(setup)
    except Exception as error:
        impl, reply = None, ("failed", f"{type(error).__name__}: {error}")
    answer(*reply)
    if impl is None:
        return
    impls = {0: impl}
    while True:
        try:
            key, method, args = pickle.load(inp)
        except EOFError:
            return
        if method == "close":
            return
        try:
            answer("ok", call(impls, key, method, args))
        except Exception as error:
            answer("failed", f"{type(error).__name__}: {error}")


def main() -> None:
    if len(sys.argv) > 2:
        os.sched_setaffinity(0, [int(cpu) for cpu in sys.argv[2].split(",")])
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it
    sys.path[0] = os.path.abspath(sys.argv[1])  # instead of this file's folder
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # prints go to stderr
    serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
