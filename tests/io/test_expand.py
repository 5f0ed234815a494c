"""fastnet.expand: one-pixel shifts exactly, in order, dtype kept; the expanded MNIST
folder is complete, loads back as 250,000 / 10,000 / 10,000, and is written atomically,
never into the source folder."""
import filecmp
import gzip
import os

import numpy as np
import pytest

from fastnet.io import expand as ex
from fastnet.io.expand import SHIFTS, expand_images, expand_mnist
from fastnet.io.idx import IDX_FILES, load_mnist_arrays, read_idx, write_idx

NAMES = [f"{name}.gz" for name in IDX_FILES.values()]


def _book_shift(image, direction):
    """The book's expand_mnist.py way: np.roll, then zero the row/column that wrapped."""
    d, axis, index = {"down": (1, 0, 0), "up": (-1, 0, -1),
                      "right": (1, 1, 0), "left": (-1, 1, -1)}[direction]
    new = np.roll(image, d, axis)
    if axis == 0:
        new[index, :] = 0
    else:
        new[:, index] = 0
    return new


def test_shifts_of_a_3x3_image_by_hand():
    X = np.arange(1, 10, dtype=np.uint8).reshape(1, 9)
    E, y = expand_images(X, np.array([7]), shape=(3, 3))
    assert E.shape == (5, 9) and E.dtype == np.uint8 and y.tolist() == [7] * 5
    want = {
        "original": [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
        "up": [[4, 5, 6], [7, 8, 9], [0, 0, 0]],
        "down": [[0, 0, 0], [1, 2, 3], [4, 5, 6]],
        "left": [[2, 3, 0], [5, 6, 0], [8, 9, 0]],
        "right": [[0, 1, 2], [0, 4, 5], [0, 7, 8]],
    }
    assert SHIFTS == ("original", "up", "down", "left", "right")
    for k, name in enumerate(SHIFTS):
        np.testing.assert_array_equal(E[k].reshape(3, 3), want[name], err_msg=name)


def test_shifts_of_a_28x28_image_match_the_book_and_lose_one_edge():
    rng = np.random.default_rng(0)
    image = rng.integers(1, 256, size=(28, 28)).astype(np.uint8)  # no zero pixel
    E, _ = expand_images(image.reshape(1, 784), np.array([3]))
    versions = E.reshape(5, 28, 28)
    np.testing.assert_array_equal(versions[0], image)
    total = int(image.sum(dtype=np.int64))
    lost = {"up": image[0, :], "down": image[-1, :], "left": image[:, 0], "right": image[:, -1]}
    zero = {"up": (slice(-1, None), slice(None)), "down": (slice(0, 1), slice(None)),
            "left": (slice(None), slice(-1, None)), "right": (slice(None), slice(0, 1))}
    for k, name in enumerate(SHIFTS[1:], start=1):
        np.testing.assert_array_equal(versions[k], _book_shift(image, name), err_msg=name)
        assert int(versions[k].sum(dtype=np.int64)) == total - int(lost[name].sum(dtype=np.int64))
        assert np.all(versions[k][zero[name]] == 0)
        assert np.count_nonzero(versions[k]) == 28 * 27


def test_ordering_and_labels_of_many_images():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(7, 28, 28)).astype(np.uint8)
    labels = np.array([3, 1, 4, 1, 5, 9, 2], dtype=np.int64)
    E, y = expand_images(images.reshape(7, 784), labels)
    assert E.shape == (35, 784)
    assert y.dtype == np.int64 and y.tolist() == np.repeat(labels, 5).tolist()
    for i in range(7):
        np.testing.assert_array_equal(E[5 * i].reshape(28, 28), images[i])
        for k, name in enumerate(SHIFTS[1:], start=1):
            np.testing.assert_array_equal(E[5 * i + k].reshape(28, 28), _book_shift(images[i], name))


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64, np.int16, np.bool_])
def test_dtype_is_kept(dtype):
    rng = np.random.default_rng(2)
    X = (rng.random((4, 784)) * 2).astype(dtype)
    E, y = expand_images(X, np.arange(4, dtype=np.uint8))
    assert E.dtype == np.dtype(dtype) and y.dtype == np.uint8
    np.testing.assert_array_equal(E[::5], X)
    assert E.reshape(4, 5, 784).sum(axis=(1, 2)).shape == (4,)


def test_non_contiguous_and_rectangular_input():
    rng = np.random.default_rng(3)
    base = rng.random((10, 12)).astype(np.float32)
    X = np.asfortranarray(base)[::2]  # 5 images of 3x4, neither C- nor F-contiguous
    E, _ = expand_images(X, np.zeros(5), shape=(3, 4))
    for i in range(5):
        img = X[i].reshape(3, 4)
        np.testing.assert_array_equal(E[5 * i + 1].reshape(3, 4), np.vstack([img[1:], np.zeros((1, 4))]))
        np.testing.assert_array_equal(E[5 * i + 4].reshape(3, 4), np.hstack([np.zeros((3, 1)), img[:, :-1]]))


