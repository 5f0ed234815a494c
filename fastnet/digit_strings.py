"""``fastnet.digit_strings``, the old name of :mod:`fastnet.vision.digit_strings`: the same module object."""
import sys

from .vision import digit_strings

sys.modules[__name__] = digit_strings
