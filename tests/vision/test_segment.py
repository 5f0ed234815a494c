"""fastnet.vision.segment: cutting a picture of a handwritten number into digits, and
fastnet.vision.digit_strings, the generator of such pictures from real MNIST digits
(fixtures in conftest.py)."""
import time

import numpy as np
import pytest

pytest.importorskip("PIL.Image")

from fastnet.io.images import MNIST_CENTER  # noqa: E402
from fastnet.vision import digit_strings as ds  # noqa: E402
from fastnet.vision import segment as sg  # noqa: E402

# --------------------------------------------------------------------------- helpers


def centre_of_mass(v):
    a = np.asarray(v, dtype=np.float64).reshape(28, 28)
    r = np.arange(28)
    m = a.sum()
    return (a.sum(axis=1) * r).sum() / m, (a.sum(axis=0) * r).sum() / m


def boxes_match(found, truth, iou=0.5):
    """Whether the digits found are the true ones: same count, each box in order
    overlapping its true box with IoU above ``iou``."""
    return len(found) == len(truth) and all(
        sg.box_iou(d.box, t) > iou for d, t in zip(found, truth))


def cut_near_truth(found, truth, tolerance=3):
    """For a pair: the cut (between the two boxes found) within ``tolerance`` px of
    the true boundary (the columns between the first ink's right and the second's left)."""
    cut = (found[0].box[3] + found[1].box[1]) / 2.0
    lo = min(truth[0][3], truth[1][1])
    hi = max(truth[0][3], truth[1][1])
    return lo - tolerance <= cut <= hi + tolerance


# --------------------------------------------------------------------------- the generator


def test_make_string_places_the_digits(digits):
    X, y = digits
    rng = np.random.default_rng(0)
    for _ in range(20):
        canvas, text, boxes, touching = ds.make_string(X, y, rng, return_touching=True)
        assert canvas.dtype == np.float32 and canvas.ndim == 2
        assert canvas.min() >= 0.0 and canvas.max() <= 1.0
        assert 2 <= len(text) <= 10 and len(boxes) == len(text) and text.isdigit()
        assert isinstance(touching, bool)
        lefts = [b[1] for b in boxes]
        assert lefts == sorted(lefts)
        for t, l, b, r in boxes:
            assert 0 <= t < b <= canvas.shape[0] and 0 <= l < r <= canvas.shape[1]


def test_make_string_options(digits):
    X, y = digits
    canvas, text, boxes = ds.make_string(X, y, 1, indices=[0, 1, 2], noise=0.0, gap=(5, 5),
                                         jitter=0)
    assert text == "".join(str(v) for v in y[:3])
    assert boxes[1][1] - boxes[0][3] == 5 and boxes[2][1] - boxes[1][3] == 5
    # dark on light: the same picture, inverted
    light, _, _ = ds.make_string(X, y, 1, indices=[0, 1, 2], noise=0.0, gap=(5, 5), jitter=0,
                                 invert=True)
    np.testing.assert_allclose(light, 1.0 - canvas, atol=1e-6)
    as_bytes, _, _ = ds.make_string(np.round(X * 255).astype(np.uint8), y, 1, indices=[0, 1, 2],
                                    noise=0.0, gap=(5, 5), jitter=0)
    np.testing.assert_allclose(as_bytes, canvas, atol=1 / 255)
    big, _, big_boxes = ds.make_string(X, y, 1, indices=[0], scale=2.0, noise=0.0)
    assert big_boxes[0][2] - big_boxes[0][0] >= 36
    for seed in range(10):
        *_, touching = ds.make_string(X, y, seed, kind="separate", return_touching=True)
        assert not touching
        *_, touching = ds.make_string(X, y, seed, kind="touching", return_touching=True)
        assert touching
    strings = ds.make_strings(X, y, 3, seed=5)
    assert len(strings) == 3 and all(len(s) == 4 for s in strings)
    again = ds.make_strings(X, y, 3, seed=5)
    assert all(np.array_equal(a[0], b[0]) and a[1] == b[1] for a, b in zip(strings, again))
    with pytest.raises(ValueError):
        ds.make_string(X, y, 0, kind="sideways")
    with pytest.raises(ValueError):
        ds.make_string(X, y, 0, gap=(3, 1))
    with pytest.raises(ValueError):
        ds.make_string(X * 2.0, y, 0, indices=[0])


