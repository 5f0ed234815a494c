"""``fastnet expand``: write MNIST expanded by one-pixel shifts (:mod:`fastnet.io.expand`).

    fastnet expand [--data SRC] --out DIR [--seed 0] [--no-shuffle]
    python -m fastnet.cli.expand --out DIR ...      # the same, on its own
"""
import argparse
import sys
from typing import Optional, Sequence

from ..io.expand import expand_mnist
from .args import non_negative_int
from .status import run_command

__all__ = ["add_parser", "main", "run_expand"]


def add_parser(subparsers, common_parent=None) -> argparse.ArgumentParser:
    """Register ``expand`` on the main parser's ``subparsers`` (``run=run_expand``)."""
    parser = subparsers.add_parser(
        "expand", parents=[common_parent] if common_parent is not None else [],
        help="write MNIST expanded to 250,000 training images (one-pixel shifts)",
        description="Write a folder with MNIST's four IDX .gz files in which every one of "
                    "the 50,000 training images is also there shifted by one pixel up, down, "
                    "left and right: 250,000 training, 10,000 validation, 10,000 test images.")
    _add_options(parser)
    return parser


def _add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", metavar="SRC",
                        help="the folder with the four MNIST IDX files (default: $FASTNET_DATA, "
                             "then the cache folder)")
    parser.add_argument("--out", metavar="DIR", required=True,
                        help="the folder to write (created if needed; not the source folder)")
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="seed of the shuffle of the expanded images (default 0)")
    parser.add_argument("--no-shuffle", dest="shuffle", action="store_false",
                        help="keep the order: image i's five versions in rows 5i..5i+4")
    parser.set_defaults(run=run_expand)


def run_expand(args) -> int:
    result = expand_mnist(args.data, args.out, seed=args.seed, shuffle=args.shuffle)
    print(result.summary())
    for path in result.files:
        print(f"  {path}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The subcommand on its own, with the fastnet command's exit statuses."""
    parser = argparse.ArgumentParser(prog="fastnet expand",
                                     description="Write MNIST expanded by one-pixel shifts.")
    _add_options(parser)
    args = parser.parse_args(argv)
    return run_command("expand", lambda: args.run(args))


if __name__ == "__main__":
    sys.exit(main())
