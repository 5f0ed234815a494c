"""fastnet.io.images: a user's picture of one digit -> the MNIST 784-vector."""
import struct
import zlib

import numpy as np
import pytest

Image = pytest.importorskip("PIL.Image")

from fastnet.io import images  # noqa: E402
from fastnet.io.images import MNIST_CENTER, load_digit, read_image, to_mnist  # noqa: E402

N_DIGITS = 20


# --------------------------------------------------------------------------- helpers


def centre_of_mass(v):
    a = np.asarray(v, dtype=np.float64).reshape(28, 28)
    r = np.arange(28)
    m = a.sum()
    return (a.sum(axis=1) * r).sum() / m, (a.sum(axis=0) * r).sum() / m


def ink_box(v, frac=0.1):
    """(height, width) of the bounding box of the pixels above frac * max."""
    a = np.asarray(v).reshape(28, 28)
    ink = a > frac * a.max()
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def corr(a, b):
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


def check_mnist_vector(v):
    assert v.shape == (784,) and v.dtype == np.float32
    assert v.min() >= 0.0 and v.max() <= 1.0
    assert v.max() == pytest.approx(1.0)


def disc_digit(h=60, w=40, light_on_dark=True):
    """A synthetic "0": a ring, as float in [0, 1]."""
    yy, xx = np.mgrid[:h, :w]
    r = np.hypot((yy - h / 2) / (h * 0.35), (xx - w / 2) / (w * 0.3))
    ink = ((r > 0.7) & (r < 1.0)).astype(np.float64)
    return ink if light_on_dark else 1.0 - ink


def save_png(path, a):
    Image.fromarray(np.asarray(a, dtype=np.uint8)).save(path)
    return path


@pytest.fixture(scope="module")
def mnist_digits(mnist_dir):
    from fastnet.mnist_loader import load_data

    (X, _), _, (Xt, yt) = load_data(mnist_dir)
    return X, Xt[:N_DIGITS], yt[:N_DIGITS]


def upscaled(x, factor=4):
    """An MNIST vector (values in [0, 255/256]) as a big uint8 picture."""
    d = np.clip(np.rint(x.reshape(28, 28) * 256), 0, 255).astype(np.uint8)
    size = 28 * factor
    return np.asarray(Image.fromarray(d).resize((size, size), Image.Resampling.BICUBIC))


# --------------------------------------------------------------------------- convention


def test_real_mnist_digits_have_their_centre_of_mass_at_14_14(mnist_digits):
    # the reason for MNIST_CENTER = (14, 14) rather than the geometric (13.5, 13.5)
    X, _, _ = mnist_digits
    a = X[:5000].reshape(-1, 28, 28).astype(np.float64)
    r = np.arange(28)
    m = a.sum(axis=(1, 2))
    cy = (a.sum(axis=2) * r).sum(axis=1) / m
    cx = (a.sum(axis=1) * r).sum(axis=1) / m
    assert MNIST_CENTER == (14.0, 14.0)
    assert abs(cy.mean() - 14.0) < 0.05 and abs(cx.mean() - 14.0) < 0.05


# --------------------------------------------------------------------------- round trips


def _round_trip_checks(vectors, originals):
    corrs = []
    for v, x in zip(vectors, originals):
        check_mnist_vector(v)
        cy, cx = centre_of_mass(v)
        assert abs(cy - MNIST_CENTER[0]) < 0.5 and abs(cx - MNIST_CENTER[1]) < 0.5
        assert 19 <= max(ink_box(v)) <= 21
        corrs.append(corr(v, x))
    corrs = np.array(corrs)
    assert (corrs > 0.8).sum() >= len(corrs) - 2, corrs
    assert np.median(corrs) > 0.9, corrs
    return corrs