@pytest.mark.parametrize("X, y, shape, error", [
    (np.zeros(784), np.zeros(1), (28, 28), ValueError),            # 1-D
    (np.zeros((2, 28, 28)), np.zeros(2), (28, 28), ValueError),    # 3-D
    (np.zeros((2, 783)), np.zeros(2), (28, 28), ValueError),       # wrong width
    (np.zeros((0, 784)), np.zeros(0), (28, 28), ValueError),       # empty
    (np.zeros((2, 784)), np.zeros(3), (28, 28), ValueError),       # label count
    (np.zeros((2, 784)), np.zeros((2, 1)), (28, 28), ValueError),  # 2-D labels
    (np.array([["a"] * 9]), np.zeros(1), (3, 3), TypeError),       # not numeric
    (np.zeros((2, 9), dtype=object), np.zeros(2), (3, 3), TypeError),
    (np.zeros((2, 9)), np.zeros(2), (0, 9), ValueError),           # bad shape
    (np.zeros((2, 9)), np.zeros(2), (3.5, 3), ValueError),
    (np.zeros((2, 9)), np.zeros(2), 9, TypeError),
])
def test_bad_input_raises(X, y, shape, error):
    with pytest.raises(error):
        expand_images(X, y, shape=shape)


# ---------------------------------------------------------------- folders

def _small_source(folder, n=12, n_test=3, rows=4, cols=5, gz=True):
    """A data set in MNIST's format: n training and n_test test images of rows x cols."""
    rng = np.random.default_rng(4)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train_images": rng.integers(1, 256, size=(n, rows, cols)).astype(np.uint8),
        "train_labels": (np.arange(n) % 10).astype(np.uint8),
        "test_images": rng.integers(0, 256, size=(n_test, rows, cols)).astype(np.uint8),
        "test_labels": np.arange(n_test).astype(np.uint8),
    }
    for key, array in arrays.items():
        write_idx(folder / (IDX_FILES[key] + (".gz" if gz else "")), array)
    return arrays


def _read(folder, key):
    return read_idx(folder / f"{IDX_FILES[key]}.gz")


@pytest.mark.parametrize("gz", [True, False], ids=["gz-source", "raw-source"])
def test_small_folder_without_shuffle(tmp_path, gz):
    src = _small_source(tmp_path / "src", gz=gz)
    result = expand_mnist(tmp_path / "src", tmp_path / "out", shuffle=False, validation_size=2)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted(NAMES)  # no temporary files left
    assert (result.n_source_train, result.n_train, result.n_validation, result.n_test) == (10, 50, 2, 3)
    images, labels = _read(out, "train_images"), _read(out, "train_labels")
    assert images.shape == (52, 4, 5) and labels.shape == (52,)
    E, y = expand_images(src["train_images"][:10].reshape(10, 20), src["train_labels"][:10], (4, 5))
    np.testing.assert_array_equal(images[:50].reshape(50, 20), E)
    np.testing.assert_array_equal(labels[:50], y)
    np.testing.assert_array_equal(images[50:], src["train_images"][10:])
    np.testing.assert_array_equal(labels[50:], src["train_labels"][10:])
    np.testing.assert_array_equal(_read(out, "test_images"), src["test_images"])
    np.testing.assert_array_equal(_read(out, "test_labels"), src["test_labels"])
    (X, yt), (Xv, yv), (Xt, ytt) = load_mnist_arrays(out, validation_size=2)
    assert (len(X), len(Xv), len(Xt)) == (50, 2, 3)
    if gz:  # gzipped test files are copied byte for byte
        assert filecmp.cmp(tmp_path / "src" / NAMES[2], out / NAMES[2], shallow=False)


def test_shuffle_is_seeded(tmp_path):
    _small_source(tmp_path / "src")
    plain = expand_mnist(tmp_path / "src", tmp_path / "plain", shuffle=False, validation_size=2)
    a = expand_mnist(tmp_path / "src", tmp_path / "a", seed=5, validation_size=2)
    expand_mnist(tmp_path / "src", tmp_path / "b", seed=5, validation_size=2)
    expand_mnist(tmp_path / "src", tmp_path / "c", seed=6, validation_size=2)
    assert a.shuffled and not plain.shuffled
    for name in NAMES:
        assert filecmp.cmp(tmp_path / "a" / name, tmp_path / "b" / name, shallow=False)
    order = np.random.default_rng(5).permutation(50)
    for key in ("train_images", "train_labels"):
        np.testing.assert_array_equal(_read(tmp_path / "a", key)[:50], _read(tmp_path / "plain", key)[order])
        np.testing.assert_array_equal(_read(tmp_path / "a", key)[50:], _read(tmp_path / "plain", key)[50:])
    assert not np.array_equal(_read(tmp_path / "a", "train_images"), _read(tmp_path / "c", "train_images"))


