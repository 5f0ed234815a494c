"""fastnet.persist: safe model files (.npz that never unpickle, the book's network2 JSON),
written atomically, loaded with checks that say what is wrong."""
import json
import os
import random
import re
import zipfile

import numpy as np
import pytest

import fastnet
from fastnet.io import persist
from fastnet.network import Network

SIZES = [[784, 30, 10], [3, 5, 2, 4]]
DTYPES = [np.float32, np.float64]


def make_net(sizes=(3, 5, 2, 4), dtype=np.float64, seed=1):
    np.random.seed(seed)
    net = Network(list(sizes), dtype=dtype)
    net.history = [dict(mini_batch_size=10, eta=3.0, n_train=50000, correct=9012, n_test=10000,
                        seconds=1.25),
                   dict(mini_batch_size=10, eta=3.0, n_train=50000, correct=None, n_test=None,
                        seconds=1.5)]
    return net


def inputs(net, k=7, seed=2):
    return np.random.default_rng(seed).random((net.sizes[0], k))


def same_parameters(a, b):
    assert a.sizes == b.sizes and a.dtype == b.dtype
    for x, y in zip(a.weights + a.biases, b.weights + b.biases):
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()


def arrays_of(path):
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def write_npz(path, arrays):
    np.savez(path, **arrays)
    return path


def random_state():
    return np.random.get_state(), random.getstate()


def assert_same_random_state(before, after):
    (name, keys, pos, gauss, cached), py = before
    (name2, keys2, pos2, gauss2, cached2), py2 = after
    assert name == name2 and np.array_equal(keys, keys2) and pos == pos2
    assert gauss == gauss2 and cached == cached2 and py == py2


# -- npz round trip ---------------------------------------------------------------------
@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_npz_round_trip_is_bit_identical(tmp_path, sizes, dtype):
    net = make_net(sizes, dtype)
    path = persist.save(net, tmp_path / "model.npz", metadata={"note": "run 3", "seed": 1})
    assert path == tmp_path / "model.npz"

    before = random_state()
    loaded = persist.load(path)
    assert_same_random_state(before, random_state())

    same_parameters(net, loaded)
    assert loaded.history == net.history
    assert loaded.metadata["note"] == "run 3" and loaded.metadata["seed"] == 1
    assert loaded.metadata["fastnet_version"] == fastnet.__version__
    assert loaded.metadata["history"] == net.history
    x = inputs(net)
    assert np.array_equal(net.feedforward(x), loaded.feedforward(x))
    assert net.evaluate((x.T, np.arange(7) % sizes[-1])) == loaded.evaluate((x.T, np.arange(7) % sizes[-1]))


def test_npz_layout(tmp_path):
    net = make_net([3, 5, 2, 4], np.float32)
    arrays = arrays_of(persist.save(net, tmp_path / "m.npz"))
    assert set(arrays) == {"format", "version", "sizes", "dtype", "metadata",
                           "w0", "w1", "w2", "b0", "b1", "b2"}
    assert arrays["format"].shape == () and str(arrays["format"]) == "fastnet-model"
    assert int(arrays["version"]) == persist.FORMAT_VERSION == 1
    assert arrays["sizes"].dtype == np.int64 and arrays["sizes"].tolist() == [3, 5, 2, 4]
    assert str(arrays["dtype"]) == "float32"
    assert arrays["b1"].shape == (2, 1) and arrays["w1"].shape == (2, 5)
    assert all(arrays[k].dtype == np.float32 for k in ("w0", "b0", "w2", "b2"))
    meta = json.loads(str(arrays["metadata"]))
    assert meta["history"] == net.history and meta["fastnet_version"] == fastnet.__version__


def test_trained_history_round_trips(tmp_path):
    np.random.seed(0)
    random.seed(0)
    net = Network([3, 4, 2], dtype=np.float64)
    rng = np.random.default_rng(0)
    data = (rng.random((20, 3)), rng.integers(0, 2, 20))
    for _ in net.train_epochs(data, 2, 5, 1.0, test_data=data):
        pass
    loaded = persist.load(persist.save(net, tmp_path / "trained.npz"))
    assert loaded.history == net.history and len(loaded.history) == 2
    same_parameters(net, loaded)


