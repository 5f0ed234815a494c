"""``fastnet.persist``, the old name of :mod:`fastnet.io.persist`: the same module object."""
import sys

from .io import persist

sys.modules[__name__] = persist
