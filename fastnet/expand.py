"""``fastnet.expand``, the old path of :mod:`fastnet.io.expand` (MNIST expanded by
one-pixel shifts) and of its command line, :mod:`fastnet.cli.expand`: the same objects
under their old names. ``python -m fastnet.expand`` runs ``fastnet expand``."""
import sys

from .cli.expand import add_parser, main, run_expand
from .io.expand import (GZIP_MEMBER_MIN, GZIP_MEMBERS, SHIFTS, VALIDATION_SIZE, default_dest,
                        expand_images, expand_mnist)

__all__ = ["expand_images", "expand_mnist", "default_dest", "SHIFTS", "VALIDATION_SIZE",
           "GZIP_MEMBERS", "GZIP_MEMBER_MIN", "add_parser", "run_expand", "main"]

if __name__ == "__main__":
    sys.exit(main())