# --------------------------------------------------------------------------- segmentation


def test_separate_digits(digits):
    """Positive gaps: every digit found, in order, where it is."""
    X, y = digits
    strings = ds.make_strings(X, y, 60, seed=11, kind="separate")
    exact = found = total = 0
    for canvas, text, truth, _ in strings:
        out = sg.segment(canvas)
        centres = [(d.box[1] + d.box[3]) / 2 for d in out]
        assert centres == sorted(centres)  # left to right
        exact += boxes_match(out, truth)
        total += len(truth)
        found += sum(any(sg.box_iou(d.box, t) > 0.5 for d in out) for t in truth)
    print(f"\nseparate strings: {exact}/{len(strings)} exactly right, "
          f"{found}/{total} digits found (IoU > 0.5)")
    assert exact >= 0.95 * len(strings)
    assert found >= 0.99 * total


def test_one_string_exactly(digits):
    X, y = digits
    canvas, text, truth = ds.make_string(X, y, 0, indices=[3, 2, 1, 18, 4], gap=(4, 8))
    out = sg.segment(canvas)
    assert boxes_match(out, truth)
    assert [d.pieces for d in out] == [1] * 5 and not any(d.split for d in out)
    for d in out:
        assert d.pixels.shape == (784,) and d.pixels.dtype == np.float32


