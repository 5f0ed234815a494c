"""fastnet.vision.reading: reading a picture of a handwritten number with a network
(the digits cut by fastnet.vision.segment), and drawing the result."""
import random

import numpy as np
import pytest

pytest.importorskip("PIL.Image")

from fastnet.vision import digit_strings as ds  # noqa: E402
from fastnet.vision import reading as rd  # noqa: E402
from fastnet.vision import segment as sg  # noqa: E402


@pytest.fixture(scope="module")
def small_net(mnist):
    """The seed's [784, 30, 10] network, 2 epochs on 10,000 training digits (~87%)."""
    import fastnet

    (X, y), _, _ = mnist
    random.seed(3)
    np.random.seed(3)
    net = fastnet.Network([784, 30, 10])
    for _ in net.train_epochs((X[:10000], y[:10000]), 2, 10, 3.0):
        pass
    return net


def matched_labels(reading, text, truth):
    """For each true digit: the label read at its place (IoU > 0.5), or None."""
    used, out = set(), []
    for t in truth:
        hit = None
        for j, (digit, _, box) in enumerate(reading.digits):
            if j not in used and sg.box_iou(box, t) > 0.5:
                used.add(j)
                hit = digit
                break
        out.append(hit)
    return out


# --------------------------------------------------------------------------- reading numbers


def test_read_number(digits, small_net, tmp_path):
    X, y = digits
    strings = ds.make_strings(X, y, 50, seed=2024, kind="separate")
    right = total = exact = 0
    for canvas, text, truth, _ in strings:
        reading = rd.read_number(small_net, canvas)
        assert isinstance(reading.text, str) and len(reading.text) == len(reading.digits)
        for digit, confidence, box in reading.digits:
            assert 0 <= digit <= 9 and 0.0 <= confidence <= 1.0 and len(box) == 4
        labels = matched_labels(reading, text, truth)
        right += sum(lab == int(ch) for lab, ch in zip(labels, text))
        total += len(text)
        exact += reading.text == text
    print(f"\nread_number on 50 separated strings: digit accuracy {right / total:.3f}, "
          f"whole strings {exact}/50 (the network alone: "
          f"{small_net.evaluate((X, y)) / len(y):.3f} on single MNIST test digits)")
    assert right / total > 0.80
    assert exact >= 10  # chance would be ~0 for strings of 2-10 digits

    # the readings are those of the network on the segments, in one batch
    canvas, text, truth, _ = strings[0]
    reading = rd.read_number(small_net, canvas)
    pixels = np.stack([d.pixels for d in reading.segments])
    assert [d for d, _, _ in reading.digits] == small_net.predict(pixels).tolist()
    out = small_net.feedforward(pixels.T)
    np.testing.assert_allclose([c for _, c, _ in reading.digits], out.max(axis=0), rtol=1e-5)

    path = rd.draw(canvas, reading, tmp_path / "reading.png")
    from PIL import Image

    with Image.open(path) as im:
        assert im.format == "PNG" and im.width >= canvas.shape[1]
    assert rd.read_number(small_net, np.zeros((30, 90))).text == ""


def test_draw_replaces_an_existing_picture_only_with_a_complete_one(tmp_path, monkeypatch):
    """A failure while the PNG is written leaves the user's file as it was, and no
    temporary file behind."""
    from PIL import Image

    canvas = np.zeros((28, 56))
    canvas[4:24, 6:20] = 1.0
    reading = rd.NumberReading(text="1", digits=[(1, 0.9, (4, 6, 24, 20))], segments=[])
    path = tmp_path / "boxes.png"
    path.write_bytes(b"the user's picture")

    def broken_save(self, fp, format=None, **params):
        fp.write(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="boxes.png"):
        rd.draw(canvas, reading, path)
    assert path.read_bytes() == b"the user's picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["boxes.png"]
    monkeypatch.undo()
    rd.draw(canvas, reading, path)
    with Image.open(path) as im:
        assert im.format == "PNG"
