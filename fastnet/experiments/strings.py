"""Reading handwritten numbers: the seed's two modules together. Strings of 2 to 10
MNIST **test** digits are generated (random gaps, some touching or overlapping pairs,
small vertical offsets, noise, half of them dark on light), cut into digits by
``fastnet.segment`` and read by a network trained on the training set only.

A true digit counts as read when the segment that overlaps its box best (IoU >= 0.5)
is recognised as that digit; a string when the whole text is right. Strings are split
by whether any neighbouring digits touch.
"""
from pathlib import Path
from typing import Optional

import numpy as np

from ..vision.digit_strings import make_strings
from ..vision.reading import read_number
from ..vision.segment import box_iou
from .common import Result, mean_std, run_many, train_run


def score(reading, text: str, boxes) -> int:
    """How many of the true digits (``text``, ``boxes``) ``reading`` got right."""
    right = 0
    for truth, box in zip(text, boxes):
        overlaps = [(box_iou(box, found_box), digit) for digit, _, found_box in reading.digits]
        best = max(overlaps, default=(0.0, None))
        right += best[0] >= 0.5 and str(best[1]) == truth
    return right


def task(dataset, seed: int, epochs: int, hidden: int, batch: int, eta: float, count: int) -> dict:
    run = train_run(dataset, [dataset.train[0].shape[1], hidden, 10], seed, epochs, batch, eta)
    net = run.pop("net")
    images, labels = dataset.test
    strings = (make_strings(images, labels, count // 2, seed=seed + 1)
               + make_strings(images, labels, count - count // 2, seed=seed + 2, invert=True))
    tallies = {"separate": [0, 0, 0, 0], "touching": [0, 0, 0, 0]}  # strings, right, digits, right
    for canvas, text, boxes, touching in strings:
        reading = read_number(net, canvas)
        tally = tallies["touching" if touching else "separate"]
        tally[0] += 1
        tally[1] += reading.text == text
        tally[2] += len(text)
        tally[3] += score(reading, text, boxes)
    return dict(seed=seed, single=run["final"], tallies=tallies)


def run(data=None, seeds: int = 1, epochs: int = 30, jobs: int = 1, limits=(None, None),
        count: int = 1000, hidden: int = 30, batch: int = 10, eta: float = 3.0,
        dataset=None, scheduler: Optional[str] = None) -> Result:
    configs = [dict(seed=s, epochs=epochs, hidden=hidden, batch=batch, eta=eta, count=count)
               for s in range(seeds)]
    runs, interrupted = run_many(task, configs, jobs, dataset, data, limits, scheduler)
    rows = []
    single, _ = mean_std([r["single"] for r in runs]) if runs else (None, None)
    for subset in ("separate", "touching", "all"):
        keys = ("separate", "touching") if subset == "all" else (subset,)
        totals = np.sum([[r["tallies"][k] for k in keys] for r in runs], axis=(0, 1)) if runs else np.zeros(4)
        if totals[0] == 0:
            continue
        rows.append(dict(subset=subset + (" digits" if subset != "all" else " strings"),
                         strings=int(totals[0]), digits=int(totals[2]),
                         digit_accuracy=100.0 * totals[3] / totals[2],
                         string_accuracy=100.0 * totals[1] / totals[0], single=single))
    return Result(f"Reading generated numbers: {count} strings of 2-10 MNIST test digits per seed, "
                  f"network [784, {hidden}, 10] trained {epochs} epochs on the training set",
                  [("subset", "strings with"), ("strings", "strings"), ("digits", "digits"),
                   ("digit_accuracy", "digits read right %"), ("string_accuracy", "whole strings right %"),
                   ("single", "single-digit test accuracy %")],
                  rows, _note(rows), interrupted)


def _note(rows) -> str:
    separate = next((row for row in rows if row["subset"].startswith("separate")), None)
    if separate is None:
        return ""
    single = separate["single"]
    gap = separate["digit_accuracy"] - single
    return (f"On strings of separate digits the digits are read {separate['digit_accuracy']:.2f}% "
            f"right, {gap:+.2f} points from the same network's {single:.2f}% on the single MNIST "
            f"test digits ({'within' if gap >= -2 else 'outside'} the target of at most 2 points below).")


def plot(result: Result, path) -> Path:
    from ..io.plots import pyplot, save_figure
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    names = [row["subset"] for row in result.rows]
    x = np.arange(len(names))
    ax.bar(x - 0.2, [row["digit_accuracy"] for row in result.rows], 0.4, label="digits right")
    ax.bar(x + 0.2, [row["string_accuracy"] for row in result.rows], 0.4, label="whole strings right")
    if result.rows:
        ax.axhline(result.rows[0]["single"], color="black", linestyle="--", linewidth=1,
                   label="single MNIST digits")
    ax.set_xticks(x)
    ax.set_xticklabels(names)
    ax.set_ylabel("%")
    ax.set_ylim(0, 100)
    ax.set_title("Reading generated numbers")
    ax.legend(loc="lower left")
    fig.tight_layout()
    return save_figure(fig, path)
