"""Tests for fastnet.data and fastnet.mnist_loader: real MNIST, path resolution, corrupt files."""
import gzip
import os
import pickle
import re
import struct

import numpy as np
import pytest

from fastnet import mnist_loader
from fastnet.io import idx as data
from fastnet.io.idx import (
    IDX_FILES,
    default_cache_dir,
    find_data,
    load_mnist_arrays,
    read_idx,
)
from fastnet.mnist_loader import load_data, load_data_wrapper, vectorized_result

# ---------------------------------------------------------------- helpers

def idx_bytes(arr, code=0x08):
    """Serialize a uint8 array as IDX."""
    arr = np.asarray(arr, dtype=np.uint8)
    return bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()


def write_idx(path, arr):
    raw = idx_bytes(arr)
    path.write_bytes(gzip.compress(raw) if path.suffix == ".gz" else raw)
    return path


def write_mnist(folder, n_train=12, n_test=5, rows=4, cols=3, gz=True, seed=0):
    """Write four small IDX files into folder; return the uint8 arrays by IDX_FILES key."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, rows, cols), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, n_train, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (n_test, rows, cols), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for key, arr in arrays.items():
        write_idx(folder / (IDX_FILES[key] + (".gz" if gz else "")), arr)
    return arrays


def write_pickle(path, sizes=(6, 3, 4), width=5, seed=0):
    rng = np.random.default_rng(seed)
    sets = tuple((rng.random((n, width), dtype=np.float32), rng.integers(0, 10, n).astype(np.int64))
                 for n in sizes)
    with gzip.open(path, "wb") as f:
        pickle.dump(sets, f)
    return sets


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    """No FASTNET_DATA, and an empty cache under tmp_path."""
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


# ---------------------------------------------------------------- real MNIST

@pytest.fixture(scope="module")
def raw_idx(mnist_dir):
    return {key: read_idx(mnist_dir / f"{name}.gz") for key, name in IDX_FILES.items()}


@pytest.fixture(scope="module")
def real(mnist_dir):
    return load_data(mnist_dir)


def test_read_idx_real_shapes(raw_idx):
    assert raw_idx["train_images"].shape == (60000, 28, 28)
    assert raw_idx["train_labels"].shape == (60000,)
    assert raw_idx["test_images"].shape == (10000, 28, 28)
    assert raw_idx["test_labels"].shape == (10000,)
    for arr in raw_idx.values():
        assert arr.dtype == np.uint8
    for key in ("train_labels", "test_labels"):
        assert raw_idx[key].min() == 0 and raw_idx[key].max() == 9
    assert raw_idx["train_images"].max() == 255


def test_known_labels(raw_idx, real):
    assert raw_idx["train_labels"][:5].tolist() == [5, 0, 4, 1, 9]
    assert raw_idx["test_labels"][:3].tolist() == [7, 2, 1]
    assert real[0][1][0] == 5 and real[2][1][0] == 7


def test_load_data_real(real, raw_idx):
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = real
    assert [len(X) for X, _ in real] == [50000, 10000, 10000]
    for X, y in real:
        assert X.dtype == np.float32 and X.flags.c_contiguous and X.shape[1] == 784
        assert y.dtype == np.int64 and y.shape == (len(X),)
        assert X.min() == 0.0 and X.max() <= 255 / 256
    assert X_tr.max() == np.float32(255 / 256)
    # validation = last 10,000 IDX training images, scaled by exactly 1/256
    np.testing.assert_array_equal(X_va * 256, raw_idx["train_images"][50000:].reshape(10000, 784))
    np.testing.assert_array_equal(y_va, raw_idx["train_labels"][50000:])
    np.testing.assert_array_equal(X_tr[:3] * 256, raw_idx["train_images"][:3].reshape(3, 784))
    np.testing.assert_array_equal(y_te, raw_idx["test_labels"])


def test_load_data_wrapper_real(mnist_dir, real):
    training, validation, test = load_data_wrapper(mnist_dir)
    assert all(isinstance(d, list) for d in (training, validation, test))
    assert (len(training), len(validation), len(test)) == (50000, 10000, 10000)
    x, y = training[0]
    assert x.shape == (784, 1) and x.dtype == np.float32
    assert y.shape == (10, 1) and y.dtype == np.float64
    np.testing.assert_array_equal(y, vectorized_result(5))
    np.testing.assert_array_equal(x[:, 0], real[0][0][0])
    x, label = test[0]
    assert x.shape == (784, 1) and isinstance(label, (int, np.integer)) and label == 7
    assert validation[-1][1] == real[1][1][-1]


# ---------------------------------------------------------------- locating data

def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "fastnet" / "mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / ".cache" / "fastnet" / "mnist"


def test_env_var_is_used(monkeypatch, tmp_path, no_env):
    arrays = write_mnist(tmp_path / "env")
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "env"))
    assert find_data() == tmp_path / "env"
    (X_tr, _), (X_va, y_va), (X_te, _) = load_mnist_arrays(validation_size=4)
    assert (len(X_tr), len(X_va), len(X_te)) == (8, 4, 5)
    np.testing.assert_array_equal(y_va, arrays["train_labels"][8:])
    np.testing.assert_array_equal(X_te * 256, arrays["test_images"].reshape(5, 12))


def test_relative_env_var_keeps_naming_the_same_folder_after_a_chdir(monkeypatch, tmp_path, no_env):
    write_mnist(tmp_path / "shared" / "mnist")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(data.DATA_ENV, "shared/mnist")
    assert data.data_env() == tmp_path / "shared" / "mnist"  # resolved at its first read
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert find_data() == tmp_path / "shared" / "mnist"
    assert len(load_mnist_arrays(validation_size=4)[0][0]) == 8


def test_relative_env_var_is_resolved_from_where_the_program_started(tmp_path):
    """The README's ``FASTNET_DATA=../shared/data/mnist``: a program that imports the
    loader and then changes directory still finds the data."""
    import subprocess
    import sys
    write_mnist(tmp_path / "shared" / "mnist")
    (tmp_path / "repo").mkdir()
    script = ("import os; from fastnet.io import idx; os.chdir('/');"
              "print(len(idx.load_mnist_arrays(validation_size=4)[2][0]))")
    package = os.path.dirname(os.path.dirname(data.__file__))
    env = dict(os.environ, FASTNET_DATA="../shared/mnist",
               PYTHONPATH=os.path.dirname(package))
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path / "repo", env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "5", run.stderr


def test_cache_dir_is_used(tmp_path, no_env):
    write_mnist(default_cache_dir())
    assert find_data() == default_cache_dir()


def test_not_found_lists_places(monkeypatch, tmp_path, no_env):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError) as err:
        find_data()
    msg = str(err.value)
    for text in (str(tmp_path / "nowhere"), str(default_cache_dir()), "FASTNET_DATA",
                 "path=", "train-images-idx3-ubyte.gz", "does not exist"):
        assert text in msg
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_data()


def test_not_found_without_env(monkeypatch, tmp_path, no_env):
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    expected = re.escape(f"{tmp_path / '.cache' / 'fastnet' / 'mnist'} (cache folder)")
    with pytest.raises(FileNotFoundError, match=expected):
        find_data()


def test_missing_file_is_named(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="missing t10k-labels-idx1-ubyte.gz") as err:
        load_data(tmp_path)
    assert "train-images" not in str(err.value).split("Provide")[0]


def test_given_path_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        find_data(tmp_path / "absent")
    with pytest.raises(FileNotFoundError, match="not a folder or a .pkl.gz file"):
        find_data(write_idx(tmp_path / "x.gz", [1]))


def test_uncompressed_idx(tmp_path):
    arrays = write_mnist(tmp_path, gz=False)
    np.testing.assert_array_equal(read_idx(tmp_path / "t10k-images-idx3-ubyte"), arrays["test_images"])
    (X_tr, y_tr), (X_va, _), (X_te, _) = load_mnist_arrays(tmp_path, validation_size=2)
    assert X_tr.shape == (10, 12) and X_va.shape == (2, 12) and X_te.shape == (5, 12)
    assert X_tr.dtype == np.float32 and y_tr.dtype == np.int64
    np.testing.assert_array_equal(y_tr, arrays["train_labels"][:10])


def test_validation_size(tmp_path):
    write_mnist(tmp_path)
    (X_tr, _), (X_va, _), _ = load_mnist_arrays(tmp_path, validation_size=0)
    assert X_tr.shape == (12, 12) and X_va.shape == (0, 12)
    for bad in (12, -1):
        with pytest.raises(ValueError, match=r"validation_size must be in \[0, 12\)"):
            load_mnist_arrays(tmp_path, validation_size=bad)


# ---------------------------------------------------------------- corrupt files

GOOD = idx_bytes(np.arange(24).reshape(2, 3, 4))


@pytest.mark.parametrize("raw, match", [
    (b"\x01" + GOOD[1:], "bad IDX magic"),
    (GOOD[:3] + b"\x00" + GOOD[4:], "bad IDX magic"),
    (GOOD[:2] + b"\x0d" + GOOD[3:], r"type code 0x0D \(float\) is unsupported"),
    (b"", r"truncated IDX header \(0 bytes\)"),
    (GOOD[:2], "truncated IDX header"),
    (GOOD[:10], r"truncated IDX header \(10 of 16 bytes\)"),
    (GOOD[:-1], "data truncated"),
    (GOOD + b"\x00", "trailing data"),
])
@pytest.mark.parametrize("gz", [False, True])
def test_corrupt_idx(tmp_path, raw, match, gz):
    path = tmp_path / ("f.gz" if gz else "f")
    path.write_bytes(gzip.compress(raw) if gz else raw)
    with pytest.raises(ValueError, match=match) as err:
        read_idx(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("raw", [
    np.random.default_rng(0).bytes(200),            # not gzip at all
    gzip.compress(GOOD * 50)[:60],                   # valid gzip cut in the middle
    gzip.compress(GOOD)[:-4],                        # missing trailer
    gzip.compress(GOOD)[:-8] + b"\x00\x00\x00\x00" + gzip.compress(GOOD)[-4:],  # wrong CRC
    b"\x00\x00" + gzip.compress(GOOD),                # zeros before the first member
    gzip.compress(GOOD[:20]) + b"\x00junk",            # not a member after a member
])
def test_broken_gzip(tmp_path, raw):
    path = tmp_path / "x-idx3-ubyte.gz"
    path.write_bytes(raw)
    with pytest.raises(ValueError, match="broken gzip") as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_gzip_members_and_zero_padding_read_as_one_stream(tmp_path):
    """As gzip.GzipFile reads them: members one after another, zeros after a member."""
    path = tmp_path / "x-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(GOOD[:7]) + b"\x00" * 3 + gzip.compress(GOOD[7:]) + b"\x00" * 5)
    np.testing.assert_array_equal(read_idx(path), np.arange(24).reshape(2, 3, 4))
    with gzip.open(path) as f:
        assert f.read() == GOOD


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.gz"):
        read_idx(tmp_path / "nope.gz")


def test_read_idx_roundtrip(tmp_path):
    arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "a.gz", arr)), arr)
    assert read_idx(write_idx(tmp_path / "b", arr[0, 0])).shape == (4,)


def test_count_mismatch(tmp_path):
    write_mnist(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(11))
    with pytest.raises(ValueError, match="train set has 12 images but labels of shape"):
        load_data(tmp_path)


def test_images_not_3d(tmp_path):
    write_mnist(tmp_path)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((5, 12)))
    with pytest.raises(ValueError, match="images must be 3-D"):
        load_data(tmp_path)


def test_labels_beyond_9_load_for_data_sets_with_more_classes(tmp_path):
    """Any data set in MNIST's format loads; the network checks labels against its outputs."""
    write_mnist(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", [1, 2, 3, 11, 0])
    (X_train, _), (X_val, _), (X, y) = load_mnist_arrays(tmp_path, validation_size=None)
    assert (len(X_train), len(X_val)) == (10, 2)  # a sixth of a set smaller than MNIST
    assert y.tolist() == [1, 2, 3, 11, 0]


def test_image_size_mismatch(tmp_path):
    write_mnist(tmp_path)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((5, 3, 4)))
    with pytest.raises(ValueError, match="differ in size"):
        load_data(tmp_path)


