"""Reading a handwritten number: the picture cut into digits by
:func:`fastnet.vision.segment.segment`, each digit recognised by a network
(:func:`read_number`), and the result drawn on the picture (:func:`draw`)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import List, Optional, Tuple, Union

import numpy as np

from ..io.atomic import write_atomically
from .segment import Box, Digit, ImageLike, as_gray, segment

__all__ = ["NumberReading", "read_number", "draw"]

PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class NumberReading:
    """What :func:`read_number` read: ``text``, the digit string, and ``digits``, one
    ``(digit, confidence, box)`` per digit, left to right (confidence: the winning
    output activation). ``segments``: the :class:`Digit` objects themselves."""

    text: str
    digits: List[Tuple[int, float, Box]]
    segments: List[Digit] = field(default_factory=list, repr=False)

    def __str__(self) -> str:
        return self.text


def _outputs(net, X: np.ndarray) -> np.ndarray:
    """Output activations (k, n_out) float64 of ``net`` for the rows of X (k, 784), in one call."""
    columns = np.ascontiguousarray(X.T)
    out = np.asarray(net.feedforward(columns), dtype=np.float64)
    return out.reshape(out.shape[0], -1).T


def read_number(net, image: ImageLike, invert: Optional[bool] = None) -> NumberReading:
    """Segment ``image`` (see :func:`fastnet.vision.segment.segment`) and recognise each
    digit with ``net``.

    ``net``: a fastnet ``Network`` (or anything with the book's
    ``feedforward`` taking (784, k) columns) with 10 outputs. All digits go through
    the network in one call. The digit is the network's reading of the outputs
    (its encoding: the argmax for the book's one-hot outputs); the confidence is
    the winning output activation (for other encodings: how sure the least sure
    output is, ``min(max(a, 1 - a))``).
    """
    digits = segment(image, invert=invert)
    if not digits:
        return NumberReading("", [], [])
    X = np.stack([d.pixels for d in digits]).astype(np.float32)
    out = _outputs(net, X)
    encoding = getattr(net, "encoding", None)
    if encoding is None or getattr(encoding, "name", "one-hot") == "one-hot":
        labels = np.argmax(out, axis=1)
        confidence = out[np.arange(len(out)), labels]
    else:
        labels = np.asarray(encoding.decode(out))
        confidence = np.min(np.maximum(out, 1.0 - out), axis=1)
    readings = [(int(lab), float(conf), d.box) for lab, conf, d in zip(labels, confidence, digits)]
    text = "".join(str(lab) for lab, _, _ in readings)
    return NumberReading(text, readings, digits)


def draw(image: ImageLike, reading: NumberReading, path: PathLike,
         scale: Optional[int] = None) -> str:
    """Save a PNG of ``image`` with each digit's box and reading drawn on it (red;
    orange when the confidence is below 0.5), the labels in a band above.

    ``image``: the picture given to :func:`read_number`. ``scale``: integer
    enlargement (default: enough for the picture to be about 200 px tall, at most
    8x). The file is written atomically: an existing one is replaced only by a complete
    picture. Returns the path written."""
    from PIL import Image, ImageDraw, ImageFont

    a = as_gray(image, None)
    h, w = a.shape
    if scale is None:
        scale = int(min(8, max(1, round(200 / h))))
    scale = max(1, int(scale))
    size = max(12, min(32, 3 * scale + 6))
    try:  # a scalable default font (Pillow >= 10.1), else the small bitmap one
        font = ImageFont.load_default(size=size)
    except TypeError:  # pragma: no cover - older Pillow
        font = ImageFont.load_default()
    band = size + 4  # room above the picture for the labels
    gray = Image.fromarray(np.round(a * 255).astype(np.uint8))  # 2-D uint8: mode "L"
    gray = gray.resize((w * scale, h * scale), getattr(Image, "Resampling", Image).NEAREST)
    canvas = Image.new("RGB", (w * scale, h * scale + band), (255, 255, 255))
    canvas.paste(gray.convert("RGB"), (0, band))
    pen = ImageDraw.Draw(canvas)
    for lab, conf, (t, l, b, r) in reading.digits:
        colour = (220, 30, 30) if conf >= 0.5 else (240, 150, 0)  # orange: unsure
        pen.rectangle([l * scale, t * scale + band, r * scale - 1, b * scale - 1 + band],
                      outline=colour, width=max(1, scale // 2))
        y = max(0, t * scale + band - size - 2)
        pen.text((l * scale + 1, y), str(lab), fill=colour, font=font)
    path = os.fspath(path)
    write_atomically(path, lambda f: canvas.save(f, format="PNG"))  # all or nothing
    return path