def test_round_trip_light_on_dark_png_on_an_off_centre_non_square_canvas(mnist_digits, tmp_path):
    _, Xt, _ = mnist_digits
    vectors = []
    for k, x in enumerate(Xt):
        canvas = np.zeros((140, 90), dtype=np.uint8)  # tall, digit off centre
        big = upscaled(x, factor=3)  # 84 x 84
        top, left = 5 + (k % 4) * 12, k % 7
        canvas[top : top + 84, left : left + 84] = big
        path = save_png(tmp_path / f"d{k}.png", canvas)
        vectors.append(load_digit(path))
    _round_trip_checks(vectors, Xt)


def test_round_trip_dark_on_light_jpeg(mnist_digits, tmp_path):
    _, Xt, _ = mnist_digits
    vectors = []
    for k, x in enumerate(Xt):
        canvas = np.full((112, 150), 255, dtype=np.uint8)  # wide, white paper
        canvas[:, 20:132] = 255 - upscaled(x, factor=4)
        path = tmp_path / f"d{k}.jpg"
        Image.fromarray(canvas).save(path, quality=90)
        vectors.append(load_digit(path))
    _round_trip_checks(vectors, Xt)


def test_round_trip_is_robust_to_a_grey_noisy_background(mnist_digits, tmp_path):
    # a "photo": pencil-grey ink on off-white paper with noise
    _, Xt, _ = mnist_digits
    rng = np.random.default_rng(0)
    vectors = []
    for k, x in enumerate(Xt):
        ink = upscaled(x, factor=4) / 255.0
        paper = 0.85 + 0.03 * rng.standard_normal(ink.shape)
        photo = np.clip(paper - 0.6 * ink, 0, 1)
        vectors.append(to_mnist(photo))
    _round_trip_checks(vectors, Xt)


def test_an_mnist_digit_itself_comes_back_nearly_unchanged(mnist_digits):
    _, Xt, _ = mnist_digits
    for x in Xt:
        v = to_mnist(x.reshape(28, 28))
        assert corr(v, x) > 0.9


# --------------------------------------------------------------------------- polarity


def test_dark_on_light_is_detected_and_inverted():
    light = disc_digit(light_on_dark=True)
    dark = disc_digit(light_on_dark=False)
    v_light, v_dark = to_mnist(light), to_mnist(dark)
    check_mnist_vector(v_dark)
    np.testing.assert_allclose(v_dark, v_light, atol=1e-6)
    # the ink, not the paper, is what lands in the field: the corners stay empty
    assert v_dark.reshape(28, 28)[[0, 0, -1, -1], [0, -1, 0, -1]].max() == 0


def test_forced_invert_is_honoured():
    light = disc_digit(light_on_dark=True)
    np.testing.assert_allclose(to_mnist(1.0 - light, invert=True), to_mnist(light), atol=1e-6)
    np.testing.assert_allclose(to_mnist(light, invert=False), to_mnist(light), atol=1e-6)
    # inverting a light-on-dark picture makes its ink the background: nothing left
    with pytest.raises(ValueError, match="no digit"):
        to_mnist(light, invert=True)
    # light chalk (0.95) on a mid-grey board (0.6): detection says "light paper",
    # forcing invert=False keeps the chalk as the ink
    board = 0.6 + 0.35 * light
    with pytest.raises(ValueError, match="no digit"):
        to_mnist(board)
    np.testing.assert_allclose(to_mnist(board, invert=False), to_mnist(light), atol=1e-5)
    with pytest.raises(TypeError):
        to_mnist(light, invert="yes")


# --------------------------------------------------------------------------- centring


