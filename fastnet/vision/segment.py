"""Cut a picture of a handwritten number into single digits.

The seed splits reading a handwritten number into two problems: cutting the
picture of a string of digits into single digits, and recognising each digit.
The network does the second; this module does the first, for one line of
digits written left to right:

1. check the array (2-D, finite, float in [0, 1], uint8 or bool; at most
   :data:`MAX_PIXELS` pixels; a PIL image is converted to gray)
2. polarity: light ink on a dark background, as MNIST; a picture whose border
   is light (median > 0.5) is dark ink on paper and is inverted (as
   :func:`fastnet.io.images.to_mnist`)
3. light denoising: a 3x3 median filter when the background is grainy (noise
   estimated on the border above :data:`MEDIAN_NOISE`; a median filter also
   erases thin faint strokes, so clean pictures skip it), and components
   smaller than :data:`MIN_AREA` pixels dropped
4. binarisation with Otsu's threshold (a 256-bin histogram), with hysteresis:
   ink is what is above half Otsu's threshold (and 4 noise sigmas) in
   components that reach above it, so faint thin digits stay whole; a picture
   without contrast between Otsu's two classes is blank: no digits
5. connected components, 8-connectivity (a compiled two-pass union-find)
6. the pieces of a broken digit merged: components whose horizontal extents
   overlap (by more than :data:`MERGE_OVERLAP` of the narrower one), that
   together are no wider than a digit and are stacked (a 5 whose top stroke
   came loose, a stroke broken by a gap) or of which one is short (a loose bar);
   then leftovers below :data:`SPECK_FRACTION` of the median blob area dropped
7. touching digits split. The digit height is the median height of the larger
   blobs; the expected digit width the median width of the blobs of ordinary
   shape (not a thin 1, not wider than tall), else 0.8 x the height. A blob
   clearly wider than a digit is tall (:data:`SPLIT_HEIGHT`) holds
   ``k = round(width / pitch)`` digits (pitch: 0.75 digit heights, the width a
   digit takes among touching, overlapping ones); one just wider than tall
   holds two only if a cheap cut (less than half a stroke) separates two
   digit-sized parts. The k - 1 cuts come from :mod:`fastnet.vision.cuts`: by
   default the cheapest top-to-bottom paths through the ink
   (:data:`CUT_METHOD` ``"path"``), or the columns of least ink (``"column"``)
8. each digit, left to right: its ink (the component mask grown by one pixel,
   so the antialiased rim stays; other digits' ink and the far side of a cut
   left out) on a clean background, cropped with a margin, and
   MNIST-normalised by :func:`fastnet.io.images.to_mnist` (20x20 box, centre of
   mass at (14, 14))

:func:`fastnet.vision.reading.read_number` then runs a network on all the digits
in one call. :mod:`fastnet.vision.digit_strings` generates test pictures from
MNIST digits; the thresholds below suit its strings (how they were chosen:
docs/design.md). What no threshold can fix: a thin 1 overlapping its neighbour
makes a blob no wider than one digit, and is read as one digit; a lone wide digit
(a single 0 wider than tall) may be cut in two.

Only numpy, Numba (the median filter and the labelling, in
:mod:`fastnet.kernels.segment`) and Pillow are used.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from ..io import images
from ..kernels.segment import label_components, median3x3
from .cuts import column_cuts, extent, path_cuts, regions

__all__ = [
    "Digit",
    "segment",
    "box_iou",
    "otsu_threshold",
    "label_components",
    "median3x3",
    "MAX_PIXELS",
]

#: Pictures with more pixels than this are refused (``segment(max_pixels=...)`` overrides).
MAX_PIXELS: int = images.MAX_PIXELS
#: Components with fewer pixels than this are noise.
MIN_AREA = 10
#: Merged digits smaller than this fraction of the median digit area are dropped.
SPECK_FRACTION = 0.1
#: Background noise (standard deviation) above which a 3x3 median filter is applied.
MEDIAN_NOISE = 0.08
#: Least contrast (difference of the two Otsu class means) for a picture to hold ink.
MIN_CONTRAST = 0.15
#: Two pieces belong to one digit when their horizontal extents overlap by more than
#: this fraction of the narrower one, together are at most MERGE_WIDTH digit heights
#: wide, and they are stacked, or one of them is short.
MERGE_OVERLAP = 0.3
MERGE_WIDTH = 1.05
#: A blob wider than SPLIT_HEIGHT x the digit height (and SPLIT_RATIO x the expected
#: digit width) is several touching digits (an MNIST digit is at most as wide as the
#: tallest digits are tall); between SPLIT_MAYBE and SPLIT_HEIGHT digit heights, it is
#: two when a cut crossing less than CHEAP_CUT of a stroke separates two digit-sized
#: parts. The *_FEW values apply to pictures of fewer than FEW_BLOBS digits, where the
#: digit height is measured on the blob itself.
SPLIT_HEIGHT, SPLIT_MAYBE, CHEAP_CUT = 1.1, 1.0, 0.5
SPLIT_HEIGHT_FEW, SPLIT_MAYBE_FEW, CHEAP_CUT_FEW = 1.15, 0.85, 0.7
SPLIT_RATIO = 1.1
#: With fewer larger blobs than this, the digit height is measured on cut blobs.
FEW_BLOBS = 3
#: Touching digits are split into round(width / pitch) parts, pitch the larger of
#: PITCH_HEIGHT x digit height and PITCH_WIDTH x expected width.
PITCH_HEIGHT = 0.75
PITCH_WIDTH = 0.85
#: How touching digits are cut: "path" (the cheapest top-to-bottom path, default) or
#: "column" (the straight column of least ink).
CUT_METHOD = "path"
#: Margin (pixels) of background kept around each digit's ink in its crop.
CROP_MARGIN = 2

Box = Tuple[int, int, int, int]
#: What :func:`segment` takes: a 2-D numpy array or a PIL image.
ImageLike = Union[np.ndarray, "PIL.Image.Image"]


@dataclass
class Digit:
    """One digit cut from the picture.

    ``box``: ``(top, left, bottom, right)`` of its ink in the input picture's pixel
    coordinates, bottom and right exclusive. ``pixels``: the (784,) float32
    MNIST-style vector (light on dark, 20x20 box, centre of mass at (14, 14)).
    ``pieces``: how many connected components were merged into it (1 for an
    unbroken digit). ``split``: whether it was cut out of a wider blob of
    touching digits.
    """

    box: Box
    pixels: np.ndarray
    pieces: int = 1
    split: bool = False

    @property
    def center(self) -> Tuple[float, float]:
        """(row, column) of the middle of ``box``."""
        t, l, b, r = self.box
        return (t + b) / 2.0, (l + r) / 2.0



# --------------------------------------------------------------------------- helpers


def otsu_threshold(a: np.ndarray) -> Tuple[float, float, float]:
    """Otsu's threshold of the values of ``a`` (any shape, in [0, 1]) on a 256-bin histogram.

    Returns ``(threshold, mean_below, mean_above)``: pixels ``> threshold`` are the
    upper class. For a constant picture the threshold is its value and both
    means are equal (no contrast)."""
    bins = np.minimum((np.asarray(a, dtype=np.float64).ravel() * 255.0 + 0.5).astype(np.int64), 255)
    hist = np.bincount(bins, minlength=256).astype(np.float64)
    levels = np.arange(256, dtype=np.float64) / 255.0
    total = hist.sum()
    w0 = np.cumsum(hist)  # pixels in bins 0..k
    s0 = np.cumsum(hist * levels)
    w1 = total - w0
    s1 = s0[-1] - s0
    valid = (w0 > 0) & (w1 > 0)
    if not valid.any():
        v = float(levels[int(np.argmax(hist))])
        return v, v, v
    with np.errstate(divide="ignore", invalid="ignore"):
        mu0 = np.where(valid, s0 / np.where(w0 > 0, w0, 1), 0.0)
        mu1 = np.where(valid, s1 / np.where(w1 > 0, w1, 1), 0.0)
        between = np.where(valid, w0 * w1 * (mu0 - mu1) ** 2, -1.0)
    k = int(np.argmax(between))
    # the threshold sits between bin k (last of the lower class) and bin k + 1
    return float((k + 0.5) / 255.0), float(mu0[k]), float(mu1[k])


def box_iou(a: Sequence[int], b: Sequence[int]) -> float:
    """Intersection over union of two ``(top, left, bottom, right)`` boxes."""
    t, l = max(a[0], b[0]), max(a[1], b[1])
    bo, r = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0, bo - t) * max(0, r - l)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def as_gray(image: ImageLike, max_pixels: Optional[int] = None) -> np.ndarray:
    """The picture (a 2-D float array in [0, 1], uint8, bool or a PIL image) as a
    C-contiguous (h, w) float32 array in [0, 1]; TypeError / ValueError for anything
    else, or for more than ``max_pixels`` pixels (default :data:`MAX_PIXELS`)."""
    if isinstance(image, (str, bytes, os.PathLike)):
        raise TypeError("segment() takes an image array; read a file with "
                        "fastnet.io.images.read_image(path) first")
    try:  # a Pillow image
        from PIL import Image
        if isinstance(image, Image.Image):
            image = np.asarray(image.convert("L"))
    except ImportError:  # pragma: no cover - Pillow is a dependency
        pass
    if not isinstance(image, np.ndarray):
        raise TypeError(f"expected a 2-D numpy array (grayscale image), got {type(image).__name__}")
    if image.dtype.kind not in "biuf":
        raise TypeError(f"an image array must be numeric, got dtype {image.dtype}")
    if image.ndim != 2:
        raise ValueError(f"expected a 2-D grayscale image, got shape {image.shape}")
    if image.size == 0:
        raise ValueError(f"empty image, shape {image.shape}")
    limit = MAX_PIXELS if max_pixels is None else int(max_pixels)
    if image.size > limit:
        raise ValueError(f"image of {image.shape[0]}x{image.shape[1]} = {image.size} pixels "
                         f"is more than the limit of {limit}")
    if image.dtype == np.uint8:
        return np.ascontiguousarray(image, dtype=np.float32) / np.float32(255.0)
    a = np.ascontiguousarray(image, dtype=np.float32)
    if image.dtype.kind == "f" and not np.isfinite(image).all():
        raise ValueError("image contains NaN or infinite values")
    lo, hi = float(a.min()), float(a.max())
    if lo < -1e-6 or hi > 1.0 + 1e-6:
        raise ValueError(f"image values must be in [0, 1] (or uint8), got [{lo:g}, {hi:g}]")
    return np.clip(a, 0.0, 1.0)


def _noise_sigma(a: np.ndarray) -> float:
    """The background noise's standard deviation, from the border ring's upper half:
    (75th percentile - median) / 0.674 (still right when the noise is clipped at 0)."""
    q50, q75 = np.percentile(images.border_ring(a), [50, 75])
    return float(q75 - q50) / 0.674


def dilate(mask: np.ndarray) -> np.ndarray:
    """Binary dilation of the 2-D bool array ``mask`` by the 3x3 square: a new bool
    array of its shape, set where ``mask`` or one of its 8 neighbours is."""
    g = mask.copy()
    g[1:] |= mask[:-1]
    g[:-1] |= mask[1:]
    rows = g.copy()
    g[:, 1:] |= rows[:, :-1]
    g[:, :-1] |= rows[:, 1:]
    return g


class _Group:
    """Components that make one blob (one digit, or touching digits before the split)."""

    __slots__ = ("ids", "area", "top", "left", "bottom", "right")

    def __init__(self, c: int, stats: np.ndarray):
        area, t, l, b, r = (int(v) for v in stats[c])
        self.ids = [c]
        self.area, self.top, self.left, self.bottom, self.right = area, t, l, b, r

    def mask(self, labels: np.ndarray) -> np.ndarray:
        """The blob's ink, a boolean array of its box."""
        return np.isin(labels[self.top:self.bottom, self.left:self.right], self.ids)

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def absorb(self, other: "_Group") -> None:
        self.ids += other.ids
        self.area += other.area
        self.top, self.left = min(self.top, other.top), min(self.left, other.left)
        self.bottom, self.right = max(self.bottom, other.bottom), max(self.right, other.right)


