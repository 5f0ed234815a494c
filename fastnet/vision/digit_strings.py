"""Synthetic pictures of handwritten numbers, built from single MNIST digits.

A test bench for :mod:`fastnet.vision.segment`: :func:`make_string` puts a few MNIST
digits side by side on one canvas, with random gaps (negative gaps make
neighbours overlap, and often touch), small vertical offsets, Gaussian noise and
optionally dark-on-light polarity, and returns the true digit string and each
digit's ink box, so that a segmentation can be scored against the truth.

Boxes are ``(top, left, bottom, right)`` in canvas pixel coordinates, bottom and
right exclusive (as :class:`fastnet.vision.segment.Digit.box`), around the digit's
pixels above :data:`INK` (before noise). ``gap`` is measured between ink boxes:
the next digit's ink starts ``gap`` columns after the previous digit's ink ends,
so ``gap=1`` leaves one empty column, ``gap=0`` puts the two inks in adjacent
columns and ``gap<0`` makes them overlap by ``-gap`` columns (combined with
``np.maximum``, as two pen strokes on paper).

Only numpy (and Pillow when ``scale != 1``) is used, and the segmentation's
:func:`~fastnet.vision.segment.dilate`.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import numpy as np

from .segment import dilate

__all__ = ["make_string", "make_strings", "inks_touch", "INK", "MARGIN"]

#: A pixel is ink (for the boxes) when its value is above this.
INK = 0.2
#: A pair of digits "touches" when their pixels above this are 8-adjacent or shared
#: (about the level an Otsu threshold puts between MNIST ink and background).
TOUCH = 0.4
#: Blank columns / rows around the digits (before the vertical jitter).
MARGIN = 6

Box = Tuple[int, int, int, int]
KINDS = (None, "separate", "touching")


def inks_touch(a: np.ndarray, b: np.ndarray, level: float = TOUCH) -> bool:
    """Whether the ink (> ``level``) of two same-shaped layers is one 8-connected blob
    where they meet: some pixel of ``a`` is equal or 8-adjacent to a pixel of ``b``."""
    ma, mb = a > level, b > level
    if not ma.any() or not mb.any():
        return False
    return bool((dilate(ma) & mb).any())


def _digit_arrays(images) -> np.ndarray:
    """The digits as an (n, h, w) array (a view: only the digits used are converted)."""
    a = np.asarray(images)
    if a.ndim == 2 and a.shape[1] == 784:
        a = a.reshape(-1, 28, 28)
    if a.ndim != 3 or a.shape[0] == 0:
        raise ValueError(f"images must be (n, 784) or (n, h, w) with n > 0, got shape {a.shape}")
    if a.dtype.kind not in "uif":
        raise ValueError(f"images must be numeric, got dtype {a.dtype}")
    return a


def _one_digit(digits: np.ndarray, i: int) -> np.ndarray:
    """Digit ``i`` as float32 in [0, 1] (uint8 divided by 255)."""
    d = digits[i]
    if d.dtype == np.uint8:
        return d.astype(np.float32) / np.float32(255.0)
    d = d.astype(np.float32)
    if not np.isfinite(d).all() or d.min() < 0.0 or d.max() > 1.0:
        raise ValueError(f"image {i} must be uint8 or have values in [0, 1]")
    return d


def _scaled(digit: np.ndarray, scale: float) -> np.ndarray:
    if scale == 1.0:
        return digit
    from PIL import Image

    h, w = digit.shape
    size = (max(1, int(round(w * scale))), max(1, int(round(h * scale))))
    lanczos = getattr(Image, "Resampling", Image).LANCZOS
    out = Image.fromarray(np.ascontiguousarray(digit, dtype=np.float32)).resize(size, lanczos)
    return np.clip(np.asarray(out, dtype=np.float32), 0.0, 1.0)


def _ink_box(digit: np.ndarray) -> Optional[Box]:
    ink = digit > INK
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def make_string(
    images,
    labels,
    rng=None,
    length: Optional[int] = None,
    gap: Tuple[int, int] = (-4, 12),
    jitter: int = 3,
    noise: float = 0.05,
    invert: bool = False,
    scale: float = 1.0,
    kind: Optional[str] = None,
    return_touching: bool = False,
    indices: Optional[Sequence[int]] = None,
):
    """One picture of a number written with MNIST digits.

    ``images``: (n, 784) or (n, h, w) digits in [0, 1], light on dark (as
    ``fastnet.mnist_loader.load_data(...)[2][0]``); ``labels``: their (n,) digits.
    ``rng``: a ``numpy.random.Generator`` (or a seed). ``length``: how many digits,
    default random in 2..10. ``gap``: (low, high) inclusive range of the gap in
    pixels between neighbouring ink boxes (negative: overlapping). ``jitter``:
    maximal vertical offset in pixels. ``noise``: standard deviation of the
    Gaussian noise added (then clipped to [0, 1]). ``invert``: dark ink on light
    paper. ``scale``: digits resized by this factor (gaps and jitter are not).
    ``kind``: None (any gaps), ``"separate"`` (every gap at least 1, nothing
    touches) or ``"touching"`` (at least one neighbouring pair touches; retried
    until one does). ``indices``: which digits to use (overrides ``length``).

    Returns ``(canvas, text, boxes)``: the float32 2-D canvas in [0, 1], the
    digit string, and each digit's ink box ``(top, left, bottom, right)``; with
    ``return_touching=True`` also a fourth item: whether any neighbouring pair's
    inks touch (see :func:`inks_touch`).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    digits = _digit_arrays(images)
    labels = np.asarray(labels).reshape(-1)
    if len(labels) != len(digits):
        raise ValueError(f"{len(digits)} images but {len(labels)} labels")
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    lo, hi = int(gap[0]), int(gap[1])
    if lo > hi:
        raise ValueError(f"gap must be (low, high) with low <= high, got {gap}")
    if kind == "separate":
        lo, hi = max(lo, 1), max(hi, 1)
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    jitter = int(jitter)
    if indices is not None:
        picks = np.asarray(indices, dtype=np.int64).reshape(-1)
        if picks.size < 1:
            raise ValueError("indices must name at least one digit")
    else:
        n = int(rng.integers(2, 11)) if length is None else int(length)
        if n < 1:
            raise ValueError(f"length must be at least 1, got {length}")
        if kind == "touching":
            n = max(n, 2)
        picks = rng.integers(len(digits), size=n)

    for _attempt in range(100):
        canvas, text, boxes, touching = _compose(digits, labels, picks, rng, lo, hi, jitter,
                                                 scale, kind)
        if kind != "touching" or touching:
            break
        if indices is None:  # some digits never touch (a thin 1 beside a 1): new ones
            picks = rng.integers(len(digits), size=len(picks))
    else:
        raise RuntimeError("could not make touching digits with these options")

    if noise > 0:
        canvas = canvas + rng.normal(0.0, float(noise), canvas.shape).astype(np.float32)
    canvas = np.clip(canvas, 0.0, 1.0).astype(np.float32)
    if invert:
        canvas = (1.0 - canvas).astype(np.float32)
    if return_touching:
        return canvas, text, boxes, touching
    return canvas, text, boxes


