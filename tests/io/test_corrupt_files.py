"""Damaged, hostile and hand-edited model files: loading one gives the saved network or a
ValueError naming the file, never another exception, never different numbers, and never
more memory than the sizes in the file imply."""
import io
import json
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

import fastnet
from fastnet import network2


def small_net(dtype=np.float32, seed=0):
    np.random.seed(seed)
    net = fastnet.Network([4, 3, 2], dtype=dtype)
    net.history = [dict(eta=3.0, correct=7, n_test=10, seconds=0.5)]
    return net


def outcome(path, load=fastnet.load):
    """``load(path)``, or the ValueError (or MemoryError) it raised, naming the file; any
    other exception fails the test."""
    try:
        return load(path)
    except (ValueError, MemoryError) as error:
        assert str(path) in str(error), f"the message does not name the file: {error}"
        return error


def same_network(a, b):
    return (a.sizes == b.sizes and a.activation == b.activation and a.output == b.output
            and a.cost_name == b.cost_name
            and all(np.array_equal(x, y) for x, y in zip(a.weights + a.biases, b.weights + b.biases)))


# -- flipped bits -----------------------------------------------------------------------
def load_with_bit_flipped(original: bytes, bit: int, damaged):
    """``outcome`` of loading ``original`` with one bit flipped, written to ``damaged``;
    any exception other than the ValueError fails the test, naming the bit."""
    data = bytearray(original)
    data[bit // 8] ^= 1 << (bit % 8)
    damaged.write_bytes(bytes(data))
    try:
        return outcome(damaged)
    except Exception as error:  # noqa: BLE001 -- the test names what escaped
        pytest.fail(f"flipping bit {bit} raised {type(error).__name__}: {error}")


@pytest.mark.parametrize("suffix, every_bit", [(".npz", False), (".json", True)])
def test_each_flipped_bit_is_refused_or_harmless(tmp_path, suffix, every_bit):
    """The .npz: one bit of every byte (bit i % 8 of byte i); the JSON: every bit."""
    net = small_net()
    original = net.save(tmp_path / f"model{suffix}").read_bytes()
    damaged = tmp_path / f"damaged{suffix}"
    positions = range(len(original) * 8) if every_bit else \
        (8 * i + i % 8 for i in range(len(original)))
    refused = harmless = 0
    for bit in positions:
        result = load_with_bit_flipped(original, bit, damaged)
        if isinstance(result, ValueError):
            refused += 1
        else:
            assert same_network(result, net), f"flipping bit {bit} loaded different numbers"
            harmless += 1
    assert refused > harmless > 0


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_truncated_files_are_refused(tmp_path, suffix):
    original = small_net().save(tmp_path / f"model{suffix}").read_bytes()
    cut = tmp_path / f"cut{suffix}"
    for length in range(0, len(original), 7):
        cut.write_bytes(original[:length])
        assert isinstance(outcome(cut), ValueError), length


def test_an_empty_json_is_refused(tmp_path):
    (tmp_path / "model.json").write_bytes(b"")
    with pytest.raises(ValueError, match="model.json' is empty"):
        fastnet.load(tmp_path / "model.json")


@pytest.mark.parametrize("text", ["[" * 100000, '{"sizes": ' + "[" * 100000,
                                  '{"sizes": ' + "[" * 100000 + "]" * 100000 + "}",
                                  '{"metadata": ' + '{"a": ' * 100000 + "1" + "}" * 100001],
                         ids=["an array", "open sizes", "closed sizes", "metadata objects"])
@pytest.mark.parametrize("load", [fastnet.load, network2.load])
def test_deeply_nested_json_is_refused(tmp_path, text, load):
    (tmp_path / "deep.json").write_text(text)
    assert isinstance(outcome(tmp_path / "deep.json", load), ValueError)


def test_an_edited_number_is_found_by_the_checksum(tmp_path):
    net = small_net(np.float64)
    path = net.save(tmp_path / "model.json")
    data = json.loads(path.read_text())
    saved = data["weights"][0][1][2]
    data["weights"][0][1][2] = saved + 1e-9
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="model.json'.*do not match the checksum"):
        fastnet.load(path)
    data["weights"][0][1][2] = saved
    data["metadata"]["history"][0]["eta"] = 0.5  # the rest of the metadata may be edited
    path.write_text(json.dumps(data))
    assert fastnet.load(path).history[0]["eta"] == 0.5