def _belong_together(a: _Group, b: _Group, digit_h: float) -> bool:
    """Whether two components are pieces of one broken digit: their horizontal extents
    overlap, they are near each other vertically, and either they are stacked (one
    above the other: a 5's loose top stroke, a stroke broken across) or one of them
    is short (a loose stroke, not a whole digit), overlaps the other by more than
    :data:`MERGE_OVERLAP` of its width, and together they are no wider than a digit."""
    overlap = min(a.right, b.right) - max(a.left, b.left)
    if overlap <= 0:
        return False
    v_overlap = min(a.bottom, b.bottom) - max(a.top, b.top)  # negative: a vertical gap
    union_w = max(a.right, b.right) - min(a.left, b.left)
    union_h = max(a.bottom, b.bottom) - min(a.top, b.top)
    if v_overlap < -0.4 * max(digit_h, union_h):  # far above / below: not one digit
        return False
    if v_overlap < 0.5 * min(a.height, b.height):
        # stacked (two digits of one line never are): one digit, unless far too wide
        return union_w <= 1.5 * max(digit_h, union_h)
    # side by side: one of them a loose stroke inside the other's extent
    return (overlap > MERGE_OVERLAP * min(a.width, b.width)
            and min(a.height, b.height) < 0.75 * digit_h and union_w <= MERGE_WIDTH * digit_h)


