"""``fastnet.download``, the old name of :mod:`fastnet.io.download`: the same module object."""
import sys

from .io import download

sys.modules[__name__] = download
