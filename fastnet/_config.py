"""One place for the settings every kernel shares.

- ``FASTMATH``: LLVM fast-math flags. Reassociation and contraction let dot products
  vectorise; ``nnan``/``ninf`` are deliberately left out, so that ``inf`` from
  ``exp`` overflow stays IEEE (sigmoid(-100) is exactly 0) and finiteness checks
  keep telling the truth. ``FASTNET_FASTMATH=0`` turns the flags off.
- ``CACHE``: compiled kernels are cached on disk (``__pycache__`` beside the source,
  or ``NUMBA_CACHE_DIR``), so a second process does not compile again.
  ``FASTNET_CACHE=0`` turns that off.
- ``DTYPES``: the floating types a network may use.
"""
import os

import numpy as np

_OFF = ("0", "false", "no", "off")

FASTMATH = (
    set()
    if os.environ.get("FASTNET_FASTMATH", "1").lower() in _OFF
    else {"reassoc", "contract", "nsz", "arcp"}
)
CACHE = os.environ.get("FASTNET_CACHE", "1").lower() not in _OFF
DTYPES = (np.float32, np.float64)

JIT_OPTIONS = {"cache": CACHE, "fastmath": FASTMATH, "nogil": True, "error_model": "numpy"}