def _merge(groups: List[_Group], digit_h: float) -> List[_Group]:
    """Merge the pieces of broken digits (see :func:`_belong_together`), until stable.

    A sweep from left to right: a piece is only compared with the blobs still open
    at its left edge, so a picture with many specks stays fast."""
    changed = True
    while changed and len(groups) > 1:
        changed = False
        groups = sorted(groups, key=lambda g: g.left)
        out: List[_Group] = []
        active: List[_Group] = []  # blobs of ``out`` reaching past the current left edge
        for g in groups:
            active = [o for o in active if o.right > g.left]
            for o in active:
                if _belong_together(o, g, digit_h):
                    o.absorb(g)
                    changed = True
                    break
            else:
                out.append(g)
                active.append(g)
        groups = out
    return groups


def _big(groups: List[_Group]) -> List[_Group]:
    """The larger blobs: digits, not loose strokes or specks."""
    top = max(g.area for g in groups)
    return [g for g in groups if g.area >= 0.3 * top]


def _few(groups: List[_Group]) -> bool:
    """Whether there are too few digits to measure the digit size on the others."""
    return len(_big(groups)) < FEW_BLOBS


def _typical_height(groups: List[_Group], labels: Optional[np.ndarray] = None) -> float:
    """The height of a digit: the median height of the larger blobs.

    With ``labels`` and fewer than :data:`FEW_BLOBS` larger blobs (a lone pair of
    touching digits, say), there is too little to take a median of, and a wide
    blob's own height would overstate a digit's by the digits' vertical offset: the
    height is the largest of the blobs' heights, a wide blob's taken as that of the
    taller of the two parts its best cut leaves (at least 0.8 x its own height)."""
    big = _big(groups)
    heights = [float(g.height) for g in big]
    if labels is None or not _few(groups):
        return float(np.median(heights))
    for i, g in enumerate(big):
        if g.width > 0.8 * g.height:
            solid = g.mask(labels)
            cut = path_cuts(solid.astype(np.float64), 2, g.width / 2.0, g.height)[0]
            left = solid & (np.arange(g.width)[None, :] < cut[:, None])
            part = max(extent(left.any(axis=1)), extent((solid & ~left).any(axis=1)))
            heights[i] = max(float(part), 0.8 * g.height)
    return float(max(heights))


