"""``python -m fastnet``: the fastnet command."""
import sys

from .cli import main

sys.exit(main())