def _compose(digits, labels, picks, rng, lo, hi, jitter, scale, kind):
    layers = []  # (digit array, ink box inside it, label)
    for i in picks:
        d = _scaled(_one_digit(digits, int(i)), float(scale))
        box = _ink_box(d)
        if box is None:  # a blank "digit": nothing to place
            continue
        layers.append((d, box, int(labels[int(i)])))
    if not layers:
        raise ValueError("the chosen images hold no ink")
    k = len(layers)
    gaps = rng.integers(lo, hi + 1, size=max(0, k - 1))
    if kind == "touching" and k > 1 and (gaps > 0).all():
        gaps[rng.integers(k - 1)] = rng.integers(min(lo, 0), 1)
    offsets = rng.integers(-jitter, jitter + 1, size=k) if jitter > 0 else np.zeros(k, int)

    # horizontal placement of each ink box, then the canvas size
    lefts = []
    x = MARGIN
    for j, (d, (t, l, b, r), _) in enumerate(layers):
        if j:
            x = max(MARGIN, lefts[-1] + (layers[j - 1][1][3] - layers[j - 1][1][1]) + int(gaps[j - 1]))
        lefts.append(x)
    tops = [MARGIN + jitter + int(offsets[j]) for j in range(k)]
    side_h = max(d.shape[0] for d, _, _ in layers)
    width = max(lefts[j] + (layers[j][1][3] - layers[j][1][1]) for j in range(k)) + MARGIN
    height = side_h + 2 * (MARGIN + jitter)

    canvas = np.zeros((height, width), dtype=np.float32)
    placed = []
    boxes: List[Box] = []
    for j, (d, (t, l, b, r), _) in enumerate(layers):
        oy, ox = tops[j] - t, lefts[j] - l  # canvas position of the digit array's (0, 0)
        layer = np.zeros_like(canvas)
        # paste d at (oy, ox), clipped to the canvas (only blank border can be clipped)
        y0, x0 = max(0, oy), max(0, ox)
        y1, x1 = min(height, oy + d.shape[0]), min(width, ox + d.shape[1])
        layer[y0:y1, x0:x1] = d[y0 - oy:y1 - oy, x0 - ox:x1 - ox]
        np.maximum(canvas, layer, out=canvas)
        placed.append(layer)
        boxes.append((oy + t, ox + l, oy + b, ox + r))
    touching = any(int(gaps[j]) <= 0 and inks_touch(placed[j], placed[j + 1]) for j in range(k - 1))
    text = "".join(str(lab) for _, _, lab in layers)
    return canvas, text, boxes, touching


def make_strings(images, labels, count: int, seed=0, **options) -> List[tuple]:
    """``count`` pictures from :func:`make_string` (same ``options``), reproducible from
    ``seed``: a list of ``(canvas, text, boxes, touching)``."""
    rng = np.random.default_rng(seed)
    options.pop("return_touching", None)
    return [make_string(images, labels, rng, return_touching=True, **options)
            for _ in range(int(count))]
