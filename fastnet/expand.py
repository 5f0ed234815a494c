"""``fastnet.expand``, the old name of :mod:`fastnet.io.expand`: the same module object."""
import sys

from .io import expand

sys.modules[__name__] = expand
