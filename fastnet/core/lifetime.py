"""The end of a process that fastnet runs from start to finish (the ``fastnet`` command,
the embedded cluster's workers): its last garbage collection is skipped.

At exit the interpreter collects every object left, the compiled kernels' and Dask's
among them, which takes 0.1-0.3 s; the system frees the memory as the process ends
anyway. ``gc.freeze`` at exit moves every object out of the collector's reach first.
Only for processes whose code is fastnet's: an object in a reference cycle is then not
finalized, so such a process closes its files itself (fastnet's code does).
"""
import atexit
import gc

#: holds gc.freeze once it is registered to run at this process's exit
_REGISTERED: list = []


def skip_collection_at_exit() -> None:
    """Register ``gc.freeze`` to run at this process's exit (once per process)."""
    if not _REGISTERED:
        _REGISTERED.append(atexit.register(gc.freeze))
