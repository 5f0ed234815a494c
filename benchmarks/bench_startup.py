"""Cold start in a fresh interpreter: import, and the first epoch of [784, 30, 10] on
10,000 examples, with the disk cache of compiled kernels warm (the usual case) and
empty (the first run after installing: every kernel compiles)."""

SNIPPET = """
import numpy as np, contextlib, io
from fastnet import Network
rng = np.random.default_rng(0)
X = (rng.random((10000, 784)) * (rng.random((10000, 784)) < 0.19)).astype(np.float32)
y = rng.integers(0, 10, 10000)
with contextlib.redirect_stdout(io.StringIO()):
    Network([784, 30, 10]).SGD((X, y), 1, 10, 3.0)
"""


def _fill_the_cache():
    """Run the snippet once, untimed, so that the compiled kernels are in the disk cache."""
    import subprocess
    import sys
    subprocess.run([sys.executable, "-c", SNIPPET], check=True)


def timeraw_first_epoch_warm_cache():
    return SNIPPET


timeraw_first_epoch_warm_cache.setup = _fill_the_cache
timeraw_first_epoch_warm_cache.timeout = 300


# What fastnet's own dependencies (numpy, numba) give: Numba imports scipy.linalg (for
# np.dot's BLAS) and cffi, when they are installed, at its first compilation or cached
# load; hidden from the snippet's process, as if not installed (their cost:
# docs/performance.md, "Compilation and cold start").
WITHOUT_OPTIONAL_IMPORTS = """
import sys
sys.modules.update(scipy=None, cffi=None)  # import scipy / cffi now raise ImportError
"""


def timeraw_first_epoch_warm_cache_own_dependencies():
    return WITHOUT_OPTIONAL_IMPORTS + SNIPPET


timeraw_first_epoch_warm_cache_own_dependencies.setup = _fill_the_cache
timeraw_first_epoch_warm_cache_own_dependencies.timeout = 300


def timeraw_first_epoch_empty_cache():
    return """
import atexit, functools, os, shutil, tempfile
os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp()  # before numba is imported
atexit.register(functools.partial(shutil.rmtree, os.environ["NUMBA_CACHE_DIR"], True))
""" + SNIPPET


timeraw_first_epoch_empty_cache.timeout = 600


def timeraw_import():
    return "import fastnet"