# ---------------------------------------------------------------- mnist.pkl.gz

def test_pickle_file_and_folder(tmp_path):
    sets = write_pickle(tmp_path / "mnist.pkl.gz")
    for where in (tmp_path / "mnist.pkl.gz", tmp_path):
        loaded = load_data(where)
        for (X, y), (X0, y0) in zip(loaded, sets):
            assert X.dtype == np.float32 and X.flags.c_contiguous and y.dtype == np.int64
            np.testing.assert_array_equal(X, X0)
            np.testing.assert_array_equal(y, y0)


def test_pickle_wrapper(tmp_path):
    sets = write_pickle(tmp_path / "mnist.pkl.gz")
    training, validation, test = load_data_wrapper(tmp_path / "mnist.pkl.gz")
    assert isinstance(training, list) and (len(training), len(validation), len(test)) == (6, 3, 4)
    x, y = training[2]
    assert x.shape == (5, 1) and x.dtype == np.float32
    np.testing.assert_array_equal(y, vectorized_result(sets[0][1][2]))
    assert test[1][1] == sets[2][1][1]


def test_pickle_keeps_its_split(tmp_path):
    write_pickle(tmp_path / "mnist.pkl.gz")
    assert [len(y) for _, y in load_mnist_arrays(tmp_path, validation_size=1)] == [6, 3, 4]