@pytest.mark.parametrize("shape", [(30, 300), (300, 30), (3, 3), (1, 40)])
def test_any_shape_is_fitted_in_20x20_and_centred(shape):
    a = np.zeros((shape[0] + 20, shape[1] + 20))
    a[10:-10, 10:-10] = 1.0
    a[10 : 10 + max(1, shape[0] // 3), 10 : 10 + max(1, shape[1] // 3)] = 0.5  # lopsided
    v = to_mnist(a)
    check_mnist_vector(v)
    assert max(ink_box(v)) in (20, 21)
    cy, cx = centre_of_mass(v)
    assert abs(cy - 14.0) < 1e-6 and abs(cx - 14.0) < 1e-6


def test_center_can_be_the_geometric_one():
    v = to_mnist(disc_digit(), center=(13.5, 13.5))
    cy, cx = centre_of_mass(v)
    assert abs(cy - 13.5) < 1e-6 and abs(cx - 13.5) < 1e-6


# --------------------------------------------------------------------------- reading


def test_npy_inputs(tmp_path):
    ring = disc_digit(28, 28)
    want = to_mnist(ring)
    cases = {
        "float2d.npy": ring,
        "uint8.npy": (ring * 255).astype(np.uint8),
        "float255.npy": ring * 255.0,  # outside [0, 1]: min/max rescaled
        "int0_255.npy": (ring * 255).astype(np.int64),
        "flat784.npy": ring.reshape(784).astype(np.float32),
        "rgb_last.npy": np.repeat(ring[:, :, None], 3, axis=2),
        "rgba_first.npy": np.concatenate([np.repeat(ring[None], 3, axis=0), np.ones((1, 28, 28))]),
        "bool.npy": ring > 0.5,
    }
    for name, arr in cases.items():
        np.save(tmp_path / name, arr)
        img = read_image(tmp_path / name)
        assert img.dtype == np.float32 and img.shape == (28, 28), name
        np.testing.assert_allclose(img, ring, atol=1 / 255 + 1e-6, err_msg=name)
        np.testing.assert_allclose(load_digit(tmp_path / name), want, atol=0.02, err_msg=name)


def test_rgba_png_with_transparent_background(tmp_path):
    ink = disc_digit(80, 60) > 0.5
    rgba = np.zeros(ink.shape + (4,), dtype=np.uint8)  # transparent black everywhere...
    rgba[ink] = (20, 20, 200, 255)  # ...except opaque blue strokes
    path = tmp_path / "drawn.png"
    Image.fromarray(rgba).save(path)
    img = read_image(path)
    assert img[0, 0] == 1.0  # transparent -> white paper
    assert img[ink].max() < 0.3
    v = load_digit(path)
    check_mnist_vector(v)
    assert corr(v, to_mnist(ink.astype(float))) > 0.99


def test_la_and_palette_transparency_and_other_formats(tmp_path):
    ink = disc_digit(50, 40) > 0.5
    want = to_mnist(ink.astype(float))
    la = np.zeros(ink.shape + (2,), dtype=np.uint8)
    la[ink] = (0, 255)
    Image.fromarray(la, "LA").save(tmp_path / "la.png")
    pal = Image.fromarray(np.where(ink, 1, 0).astype(np.uint8), "P")
    pal.putpalette([0, 0, 0, 10, 10, 10])
    pal.save(tmp_path / "pal.gif", transparency=0)  # index 0 (black) is transparent
    gray = np.where(ink, 255, 0).astype(np.uint8)
    Image.fromarray(gray).save(tmp_path / "g.bmp")
    Image.fromarray(np.where(ink, 0, 255).astype(np.uint8)).convert("RGB").save(tmp_path / "c.jpg")
    Image.fromarray(gray.astype(np.uint16) * 257).save(tmp_path / "g16.png")
    for name in ["la.png", "pal.gif", "g.bmp", "c.jpg", "g16.png"]:
        img = read_image(tmp_path / name)
        assert img.dtype == np.float32 and img.ndim == 2 and 0 <= img.min() and img.max() <= 1
        assert corr(load_digit(tmp_path / name), want) > 0.98, name


def test_load_digit_is_read_image_then_to_mnist(tmp_path):
    path = save_png(tmp_path / "x.png", disc_digit() * 255)
    np.testing.assert_array_equal(load_digit(path), to_mnist(read_image(path)))
    np.testing.assert_array_equal(load_digit(str(path), invert=False), to_mnist(read_image(path), False))


# --------------------------------------------------------------------------- bad input


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_image(tmp_path / "nope.png")
    with pytest.raises(FileNotFoundError):
        load_digit(tmp_path / "nope.npy")


def test_unreadable_files_raise_value_error_naming_the_path(tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("this is not a picture\n")
    truncated = tmp_path / "cut.png"
    save_png(tmp_path / "full.png", disc_digit(200, 200) * 255)
    truncated.write_bytes((tmp_path / "full.png").read_bytes()[:120])
    garbage = tmp_path / "garbage.npy"
    garbage.write_bytes(b"\x93NUMPY garbage")
    for path in [text, truncated, garbage, tmp_path]:
        with pytest.raises(ValueError) as info:
            read_image(path)
        assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "arr, match",
    [
        (np.zeros((0,)), "empty"),
        (np.zeros((0, 28)), "empty"),
        (np.zeros((5, 5, 5)), "3-D"),
        (np.zeros((2, 3, 4, 5)), "2-D"),
        (np.zeros(100), "784"),
        (np.array([[0.0, np.nan], [1.0, 0.0]]), "NaN"),
        (np.array([[0.0, np.inf], [1.0, 0.0]]), "NaN or infinite"),
        (np.array([["a", "b"]]), "dtype"),
        (np.zeros((4, 4), dtype=complex), "dtype"),
    ],
)
def test_bad_npy_arrays(tmp_path, arr, match):
    path = tmp_path / "bad.npy"
    np.save(path, arr)
    with pytest.raises(ValueError, match=match) as info:
        read_image(path)
    assert str(path) in str(info.value)


def test_pickled_or_archive_npy_is_refused(tmp_path):
    pickled = tmp_path / "obj.npy"
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    archive = tmp_path / "arch.npy"
    with open(archive, "wb") as f:
        np.savez(f, x=np.zeros((28, 28)))
    for path in (pickled, archive):
        with pytest.raises(ValueError, match="arch|obj"):
            read_image(path)


@pytest.mark.parametrize("value", [0, 255, 128])
def test_blank_pictures_have_no_digit(tmp_path, value):
    path = save_png(tmp_path / "blank.png", np.full((64, 48), value))
    with pytest.raises(ValueError, match="no digit"):
        load_digit(path)
    np.save(tmp_path / "blank.npy", np.full((28, 28), value / 255.0))
    with pytest.raises(ValueError, match="no digit"):
        load_digit(tmp_path / "blank.npy")


def test_to_mnist_rejects_bad_arrays():
    for bad in [np.zeros((3, 4, 5)), np.zeros(784), np.zeros((0, 5)), np.full((5, 5), 2.0),
                np.array([[np.nan, 0.0]]), np.array([["x"]])]:
        with pytest.raises(ValueError):
            to_mnist(bad)


def _png_header_only(width, height):
    """A PNG that declares width x height but holds (almost) no data: a 'bomb'."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))


def test_huge_images_are_refused(tmp_path, monkeypatch):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_header_only(8000, 8000))  # 64 megapixels declared
    with pytest.raises(ValueError, match="too large") as info:
        read_image(bomb)
    assert str(bomb) in str(info.value)

    # the limit is applied to real pictures and arrays too
    small = save_png(tmp_path / "small.png", disc_digit(100, 100) * 255)
    np.save(tmp_path / "small.npy", disc_digit(100, 100))
    monkeypatch.setattr(images, "MAX_PIXELS", 5000)
    with pytest.raises(ValueError, match="too large"):
        read_image(small)
    with pytest.raises(ValueError, match="limit"):
        read_image(tmp_path / "small.npy")
    monkeypatch.undo()
    assert read_image(small).shape == (100, 100)

    # Pillow's own decompression-bomb guard is reported as a ValueError too
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValueError, match="too large"):
        read_image(small)
