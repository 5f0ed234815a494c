"""One place for the settings every kernel shares.

- ``FASTMATH``: LLVM fast-math flags. Reassociation and contraction let dot products
  vectorise (``JIT_OPTIONS``; kernels without a reduction use ``ORDERED_JIT_OPTIONS``,
  no reassociation); ``nnan``/``ninf`` are deliberately left out, so that ``inf`` from
  ``exp`` overflow stays IEEE (sigmoid(-100) is exactly 0) and finiteness checks
  keep telling the truth. ``FASTNET_FASTMATH=0`` turns the flags off.
- ``CACHE``: compiled kernels are cached on disk (``__pycache__`` beside the source,
  or ``NUMBA_CACHE_DIR``), so a second process does not compile again.
  ``FASTNET_CACHE=0`` turns that off. Numba re-checks only a kernel's own source file,
  but a cached kernel also holds copies of the kernels it calls from other files, so
  all of fastnet's cached kernels are cleared whenever a source that compiled code depends
  on changed: ``fastnet/kernels``, this file and ``core/threads.py`` (``clear_stale_cache``,
  at import). Sources outside them hold no compiled code.
- ``VECTOR_BYTES``: the width of the kernels' explicit SIMD vectors (``kernels.compiler.simd``)
  and of the first layer's padding (``kernels.layout.LANES``), chosen for the CPU the
  kernels compile for: 64 (16 float32 / 8 float64 lanes) where LLVM's target features
  include AVX-512F, else 32 (8 / 4, AVX2). ``FASTNET_VECTOR_BYTES=32`` or ``=64`` forces a
  width (e.g. the AVX2 width on an AVX-512 host, to compare them); kernels compiled for a
  forced width are cached apart, in a ``vector-N`` folder inside the usual one, because
  Numba's cache index tells CPUs apart (name and features), not this setting.
- ``PORTABLE``: ``FASTNET_PORTABLE=1`` compiles the kernels for one fixed x86-64 target,
  a Haswell (``PORTABLE_CPU``, ``PORTABLE_FEATURES``: AVX2 and FMA, 32-byte vectors),
  whatever the CPU, so that the same seeds give the same parameters, bit for bit, on
  every x86-64 CPU that has those features (refused on one that lacks any). It must be
  in the environment before anything in the process compiles with Numba.
- ``DTYPES``: the floating types a network may use.
"""
import hashlib
import os
from pathlib import Path

import numba
import numpy as np
from numba.core.caching import CacheImpl, _CacheLocator, _SourceFileBackedLocatorMixin

__version__ = "0.1.0"

_OFF = ("0", "false", "no", "off")

FASTMATH = (
    set()
    if os.environ.get("FASTNET_FASTMATH", "1").lower() in _OFF
    else {"reassoc", "contract", "nsz", "arcp"}
)
CACHE = os.environ.get("FASTNET_CACHE", "1").lower() not in _OFF
DTYPES = (np.float32, np.float64)


PORTABLE = os.environ.get("FASTNET_PORTABLE", "0").lower() not in _OFF + ("",)
PORTABLE_CPU = "haswell"
#: the features LLVM reports for a Haswell (x86-64-v3), all of which the code may use
PORTABLE_FEATURES = ",".join(f"+{name}" for name in (
    "64bit", "aes", "avx", "avx2", "bmi", "bmi2", "cmov", "crc32", "cx16", "cx8", "f16c",
    "fma", "fsgsbase", "fxsr", "lzcnt", "mmx", "movbe", "pclmul", "popcnt", "rdrnd", "sahf",
    "sse", "sse2", "sse3", "sse4.1", "sse4.2", "ssse3", "xsave", "xsaveopt"))


def _compile_for_the_portable_target() -> None:
    """Point Numba at PORTABLE_CPU and PORTABLE_FEATURES (through its environment
    variables, which it re-reads); RuntimeError on a CPU lacking any of those features,
    or when Numba already compiles for another target in this process."""
    import llvmlite.binding as llvm
    from numba.core.registry import cpu_target

    host = set(llvm.get_host_cpu_features().flatten().split(","))
    missing = [name[1:] for name in PORTABLE_FEATURES.split(",") if name not in host]
    if missing:
        raise RuntimeError(f"FASTNET_PORTABLE=1 compiles for x86-64 CPUs with AVX2 and FMA "
                           f"(a Haswell or later); this CPU lacks {', '.join(missing)}")
    os.environ.update(NUMBA_CPU_NAME=PORTABLE_CPU, NUMBA_CPU_FEATURES=PORTABLE_FEATURES)
    numba.core.config.reload_config()
    if cpu_target.target_context.codegen().magic_tuple()[1:] != (PORTABLE_CPU, PORTABLE_FEATURES):
        raise RuntimeError("FASTNET_PORTABLE=1 came too late: Numba already compiles for this "
                           "CPU in this process; set it in the environment before the program starts")


if PORTABLE:
    _compile_for_the_portable_target()


def host_vector_bytes() -> int:
    """The SIMD width (bytes) of the CPU Numba compiles for: 64 with AVX-512F, else 32.
    Read from the target features Numba gives LLVM ($NUMBA_CPU_FEATURES if set, even
    empty as for NUMBA_CPU_NAME=generic, else the host's), so that the width follows
    what the compiled code may use."""
    import llvmlite.binding as llvm

    features = numba.config.CPU_FEATURES
    if features is None:
        features = llvm.get_host_cpu_features().flatten()
    return 64 if "+avx512f" in features.split(",") else 32