def test_files_without_a_checksum_still_load(tmp_path):
    net = small_net(np.float64)
    for suffix in (".json", ".npz"):
        path = net.save(tmp_path / f"model{suffix}")
        if suffix == ".json":
            data = json.loads(path.read_text())
            del data["metadata"]["checksum"]
            path.write_text(json.dumps(data))
        else:
            with np.load(path) as archive:
                arrays = {key: archive[key] for key in archive.files}
            meta = json.loads(str(arrays["metadata"]))
            del meta["checksum"]
            arrays["metadata"] = np.array(json.dumps(meta))
            np.savez(path, **arrays)
        assert same_network(fastnet.load(path), net)
    book = {"sizes": [2, 1], "weights": [[[0.5, -0.5]]], "biases": [[[0.25]]],
            "cost": "CrossEntropyCost"}  # the book's own save
    (tmp_path / "book.json").write_text(json.dumps(book))
    assert network2.load(tmp_path / "book.json").weights[0].tolist() == [[0.5, -0.5]]


def test_the_checksum_is_kept_out_of_a_resave(tmp_path):
    net = small_net()
    loaded = fastnet.load(net.save(tmp_path / "a.npz"))
    loaded.history.append(dict(eta=1.0))
    again = fastnet.load(loaded.save(tmp_path / "b.json"))  # a new checksum, that matches
    assert again.history == loaded.history and same_network(again, net)


# -- more than the sizes imply ----------------------------------------------------------
def npz_claiming(tmp_path, w0, compress=True, **replace):
    """A model file of Network([4, 3, 2]) whose w0 entry is ``w0`` (bytes of a whole
    .npy file, or an array)."""
    net = small_net()
    with np.load(net.save(tmp_path / "model.npz")) as archive:
        arrays = {key: archive[key] for key in archive.files}
    arrays.update(replace)
    path = tmp_path / "bomb.npz"
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as archive:
        for key, value in arrays.items():
            if key == "w0":
                value = w0
            if isinstance(value, np.ndarray):
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, value, allow_pickle=False)
                value = buffer.getvalue()
            archive.writestr(f"{key}.npy", value)
    return path


def npy_header(shape, dtype="<f4"):
    header = repr({"descr": dtype, "fortran_order": False, "shape": shape}).encode("latin1")
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def peak_bytes_of(call):
    tracemalloc.start()
    try:
        result = call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, peak


def test_a_layer_claiming_a_huge_shape_is_refused_before_reading(tmp_path):
    path = npz_claiming(tmp_path, npy_header((20000, 20000)) + bytes(4096))
    error, peak = peak_bytes_of(lambda: outcome(path))
    assert isinstance(error, ValueError)
    assert "weights[0] (w0) has shape (20000, 20000); sizes imply (3, 4)" in str(error)
    assert peak < 8 * 2 ** 20


def test_a_compressed_layer_of_zeros_is_refused_before_decompressing(tmp_path):
    zeros = np.zeros((2000, 2000), np.float32)  # 16 MB, which deflates to about 16 KB
    path = npz_claiming(tmp_path, zeros)
    del zeros
    assert path.stat().st_size < 100_000
    error, peak = peak_bytes_of(lambda: outcome(path))
    assert isinstance(error, ValueError) and "(2000, 2000)" in str(error)
    assert peak < 8 * 2 ** 20


@pytest.mark.parametrize("key, shape, dtype", [("sizes", (10 ** 9,), "<i8"),
                                               ("metadata", (), "<U200000000"),
                                               ("w0", (3, 4), "<U100000000"),
                                               ("dtype", (), "<U100000000")])
def test_other_entries_claiming_huge_sizes_are_refused(tmp_path, key, shape, dtype):
    net = small_net()
    with np.load(net.save(tmp_path / "model.npz")) as archive:
        arrays = {k: archive[k] for k in archive.files}
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for k, value in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, value, allow_pickle=False)
            archive.writestr(f"{k}.npy", npy_header(shape, dtype) + bytes(4096) if k == key
                             else buffer.getvalue())
    error, peak = peak_bytes_of(lambda: outcome(path))
    assert isinstance(error, ValueError) and key in str(error), error
    assert peak < 8 * 2 ** 20


def test_json_sizes_far_beyond_the_layers_are_refused_before_allocating(tmp_path):
    data = json.loads(small_net().save(tmp_path / "model.json").read_text())
    data["sizes"] = [100000, 100000, 2]
    (tmp_path / "model.json").write_text(json.dumps(data))
    error, peak = peak_bytes_of(lambda: outcome(tmp_path / "model.json"))
    assert isinstance(error, ValueError) and "sizes imply (100000, 100000)" in str(error)
    assert peak < 8 * 2 ** 20


