"""``fastnet.neurons``, the old name of :mod:`fastnet.experiments.neurons`: the same module object."""
import sys

from .experiments import neurons

sys.modules[__name__] = neurons
