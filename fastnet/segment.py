"""``fastnet.segment``, the old name of :mod:`fastnet.vision.segment`: the same module object."""
import sys

from .vision import segment

sys.modules[__name__] = segment
