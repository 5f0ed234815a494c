"""Turn a user's picture of ONE handwritten digit into an MNIST-style 784-vector.

The pipeline follows the way MNIST itself was built:

1. grayscale, values in [0, 1]                         (:func:`read_image`)
2. light ink on a dark background: a dark-on-light picture (the usual pen on
   paper) is inverted, detected from the picture's border (:func:`to_mnist`)
3. background level subtracted, ink rescaled so that its maximum is 1
4. the digit's bounding box cropped and resized, aspect ratio kept, so that
   its longer side is 20 px (Pillow, LANCZOS, antialiased when shrinking)
5. placed in a 28x28 field so that its intensity-weighted centre of mass is
   at :data:`MNIST_CENTER`, with an exact sub-pixel (bilinear) shift
6. float32 of shape (784,), row-major, values in [0, 1]

Centre convention. Coordinates are pixel indices (row ``i``, column ``j``;
pixel ``(i, j)`` covers ``[i, i+1) x [j, j+1)``), so the geometric centre of
the field is (13.5, 13.5). The real MNIST digits, however, have their centre
of mass at (14.0, 14.0) in these coordinates (mean 14.00 / 14.01 over the
60,000 training digits, spread +-0.29 = an integer shift's rounding), so that
is where :data:`MNIST_CENTER` puts it: a network trained on MNIST never saw a
digit centred half a pixel up and left. Pass ``center=(13.5, 13.5)`` for the
geometric centre.

Only numpy and Pillow are used.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Optional, Tuple, Union

import numpy as np

__all__ = ["read_image", "to_mnist", "load_digit", "MNIST_CENTER", "MAX_PIXELS"]

PathLike = Union[str, "os.PathLike[str]"]

#: Where the centre of mass of a digit goes, in pixel-index coordinates (row, column).
MNIST_CENTER: Tuple[float, float] = (14.0, 14.0)
#: Pictures with more pixels than this are refused (decompression-bomb guard).
MAX_PIXELS: int = 50_000_000

_SIDE = 28  # the field
_BOX = 20  # the digit's bounding box is fitted into _BOX x _BOX
_INK = 0.1  # a pixel is ink when above this fraction of the maximum
_NOISE_SIGMAS = 3.0  # background noise removed: border median + 3 robust sigmas


def _pil():
    try:
        from PIL import Image, ImageOps
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("fastnet.images needs Pillow: pip install pillow") from exc
    return Image, ImageOps


# --------------------------------------------------------------------------- reading


def read_image(path: PathLike) -> np.ndarray:
    """Read a picture as a 2-D float32 grayscale array with values in [0, 1].

    Any format Pillow reads (PNG, JPEG, BMP, GIF: first frame, TIFF, ...) or a
    ``.npy`` array. Pictures: the EXIF orientation is applied; transparent
    pixels (RGBA, LA, palette or colour-key transparency) are composited on
    white; colour is converted to luminance ("L"); 8-bit values are divided
    by 255, 16-bit by 65535. ``.npy`` (loaded with ``allow_pickle=False``):
    shape (h, w), (784,) -> (28, 28), or (h, w, 3|4) / (3|4, h, w) -> mean of
    the three colour channels (alpha ignored). uint8 is divided by 255; other
    values already in [0, 1] are kept; other integers in [0, 255] are divided
    by 255; anything else is rescaled by its min/max.

    Raises FileNotFoundError if ``path`` does not exist, ValueError (naming
    the path) for anything unreadable: not an image, empty, wrong shape or
    dtype, NaN/inf, more than :data:`MAX_PIXELS` pixels.
    """
    p = Path(os.fspath(path))
    if not p.exists():
        raise FileNotFoundError(f"no such file: {str(p)!r}")
    if not p.is_file():
        raise ValueError(f"{str(p)!r} is not a file")
    if p.suffix.lower() == ".npy":
        img = _read_npy(p)
    else:
        img = _read_picture(p)
    return np.ascontiguousarray(img, dtype=np.float32)


def _read_npy(p: Path) -> np.ndarray:
    try:
        # mmap: the header is checked before the data is read into memory
        raw = np.load(p, mmap_mode="r", allow_pickle=False)
    except Exception as exc:  # ValueError, OSError, EOFError, ...
        raise ValueError(f"{str(p)!r} is not a readable .npy array: {exc}") from exc
    if not isinstance(raw, np.ndarray):  # e.g. an .npz archive named .npy
        close = getattr(raw, "close", None)
        if close is not None:
            close()
        raise ValueError(f"{str(p)!r} does not hold a single array")
    shape, dtype = raw.shape, raw.dtype
    if raw.size == 0:
        raise ValueError(f"{str(p)!r} holds an empty array, shape {shape}")
    if dtype.kind not in "biuf":
        raise ValueError(f"{str(p)!r}: array of dtype {dtype} is not an image")
    if raw.ndim == 1:
        if shape[0] != _SIDE * _SIDE:
            raise ValueError(
                f"{str(p)!r}: a 1-D array must have {_SIDE * _SIDE} values (28x28), got {shape[0]}"
            )
        raw = raw.reshape(_SIDE, _SIDE)
    elif raw.ndim == 3:
        if shape[-1] in (3, 4):
            raw = raw[..., :3]
            axis = -1
        elif shape[0] in (3, 4):
            raw = raw[:3]
            axis = 0
        else:
            raise ValueError(
                f"{str(p)!r}: a 3-D array needs a colour axis of 3 or 4 first or last, got shape {shape}"
            )
    elif raw.ndim != 2:
        raise ValueError(f"{str(p)!r}: expected a 2-D image array, got shape {shape}")
    if raw.ndim == 3:
        pixels = raw.size // 3
    else:
        pixels = raw.size
    if pixels > MAX_PIXELS:
        raise ValueError(f"{str(p)!r}: {pixels} pixels is more than the limit of {MAX_PIXELS}")
    a = np.array(raw, dtype=np.float64)  # reads the data; detaches from the memmap
    del raw
    if a.ndim == 3:
        a = a.mean(axis=axis)
    if not np.isfinite(a).all():
        raise ValueError(f"{str(p)!r} contains NaN or infinite values")
    return _scale(a, dtype)


def _scale(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Map float64 values of an array of original ``dtype`` to [0, 1]."""
    if dtype == np.uint8:
        return a / 255.0
    lo, hi = float(a.min()), float(a.max())
    if lo >= 0.0 and hi <= 1.0:
        return a
    if dtype.kind in "iu" and lo >= 0.0 and hi <= 255.0:
        return a / 255.0
    if dtype == np.uint16:
        return a / 65535.0
    if hi == lo:  # constant and out of range: nothing to see
        return np.zeros_like(a)
    return (a - lo) / (hi - lo)


