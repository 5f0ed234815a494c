"""argparse types shared by the command-line modules: numbers checked where they are
parsed, so a bad value is one clear line (exit status 2) before anything runs.

Each type applies the library's own check (:mod:`fastnet.core.validate`) and words its
error for the command line: argparse prefixes it with the option (``argument --epochs:
expected an integer >= 0, got '-1'``)."""
import argparse
import os
from pathlib import Path
from typing import Callable, Iterable, List, TypeVar

from ..core.threads import check_threads
from ..core.validate import check_int, check_real, check_sizes

T = TypeVar("T")


def _parsed(text: str, parse: Callable[[str], T], check: Callable[[T], T], expected: str) -> T:
    """``check(parse(text))``, or the argparse error "expected ..., got 'text'"."""
    try:
        return check(parse(text))
    except (TypeError, ValueError, MemoryError):  # MemoryError: sizes beyond any memory
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def positive_int(text: str) -> int:
    return _parsed(text, int, lambda n: check_int(n, "value", 1), "a positive integer")


def non_negative_int(text: str) -> int:
    return _parsed(text, int, lambda n: check_int(n, "value", 0), "an integer >= 0")


def digit(text: str) -> int:
    return _parsed(text, int, lambda n: check_int(n, "value", 0, 9), "a digit 0-9")


def positive_float(text: str) -> float:
    return _parsed(text, float, lambda x: check_real(x, "value", 0, low_open=True),
                   "a positive number")


def non_negative_float(text: str) -> float:
    return _parsed(text, float, lambda x: check_real(x, "value", 0), "a number >= 0")


def unit_interval(text: str) -> float:
    """A probability-like number from 0 up to, but not including, 1 (momentum, dropout)."""
    return _parsed(text, float, lambda x: check_real(x, "value", 0, 1, high_open=True),
                   "a number in [0, 1)")


def machine_threads(text: str) -> int:
    """Threads for every library in a benchmark (not only Numba's): from 1 to the CPUs
    this process may use."""
    from ..sweeps.engine import usable_cpus
    threads, cpus = positive_int(text), usable_cpus()
    try:
        return check_int(threads, "threads", 1, cpus)
    except ValueError:
        raise argparse.ArgumentTypeError(f"threads must be from 1 to {cpus} (this machine's "
                                         f"CPUs), got {threads}") from None


def thread_count(text: str) -> int:
    """Threads for the kernels: from 1 to Numba's thread limit (``check_threads``)."""
    return _parsed(text, int, check_threads, "a whole number of threads from 1 to this "
                   "machine's NUMBA_NUM_THREADS")


def layer_sizes(text: str) -> List[int]:
    """'784,30,10' -> [784, 30, 10]: the layer sizes, checked as ``Network`` checks them."""
    return _parsed(text, _ints, check_sizes,
                   "layer sizes: at least two comma-separated integers >= 1 such as 784,30,10")


def model_file(text: str) -> str:
    """A model file to write (``--save``): a .npz or .json name in a writable folder."""
    from ..io.persist import MODEL_SUFFIXES
    return _destination(text, MODEL_SUFFIXES, "the model's format")


def figure_file(text: str) -> str:
    """A figure to write (``--plot``): a name in a writable folder with a suffix that
    matplotlib writes (none: PNG); matplotlib itself must be installed."""
    from ..io.plots import pyplot
    try:
        plt = pyplot()
    except RuntimeError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    formats = [""] + [f".{kind}" for kind in plt.figure().canvas.get_supported_filetypes()]
    plt.close("all")
    return _destination(text, formats, "the figure's format")


def results_file(text: str) -> str:
    """A results file to append to (``sweep --out``): a .jsonl name in a writable folder."""
    return _destination(text, [".jsonl", ".ndjson"], "a JSON-lines results file")


def png_file(text: str) -> str:
    """A PNG picture to write (``read --show``): a .png name in a writable folder."""
    return _destination(text, [".png"], "a PNG picture")


def _destination(text: str, suffixes: Iterable[str], what: str) -> str:
    """``text`` when a file can be written there: not a folder, pipe or device, in an
    existing folder this process may write in, with one of ``suffixes`` (lower case; "" for none); else
    the argparse error saying which of these fails. Checked when parsed, so a long run
    never ends in a file it cannot write."""
    path = Path(text)
    folder = path.parent
    if not text or path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder: give a file name")
    if path.exists() and not path.is_file():
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: it is not a regular file "
                                         "(a pipe or a device)")
    if not folder.is_dir():
        problem = (f"{str(folder)!r} is not a folder" if folder.exists()
                   else f"the folder {str(folder)!r} does not exist")
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: {problem}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: no permission to write in "
                                         f"the folder {str(folder)!r}")
    suffixes = list(suffixes)
    if path.suffix.lower() not in suffixes:
        known = ", ".join(repr(s) for s in suffixes if s)
        raise argparse.ArgumentTypeError(f"cannot tell {what} from the suffix of {text!r}: "
                                         f"use {known}")
    return text


def int_list(text: str) -> List[int]:
    """'0,10,30' -> [0, 10, 30]: one or more integers >= 0."""
    return _parsed(text, _ints, lambda values: [check_int(v, "value", 0) for v in _some(values)],
                   "comma-separated integers >= 0")


def float_list(text: str) -> List[float]:
    """'0.1,3' -> [0.1, 3.0]: one or more numbers."""
    return _parsed(text, lambda t: [float(part) for part in _parts(t)], _some,
                   "comma-separated numbers")


def _parts(text: str) -> List[str]:
    return [part for part in text.split(",") if part.strip()]


def _ints(text: str) -> List[int]:
    return [int(part) for part in _parts(text)]


def _some(values: List[T]) -> List[T]:
    if not values:
        raise ValueError("no values")
    return values
