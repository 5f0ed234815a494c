"""Cutting a blob of touching digits into k parts, for :mod:`fastnet.vision.segment`.

A blob's ``ink`` is an (h, w) float array of its box (0 = background). Each of the
k - 1 cuts is searched in a window around its evenly spaced ideal position, given the
cut before it, and is an (h,) int64 array: the cut's column in every row of the blob,
pixels left of it going to the part on the left. Two ways to find a cut:

- :func:`path_cuts`: the cheapest top-to-bottom path through the ink; it can bend
  around overlapping strokes and avoids running through a 0's loop
- :func:`column_cuts`: the column of least ink (the vertical projection, as in the
  classic method)

:func:`regions` turns the cuts into the parts' masks.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np

from ..kernels.segment import label_components

__all__ = ["path_cuts", "column_cuts", "regions", "extent",
           "CUT_WINDOW", "PATH_OFFSET", "PATH_BEND", "PATH_HOLE"]

#: Half-width of the window searched around an ideal cut, in digit pitches.
CUT_WINDOW = 0.4
#: Path cost per row for being one pitch away from the ideal column, and per bend.
PATH_OFFSET = 0.3
PATH_BEND = 0.05
#: Path cost per pixel of an enclosed loop it runs through.
PATH_HOLE = 0.5


def _windows(width: int, k: int, pitch: float):
    """For cut i (1..k-1) of a blob ``width`` wide: the ideal column and the window
    ``[lo, hi]`` searched around it, given the cut before it at ``prev``."""
    window = max(2, int(round(CUT_WINDOW * pitch)))
    least = max(1, int(round(0.25 * pitch)))  # no part thinner than this

    def span(i: int, prev: float):
        ideal = prev + (width - prev) / (k - i + 1)  # even split of what is left
        lo = max(int(np.ceil(prev)) + least, int(np.floor(ideal - window)))
        hi = min(width - least * (k - i), int(np.ceil(ideal + window)))
        if hi < lo:
            lo = hi = int(min(max(round(ideal), 1), width - 1))
        return ideal, lo, hi

    return span


def column_cuts(ink: np.ndarray, k: int, pitch: float, digit_h: Optional[float] = None
                ) -> List[np.ndarray]:
    """k - 1 straight cuts of the blob ``ink`` (h, w) float: in a window around each
    evenly spaced ideal cut (``pitch``: a digit's width in pixels), the column of least
    ink (vertical projection, lightly smoothed, nearer the ideal preferred). Each cut
    is an (h,) int64 array of its column in every row (the same here). ``digit_h`` is
    not used: the signature is :func:`path_cuts`'s."""
    h, width = ink.shape
    projection = ink.sum(axis=0)
    smooth = np.convolve(projection, np.ones(3) / 3.0, mode="same")
    cost_of = projection + 0.5 * smooth
    span = _windows(width, k, pitch)
    cuts: List[np.ndarray] = []
    prev = 0.0
    for i in range(1, k):
        ideal, lo, hi = span(i, prev)
        cols = np.arange(lo, hi + 1)
        cost = cost_of[cols] + 0.15 * np.abs(cols - ideal)
        c = int(cols[int(np.argmin(cost))])
        cuts.append(np.full(h, c, dtype=np.int64))
        prev = c
    return cuts


def _holes(ink: np.ndarray) -> np.ndarray:
    """The background enclosed by ink (the inside of a 0, 6, 8, 9 loop)."""
    padded = np.pad(~ink, 1, constant_values=True)
    labels, _ = label_components(padded)
    outside = labels[0, 0]
    return ((labels != outside) & padded)[1:-1, 1:-1]


def extent(flags: np.ndarray) -> int:
    """From the first set flag of the 1-D array ``flags`` to the last, inclusive (0 if none)."""
    idx = np.flatnonzero(flags)
    return int(idx[-1] - idx[0] + 1) if idx.size else 0


def path_cuts(ink: np.ndarray, k: int, pitch: float, digit_h: Optional[float] = None,
              costs: Optional[list] = None) -> List[np.ndarray]:
    """k - 1 cuts of the blob ``ink`` (h, w) float, each an (h,) int64 array of its
    column in every row: the cheapest top-to-bottom path through the blob (one pixel a
    row, moving at most one column between rows) inside a window around the evenly
    spaced ideal cut. The path's cost is the ink it crosses, plus a little for leaving
    the ideal column and for bending, plus :data:`PATH_HOLE` a pixel for running
    through an enclosed loop (a cut through the middle of a 0 is wrong). Of the
    cheapest paths ending at each column of the window, the best one that leaves a
    digit-sized part (ink at least half the digit height tall) on both sides wins.
    Pixels left of ``cut[row]`` go left. A path can slip between overlapping digits
    and cross at a touching point where a straight column would cut through a loop.

    ``pitch``: a digit's width in pixels; ``digit_h``: its height (default h). With a
    ``costs`` list, each cut appends (ink and loop it crosses, whether both parts are
    digit-sized)."""
    h, width = ink.shape
    if digit_h is None:
        digit_h = float(h)
    solid = ink > 0
    cost_map = ink + PATH_HOLE * _holes(solid)
    span = _windows(width, k, pitch)
    columns = np.arange(width)[None, :]
    cuts: List[np.ndarray] = []
    prev_cut = np.zeros(h, dtype=np.int64)
    prev = 0.0
    inf = np.inf
    for i in range(1, k):
        ideal, lo, hi = span(i, prev)
        cols = np.arange(lo, hi + 1)
        n = len(cols)
        # per-pixel cost inside the window; a path must stay right of the previous cut
        local = cost_map[:, cols] + PATH_OFFSET * (np.abs(cols - ideal) / max(1.0, pitch))[None, :]
        local = np.where(cols[None, :] > prev_cut[:, None], local, inf)
        total = np.empty((h, n))
        step = np.zeros((h, n), dtype=np.int64)
        total[0] = local[0]
        for row in range(1, h):
            above = total[row - 1]
            left = np.concatenate(([inf], above[:-1])) + PATH_BEND
            right = np.concatenate((above[1:], [inf])) + PATH_BEND
            choice = np.stack([left, above, right])  # came from column -1, 0, +1
            best = np.argmin(choice, axis=0)
            total[row] = local[row] + choice[best, np.arange(n)]
            step[row] = best - 1
        best_path, best_key = None, None
        for j in np.argsort(total[-1], kind="stable"):
            if not np.isfinite(total[-1, j]):
                break
            path = np.empty(h, dtype=np.int64)
            jj = int(j)
            for row in range(h - 1, -1, -1):
                path[row] = cols[jj]
                jj += int(step[row, jj])
            left_part = solid & (columns >= prev_cut[:, None]) & (columns < path[:, None])
            right_part = solid & (columns >= path[:, None])
            tall = min(extent(left_part.any(axis=1)), extent(right_part.any(axis=1)))
            key = (tall < 0.5 * digit_h, float(total[-1, j]))  # digit-sized parts first
            if best_key is None or key < best_key:
                best_path, best_key = path, key
            if not key[0]:
                break  # the cheapest valid path (candidates come cheapest first)
        if best_path is None:  # no room: a straight cut at the ideal column
            best_path = np.full(h, int(round(ideal)), dtype=np.int64)
        if costs is not None:  # the ink and loop it crosses; whether both parts are digit-sized
            costs.append((float(cost_map[np.arange(h), best_path].sum()),
                          best_key is not None and not best_key[0]))
        cuts.append(best_path)
        prev_cut = best_path
        prev = float(best_path.mean())
    return cuts


def regions(cuts: List[np.ndarray], shape: Tuple[int, int], bt: int, bl: int
            ) -> List[np.ndarray]:
    """The k parts, as boolean masks of ``shape``, of an array between successive cuts
    (each an array of the cut column in every row of the blob, whose box starts at
    (bt, bl) in the array); rows above and below the blob continue its first and last
    cut columns."""
    hh, ww = shape
    columns = np.arange(ww)[None, :]
    bounds = []
    for cut in cuts:
        full = np.empty(hh, dtype=np.int64)
        full[bt:bt + len(cut)] = cut + bl
        full[:bt] = cut[0] + bl
        full[bt + len(cut):] = cut[-1] + bl
        bounds.append(full[:, None])
    edges = [np.full((hh, 1), -1)] + bounds + [np.full((hh, 1), ww + 1)]
    return [(columns >= lo) & (columns < hi) for lo, hi in zip(edges[:-1], edges[1:])]

