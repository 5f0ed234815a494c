"""The line a person at a terminal sees around the first compilation of the training
kernels: one before it starts, when the kernels for these arguments are neither compiled
in this process nor in Numba's disk cache ("Compiling the training kernels for this
machine, once: about 30 s"), and one after, when preparing them took longer than
``NOTE_SECONDS``, saying whether they were compiled or loaded from the disk cache.

``Network.train_epochs(prepared=CompileNote(sys.stderr))`` shows both; ``SGD`` passes
one by default. Nothing is printed where the stream is not a terminal.
"""
from typing import TextIO, Tuple

from .. import kernels
from ..config import CACHE

#: preparing the training kernels for longer than this is reported on a terminal
NOTE_SECONDS = 1.0

#: what the first compilation takes on a 2-core machine, rounded
FIRST_COMPILE = "about 30 s"


def will_compile(kernel, args: Tuple) -> bool:
    """Whether calling the Numba dispatcher ``kernel`` with ``args`` compiles it: the
    types of ``args`` are neither compiled in this process nor in the disk cache (or the
    disk cache is off). False when Numba's cache cannot be read the way expected."""
    try:
        types = tuple(kernel.typeof_pyval(a) for a in args)
        if types in kernel.overloads:
            return False
        cache = kernel._cache
        if not hasattr(cache, "_cache_file"):  # NullCache: caching is off
            return True
        return cache._index_key(types, kernel.targetctx.codegen()) not in cache._cache_file._load_index()
    except Exception:  # Numba's internals differ from the ones this reads: say nothing
        return False


def compiled_count() -> int:
    """How many times this process compiled a training kernel (not found in the disk cache)."""
    return sum(sum(kernel.stats.cache_misses.values())
               for kernel in (kernels.train_epoch, kernels.train_epoch_threaded))


class CompileNote:
    """``train_epochs``' ``prepared``: ``starting()`` is called just before the training
    kernels compile (only when they will), ``note(seconds)`` after they are prepared.
    Prints only when ``stream`` is a terminal."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.compiled_before = compiled_count()

    def starting(self) -> None:
        """The line before a compilation."""
        if self.stream.isatty():
            self._say(f"Compiling the training kernels for this machine, once: {FIRST_COMPILE}"
                      + (" (then cached on disk)" if CACHE else ""))

    def __call__(self, seconds: float) -> None:
        if seconds <= NOTE_SECONDS or not self.stream.isatty():
            return
        if compiled_count() > self.compiled_before:
            self._say(f"Compiled the training kernels for this machine in {seconds:.1f} s"
                      + (" (cached on disk: later runs load it)" if CACHE else ""))
        else:
            self._say(f"Loaded the compiled training kernels from the disk cache in {seconds:.1f} s")

    def _say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)