def _vector_bytes() -> int:
    text = os.environ.get("FASTNET_VECTOR_BYTES", "").strip()
    if not text:
        return HOST_VECTOR_BYTES
    if text not in ("32", "64"):
        raise ValueError(f"FASTNET_VECTOR_BYTES must be 32 or 64 (bytes per SIMD vector), not {text!r}")
    return int(text)


HOST_VECTOR_BYTES = host_vector_bytes()
VECTOR_BYTES = _vector_bytes()

#: ``_nrt=False`` (Numba's option, used by its own tests): arrays are not reference-counted
#: inside the kernels, which allocate nothing and return only arrays they were given
#: (``kernels.layout``'s views are inlined into their callers). Counted, every view a
#: kernel makes costs two calls into Numba's runtime, an atomic increment then a
#: decrement, around which the vector registers go out to memory and back.
JIT_OPTIONS = {"cache": CACHE, "fastmath": FASTMATH, "nogil": True, "error_model": "numpy",
               "_nrt": False}
#: for kernels with no reduction to vectorise: sums keep the order they are written in.
#: With reassociation allowed, the copies Numba keeps of a kernel (in its own cached
#: library and inlined into each caller) could round differently, so the same seeds
#: would give different last bits in a process that compiled the kernels and in one
#: that loaded them from the cache.
ORDERED_JIT_OPTIONS = {**JIT_OPTIONS, "fastmath": FASTMATH - {"reassoc"}}
#: arrays counted: for the few kernels that allocate with numpy (inference's per-thread
#: buffers) and for ``kernels.layout``'s views when Python calls them (inlined into a
#: kernel, they compile with the kernel's options)
COUNTED_JIT_OPTIONS = {**JIT_OPTIONS, "_nrt": True}


def _cache_folder(source_dir: Path) -> Path:
    """Where Numba caches the kernels of the modules in ``source_dir``, by its own rule:
    ``$NUMBA_CACHE_DIR`` if set, else ``__pycache__`` beside them if writable, else the
    user-wide cache folder."""
    from numba.core.caching import UserProvidedCacheLocator

    subpath = UserProvidedCacheLocator.get_suitable_cache_subpath(str(source_dir / "m.py"))
    if numba.config.CACHE_DIR:
        return Path(numba.config.CACHE_DIR) / subpath
    in_tree = source_dir / "__pycache__"
    if os.access(in_tree if in_tree.exists() else source_dir, os.W_OK):
        return in_tree
    from numba.misc.appdirs import AppDirs
    return Path(AppDirs(appname="numba", appauthor=False).user_cache_dir) / subpath


def clear_stale_cache(package: Path, also: tuple[Path, ...] = ()) -> bool:
    """Delete the compiled kernels Numba cached for ``package`` and the files ``also``
    when any of those ``.py`` files changed (size or modification time) since they were
    cached, or Numba did; returns whether it did. The sources' stamp is kept beside the
    package's own cached kernels (``kernels.stamp``). Does nothing where that folder
    cannot be written."""
    sources = sorted(package.rglob("*.py")) + sorted(also)
    digest = hashlib.sha256(numba.__version__.encode())
    for path in sources:
        info = path.stat()
        digest.update(f"{path.relative_to(package.parent)} {info.st_mtime_ns} {info.st_size}\n".encode())
    stamp = _cache_folder(package) / "kernels.stamp"
    try:
        if stamp.read_text() == digest.hexdigest():
            return False
    except OSError:
        pass  # no stamp yet: a fresh checkout, or a cache written without one
    try:
        for folder in {_cache_folder(path.parent) for path in sources}:
            for pattern in ("*.nbi", "*.nbc", "vector-*/*.nbi", "vector-*/*.nbc"):
                for cached in folder.glob(pattern):
                    cached.unlink(missing_ok=True)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        partial = stamp.with_name(f"kernels.stamp.{os.getpid()}")
        partial.write_text(digest.hexdigest())
        partial.replace(stamp)  # atomic: a concurrent reader sees the old or the new stamp
    except OSError:
        return False
    return True


class ForcedWidthLocator(_SourceFileBackedLocatorMixin, _CacheLocator):
    """Where Numba caches fastnet's kernels compiled for a forced ``VECTOR_BYTES``:
    ``vector-N`` inside the folder it would use otherwise (``_cache_folder``)."""

    def __init__(self, py_func, py_file):
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        self._cache_path = str(_cache_folder(Path(py_file).parent) / f"vector-{VECTOR_BYTES}")

    def get_cache_path(self):
        return self._cache_path

    @classmethod
    def from_function(cls, py_func, py_file):
        if VECTOR_BYTES == HOST_VECTOR_BYTES or not Path(py_file).resolve().is_relative_to(_PACKAGE):
            return None
        return super().from_function(py_func, py_file)


_PACKAGE = Path(__file__).resolve().parent
if ForcedWidthLocator not in CacheImpl._locator_classes:
    CacheImpl._locator_classes.insert(0, ForcedWidthLocator)

if CACHE:
    _HERE = Path(__file__).resolve()
    clear_stale_cache(_HERE.parent / "kernels", also=(_HERE, _HERE.parent / "core" / "threads.py"))
