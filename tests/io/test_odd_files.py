"""Odd paths given where a model, a data file or a destination is expected: a FIFO is
refused at once (never a hang), the longest file name works, and a write interrupted
midway leaves the previous file byte-identical."""
import os
import threading

import numpy as np
import pytest

import fastnet
from fastnet import network2
from fastnet.cli import main
from fastnet.io import atomic, persist
from fastnet.io.idx import find_data, load_mnist_arrays, read_idx, write_idx

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")

#: the longest name most file systems allow
LONGEST = 255


def finishes(call, seconds=10.0):
    """``call()``'s result or the exception it raised, run in a thread that must end
    within ``seconds``: a call blocked on a FIFO fails the test instead of hanging it."""
    outcome = []

    def run():
        try:
            outcome.append(call())
        except BaseException as error:  # handed to the test
            outcome.append(error)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s (blocked on a FIFO?)"
    return outcome[0]


@pytest.fixture
def fifo(tmp_path):
    """A named pipe nobody writes to; any reader still blocked on it is released at the end."""
    path = tmp_path / "pipe.npz"
    os.mkfifo(path)
    yield path
    try:  # opening the writing end releases a reader blocked in open()
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass  # nobody is reading it


def small_net(seed=0):
    np.random.seed(seed)
    return fastnet.Network([4, 3, 2])


# -- FIFOs ------------------------------------------------------------------------------
@pytest.mark.parametrize("load", [fastnet.load, persist.load, network2.load])
def test_a_fifo_as_the_model_is_refused_at_once(fifo, load):
    error = finishes(lambda: load(fifo))
    assert isinstance(error, ValueError), error
    assert str(fifo) in str(error) and "is not a regular file" in str(error)


@pytest.mark.parametrize("command", [["info"], ["evaluate"], ["predict", "digit.png"],
                                     ["read", "number.png"]])
def test_a_fifo_as_the_model_of_a_command_is_refused_at_once(fifo, command, capsys):
    argv = [command[0], str(fifo), *command[1:]]
    status = finishes(lambda: main(argv))
    assert status != 0
    err = capsys.readouterr().err
    assert str(fifo) in err and "is not a regular file" in err


def test_a_fifo_as_data_is_refused_at_once(tmp_path, fifo):
    error = finishes(lambda: read_idx(fifo))
    assert isinstance(error, ValueError) and f"{fifo} is not a regular file" in str(error)
    for path in (fifo, tmp_path / "mnist.pkl.gz"):
        if path != fifo:
            os.mkfifo(path)
        error = finishes(lambda: find_data(path, "--data"))
        assert isinstance(error, ValueError), error
        assert f"{path} (--data) is not a regular file" in str(error)


def test_a_fifo_among_the_idx_files_is_named(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte"):
        write_idx(folder / f"{name}.gz", np.zeros((3, 2, 2), np.uint8))
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.zeros(3, np.uint8))
    os.mkfifo(folder / "train-labels-idx1-ubyte.gz")
    try:
        error = finishes(lambda: load_mnist_arrays(folder, validation_size=1))
        assert isinstance(error, ValueError), error
        assert "train-labels-idx1-ubyte.gz is not a regular file" in str(error)
    finally:
        os.close(os.open(folder / "train-labels-idx1-ubyte.gz", os.O_RDWR | os.O_NONBLOCK))


def test_a_fifo_as_the_data_of_a_command_is_refused_at_once(tmp_path, fifo, capsys):
    model = small_net().save(tmp_path / "model.npz")
    status = finishes(lambda: main(["evaluate", str(model), "--data", str(fifo)]))
    assert status != 0
    err = capsys.readouterr().err
    assert str(fifo) in err and "is not a regular file" in err


@pytest.mark.parametrize("name, save", [
    ("pipe.npz", lambda path: small_net().save(path)),
    ("pipe.json", lambda path: small_net().save(path)),
    ("pipe-idx1-ubyte", lambda path: write_idx(path, np.zeros(3, np.uint8))),
])
def test_a_fifo_is_not_replaced_by_a_save(tmp_path, name, save):
    path = tmp_path / name
    os.mkfifo(path)
    error = finishes(lambda: save(path))
    assert isinstance(error, ValueError), error
    assert f"{path} is not a regular file" in str(error)
    assert path.is_fifo() and os.listdir(tmp_path) == [name]


