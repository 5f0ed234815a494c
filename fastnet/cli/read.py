"""``fastnet read``: the number written in each picture, digit by digit, optionally
drawn with the boxes found.

    fastnet read model.npz number.png [more images...] [--show boxes.png]
"""
import argparse
import sys

from .args import png_file
from .inputs import load_model
from .predict import add_polarity_options, polarity_hint


def add_parser(commands, common) -> argparse.ArgumentParser:
    """Register ``read`` on the main parser's ``commands``."""
    read = commands.add_parser("read", parents=[common], help="read handwritten numbers from images")
    read.add_argument("model")
    read.add_argument("images", nargs="+", metavar="IMAGE", help="PNG, JPEG or NPY image of a number")
    add_polarity_options(read)
    read.add_argument("--show", metavar="OUT.png", type=png_file, help="draw the boxes and the digits read "
                      "(several images: OUT-1.png, OUT-2.png, ...)")
    read.set_defaults(run=run_read)
    return read


def run_read(args) -> int:
    from pathlib import Path

    from ..io.images import read_image
    from ..vision.reading import draw
    net = load_model(args.model)
    if net.sizes[0] != 784:
        raise ValueError(f"{args.model} takes {net.sizes[0]} inputs, not 28x28 digits")
    for i, path in enumerate(args.images, start=1):
        image = read_image(path)
        reading = net.read_number(image, invert=args.invert)
        print(f"{path}: {reading.text or '(no digits found' + polarity_hint(args.invert) + ')'}")
        for digit, confidence, box in reading.digits:
            print(f"  {digit}  confidence {confidence:.3f}  box (top, left, bottom, right) {tuple(box)}")
        if args.show:
            out = Path(args.show)
            if len(args.images) > 1:
                out = out.with_name(f"{out.stem}-{i}{out.suffix}")
            draw(image, reading, out)
            print(f"Boxes drawn in {out}", file=sys.stderr)
    return 0