def test_load_dtype_converts_and_str_paths_work(tmp_path):
    net = make_net(dtype=np.float64)
    path = str(tmp_path / "m.npz")
    persist.save(net, path)
    loaded = persist.load(path, dtype=np.float32)
    assert loaded.dtype == np.float32
    assert np.array_equal(loaded.weights[0], net.weights[0].astype(np.float32))


def test_saved_file_is_not_owner_only(tmp_path):
    path = persist.save(make_net(), tmp_path / "m.npz")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_caller_metadata_cannot_replace_history(tmp_path):
    net = make_net()
    loaded = persist.load(persist.save(net, tmp_path / "m.npz",
                                       metadata={"history": "nope", "fastnet_version": "0"}))
    assert loaded.history == net.history
    assert loaded.metadata["fastnet_version"] == fastnet.__version__


# -- save refusals ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["model.pkl", "model", "model.npy", "model.npz.bak"])
def test_save_refuses_unknown_suffix(tmp_path, name):
    with pytest.raises(ValueError, match=r"\.npz.*\.json"):
        persist.save(make_net(), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".npz", ".json"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_save_refuses_non_finite_parameters(tmp_path, suffix, bad):
    net = make_net()
    net.biases[1][0, 0] = bad
    with pytest.raises(ValueError, match=r"biases\[1\].*NaN or infinity"):
        persist.save(net, tmp_path / ("m" + suffix))
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_metadata_that_is_not_json(tmp_path):
    with pytest.raises(ValueError, match="JSON"):
        persist.save(make_net(), tmp_path / "m.npz", metadata={"f": object()})
    with pytest.raises(TypeError, match="dict"):
        persist.save(make_net(), tmp_path / "m.npz", metadata=["a"])
    assert list(tmp_path.iterdir()) == []


# -- atomic writes ----------------------------------------------------------------------
def _partial_savez(f, *args, **kwargs):
    f.write(b"PK\x03\x04 half of an archive")
    raise OSError("disk full")


def _failing_fsync(fd):
    raise OSError("I/O error")


def _failing_replace(src, dst):
    raise PermissionError("replace refused")


def _interrupting_savez(f, *args, **kwargs):
    f.write(b"PK\x03\x04")
    raise KeyboardInterrupt


@pytest.mark.parametrize("suffix, target, name, fake, error", [
    (".npz", np, "savez", _partial_savez, OSError),
    (".npz", np, "savez", _interrupting_savez, KeyboardInterrupt),
    (".npz", os, "fsync", _failing_fsync, OSError),
    (".npz", os, "replace", _failing_replace, PermissionError),
    (".json", os, "fsync", _failing_fsync, OSError),
    (".json", os, "replace", _failing_replace, PermissionError),
])
def test_failed_save_leaves_previous_file_untouched(tmp_path, monkeypatch, suffix, target,
                                                   name, fake, error):
    path = tmp_path / ("model" + suffix)
    persist.save(make_net(seed=1), path)
    previous = path.read_bytes()

    monkeypatch.setattr(target, name, fake)
    with pytest.raises(error):
        persist.save(make_net(seed=2), path)
    monkeypatch.undo()

    assert path.read_bytes() == previous
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary files left
    same_parameters(persist.load(path), make_net(seed=1))


def test_failed_json_write_leaves_previous_file_untouched(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    persist.save(make_net(seed=1), path)
    previous = path.read_bytes()

    def half_json(f, *args):
        f.write(b'{"sizes": [3, 5')
        raise OSError("disk full")

    monkeypatch.setattr(persist, "_writer_for", lambda *args: half_json)
    with pytest.raises(OSError, match="disk full"):
        persist.save(make_net(seed=2), path)
    monkeypatch.undo()
    assert path.read_bytes() == previous
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_failed_first_save_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(np, "savez", _partial_savez)
    with pytest.raises(OSError, match="disk full"):
        persist.save(make_net(), tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


def test_save_overwrites_atomically(tmp_path):
    path = tmp_path / "m.npz"
    persist.save(make_net(seed=1), path)
    persist.save(make_net(seed=2), path)
    same_parameters(persist.load(path), make_net(seed=2))
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


# -- corrupt inputs ---------------------------------------------------------------------
@pytest.fixture
def valid(tmp_path):
    """A valid model file and its arrays, to spoil one at a time."""
    path = persist.save(make_net([3, 5, 2, 4], np.float64), tmp_path / "valid.npz")
    return path, arrays_of(path)


def spoiled(tmp_path, arrays, **changes):
    arrays = dict(arrays)
    for key, value in changes.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    return write_npz(tmp_path / "spoiled.npz", arrays)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model file"):
        persist.load(tmp_path / "absent.npz")


def test_truncated_npz(tmp_path, valid):
    path, _ = valid
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 3):
        (tmp_path / "cut.npz").write_bytes(data[:cut])
        with pytest.raises(ValueError, match="corrupt or truncated"):
            persist.load(tmp_path / "cut.npz")


def test_damaged_member_is_corrupt(tmp_path, valid):
    path, _ = valid
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("w1.npy")
    data[info.header_offset + 200] ^= 0xFF  # inside w1's data: CRC mismatch on reading
    (tmp_path / "bad.npz").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupt or truncated"):
        persist.load(tmp_path / "bad.npz")


@pytest.mark.parametrize("content, message", [
    (np.random.default_rng(5).bytes(4096), "not a model file"),
    (b"", "empty"),
    (np.save.__doc__.encode(), "not a model file"),
])
def test_not_a_model_file(tmp_path, content, message):
    (tmp_path / "junk.npz").write_bytes(content)
    with pytest.raises(ValueError, match=message):
        persist.load(tmp_path / "junk.npz")


def test_plain_npy_is_refused(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros(3))
    with pytest.raises(ValueError, match="not a model file"):
        persist.load(tmp_path / "a.npy")


def test_zip_that_is_not_a_model(tmp_path):
    with zipfile.ZipFile(tmp_path / "z.npz", "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match="no 'format' entry"):
        persist.load(tmp_path / "z.npz")


@pytest.mark.parametrize("key", ["w2", "b0", "sizes", "dtype", "version"])
def test_missing_entry(tmp_path, valid, key):
    with pytest.raises(ValueError, match=f"no '{key}' entry"):
        persist.load(spoiled(tmp_path, valid[1], **{key: None}))


def test_wrong_shape_for_a_layer(tmp_path, valid):
    with pytest.raises(ValueError, match=r"weights\[1\] \(w1\) has shape \(5, 2\); sizes imply \(2, 5\)"):
        persist.load(spoiled(tmp_path, valid[1], w1=valid[1]["w1"].T))
    with pytest.raises(ValueError, match=r"biases\[0\] \(b0\) has shape \(5,\); sizes imply \(5, 1\)"):
        persist.load(spoiled(tmp_path, valid[1], b0=valid[1]["b0"].ravel()))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_weight(tmp_path, valid, bad):
    w = valid[1]["w2"].copy()
    w[1, 1] = bad
    with pytest.raises(ValueError, match=r"weights\[2\] \(w2\) contains NaN or infinity"):
        persist.load(spoiled(tmp_path, valid[1], w2=w))


def test_too_large_for_the_dtype(tmp_path, valid):
    w = valid[1]["w0"].copy()
    w[0, 0] = 1e300
    with pytest.raises(ValueError, match=r"too large for float32"):
        persist.load(spoiled(tmp_path, valid[1], w0=w, dtype=np.array("float32")))


def test_castable_float_layers_are_accepted(tmp_path, valid):
    arrays = {k: (v.astype(np.float32) if k[0] in "wb" and k[1:].isdigit() else v)
              for k, v in valid[1].items()}
    meta = json.loads(str(arrays["metadata"]))
    del meta["checksum"]  # the rounded numbers are not the ones saved: a file made by hand
    net = persist.load(spoiled(tmp_path, arrays, metadata=np.array(json.dumps(meta))))
    assert net.dtype == np.float64
    assert np.array_equal(net.weights[0], valid[1]["w0"].astype(np.float32))


def test_non_numeric_layer(tmp_path, valid):
    with pytest.raises(ValueError, match=r"w0\) must hold real numbers"):
        persist.load(spoiled(tmp_path, valid[1], w0=np.full((5, 3), "x")))


@pytest.mark.parametrize("value, message", [
    (np.array("pickle-jar"), "unknown format 'pickle-jar'"),
    (np.array(1), "'format' must be a string"),
])
def test_unknown_format(tmp_path, valid, value, message):
    with pytest.raises(ValueError, match=message):
        persist.load(spoiled(tmp_path, valid[1], format=value))


def test_future_version(tmp_path, valid):
    with pytest.raises(ValueError, match=r"^'.*spoiled\.npz': saved by a newer fastnet \(format 2\); "
                                         r"this fastnet reads format <= 1$"):
        persist.load(spoiled(tmp_path, valid[1], version=np.array(2)))
    with pytest.raises(ValueError, match="invalid format version 0"):
        persist.load(spoiled(tmp_path, valid[1], version=np.array(0)))
    with pytest.raises(ValueError, match="'version' must be an integer"):
        persist.load(spoiled(tmp_path, valid[1], version=np.array(1.0)))


@pytest.mark.parametrize("sizes, message", [
    (np.array([3, 5, 2, 0]), "positive"),
    (np.array([3, -5, 2, 4]), "positive"),
    (np.array([3]), ">= 2"),
    (np.array([3.0, 5.0, 2.0, 4.0]), "1-D integer array"),
    (np.array([[3, 5], [2, 4]]), "1-D integer array"),
    (np.array([3, 6, 2, 4]), r"weights\[0\] \(w0\) has shape \(5, 3\); sizes imply \(6, 3\)"),
    (np.array([3, 5, 3]), r"weights\[1\] \(w1\) has shape \(2, 5\); sizes imply \(3, 5\)"),
    (np.array([3, 5, 2, 4, 1]), "no 'w3' entry"),
])
def test_wrong_sizes(tmp_path, valid, sizes, message):
    with pytest.raises(ValueError, match=message):
        persist.load(spoiled(tmp_path, valid[1], sizes=sizes))


def test_unknown_dtype(tmp_path, valid):
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float64', got 'float16'"):
        persist.load(spoiled(tmp_path, valid[1], dtype=np.array("float16")))


@pytest.mark.parametrize("text, message", [
    ("{not json", "metadata is not valid JSON"),
    ("[1, 2]", "metadata must be a JSON object"),
    ('{"history": {"a": 1}}', "'history' must be a list"),
])
def test_bad_metadata(tmp_path, valid, text, message):
    with pytest.raises(ValueError, match=message):
        persist.load(spoiled(tmp_path, valid[1], metadata=np.array(text)))


def test_metadata_is_optional(tmp_path, valid):
    net = persist.load(spoiled(tmp_path, valid[1], metadata=None))
    assert net.history == [] and net.metadata == {}


UNPICKLED = []


def _record_unpickling():
    UNPICKLED.append(True)
    return "payload"


class Payload:
    """Unpickling this calls ``_record_unpickling``: proof of whether it happened."""

    def __reduce__(self):
        return (_record_unpickling, ())


@pytest.mark.parametrize("key", ["w0", "format", "metadata"])
def test_pickle_is_refused_without_unpickling(tmp_path, valid, key):
    payload = np.array([Payload()] * 15, dtype=object).reshape(5, 3) if key == "w0" \
        else np.array(Payload(), dtype=object)
    path = spoiled(tmp_path, valid[1], **{key: payload})  # np.savez pickles object arrays
    UNPICKLED.clear()
    with pytest.raises(ValueError, match=f"entry '{key}' holds Python objects.*never unpickles"):
        persist.load(path)
    assert UNPICKLED == []


# -- the book's network2 JSON -----------------------------------------------------------
class QuadraticCost:
    pass


class CrossEntropyCost:
    pass


def _ref_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Network2:
    """Just enough of the book's network2.Network: what ``load`` and ``save`` touch."""

    def __init__(self, sizes, cost=CrossEntropyCost):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x) / np.sqrt(x) for x, y in zip(sizes[:-1], sizes[1:])]
        self.cost = cost

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = _ref_sigmoid(np.dot(w, a) + b)
        return a

    def save(self, filename):
        """network2.save, verbatim apart from Python 3."""
        data = {"sizes": self.sizes,
                "weights": [w.tolist() for w in self.weights],
                "biases": [b.tolist() for b in self.biases],
                "cost": str(self.cost.__name__)}
        f = open(filename, "w")
        json.dump(data, f)
        f.close()


def network2_load(filename):
    """network2.load, verbatim apart from Python 3 and the cost lookup."""
    f = open(filename, "r")
    data = json.load(f)
    f.close()
    cost = {"QuadraticCost": QuadraticCost, "CrossEntropyCost": CrossEntropyCost}[data["cost"]]
    net = Network2(data["sizes"], cost=cost)
    net.weights = [np.array(w) for w in data["weights"]]
    net.biases = [np.array(b) for b in data["biases"]]
    return net


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_fastnet_json_loads_in_network2(tmp_path, sizes, dtype):
    net = make_net(sizes, dtype)
    path = persist.save(net, tmp_path / "model.json")
    data = json.loads(path.read_text())
    assert data["cost"] == "QuadraticCost" and data["sizes"] == sizes
    book = network2_load(path)
    assert book.cost is QuadraticCost
    for ours, theirs in zip(net.weights + net.biases, book.weights + book.biases):
        assert theirs.shape == ours.shape
        assert np.array_equal(theirs, ours.astype(np.float64))  # exact, even from float32
    x = inputs(net)
    ours = net.feedforward(x.astype(dtype))
    theirs = np.hstack([book.feedforward(x[:, [i]].astype(dtype).astype(np.float64))
                        for i in range(x.shape[1])])
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(ours, theirs, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("cost", [QuadraticCost, CrossEntropyCost])
def test_network2_json_loads_in_fastnet(tmp_path, cost):
    np.random.seed(3)
    book = Network2([3, 5, 2, 4], cost=cost)
    book.save(tmp_path / "book.json")

    before = random_state()
    net = persist.load(tmp_path / "book.json")
    assert_same_random_state(before, random_state())

    assert net.dtype == np.float64 and net.sizes == [3, 5, 2, 4]
    for ours, theirs in zip(net.weights + net.biases, book.weights + book.biases):
        assert ours.dtype == np.float64 and ours.tobytes() == theirs.tobytes()
    assert net.metadata["cost"] == cost.__name__
    assert net.history == []
    x = inputs(net)
    expected = np.hstack([book.feedforward(x[:, [i]]) for i in range(x.shape[1])])
    np.testing.assert_allclose(net.feedforward(x), expected, rtol=1e-12, atol=1e-12)
    assert persist.load(tmp_path / "book.json", dtype=np.float32).dtype == np.float32


def test_json_round_trip_keeps_history_and_metadata(tmp_path):
    net = make_net(dtype=np.float32)
    loaded = persist.load(persist.save(net, tmp_path / "m.json", metadata={"tag": "x"}))
    assert loaded.dtype == np.float64  # JSON gives float64 unless asked
    for ours, theirs in zip(net.weights + net.biases, loaded.weights + loaded.biases):
        assert np.array_equal(ours.astype(np.float64), theirs)
    assert loaded.history == net.history
    assert loaded.metadata["tag"] == "x" and loaded.metadata["cost"] == "QuadraticCost"
    same_parameters(net, persist.load(tmp_path / "m.json", dtype=np.float32))  # exact back


def test_json_detected_by_content_not_suffix(tmp_path):
    net = make_net()
    persist.save(net, tmp_path / "m.json")
    os.replace(tmp_path / "m.json", tmp_path / "m.weights")
    same_parameters(net, persist.load(tmp_path / "m.weights"))
    persist.save(net, tmp_path / "m.npz")
    os.replace(tmp_path / "m.npz", tmp_path / "m.json")
    same_parameters(net, persist.load(tmp_path / "m.json"))


def book_json(**changes):
    np.random.seed(4)
    book = Network2([3, 5, 2])
    data = {"sizes": book.sizes, "weights": [w.tolist() for w in book.weights],
            "biases": [b.tolist() for b in book.biases], "cost": "CrossEntropyCost"}
    for key, value in changes.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    return json.dumps(data)


@pytest.mark.parametrize("text, message", [
    ('{"sizes": [3, 5, 2], "weights": [', "malformed JSON"),
    ("{}", "lacks 'sizes', 'weights', 'biases'"),
    ("{" + "\n" * 100, "malformed JSON"),
    (book_json()[: len(book_json()) // 2], "malformed JSON"),
    (book_json(weights=None), "lacks 'weights'"),
    (book_json(sizes=[3, 5]), "weights must be a list of 1 layers"),
    (book_json(sizes=[3, 5.0, 2]), "sizes must be a list of integers"),
    (book_json(sizes=[3, True, 2]), "sizes must be a list of integers"),
    (book_json(sizes=[3, 0, 2]), "positive"),
    (book_json(sizes="3,5,2"), "sizes must be a list of integers"),
    (book_json(sizes=[3, 6, 2]), r"weights\[0\] \(w0\) has shape \(5, 3\); sizes imply \(6, 3\)"),
    (book_json(biases=[[[0.0]] * 5, [0.0, 0.0]]), r"biases\[1\] \(b1\) has shape \(2,\)"),
    (book_json(weights=[[[0.0] * 3] * 4 + [[0.0] * 2], [[0.0] * 5] * 2]), "not a rectangular"),
    (book_json(weights=[[["1"] * 3] * 5, [[0.0] * 5] * 2]), "must hold real numbers"),
    (book_json(weights=[[[None] * 3] * 5, [[0.0] * 5] * 2]), "must hold real numbers"),
    (book_json(weights=[[[1e400] * 3] * 5, [[0.0] * 5] * 2]), "NaN or infinity"),
    (book_json(cost=3), "'cost' must be the name"),
    (book_json(cost="os.system"), r"field 'cost': unknown cost 'os.system'"),
    (book_json(cost="HingeCost"), r"field 'cost': unknown cost 'HingeCost'"),
    (book_json(metadata={"architecture": {"cost": "quadratic"}}),
     r"field 'cost' \('CrossEntropyCost'\) contradicts metadata 'architecture' \('quadratic'\)"),
    (book_json(activation="relu", metadata={"architecture": {"activation": "tanh"}}),
     r"field 'activation' \('relu'\) contradicts metadata 'architecture' \('tanh'\)"),
    (book_json(metadata=[1]), "metadata must be a JSON object"),
    ("[1, 2, 3]", "not a model file"),
    ('"text"', "not a model file"),
])
def test_malformed_json(tmp_path, text, message):
    (tmp_path / "bad.json").write_text(text)
    with pytest.raises(ValueError, match=message) as raised:
        persist.load(tmp_path / "bad.json")
    assert str(raised.value).startswith(repr(str(tmp_path / "bad.json")))


def test_a_missing_cost_is_the_books_quadratic_cost(tmp_path):
    """The book's first network2.py wrote no "cost"; it loads with the quadratic cost."""
    (tmp_path / "old.json").write_text(book_json(cost=None))
    assert persist.load(tmp_path / "old.json").cost_name == "quadratic"


def test_json_with_nan_is_refused(tmp_path):
    data = json.loads(book_json())
    data["weights"][0][0][0] = float("nan")
    (tmp_path / "nan.json").write_text(json.dumps(data))  # Python's json writes NaN
    with pytest.raises(ValueError, match=r"weights\[0\] \(w0\) contains NaN"):
        persist.load(tmp_path / "nan.json")


def test_no_pickle_anywhere():
    source = open(persist.__file__).read()
    assert "import pickle" not in source and "allow_pickle=True" not in source
    loads = re.findall(r"np\.load\(([^)]*)\)", source)
    assert loads and all("allow_pickle=False" in call for call in loads)


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_each_layer_is_checked_once_on_load(tmp_path, monkeypatch, suffix):
    from fastnet.core import model, params
    path = persist.save(make_net(), tmp_path / ("m" + suffix))
    checked = []
    for module, name, what in ((model, "check_layer", 3), (persist, "check_layer_finite", 1)):
        def recording(*args, _original=getattr(module, name), _what=what, **kw):
            checked.append(args[_what])
            return _original(*args, **kw)
        monkeypatch.setattr(module, name, recording)
    for module in (model, params):
        monkeypatch.setattr(module, "copy_into", lambda *args: pytest.fail("a layer checked twice"))
    persist.load(path)
    assert checked == ["weights[0] (w0)", "weights[1] (w1)", "weights[2] (w2)",
                       "biases[0] (b0)", "biases[1] (b1)", "biases[2] (b2)"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_loading_an_npz_holds_little_beyond_the_network_it_makes(tmp_path, dtype):
    """The layers are read straight into the network's buffer, a block at a time (the
    whole archive's layers, then their converted copies, once made it 3x); the
    checksum hashes a few rows at a time, also of the transposed first layer."""
    import tracemalloc
    np.random.seed(0)
    net = Network([784, 1000, 1000, 10], dtype=dtype)
    path = persist.save(net, tmp_path / "big.npz")
    tracemalloc.start()
    try:
        loaded = persist.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    kept = loaded._params.nbytes
    assert peak < 1.5 * kept, f"peak {peak:,} bytes for {kept:,} kept"
    assert loaded._params.tobytes() == net._params.tobytes()
    for got, saved in zip(loaded.weights, net.weights):
        assert np.array_equal(got, saved)
