"""What the worker does with a case: build its inputs from plain data (``make_array``)
and judge what the call did (``judge``).

The property of every case: the call either refuses with a ValueError, TypeError or
MemoryError raised from fastnet's (or scikit-learn's) own code whose message names the
argument, or returns a result the case's check accepts. Anything else is a problem: an
exception of another type, one raised inside numpy or Numba, a message naming nothing
the user passed, a refusal of a valid input, an invalid input accepted, a wrong result.
"""
import os
import re
import tempfile
import traceback
import uuid
import warnings
from pathlib import Path
from typing import Callable, Iterable, Optional

import numba
import numpy as np

#: folders whose frames must never be where a refusal is raised
_LIBRARIES = tuple(str(Path(module.__file__).resolve().parent) + os.sep for module in (np, numba))
#: where memory-mapped inputs are written (the worker's own, removed when it exits)
SCRATCH = Path(tempfile.mkdtemp(prefix="fastnet-fuzz-"))

#: special values a float array may hold: name -> value (cast to the array's dtype)
SPECIALS = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf, "huge": 1e30, "hugest": 1e300,
            "subnormal": None, "zero": 0.0, "negative-zero": -0.0}


class Problem(Exception):
    """A check found the result wrong: the case fails with this message."""


class Valid(Exception):
    """Raised by a case's expectation: the input was valid, yet the call refused it."""