def test_refuses_to_write_into_the_source_folder(tmp_path):
    _small_source(tmp_path / "src")
    before = {name: (tmp_path / "src" / name).read_bytes() for name in NAMES}
    os.symlink(tmp_path / "src", tmp_path / "link")
    for dest in (tmp_path / "src", tmp_path / "src" / ".", tmp_path / "link"):
        with pytest.raises(ValueError, match="source folder"):
            expand_mnist(tmp_path / "src", dest, validation_size=2)
    assert {name: (tmp_path / "src" / name).read_bytes() for name in NAMES} == before
    assert sorted(p.name for p in (tmp_path / "src").iterdir()) == sorted(NAMES)


def test_failure_leaves_no_partial_files(tmp_path, monkeypatch):
    _small_source(tmp_path / "src")
    out = tmp_path / "out"
    out.mkdir()
    (out / NAMES[0]).write_bytes(b"previous")

    def broken(src, f):
        f.write(b"half a file")
        raise OSError("disk full")
    monkeypatch.setattr(ex, "_copy_or_gzip", broken)
    with pytest.raises(OSError, match="disk full"):
        expand_mnist(tmp_path / "src", out, validation_size=2)
    assert [p.name for p in out.iterdir()] == [NAMES[0]]  # no temporary file, nothing replaced
    assert (out / NAMES[0]).read_bytes() == b"previous"


def test_bad_sources_and_arguments(tmp_path):
    with pytest.raises(FileNotFoundError):
        expand_mnist(tmp_path / "missing", tmp_path / "out")
    pickle_file = tmp_path / "mnist.pkl.gz"
    pickle_file.write_bytes(gzip.compress(b"not used"))
    with pytest.raises(ValueError, match="pickle"):
        expand_mnist(pickle_file, tmp_path / "out")
    _small_source(tmp_path / "src")
    with pytest.raises(ValueError, match="validation_size"):
        expand_mnist(tmp_path / "src", tmp_path / "out")  # 12 images, 10,000 for validation
    with pytest.raises(ValueError):
        expand_mnist(tmp_path / "src", tmp_path / "out", seed=-1, validation_size=2)
    with pytest.raises(TypeError):
        expand_mnist(tmp_path / "src", tmp_path / "out", validation_size=2.5)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not a folder"):
        expand_mnist(tmp_path / "src", tmp_path / "file", validation_size=2)
    assert not (tmp_path / "out").exists()


def test_gzip_members_read_back(tmp_path, monkeypatch):
    """Large files are written as several gzip members: one stream to gzip and read_idx."""
    monkeypatch.setattr(ex, "GZIP_MEMBER_MIN", 1000)
    array = (np.arange(3 * ex.GZIP_MEMBER_MIN + 7) % 251).astype(np.uint8).reshape(-1, 1)
    with open(tmp_path / "a.gz", "wb") as f:
        ex._write_idx_gz(f, array)
    raw = (tmp_path / "a.gz").read_bytes()
    assert raw.count(b"\x1f\x8b\x08") >= 3  # really several members
    np.testing.assert_array_equal(read_idx(tmp_path / "a.gz"), array)
    with gzip.open(tmp_path / "a.gz") as f:
        assert f.read(8) == bytes([0, 0, 8, 2]) + array.shape[0].to_bytes(4, "big")


# ---------------------------------------------------------------- real MNIST

def test_expanded_mnist_loads_back(mnist_dir, tmp_path):
    source_bytes = {name: (mnist_dir / name).stat().st_size for name in NAMES}
    result = expand_mnist(mnist_dir, tmp_path / "expanded")
    out = tmp_path / "expanded"
    print(f"\n{result.summary()}")
    assert sorted(p.name for p in out.iterdir()) == sorted(NAMES)
    (X, y), (Xv, yv), (Xt, yt) = load_mnist_arrays(out)
    assert (X.shape, Xv.shape, Xt.shape) == ((250000, 784), (10000, 784), (10000, 784))
    assert (len(y), len(yv), len(yt)) == (250000, 10000, 10000)
    (X0, y0), (Xv0, yv0), (Xt0, yt0) = load_mnist_arrays(mnist_dir)
    np.testing.assert_array_equal(Xv, Xv0)
    np.testing.assert_array_equal(yv, yv0)
    np.testing.assert_array_equal(Xt, Xt0)
    np.testing.assert_array_equal(yt, yt0)
    for name in NAMES[2:]:
        assert filecmp.cmp(mnist_dir / name, out / name, shallow=False)
    # the training part: expand_images of the first 50,000, shuffled by default_rng(0)
    # (pixels k/256 in float32 are exact: times 256 gives the uint8 pixels back)
    E, labels = expand_images(np.multiply(X0, 256).astype(np.uint8), y0)
    order = np.random.default_rng(0).permutation(250000)
    for i in range(0, 250000, 5000):  # in blocks: cache-friendly
        rows = order[i:i + 5000]
        assert np.array_equal(X[i:i + 5000], E[rows] * np.float32(1 / 256)), f"rows {i}.."
    np.testing.assert_array_equal(y, labels[order])
    assert np.bincount(y).tolist() == (5 * np.bincount(y0)).tolist()
    # the source folder is untouched
    assert {name: (mnist_dir / name).stat().st_size for name in NAMES} == source_bytes
    assert sorted(p.name for p in mnist_dir.iterdir()) == sorted(NAMES)
