"""``fastnet.data``, the old name of :mod:`fastnet.io.idx`: the same module object."""
import sys

from .io import idx

sys.modules[__name__] = idx