def library_frame(error: BaseException) -> str:
    """The numpy or Numba file the exception was raised in, or ""."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return ""
    last = str(Path(frames[-1].filename).resolve())
    return last if last.startswith(_LIBRARIES) else ""


def judge(call: Callable[[], object], names: Iterable[str], check: Optional[Callable] = None,
          valid: Optional[bool] = None, invalid_because: str = "") -> dict:
    """Run ``call`` and judge it. ``names``: what a refusal's message may name (any one).
    (as a word: "y" is not named by "type"). ``check(result)`` raises Problem for a wrong result. ``valid``: whether the case's
    own reading of the input says it is valid (None: unknown); a refusal of a valid
    input and an acceptance of an invalid one are problems (``invalid_because`` says
    why the input is invalid)."""
    names = tuple(names)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                result = call()
    except Problem as problem:
        return fail(f"wrong result: {problem}")
    except (ValueError, TypeError, MemoryError) as error:
        where = library_frame(error)
        text = f"{type(error).__name__}: {error}"
        if where:
            return fail(f"{text}\n  raised inside {where}\n{_trace(error)}")
        if not any(re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", str(error)) for name in names):
            return fail(f"the message names none of {list(names)}: {text}\n{_trace(error)}")
        if valid:
            return fail(f"a valid input refused: {text}\n{_trace(error)}")
        return {"ok": True, "outcome": "refused", "message": text}
    except Exception as error:  # noqa: BLE001 - any other type is the finding
        return fail(f"{type(error).__name__} (not a ValueError/TypeError/MemoryError): "
                    f"{error}\n{_trace(error)}")
    if valid is False:
        return fail(f"an invalid input accepted ({invalid_because})")
    if check is not None:
        try:
            with np.errstate(all="ignore"):
                check(result)
        except Problem as problem:
            return fail(f"wrong result: {problem}")
    return {"ok": True, "outcome": "result"}


def fail(problem: str) -> dict:
    return {"ok": False, "problem": problem}


def _trace(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__)[-6:])


# -- arrays -------------------------------------------------------------------------------
def make_array(spec: dict) -> np.ndarray:
    """The array ``spec`` describes: ``shape``, ``dtype`` (a numpy name or "object"),
    ``seed``, ``kind`` of values ("normal", "unit": [0, 1), "ink": blobs on a
    background, "labels", "constant"), ``scale``, ``specials`` (names of ``SPECIALS``
    put at a few places), ``layout`` ("C", "F", "strided", "reversed", "readonly",
    "memmap")."""
    shape, dtype = tuple(spec["shape"]), np.dtype(spec["dtype"])
    rng = np.random.default_rng(spec.get("seed", 0))
    kind = spec.get("kind", "normal")
    if kind == "unit":
        values = rng.random(shape)
    elif kind == "ink":
        values = _ink(shape, rng)
    elif kind == "labels":
        values = rng.integers(spec.get("low", 0), spec.get("high", 2), shape).astype(np.float64)
    elif kind == "constant":
        values = np.full(shape, spec.get("value", 0.0))
    else:
        values = rng.standard_normal(shape)
    values = np.asarray(values * spec.get("scale", 1.0))  # 0-d stays an array
    with np.errstate(all="ignore"):
        if dtype.kind == "b":
            array = values > (0.5 if kind in ("unit", "ink") else 0)
        elif dtype.kind in "iu" and kind not in ("labels", "constant"):
            array = rng.integers(0, 256, shape).astype(dtype) if dtype.kind == "u" else \
                rng.integers(-3, 4, shape).astype(dtype)
        elif dtype.kind == "c":
            array = (values + 1j * rng.standard_normal(shape)).astype(dtype)
        else:
            array = values.astype(dtype)
        array = np.asarray(array)
        _put_specials(array, spec.get("specials", ()), rng)
    return _laid_out(array, spec.get("layout", "C"))


def _ink(shape, rng) -> np.ndarray:
    """Light blobs (digit-sized strokes) on a dark background, in [0, 1]."""
    a = np.zeros(shape)
    if a.ndim != 2 or a.size == 0:
        return rng.random(shape)
    h, w = shape
    for _ in range(int(rng.integers(1, 5))):
        top, left = int(rng.integers(0, h)), int(rng.integers(0, w))
        a[top:top + int(rng.integers(1, max(2, h // 2))),
          left:left + int(rng.integers(1, max(2, w // 6)))] = rng.uniform(0.5, 1.0)
    return a


def _put_specials(array: np.ndarray, specials, rng) -> None:
    if not specials or array.size == 0 or array.dtype.kind not in "fcO":
        return
    flat = array.reshape(-1)
    for name in specials:
        value = SPECIALS[name]
        if value is None:  # the smallest subnormal of the array's type
            value = np.finfo(array.dtype if array.dtype.kind == "f" else np.float64).smallest_subnormal
        flat[int(rng.integers(array.size))] = value


def _laid_out(array: np.ndarray, layout: str) -> np.ndarray:
    if layout == "F":
        return np.asfortranarray(array)
    if layout == "strided" and array.ndim:
        return np.repeat(array, 2, axis=-1)[..., ::2]  # every other place of a wider array
    if layout == "reversed" and array.ndim:
        return array[::-1].copy()[::-1]
    if layout == "readonly":
        array = array.copy()
        array.flags.writeable = False
        return array
    if layout == "memmap" and array.dtype.kind != "O":
        path = SCRATCH / f"{uuid.uuid4().hex}.npy"
        np.save(path, array)
        return np.load(path, mmap_mode="r")
    return array


def canonical(array: np.ndarray, dtype) -> np.ndarray:
    """What fastnet should compute with: the values cast to ``dtype``, C-contiguous."""
    with np.errstate(all="ignore"):
        return np.array(np.asarray(array), dtype=dtype, order="C")


def same_parameters(a, b) -> bool:
    """Are the two networks' parameters identical, bit for bit?"""
    return all(np.array_equal(x, y) for x, y in zip([*a.weights, *a.biases], [*b.weights, *b.biases]))


def close(actual, expected, tolerance: float) -> Optional[str]:
    """None when the arrays agree normwise (max error <= tolerance * max |expected|, or
    tolerance where the expected numbers are all below 1: a saturated neuron's
    derivative is 0 in float32 and 1e-30 in float64), else what differs."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    if actual.shape != expected.shape:
        return f"shape {actual.shape}, expected {expected.shape}"
    if not np.isfinite(actual).all():
        return "non-finite numbers in the result"
    if actual.size == 0:
        return None
    error = np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1.0)
    return None if error <= tolerance else f"relative error {error:.3g} > {tolerance:g}"