def _attach_fragments(groups: List[_Group], digit_h: float) -> List[_Group]:
    """Fragments (blobs shorter than 0.6 digit heights or smaller than a quarter of the
    median blob) join the nearest blob beside them (at most a quarter digit height
    away, overlapping it vertically, together no wider than a digit): a 5's top bar
    that came loose to the right, a sliver of a broken stroke."""
    if len(groups) < 2 or len(groups) > 300:  # (quadratic: not for a field of specks)
        return groups
    median_area = float(np.median([g.area for g in groups]))
    groups = sorted(groups, key=lambda g: g.area)  # smallest first
    alive = list(groups)
    for g in groups:
        if g not in alive:
            continue
        if g.height >= 0.6 * digit_h and g.area >= 0.25 * median_area:
            continue
        best, best_gap = None, None
        for o in alive:
            if o is g or o.area <= g.area:
                continue
            gap = max(o.left, g.left) - min(o.right, g.right)  # < 0: they overlap
            v_overlap = min(o.bottom, g.bottom) - max(o.top, g.top)
            width = max(o.right, g.right) - min(o.left, g.left)
            if (gap <= 0.25 * digit_h and v_overlap > 0 and width <= MERGE_WIDTH * digit_h
                    and (best_gap is None or gap < best_gap)):
                best, best_gap = o, gap
        if best is not None:
            best.absorb(g)
            alive.remove(g)
    return sorted(alive, key=lambda g: g.left)