def erase_band(canvas, box, rows=3):
    """Erase ``rows`` rows across the middle of the digit in ``box``."""
    broken = canvas.copy()
    mid = (box[0] + box[2]) // 2
    broken[mid - rows // 2:mid - rows // 2 + rows, box[1]:box[3]] = 0.0
    return broken


def two_pieces(canvas):
    labels, stats = sg.label_components(canvas > 0.4)
    return int((stats[1:, 0] >= sg.MIN_AREA).sum()) == 2


def test_broken_digit_is_one_digit(digits):
    """A digit cut in two by a blank band: one Digit of two pieces."""
    X, y = digits
    tried = merged = 0
    for i in range(200):
        canvas, text, truth = ds.make_string(X, y, i, indices=[i], noise=0.0)
        broken = erase_band(canvas, truth[0])
        if not two_pieces(broken):  # the band missed, or left three pieces
            continue
        noisy = np.clip(broken + np.random.default_rng(i).normal(0, 0.05, broken.shape), 0, 1)
        out = sg.segment(noisy)
        tried += 1
        merged += len(out) == 1 and out[0].pieces == 2 and sg.box_iou(out[0].box, truth[0]) > 0.7
        if tried == 40:
            break
    print(f"\nbroken digits: {merged}/{tried} read as one digit of two pieces")
    assert tried == 40
    assert merged >= 0.85 * tried


def test_broken_digit_in_a_string(digits):
    X, y = digits
    canvas, text, truth = ds.make_string(X, y, 2, indices=[7, 0, 11, 61], gap=(6, 9), noise=0.0)
    broken = erase_band(canvas, truth[1])  # the 0
    out = sg.segment(broken)
    assert boxes_match(out, truth)
    assert [d.pieces for d in out] == [1, 2, 1, 1]


def test_touching_digits_are_split(digits):
    """Two digits with overlapping or adjacent ink, touching: cut in two, near the
    true boundary, in most cases (a thin 1 overlapping its neighbour cannot be told
    from one wide digit)."""
    X, y = digits
    rng = np.random.default_rng(5)
    n, good, split = 50, 0, 0
    for _ in range(n):
        canvas, text, truth = ds.make_string(X, y, rng, length=2, gap=(-4, 0), kind="touching")
        out = sg.segment(canvas)
        if len(out) == 2 and all(d.split for d in out):
            split += 1
            good += cut_near_truth(out, truth) and all(
                sg.box_iou(d.box, t) > 0.5 for d, t in zip(out, truth))
    print(f"\ntouching pairs: {split}/{n} split in two, {good}/{n} cut within 3 px "
          f"of the true boundary")
    assert good >= 0.7 * n


def test_touching_digits_in_strings(digits):
    """Longer strings with some touching pairs: most digits still found."""
    X, y = digits
    found = total = 0
    for canvas, text, truth, touching in ds.make_strings(X, y, 40, seed=3, kind="touching"):
        assert touching
        out = sg.segment(canvas)
        total += len(truth)
        used = set()
        for t in truth:
            for j, d in enumerate(out):
                if j not in used and sg.box_iou(d.box, t) > 0.5:
                    used.add(j)
                    found += 1
                    break
    print(f"\nstrings with touching digits: {found}/{total} digits found (IoU > 0.5)")
    assert found >= 0.85 * total


def test_digits_are_mnist_normalised(digits):
    X, y = digits
    count = 0
    for canvas, *_ in ds.make_strings(X, y, 20, seed=8):
        for d in sg.segment(canvas):
            v = d.pixels
            assert v.shape == (784,) and v.dtype == np.float32
            assert v.min() >= 0.0 and v.max() <= 1.0 and v.max() == pytest.approx(1.0)
            cy, cx = centre_of_mass(v)
            assert abs(cy - MNIST_CENTER[0]) < 0.5 and abs(cx - MNIST_CENTER[1]) < 0.5
            count += 1
    assert count > 50


def test_lone_digit_looks_like_the_original(digits):
    """A lone digit comes out as one digit close to its MNIST vector, mostly (with
    nothing to compare it with, a digit wider than tall may be taken for two)."""
    X, y = digits
    ones = 0
    for i in range(40):
        canvas, _, _ = ds.make_string(X, y, i, indices=[i])
        out = sg.segment(canvas)
        if len(out) == 1:
            ones += 1
            assert np.corrcoef(out[0].pixels, X[i])[0, 1] > 0.8
    print(f"\nlone digits: {ones}/40 found as one digit")
    assert ones >= 36


def test_inverted_input_same_segmentation(digits):
    X, y = digits
    for seed in range(15):
        light_on_dark, text, truth = ds.make_string(X, y, seed)
        dark_on_light, text2, _ = ds.make_string(X, y, seed, invert=True)
        assert text == text2
        a, b = sg.segment(light_on_dark), sg.segment(dark_on_light)
        assert [d.box for d in a] == [d.box for d in b]
        c = sg.segment(dark_on_light, invert=True)  # forced
        assert [d.box for d in c] == [d.box for d in a]
        for d, e in zip(a, b):
            np.testing.assert_allclose(d.pixels, e.pixels, atol=1e-4)
    # uint8 and bool pictures
    u8 = np.round(dark_on_light * 255).astype(np.uint8)
    assert len(sg.segment(u8)) == len(a)
    assert len(sg.segment(light_on_dark > 0.5)) == len(a)


def test_noise_scale_and_speed(digits):
    X, y = digits
    for options in (dict(noise=0.15), dict(scale=0.6), dict(scale=2.5)):
        strings = ds.make_strings(X, y, 10, seed=4, kind="separate", **options)
        exact = sum(boxes_match(sg.segment(c), truth) for c, _, truth, _ in strings)
        assert exact >= 8, options
    # a 100 x 1000 picture of about 60 digits, well under a second
    canvas, text, truth = ds.make_string(X, y, 9, length=60, gap=(-2, 8))
    canvas = np.pad(canvas, ((0, 100 - canvas.shape[0]), (0, 0)))[:, :1000]
    sg.segment(canvas[:, :100])  # compiled kernels loaded
    start = time.perf_counter()
    out = sg.segment(canvas)
    seconds = time.perf_counter() - start
    print(f"\n100x1000 picture: {len(out)} digits in {seconds * 1000:.0f} ms")
    assert seconds < 1.0 and len(out) > 40


# --------------------------------------------------------------------------- bad input


def test_blank_pictures_hold_no_digits(digits):
    assert sg.segment(np.zeros((40, 120))) == []
    assert sg.segment(np.ones((40, 120))) == []
    assert sg.segment(np.full((40, 120), 255, np.uint8)) == []
    assert sg.segment(np.zeros((1, 1))) == []
    assert sg.segment(np.full((40, 120), 0.5)) == []
    noise = np.clip(np.random.default_rng(0).normal(0.0, 0.05, (40, 200)), 0, 1)
    assert sg.segment(noise) == []
    speck = np.zeros((40, 120))
    speck[20, 60] = 1.0
    assert sg.segment(speck) == []


def test_bad_pictures_raise_clear_errors(monkeypatch):
    with pytest.raises(ValueError, match="empty"):
        sg.segment(np.zeros((0, 10)))
    with pytest.raises(ValueError, match="2-D"):
        sg.segment(np.zeros((10, 10, 3)))
    with pytest.raises(ValueError, match="2-D"):
        sg.segment(np.zeros(784))
    nan = np.zeros((20, 20))
    nan[3, 4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        sg.segment(nan)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        sg.segment(np.full((20, 20), 3.0))
    with pytest.raises(ValueError, match="limit"):
        sg.segment(np.zeros((100, 100)), max_pixels=5000)
    monkeypatch.setattr(sg, "MAX_PIXELS", 1000)
    with pytest.raises(ValueError, match="limit"):
        sg.segment(np.zeros((100, 100)))
    for thing in (None, "digits.png", [[0.0, 1.0]], 3.5, object()):
        with pytest.raises(TypeError):
            sg.segment(thing)
    with pytest.raises(TypeError):
        sg.segment(np.array([["a", "b"]]))
    with pytest.raises(TypeError):
        sg.segment(np.zeros((5, 5)), invert="yes")


def test_pil_image_accepted(digits):
    from PIL import Image

    X, y = digits
    canvas, text, truth = ds.make_string(X, y, 0, indices=[5, 6], gap=(6, 6), invert=True)
    picture = Image.fromarray(np.round(canvas * 255).astype(np.uint8))
    assert len(sg.segment(picture)) == 2


def test_helpers():
    assert sg.box_iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert sg.box_iou((0, 0, 10, 10), (0, 10, 10, 20)) == 0.0
    assert sg.box_iou((0, 0, 10, 10), (0, 5, 10, 15)) == pytest.approx(1 / 3)
    # Otsu on two levels: the threshold between them, the class means
    a = np.zeros((10, 10))
    a[:, 7:] = 0.8
    t, lo, hi = sg.otsu_threshold(a)
    assert 0.0 < t < 0.8 and lo == pytest.approx(0.0) and hi == pytest.approx(0.8, abs=0.01)
    # 8-connectivity: a diagonal is one component; areas and boxes
    m = np.zeros((6, 8), dtype=bool)
    m[0, 0] = m[1, 1] = m[2, 2] = True
    m[4:6, 5:8] = True
    labels, stats = sg.label_components(m)
    assert len(stats) == 3
    assert sorted(map(tuple, stats[1:].tolist())) == [(3, 0, 0, 3, 3), (6, 4, 5, 6, 8)]
    # a U shape joins at the bottom: one label despite two tops
    u = np.zeros((5, 5), dtype=bool)
    u[:, 0] = u[:, 4] = u[4, :] = True
    assert len(sg.label_components(u)[1]) == 2
    # median 3x3 removes a lone pixel and keeps a block
    b = np.zeros((7, 7), np.float32)
    b[1, 1] = 1.0
    b[3:6, 3:6] = 1.0
    f = sg.median3x3(b)
    assert f[1, 1] == 0.0 and f[4, 4] == 1.0
