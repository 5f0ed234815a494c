"""argparse types shared by the command-line modules: numbers checked where they are
parsed, so a bad value is one clear line (exit status 2) before anything runs."""
import argparse
from typing import List

from ..core.validate import check_sizes


def _int_at_least(text: str, low: int, expected: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if value < low:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def positive_int(text: str) -> int:
    return _int_at_least(text, 1, "a positive integer")


def non_negative_int(text: str) -> int:
    return _int_at_least(text, 0, "an integer >= 0")


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def layer_sizes(text: str) -> List[int]:
    """'784,30,10' -> [784, 30, 10]: the layer sizes, checked as ``Network`` checks them."""
    try:
        return check_sizes([int(part) for part in text.split(",")])
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(
            f"sizes must be at least two comma-separated integers >= 1 such as 784,30,10, "
            f"got {text!r}") from None