# -- JSON fields of the wrong type ------------------------------------------------------
DEEP = 1
for _ in range(500):
    DEEP = [DEEP]


@pytest.mark.parametrize("change, field", [
    (dict(sizes="abc"), "sizes"),
    (dict(sizes=["4", "3", "2"]), "sizes"),
    (dict(sizes=[4.5, 3, 2]), "sizes"),
    (dict(sizes=[True, 3, 2]), "sizes"),
    (dict(sizes=[10 ** 30, 3, 2]), "sizes"),
    (dict(sizes=None), "sizes"),
    (dict(weights={"a": 1}), "weights"),
    (dict(weights=[[["a"] * 4] * 3, [["b"] * 3] * 2]), "weights[0]"),
    (dict(weights=[[[float("nan")] * 4] * 3, [[1.0] * 3] * 2]), "weights[0]"),
    (dict(weights=[[[float("inf")] * 4] * 3, [[1.0] * 3] * 2]), "weights[0]"),
    (dict(weights=[[[None] * 4] * 3, [[1.0] * 3] * 2]), "weights[0]"),
    (dict(weights=[[[True, 1.0, 1.0, 1.0]] * 3, [[1.0] * 3] * 2]), "weights[0]"),
    (dict(weights=[[[10 ** 400] * 4] * 3, [[1.0] * 3] * 2]), "weights[0]"),
    (dict(weights=[DEEP, [[1.0] * 3] * 2]), "weights[0]"),
    (dict(biases="xy"), "biases"),
    (dict(biases=[[[{}]] * 3, [[1.0]] * 2]), "biases[0]"),
    (dict(cost=5), "cost"),
    (dict(activation=[]), "activation"),
    (dict(metadata="x"), "metadata"),
    (dict(metadata={"encoding": []}), "encoding"),
    (dict(metadata={"history": [1]}), "history"),
    (dict(metadata={"architecture": []}), "architecture"),
])
@pytest.mark.parametrize("load", [fastnet.load, network2.load])
def test_json_fields_of_the_wrong_type_are_named(tmp_path, change, field, load):
    data = json.loads(small_net().save(tmp_path / "model.json").read_text())
    data.update(change)
    if "metadata" not in change:
        del data["metadata"]  # the field, not the checksum, is what is wrong
    (tmp_path / "model.json").write_text(json.dumps(data))
    error = outcome(tmp_path / "model.json", load)
    # sizes no machine could hold are a MemoryError saying so, as for a new network
    expected = MemoryError if change.get("sizes") == [10 ** 30, 3, 2] else ValueError
    assert isinstance(error, expected) and field in str(error), error


def test_each_flipped_bit_of_a_layer_header_is_refused(tmp_path):
    """numpy parses a .npy header before the zip checks its CRC (which comes at the end
    of an entry longer than zipfile's first read), so a damaged header meets the parser."""
    np.random.seed(0)
    net = fastnet.Network([100, 50, 10])
    path = net.save(tmp_path / "model.npz")
    original = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        entry = archive.getinfo("w0.npy")
    assert entry.file_size > 4096
    name_length, extra_length = struct.unpack("<HH", original[entry.header_offset + 26:
                                                              entry.header_offset + 30])
    start = entry.header_offset + 30 + name_length + extra_length  # the local header's
    assert original[start:start + 6] == b"\x93NUMPY"
    damaged = tmp_path / "damaged.npz"
    for bit in range(8 * start, 8 * (start + 128)):  # bit numbers are of the whole file
        result = load_with_bit_flipped(original, bit, damaged)
        assert isinstance(result, ValueError) or same_network(result, net)


def test_a_model_larger_than_memory_is_refused_before_its_layers_are_read(tmp_path):
    """sizes and a header that agree, on a network of 2**40 parameters (4 TiB): a
    MemoryError naming the file and the bytes, before any layer is read."""
    n = 2 ** 20
    path = npz_claiming(tmp_path, npy_header((n, n)) + bytes(4096),
                        sizes=np.array([n, n, 2]), w1=np.zeros((2, n), np.float32),
                        b0=np.zeros((n, 1), np.float32), b1=np.zeros((2, 1), np.float32))
    tracemalloc.start()
    try:
        with pytest.raises(MemoryError, match=r"bomb\.npz'.*needs [\d,]+ bytes"):
            fastnet.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2 ** 20
