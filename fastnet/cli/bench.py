"""``fastnet bench``: its arguments."""
from ..bench import add_parser

__all__ = ["add_parser"]