def test_idx_preferred_over_pickle(tmp_path):
    write_mnist(tmp_path)
    write_pickle(tmp_path / "mnist.pkl.gz")
    assert find_data(tmp_path) == tmp_path


@pytest.mark.parametrize("payload, match", [
    (b"not a pickle", "cannot unpickle"),
    (pickle.dumps((1, 2)), "expected three"),
    (pickle.dumps(((np.zeros(3), np.zeros(3, int)),) * 3), "must be 2-D"),
    (pickle.dumps(((np.array([["a"]]), np.zeros(1, int)),) * 3), "must be 2-D numeric"),
    (pickle.dumps(((np.zeros((3, 2)), np.zeros(2, int)),) * 3), "has 3 images"),
])
def test_bad_pickle(tmp_path, payload, match):
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(gzip.compress(payload))
    with pytest.raises(ValueError, match=match) as err:
        load_data(path)
    assert str(path) in str(err.value)


def test_pickle_not_gzip(tmp_path):
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(pickle.dumps(((np.zeros((1, 2)), np.zeros(1, int)),) * 3))
    with pytest.raises(ValueError, match="cannot unpickle"):
        load_data(path)


# ---------------------------------------------------------------- vectorized_result

@pytest.mark.parametrize("j", [0, 3, 9, np.int64(7), np.uint8(2)])
def test_vectorized_result(j):
    e = vectorized_result(j)
    assert e.shape == (10, 1) and e.dtype == np.float64
    assert e.sum() == 1.0 and e[int(j), 0] == 1.0


