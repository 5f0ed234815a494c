"""``fastnet.expand``, the old name of :mod:`fastnet.io.expand`: the same module object.
``python -m fastnet.expand`` runs ``fastnet expand`` (:mod:`fastnet.cli.expand`)."""
import sys

if __name__ == "__main__":
    from fastnet.cli.expand import main
    sys.exit(main())

from .io import expand

sys.modules[__name__] = expand