def test_a_folder_as_the_model_is_refused(tmp_path):
    (tmp_path / "model.npz").mkdir()
    with pytest.raises(ValueError, match="model.npz' is not a regular file"):
        fastnet.load(tmp_path / "model.npz")
    with pytest.raises(ValueError, match="model.npz is not a regular file"):
        small_net().save(tmp_path / "model.npz")


# -- the longest file name --------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_a_model_saves_and_loads_under_the_longest_name(tmp_path, suffix):
    path = tmp_path / ("m" * (LONGEST - len(suffix)) + suffix)
    net = small_net()
    assert net.save(path) == path and os.listdir(tmp_path) == [path.name]
    loaded = fastnet.load(path)
    assert all(np.array_equal(a, b) for a, b in zip(loaded.weights + loaded.biases,
                                                     net.weights + net.biases))


def test_idx_files_write_and_read_under_the_longest_name(tmp_path):
    for suffix in (".gz", ""):
        path = tmp_path / ("i" * (LONGEST - len(suffix)) + suffix)
        write_idx(path, np.arange(6, dtype=np.uint8).reshape(2, 3))
        np.testing.assert_array_equal(read_idx(path), np.arange(6).reshape(2, 3))


def test_a_figure_saves_under_the_longest_name(tmp_path):
    pytest.importorskip("matplotlib")
    from fastnet.io.plots import confusion_matrix, learning_curve
    for draw, name in ((lambda p: confusion_matrix(np.eye(3, dtype=int), p), "c"),
                       (lambda p: learning_curve([90.0, 91.0], [0.2, 0.1], p), "l")):
        path = tmp_path / (name * (LONGEST - 4) + ".png")
        assert draw(path) == path and path.read_bytes()[:4] == b"\x89PNG"


def test_the_temporary_name_fits_beside_the_longest_name(tmp_path, monkeypatch):
    """Every temporary file made beside a 255-character destination has a name a file
    system takes (at most 255 characters)."""
    made = []
    mkstemp = atomic.tempfile.mkstemp

    def recording(**kwargs):
        fd, name = mkstemp(**kwargs)
        made.append(os.path.basename(name))
        return fd, name
    monkeypatch.setattr(atomic.tempfile, "mkstemp", lambda **kwargs: recording(**kwargs))
    small_net().save(tmp_path / ("m" * (LONGEST - 4) + ".npz"))
    write_idx(tmp_path / ("i" * (LONGEST - 3) + ".gz"), np.zeros(2, np.uint8))
    assert len(made) == 2 and all(len(name) <= LONGEST for name in made)


# -- interrupted writes -----------------------------------------------------------------
@pytest.mark.parametrize("name", ["images-idx3-ubyte.gz", "images-idx3-ubyte"])
def test_ctrl_c_during_write_idx_leaves_the_previous_file(tmp_path, monkeypatch, name):
    path = write_idx(tmp_path / name, np.arange(12, dtype=np.uint8).reshape(3, 2, 2))
    previous = path.read_bytes()
    real = atomic.write_files_atomically

    def half_then_ctrl_c(f):  # the write step is interrupted midway
        f.write(previous[:7])
        raise KeyboardInterrupt
    monkeypatch.setattr(atomic, "write_files_atomically", lambda writers, verify=None: real(
        {destination: half_then_ctrl_c for destination in writers}, verify))
    with pytest.raises(KeyboardInterrupt):
        write_idx(path, np.ones((5, 2, 2), np.uint8))
    assert path.read_bytes() == previous and os.listdir(tmp_path) == [name]


# -- data that expands beyond its header ------------------------------------------------
def test_a_gzipped_idx_file_is_expanded_no_further_than_its_header_says(tmp_path):
    """A .gz of some 64 KB whose header declares 10 labels but which expands to 64 MB:
    refused as trailing data without holding the 64 MB."""
    import gzip
    import tracemalloc
    header = bytes([0, 0, 8, 1]) + (10).to_bytes(4, "big")
    path = tmp_path / "labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(header + bytes(64 * 2 ** 20), compresslevel=9))
    assert path.stat().st_size < 2 ** 17
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=f"{path}: data has trailing data: header shape "
                                             rf"\(10,\) needs 10 bytes, file has {64 * 2 ** 20}"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2 ** 20