def _read_picture(p: Path) -> np.ndarray:
    Image, ImageOps = _pil()
    bomb = (Image.DecompressionBombError, Image.DecompressionBombWarning)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(p) as im:
                w, h = im.size
                if w * h == 0:
                    raise ValueError(f"{str(p)!r} is an empty image ({w}x{h})")
                if w * h > MAX_PIXELS:
                    raise ValueError(
                        f"{str(p)!r} is too large: {w}x{h} = {w * h} pixels, "
                        f"more than the limit of {MAX_PIXELS}"
                    )
                im.load()
                return _picture_to_array(im, Image, ImageOps)
    except ValueError as exc:
        if str(p) in str(exc):
            raise
        raise ValueError(f"cannot read {str(p)!r} as an image: {exc}") from exc
    except bomb as exc:
        raise ValueError(f"{str(p)!r} is too large (Pillow refused it): {exc}") from exc
    except Exception as exc:  # UnidentifiedImageError, truncated data, codec errors, ...
        raise ValueError(f"cannot read {str(p)!r} as an image: {exc}") from exc


def _picture_to_array(im, Image, ImageOps) -> np.ndarray:
    try:
        im = ImageOps.exif_transpose(im)
    except Exception:  # broken EXIF: keep the picture as stored
        pass
    mode = im.mode
    if mode in ("I", "F") or mode.startswith("I;"):  # 16/32-bit integer or float gray
        a = np.asarray(im, dtype=np.float64)
        if not np.isfinite(a).all():
            raise ValueError("image contains NaN or infinite values")
        lo, hi = float(a.min()), float(a.max())
        if mode.startswith("I;16") or (mode == "I" and lo >= 0 and 255 < hi <= 65535):
            return np.clip(a / 65535.0, 0.0, 1.0)
        return _scale(a, np.dtype(np.float64 if mode == "F" else np.int32))
    transparent = "A" in mode or "a" in mode or "transparency" in im.info
    if transparent:
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, rgba)
    gray = im.convert("L")
    return np.asarray(gray, dtype=np.float64) / 255.0


# --------------------------------------------------------------------------- MNIST-ifying


def to_mnist(
    image: np.ndarray,
    invert: Optional[bool] = None,
    *,
    center: Tuple[float, float] = MNIST_CENTER,
) -> np.ndarray:
    """Turn a 2-D grayscale picture of one digit into an MNIST input vector.

    ``image``: 2-D array, float in [0, 1] (uint8 is divided by 255, bool taken
    as 0/1). ``invert``: None detects the polarity: the background is the
    median of the border ring (each side's outer 1/16, at least 1 px); if it
    is light (> 0.5) the picture is dark ink on light paper and is inverted.
    True / False force it. ``center``: where the centre of mass goes, (row,
    column) in pixel-index coordinates; default :data:`MNIST_CENTER`.

    Returns float32 of shape (784,) with values in [0, 1]: the 28x28 field,
    row-major, 0 = background, maximum ink = 1, the digit's bounding box
    fitted in 20x20 and its centre of mass at ``center``.
    Raises ValueError for a blank picture ("no digit found") or a bad array.
    """
    a = _check_image(image)
    if invert is None:
        invert = bool(np.median(border_ring(a)) > 0.5)
    elif not isinstance(invert, (bool, np.bool_)):
        raise TypeError(f"invert must be None, True or False, got {invert!r}")
    if invert:
        a = 1.0 - a

    # background to 0: the border's median plus a few robust sigmas of its noise
    ring = border_ring(a)
    level = float(np.median(ring))
    mad = float(np.median(np.abs(ring - level)))
    a = np.clip(a - (level + _NOISE_SIGMAS * 1.4826 * mad), 0.0, None)
    peak = float(a.max())
    if peak <= 1e-6:
        raise ValueError("no digit found (blank image)")
    a /= peak

    # bounding box of the ink
    ink = a > _INK
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:  # pragma: no cover - the maximum is 1 > _INK
        raise ValueError("no digit found (blank image)")
    crop = a[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]

    box = _fit(crop, _BOX)
    field = _place(box, _SIDE, center)
    top = float(field.max())
    if top <= 0.0:  # pragma: no cover - everything shifted out of the field
        raise ValueError("no digit found (blank image)")
    field = np.clip(field / top, 0.0, 1.0)
    return field.astype(np.float32).ravel()


