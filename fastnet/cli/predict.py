"""``fastnet predict``: the digit in each picture of one handwritten digit.

    fastnet predict model.npz digit.png [more images...] [--dark-on-light | --light-on-dark]
"""
import argparse
from typing import Optional

from .inputs import load_model


def add_parser(commands, common) -> argparse.ArgumentParser:
    """Register ``predict`` on the main parser's ``commands``."""
    predict = commands.add_parser("predict", parents=[common], help="read digits from image files")
    predict.add_argument("model")
    predict.add_argument("images", nargs="+", metavar="IMAGE", help="PNG, JPEG or NPY image of one digit")
    add_polarity_options(predict)
    predict.set_defaults(run=run_predict)
    return predict


def add_polarity_options(parser: argparse.ArgumentParser) -> None:
    """--dark-on-light / --light-on-dark (``invert``: True, False, or None: detected)."""
    polarity = parser.add_mutually_exclusive_group()
    polarity.add_argument("--dark-on-light", dest="invert", action="store_const", const=True,
                          help="the ink is dark on a light background (default: detected)")
    polarity.add_argument("--light-on-dark", dest="invert", action="store_const", const=False,
                          help="the ink is light on a dark background, as in MNIST")


def run_predict(args) -> int:
    from ..io.images import load_digit
    net = load_model(args.model)
    if net.sizes[0] != 784:
        raise ValueError(f"{args.model} takes {net.sizes[0]} inputs, not a 28x28 image")
    for path in args.images:
        try:
            x = load_digit(path, invert=args.invert)
        except ValueError as error:
            blank = "no digit found" in str(error)  # the polarity given may be the wrong one
            raise ValueError(f"{path}: {error}{polarity_hint(args.invert) if blank else ''}") from None
        activations = net.feedforward(x.reshape(784, 1))[:, 0]
        digit = int(net.encoding.decode(activations[None, :])[0])
        confidence = f"  (activation {activations[digit]:.3f})" if net.encoding.name == "one-hot" else ""
        print(f"{path}: {digit}{confidence}")
        print("  " + "  ".join(f"{j}:{a:.3f}" for j, a in enumerate(activations)))
    return 0


def polarity_hint(invert: Optional[bool]) -> str:
    """What to say when no digit was found in a picture read with ``invert``: a
    polarity the user chose may be the wrong one."""
    if invert is None:
        return ""
    given = "--dark-on-light" if invert else "--light-on-dark"
    return f"; is {given} right for this picture? Without it the polarity is detected"