def _expected_width(groups: List[_Group], digit_h: float) -> float:
    """Median width of the blobs of ordinary digit shape (not a thin 1, not wider than
    tall or than the digit height), else 0.8 x the digit height."""
    widths = [g.width for g in groups
              if 0.5 * digit_h <= g.width <= min(g.height, digit_h) and g.height >= 0.6 * digit_h]
    if widths:
        return float(np.clip(np.median(widths), 0.5 * digit_h, 1.2 * digit_h))
    return 0.8 * digit_h


# --------------------------------------------------------------------------- segment


def _blobs(image, invert, max_pixels):
    """Steps 1-6: ``(gray, labels, groups, digit_h, expected, few)`` or None (no ink).

    ``gray``: the picture light on dark, background 0 and typical ink 1;
    ``labels``: its components; ``groups``: the blobs (digits, or touching digits
    not yet split); ``digit_h``, ``expected``: the digit height and expected width;
    ``few``: whether there are too few digits to measure them on the others."""
    a = as_gray(image, max_pixels)
    if invert is None:
        invert = float(np.median(images.border_ring(a))) > 0.5
    elif not isinstance(invert, (bool, np.bool_)):
        raise TypeError(f"invert must be None, True or False, got {invert!r}")
    if invert:
        a = 1.0 - a
    a = np.ascontiguousarray(a, dtype=np.float32)
    noise = _noise_sigma(a)
    if noise > MEDIAN_NOISE:  # grainy: a 3x3 median first
        a = median3x3(a)
        noise = _noise_sigma(a)

    threshold, background, ink_level = otsu_threshold(a)
    if ink_level - background < MIN_CONTRAST:
        return None
    # hysteresis: ink is what is above a low threshold, in components that reach
    # above Otsu's (faint, thin strokes stay whole; noise stays out)
    low = max(background + 0.5 * (threshold - background), background + 4.0 * noise)
    low = min(low, threshold)
    strong = a > threshold
    labels, stats = label_components(a > low)
    reach = np.bincount(labels[strong], minlength=len(stats))
    groups = [_Group(c, stats) for c in range(1, len(stats))
              if stats[c, 0] >= MIN_AREA and reach[c] > 0]
    if not groups:
        return None
    digit_h = _typical_height(groups)
    groups = _merge(groups, digit_h)
    groups = _attach_fragments(groups, _typical_height(groups))
    median_area = float(np.median([g.area for g in groups]))
    groups = [g for g in groups if g.area >= SPECK_FRACTION * median_area]
    digit_h = _typical_height(groups, labels)
    expected = _expected_width(groups, digit_h)
    few = _few(groups)

    # the ink on a clean background: 0 = background level, 1 = typical ink
    kept = np.zeros(len(stats), dtype=bool)
    kept[[c for g in groups for c in g.ids]] = True
    ink = kept[labels]
    hi = float(np.percentile(a[ink], 95))
    gray = np.clip((a - background) / max(hi - background, 1e-6), 0.0, 1.0)

    return gray, labels, groups, digit_h, expected, few


def _pitch(digit_h: float, expected: float) -> float:
    """The width a digit takes inside a blob of touching digits (they overlap)."""
    return max(PITCH_HEIGHT * digit_h, PITCH_WIDTH * expected)


def _stroke(ink: np.ndarray) -> float:
    """The ink a cut pays to cross one stroke of this blob: the median, over its
    columns, of the column's ink divided by the number of strokes (runs) in it."""
    solid = ink > 0
    runs = solid[0].astype(np.int64) + np.count_nonzero(solid[1:] & ~solid[:-1], axis=0)
    has = runs > 0
    if not has.any():
        return 1.0
    return max(float(np.median(ink.sum(axis=0)[has] / runs[has])), 1e-6)


