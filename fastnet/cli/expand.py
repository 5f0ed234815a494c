"""``fastnet expand``: its arguments."""
from ..io.expand import add_parser

__all__ = ["add_parser"]