def load_digit(
    path: PathLike,
    invert: Optional[bool] = None,
    *,
    center: Tuple[float, float] = MNIST_CENTER,
) -> np.ndarray:
    """:func:`read_image` then :func:`to_mnist`: a (784,) float32 vector in [0, 1].

    For a network from :mod:`fastnet`, pass ``load_digit(path).reshape(784, 1)``
    (the book's column-vector layout) to ``feedforward``.
    """
    return to_mnist(read_image(path), invert=invert, center=center)


def _check_image(image) -> np.ndarray:
    a = np.asarray(image)
    if a.ndim != 2:
        raise ValueError(f"expected a 2-D grayscale image, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"empty image, shape {a.shape}")
    if a.dtype == np.uint8:
        return a.astype(np.float64) / 255.0
    if a.dtype.kind not in "biuf":
        raise ValueError(f"image of dtype {a.dtype} is not a grayscale array")
    a = a.astype(np.float64)
    if not np.isfinite(a).all():
        raise ValueError("image contains NaN or infinite values")
    lo, hi = float(a.min()), float(a.max())
    if lo < -1e-6 or hi > 1.0 + 1e-6:
        raise ValueError(
            f"image values must be in [0, 1], got [{lo:g}, {hi:g}] (read_image rescales files)"
        )
    return np.clip(a, 0.0, 1.0)


def border_ring(a: np.ndarray) -> np.ndarray:
    """The pixels of a 2-D image's outer ring, max(1, side // 16) rows / columns on each
    side, as a flat array: the paper's colour is read from them."""
    h, w = a.shape
    bh, bw = max(1, h // 16), max(1, w // 16)
    mask = np.zeros(a.shape, dtype=bool)
    mask[:bh] = mask[-bh:] = True
    mask[:, :bw] = mask[:, -bw:] = True
    return a[mask]


def _fit(crop: np.ndarray, box: int) -> np.ndarray:
    """Resize so that the longer side is ``box`` px, aspect ratio kept; clipped to [0, 1]."""
    Image, _ = _pil()
    h, w = crop.shape
    scale = box / max(h, w)
    nh = min(box, max(1, int(round(h * scale))))
    nw = min(box, max(1, int(round(w * scale))))
    lanczos = getattr(Image, "Resampling", Image).LANCZOS
    src = Image.fromarray(np.ascontiguousarray(crop, dtype=np.float32))  # mode "F"
    out = np.asarray(src.resize((nw, nh), resample=lanczos), dtype=np.float64)
    return np.clip(out, 0.0, 1.0)


def _place(box: np.ndarray, side: int, center: Tuple[float, float]) -> np.ndarray:
    """Put ``box`` in a side x side field with its centre of mass at ``center``.

    The offset is split into an integer part (a paste, clipped at the edges) and
    a fractional part (bilinear spreading over 2x2 pixels), which moves the
    centre of mass by exactly the offset while ink stays inside the field.
    """
    total = box.sum()
    ys = np.arange(box.shape[0])
    xs = np.arange(box.shape[1])
    cy = float((box.sum(axis=1) * ys).sum() / total)
    cx = float((box.sum(axis=0) * xs).sum() / total)
    oy, ox = float(center[0]) - cy, float(center[1]) - cx
    iy, ix = int(np.floor(oy)), int(np.floor(ox))
    fy, fx = oy - iy, ox - ix
    h, w = box.shape
    spread = np.zeros((h + 1, w + 1))
    spread[:h, :w] += (1 - fy) * (1 - fx) * box
    spread[1:, :w] += fy * (1 - fx) * box
    spread[:h, 1:] += (1 - fy) * fx * box
    spread[1:, 1:] += fy * fx * box
    field = np.zeros((side, side))
    # paste spread at (iy, ix), clipped to the field
    y0, x0 = max(0, iy), max(0, ix)
    y1, x1 = min(side, iy + h + 1), min(side, ix + w + 1)
    if y0 < y1 and x0 < x1:
        field[y0:y1, x0:x1] = spread[y0 - iy : y1 - iy, x0 - ix : x1 - ix]
    return field