@pytest.mark.parametrize("j, exc", [
    (-1, ValueError), (10, ValueError), (np.int64(12), ValueError),
    (1.0, TypeError), ("3", TypeError), (None, TypeError), (True, TypeError), (np.bool_(False), TypeError),
])
def test_vectorized_result_errors(j, exc):
    with pytest.raises(exc):
        vectorized_result(j)


def test_star_import():
    namespace = {}
    exec("from fastnet.mnist_loader import *", namespace)
    assert {"load_data", "load_data_wrapper", "vectorized_result"} <= namespace.keys()
    assert set(mnist_loader.__all__) == {"load_data", "load_data_wrapper", "vectorized_result"}


def test_a_missing_folder_is_named_as_the_user_gave_it(tmp_path):
    """Python users hear about path=, command-line users about --data."""
    from fastnet.io.idx import load_mnist_arrays
    with pytest.raises(FileNotFoundError) as python_error:
        load_mnist_arrays(tmp_path / "nowhere")
    assert "(path argument)" in str(python_error.value) and "pass path=...:" in str(python_error.value)
    with pytest.raises(FileNotFoundError) as cli_error:
        load_mnist_arrays(tmp_path / "nowhere", argument="--data")
    message = str(cli_error.value)
    assert "(--data)" in message and "give --data PATH:" in message and "path=" not in message and "path argument" not in message