def _how_many(g: "_Group", ink: np.ndarray, digit_h: float, expected: float,
              few: bool = False) -> int:
    """How many digits the blob ``g`` (its ``ink``) holds.

    One, unless it is wider than :data:`SPLIT_RATIO` expected widths and than
    :data:`SPLIT_MAYBE` digit heights. Wider than :data:`SPLIT_HEIGHT` digit heights
    (no MNIST digit is much wider than the tallest digits are tall), it holds
    ``round(width / pitch)``, at least 2. In between (a wide single 0 or 2 is as wide
    as that), it holds two when a cut that leaves a digit-sized part on each side
    crosses less than :data:`CHEAP_CUT` of a stroke (digits touching at a point, not
    a cut through a digit), else one. With ``few`` digits in the picture (their size
    measured on the blob itself) the ``*_FEW`` settings apply."""
    sure, maybe, cheap = ((SPLIT_HEIGHT_FEW, SPLIT_MAYBE_FEW, CHEAP_CUT_FEW) if few
                          else (SPLIT_HEIGHT, SPLIT_MAYBE, CHEAP_CUT))
    if g.width <= SPLIT_RATIO * expected or g.width <= maybe * digit_h:
        return 1
    k = max(2, int(np.floor(g.width / _pitch(digit_h, expected) + 0.5)))
    if g.width > sure * digit_h:
        return k
    costs: list = []
    path_cuts(ink, 2, _pitch(digit_h, expected), digit_h, costs)
    crossed, sized = costs[0]
    return 2 if sized and crossed < cheap * _stroke(ink) else 1


def segment(image: ImageLike, invert: Optional[bool] = None,
            max_pixels: Optional[int] = None) -> List[Digit]:
    """Cut a picture of a handwritten number into its digits, left to right.

    ``image``: (h, w) array, float in [0, 1] or uint8 (bool taken as 0/1), or a PIL
    image, one line of digits. ``invert``: None detects the polarity from the border (light border:
    dark ink on paper, inverted); True / False force it. ``max_pixels``: refuse
    larger pictures (default :data:`MAX_PIXELS`).

    Returns a list of :class:`Digit` (empty for a blank, all-black or all-white
    picture). Raises TypeError for something that is not an image array and
    ValueError for a bad one (not 2-D, empty, NaN, values outside [0, 1], too large).
    """
    found = _blobs(image, invert, max_pixels)
    if found is None:
        return []
    gray, labels, groups, digit_h, expected, few = found

    digits: List[Digit] = []
    h, w = gray.shape
    m = CROP_MARGIN
    for g in groups:
        # the blob's box grown by the crop margin: E
        y0, x0 = max(0, g.top - m), max(0, g.left - m)
        y1, x1 = min(h, g.bottom + m), min(w, g.right + m)
        sub = labels[y0:y1, x0:x1]
        own = np.isin(sub, g.ids)
        others = (sub > 0) & ~own
        bt, bl = g.top - y0, g.left - x0  # the blob's box inside E
        ink = np.where(own, gray[y0:y1, x0:x1], 0.0)[bt:bt + g.height, bl:bl + g.width]
        k = _how_many(g, ink, digit_h, expected, few)
        parts = [np.ones_like(own)]
        if k > 1:
            cutter = path_cuts if CUT_METHOD == "path" else column_cuts
            cuts = cutter(ink, k, _pitch(digit_h, expected), digit_h)
            parts = regions(cuts, own.shape, bt, bl)
        for region in parts:
            part = own & region
            if not part.any():
                continue
            pieces = len(g.ids) if k == 1 else len(np.unique(sub[part]))
            digit = _digit(gray[y0:y1, x0:x1], part, region & ~others, (y0, x0), pieces, k > 1)
            if digit is not None:
                digits.append(digit)
    digits.sort(key=lambda d: (d.box[1] + d.box[3]) / 2.0)
    return digits


def _digit(gray, part, allowed, origin, pieces, split) -> Optional[Digit]:
    """The Digit of the ink ``part`` of the crop ``gray`` (at ``origin`` in the picture):
    its ink grown by one pixel (the antialiased rim) within ``allowed``, the rest
    background, padded by a margin and MNIST-normalised."""
    rows = np.flatnonzero(part.any(axis=1))
    cols = np.flatnonzero(part.any(axis=0))
    if rows.size == 0:
        return None
    y0, x0 = origin
    box = (y0 + int(rows[0]), x0 + int(cols[0]), y0 + int(rows[-1]) + 1, x0 + int(cols[-1]) + 1)
    mask = dilate(part) & allowed
    crop = np.where(mask, gray, 0.0)
    crop = np.pad(crop, CROP_MARGIN)  # background all around, also at the picture's edge
    try:
        pixels = images.to_mnist(crop, invert=False)
    except ValueError:  # nothing left of it
        return None
    return Digit(box=box, pixels=pixels, pieces=int(pieces), split=bool(split))

