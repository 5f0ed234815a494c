"""Saving and loading networks in files that never unpickle.

Two formats, chosen on ``save`` by the file's suffix and on ``load`` by its content:

- ``.npz`` (format 1): a numpy archive read with ``allow_pickle=False``. Keys:
  ``format`` ("fastnet-model"), ``version`` (1), ``sizes`` (int64), ``dtype``
  ("float32" or "float64"), ``w0``.. and ``b0``.. (the layers, in ``dtype``; biases
  (n, 1)) and ``metadata`` (JSON text: ``fastnet_version``, ``history``,
  ``architecture`` (activation, output, cost names), ``checksum`` and the caller's
  ``metadata``). Parameters are restored bit for bit.
- ``.json``: the book's network2.py format, ``{"sizes", "weights", "biases", "cost"}``,
  which network2.load reads, plus a ``"metadata"`` object that it ignores (and
  ``"activation"``/``"output"`` for networks of other than sigmoid neurons). The cost is
  the class name ("QuadraticCost", "CrossEntropyCost", "LogLikelihoodCost"; none: the
  quadratic cost, as the book's first network2.py), trained with after loading and kept
  in ``net.metadata["cost"]``; any other name, or a ``cost``/``activation``/``output``
  that contradicts the metadata's ``architecture``, is refused.

Both formats keep in the metadata a ``checksum``: "sha256:" and the SHA-256 of the
parameters (as float64), checked on loading when present (files saved without one
still load), so a damaged or edited weight is refused instead of loaded; the rest of
the metadata may be edited by hand. A .npz entry's shape and size are checked against
what ``sizes`` implies from its header, before its data is read or memory allocated.

Writes are atomic (:mod:`fastnet.io.atomic`): a failure leaves any previous file intact.
Every problem with a file being loaded is a ``ValueError`` that names the file and says
what is wrong.
"""
import hashlib
import json
import lzma
import math
import os
import struct
import tokenize
import zipfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Callable, Dict, List, Mapping, Optional, Tuple, Union

import numpy as np

from ..core.encodings import ENCODINGS
from ..core.guards import check_fits
from ..core.model import Network
from ..core.registry import COSTS
from ..core.validate import check_dtype, check_layer_finite, check_sizes
from .atomic import open_regular, write_atomically

__all__ = ["save", "load", "FORMAT_NAME", "FORMAT_VERSION", "MODEL_SUFFIXES"]

FORMAT_NAME = "fastnet-model"
FORMAT_VERSION = 1  #: the newest .npz format this fastnet writes and reads
#: the suffixes ``save`` knows (fastnet's format, the book's network2 JSON)
MODEL_SUFFIXES = (".npz", ".json")
QUADRATIC_COST = "QuadraticCost"
#: network2 JSON cost class names -> fastnet's cost names
_COST_NAMES = {cls.__name__: name for name, cls in COSTS.items()}

PathLike = Union[str, "os.PathLike[str]"]
_DTYPES = {"float32": np.float32, "float64": np.float64}
CHECKSUM = "checksum"  #: the metadata key of the parameters' SHA-256
#: what reading a damaged zip archive can raise (a flipped bit may name an unknown
#: compression, encryption, or a header numpy cannot parse)
_READ_ERRORS = (zipfile.BadZipFile, EOFError, OSError, zlib.error, lzma.LZMAError, ValueError,
                KeyError, NotImplementedError, RuntimeError, struct.error, OverflowError,
                TypeError, SyntaxError, tokenize.TokenError)
#: the most bytes a .npz entry other than a layer may hold (format, version, dtype, sizes)
_SMALL_ENTRY_BYTES = 2 ** 20
#: the most bytes the metadata entry may hold: a history of tens of thousands of epochs
_METADATA_BYTES = 64 * 2 ** 20
#: the largest number a layer is stored in (float64)
_LAYER_ITEM_BYTES = 8
#: parameters converted to float64 at a time for the checksum
_HASHED_AT_ONCE = 2 ** 16
#: bytes of a layer read from a file at a time
_READ_AT_ONCE = 2 ** 20


# -- save -------------------------------------------------------------------------------
def save(net: Network, path: PathLike, metadata: Optional[Mapping[str, Any]] = None,
         form: Optional[str] = None) -> Path:
    """Write ``net`` to ``path`` atomically and return the path.

    ``.npz``: fastnet's format (bit-exact, keeps ``history`` and ``metadata``);
    ``.json``: the book's network2.py format; ``form`` ("npz" or "json") chooses the
    format whatever the suffix (network2's ``save`` writes the book's JSON to any
    name). ``metadata``: a JSON-able dict stored
    beside the history (its ``fastnet_version`` and ``history`` keys are replaced by
    the current ones). Refuses NaN or infinite parameters (ValueError).
    """
    path = Path(path)
    writer = _writer_for(path.suffix if form is None else f".{form}", path)
    layers = _parameters(net)
    meta = _metadata_for(net, metadata)
    meta[CHECKSUM] = _checksum(layers["weights"], layers["biases"])
    return write_atomically(path, lambda f: writer(f, net, layers, meta))


def _writer_for(suffix: str, path: Path) -> Callable[..., None]:
    """The writer of the format that ``suffix`` names (``MODEL_SUFFIXES``)."""
    suffix = suffix.lower()
    if suffix in MODEL_SUFFIXES:
        return _write_npz if suffix == ".npz" else _write_json
    raise ValueError(f"cannot tell the format from the suffix of {str(path)!r}: "
                     f"use '.npz' (fastnet's format) or '.json' (the book's network2 format)")


def _parameters(net: Network) -> Dict[str, List[np.ndarray]]:
    """The network's weights and biases as arrays of its dtype, checked finite."""
    dtype = np.dtype(net.dtype)
    layers = {"weights": [np.asarray(w, dtype=dtype) for w in net.weights],
              "biases": [np.asarray(b, dtype=dtype).reshape(-1, 1) for b in net.biases]}
    for name, arrays in layers.items():
        for l, array in enumerate(arrays):
            if not np.isfinite(array).all():
                raise ValueError(f"cannot save a network whose {name}[{l}] contains NaN or infinity")
    return layers


def _metadata_for(net: Network, metadata: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """The caller's metadata with the fastnet version and training history, checked
    to be JSON-serialisable."""
    from ..config import __version__

    if metadata is not None and not isinstance(metadata, Mapping):
        raise TypeError(f"metadata must be a dict, got {type(metadata).__name__}")
    meta = dict(metadata or {})
    meta.update(fastnet_version=__version__, history=list(getattr(net, "history", [])),
                encoding=net.encoding.name, architecture=_architecture(net))
    try:
        json.dumps(meta, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as error:
        raise ValueError(f"metadata and history must be JSON-serialisable (finite numbers, "
                         f"strings, lists, dicts with str keys): {error}") from None
    return meta


def _architecture(net: Network) -> Dict[str, str]:
    """The neuron types and cost, by name (restored by ``load``)."""
    return {"activation": net.activation, "output": net.output, "cost": net.cost_name}


def _write_npz(f: BinaryIO, net: Network, layers: Dict[str, List[np.ndarray]],
               meta: Dict[str, Any]) -> None:
    arrays = {"format": np.array(FORMAT_NAME), "version": np.array(FORMAT_VERSION, dtype=np.int64),
              "sizes": np.array(net.sizes, dtype=np.int64),
              "dtype": np.array(np.dtype(net.dtype).name),
              "metadata": np.array(json.dumps(meta, allow_nan=False))}
    for l, (w, b) in enumerate(zip(layers["weights"], layers["biases"])):
        arrays[f"w{l}"], arrays[f"b{l}"] = w, b
    np.savez(f, allow_pickle=False, **arrays)  # a file object: no ".npz" appended


def _write_json(f: BinaryIO, net: Network, layers: Dict[str, List[np.ndarray]],
                meta: Dict[str, Any]) -> None:
    data = {"sizes": [int(n) for n in net.sizes],
            "weights": [w.tolist() for w in layers["weights"]],
            "biases": [b.tolist() for b in layers["biases"]],
            "cost": COSTS[net.cost_name].__name__,
            "metadata": meta}
    for key in ("activation", "output"):  # beyond the book's sigmoid networks only
        if getattr(net, key) != "sigmoid":
            data[key] = getattr(net, key)
    f.write(json.dumps(data, allow_nan=False).encode("utf-8"))


# -- load -------------------------------------------------------------------------------
def load(path: PathLike, dtype=None, cls=None) -> Network:
    """The network saved at ``path`` (a fastnet ``.npz`` or a network2 JSON file,
    recognised by content), with ``history`` restored and the stored metadata in
    ``net.metadata``. ``dtype`` converts the parameters; by default a ``.npz`` keeps its
    saved dtype and a JSON file gives float64. Draws nothing from ``np.random``.

    Raises FileNotFoundError for a missing file, MemoryError (naming the file and the
    bytes needed) for a network beyond the memory available, and ValueError, naming
    the file and saying what is wrong, for anything else: not a regular file (a FIFO or
    a folder is refused at once), not a model file, corrupt or truncated or not
    matching its checksum, wrong format or newer version, inconsistent sizes or shapes,
    an entry declaring more bytes than the sizes imply, NaN or infinity, pickled
    objects (never unpickled), invalid or too deeply nested metadata. ``cls``: the
    Network class to build (default ``fastnet.network.Network``;
    ``fastnet.network2.load`` passes its own).
    """
    path = Path(path)
    try:
        with open_regular(path, repr(str(path))) as f:  # a FIFO is refused, not waited on
            head = f.read(64)
            f.seek(0)
            return _load_detected(path, f, head, dtype, cls)
    except FileNotFoundError:
        raise FileNotFoundError(f"no model file at {str(path)!r}") from None
    except MemoryError as error:  # the bytes the network needs, and the file it is in
        raise MemoryError(f"{str(path)!r}: {error}") from None
    except ValueError as error:  # every message names the file
        if str(error).startswith(repr(str(path))):
            raise
        raise ValueError(f"{str(path)!r}: {error}") from None


def _load_detected(path: Path, f: BinaryIO, head: bytes, dtype, cls) -> Network:
    """Dispatch on the first bytes (``head``) of the file ``f``: zip magic for .npz,
    '{' for JSON."""
    if head.startswith(b"PK"):
        return _load_npz(path, f, dtype, cls)
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"{") or (head and not text):  # JSON object (or blank so far)
        return _load_json(path, f, dtype, cls)
    if not head:
        raise ValueError(f"{str(path)!r} is empty: corrupt or truncated model file")
    raise ValueError(f"{str(path)!r} is not a model file: expected a fastnet .npz archive "
                     f"or the book's network2 JSON")


def _load_npz(path: Path, f: BinaryIO, dtype, cls) -> Network:
    try:
        archive = np.load(f, allow_pickle=False)
    except _READ_ERRORS as error:
        raise _corrupt(path, error) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{str(path)!r} is not a fastnet .npz archive")
    with archive:
        _check_format(_text(_member(archive, "format", path), "format"))
        _check_version(_member(archive, "version", path))
        sizes = _sizes(_member(archive, "sizes", path))
        saved = _check_dtype_name(_text(_member(archive, "dtype", path), "dtype"))
        shapes = _layer_shapes(sizes)
        # a network beyond the memory available is refused before its layers are read
        check_fits(sum(math.prod(w) + math.prod(b) for w, b in shapes), saved, sizes)
        meta = (_parse_metadata(_text(_member(archive, "metadata", path, _METADATA_BYTES),
                                      "metadata"))
                if "metadata" in archive.files else {})
        net = _empty(sizes, saved, meta, cls)  # its layers are read into it, a block at a time
        for key, views in (("w", net.weights), ("b", net.biases)):
            for l, view in enumerate(views):
                what = f"{'weights' if key == 'w' else 'biases'}[{l}] ({key}{l})"
                _read_layer(archive, f"{key}{l}", path, view, what)
                check_layer_finite(view, what)
    _verify(net.weights, net.biases, meta)  # the values as saved: the network's dtype is the file's
    if dtype is not None and check_dtype(dtype) is not net.dtype:
        converted = _build(sizes, net.weights, net.biases, dtype, meta, cls)
        converted.history = net.history
        return converted
    return net


def _load_json(path: Path, f: BinaryIO, dtype, cls) -> Network:
    try:
        data = json.loads(f.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{str(path)!r} is malformed JSON (corrupt or truncated model "
                         f"file?): {error}") from None
    except RecursionError:
        raise ValueError(f"{str(path)!r} holds JSON nested too deeply for a model file "
                         f"(corrupt, or not a model file)") from None
    if not isinstance(data, dict):
        raise ValueError(f"a network2 JSON model is an object, got {type(data).__name__}")
    missing = [key for key in ("sizes", "weights", "biases") if key not in data]
    if missing:
        raise ValueError(f"network2 JSON model lacks {', '.join(map(repr, missing))}")
    sizes = _sizes(data["sizes"])
    shapes = _layer_shapes(sizes)
    weights = _json_layers(data["weights"], "weights", [w for w, _ in shapes])
    biases = _json_layers(data["biases"], "biases", [b for _, b in shapes])
    cost = data.get("cost", QUADRATIC_COST)
    if not isinstance(cost, str):
        raise ValueError(f"'cost' must be the name of a cost class, got {cost!r}")
    if cost not in _COST_NAMES:
        raise ValueError(f"field 'cost': unknown cost {cost!r}; a network2 JSON model names "
                         f"one of the cost classes {sorted(_COST_NAMES)}")
    stored = data.get("metadata", {})
    meta = _check_metadata(stored)
    meta["cost"] = cost
    architecture = _check_architecture(meta)
    fields = {"cost": (cost, _COST_NAMES[cost])}
    fields.update((key, (data[key], data[key])) for key in ("activation", "output") if key in data)
    for key, (value, name) in fields.items():
        if architecture.get(key, name) != name:
            raise ValueError(f"field {key!r} ({value!r}) contradicts metadata 'architecture' "
                             f"({architecture[key]!r}): the file was edited or is corrupt")
        architecture[key] = name
    meta["architecture"] = architecture
    net = _build(sizes, weights, biases, np.float64 if dtype is None else dtype, meta, cls)
    _verify(weights, biases, stored)
    return net


# -- checks -----------------------------------------------------------------------------
def _corrupt(path: Path, error: BaseException) -> ValueError:
    return ValueError(f"{str(path)!r}: corrupt or truncated model file "
                      f"({type(error).__name__}: {error})")


def _member(archive: "np.lib.npyio.NpzFile", key: str, path: Path,
            most_bytes: int = _SMALL_ENTRY_BYTES) -> np.ndarray:
    """One small array of the archive (not a layer: ``_read_layer``), read without
    unpickling, and only once its header declares at most ``most_bytes``: a file
    claiming more is refused before memory is allocated for it."""
    if key not in archive.files:
        raise ValueError(f"{str(path)!r} is not a complete fastnet model: no {key!r} entry")
    try:
        shape, dtype = _declared(archive, key)
    except _READ_ERRORS as error:
        raise _corrupt(path, error) from None
    declared = math.prod(shape) * dtype.itemsize
    if not dtype.hasobject and declared > most_bytes:
        raise ValueError(f"entry {key!r} declares {declared:,} bytes ({dtype} of shape "
                         f"{shape}), more than a model file's {key!r} holds (at most "
                         f"{most_bytes:,}): corrupt, or not a fastnet model")
    try:
        return archive[key]
    except ValueError as error:
        if "pickle" in str(error):
            raise ValueError(f"{str(path)!r}: entry {key!r} holds Python objects, which only "
                             f"unpickling could read; fastnet never unpickles model files") from None
        raise _corrupt(path, error) from None
    except _READ_ERRORS as error:
        raise _corrupt(path, error) from None


def _read_layer(archive: "np.lib.npyio.NpzFile", key: str, path: Path, view: np.ndarray,
                what: str) -> None:
    """Entry ``key`` of the archive read into ``view`` (the network's layer: its shape,
    any strides), a block of rows at a time, converted to the view's dtype: no copy of
    the whole layer is ever made. ValueError naming the file and ``what`` for a shape
    other than the view's, numbers that are not real (Python objects are never
    unpickled), or a damaged entry (short, too long, or failing the zip's CRC)."""
    if key not in archive.files:
        raise ValueError(f"{str(path)!r} is not a complete fastnet model: no {key!r} entry")
    name = _entry_name(archive, key)
    try:
        with archive.zip.open(name) as member:
            shape, fortran, dtype = _header(member, key)
            _check_shape(shape, view.shape, what)
            if dtype.hasobject:
                raise ValueError(f"{str(path)!r}: entry {key!r} holds Python objects, which only "
                                 f"unpickling could read; fastnet never unpickles model files")
            if dtype.kind not in "iuf" or dtype.itemsize > _LAYER_ITEM_BYTES:
                raise ValueError(f"{what} must hold real numbers of at most {_LAYER_ITEM_BYTES} "
                                 f"bytes, got dtype {dtype}")
            lines = view.T if fortran else view  # in the order the entry stores its numbers
            per_line = lines.shape[1] * dtype.itemsize
            at_once = max(1, _READ_AT_ONCE // max(1, per_line))
            for start in range(0, len(lines), at_once):
                count = min(at_once, len(lines) - start)
                data = member.read(count * per_line)
                if len(data) != count * per_line:
                    raise EOFError(f"entry {key!r} ends before its {math.prod(shape):,} numbers")
                with np.errstate(over="ignore", invalid="ignore"):
                    lines[start:start + count] = np.frombuffer(data, dtype).reshape(count, -1)
            if member.read(1):
                raise ValueError(f"entry {key!r} holds more than its {math.prod(shape):,} numbers")
    except ValueError as error:
        if str(error).startswith((repr(str(path)), what)):
            raise
        raise _corrupt(path, error) from None
    except _READ_ERRORS as error:
        raise _corrupt(path, error) from None


def _entry_name(archive: "np.lib.npyio.NpzFile", key: str) -> str:
    """The zip member holding entry ``key`` (numpy's ``key.npy``, or ``key`` itself)."""
    return f"{key}.npy" if f"{key}.npy" in archive.zip.namelist() else key


def _header(member: BinaryIO, key: str) -> Tuple[Tuple[int, ...], bool, np.dtype]:
    """The shape, order (True: Fortran) and dtype an entry's .npy header declares; the
    stream is left at its data."""
    version = np.lib.format.read_magic(member)
    readers = {(1, 0): np.lib.format.read_array_header_1_0,
               (2, 0): np.lib.format.read_array_header_2_0}
    if version not in readers:
        raise ValueError(f"entry {key!r} is in .npy format {version}, which fastnet never writes")
    shape, fortran, dtype = readers[version](member)
    return tuple(shape), bool(fortran), np.dtype(dtype)


def _declared(archive: "np.lib.npyio.NpzFile", key: str) -> Tuple[Tuple[int, ...], np.dtype]:
    """The shape and dtype that entry ``key`` declares in its .npy header, read
    without reading its data."""
    name = _entry_name(archive, key)
    with archive.zip.open(name) as member:
        shape, _, dtype = _header(member, key)
    return shape, dtype


def _layer_shapes(sizes: List[int]) -> List[Tuple[Tuple[int, int], Tuple[int, int]]]:
    """The shapes of each layer's weights and biases that ``sizes`` implies."""
    return [((n, m), (n, 1)) for m, n in zip(sizes[:-1], sizes[1:])]


def _check_shape(shape: Tuple[int, ...], implied: Tuple[int, ...], what: str) -> None:
    """``check_layer``'s shape check, made on what a file declares before the layer is
    read or a network allocated (sizes far beyond the layers stored would allocate
    them)."""
    if tuple(shape) != implied:
        raise ValueError(f"{what} has shape {tuple(shape)}; sizes imply {implied}")


def _checksum(weights: List[np.ndarray], biases: List[np.ndarray]) -> str:
    """"sha256:" and the SHA-256 of the layers, weights then biases, as little-endian
    float64: the values both formats store exactly, whatever the network's dtype."""
    digest = hashlib.sha256()
    for array in (*weights, *biases):  # 2-D, any strides: hashed in C order, rows at a time
        array = np.asarray(array)
        rows = max(1, _HASHED_AT_ONCE // max(1, array[:1].size))
        for start in range(0, len(array), rows):  # a float64 copy of a few rows at a time
            digest.update(np.ascontiguousarray(array[start:start + rows], dtype="<f8").data)
    return f"sha256:{digest.hexdigest()}"


def _verify(weights: List[np.ndarray], biases: List[np.ndarray], meta) -> None:
    """ValueError unless the metadata's checksum, when there is one (files saved
    before fastnet kept one have none), matches the layers read (already checked to
    be real numbers of the right shapes)."""
    if isinstance(meta, dict) and CHECKSUM in meta and meta[CHECKSUM] != _checksum(weights, biases):
        raise ValueError(f"the weights and biases do not match the checksum saved with them "
                         f"(metadata {CHECKSUM!r}): the file is damaged or was edited")


def _text(array: np.ndarray, key: str) -> str:
    if array.ndim != 0 or array.dtype.kind not in "US":
        raise ValueError(f"entry {key!r} must be a string, got a {array.dtype} array of shape {array.shape}")
    value = array[()]
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _check_format(name: str) -> None:
    if name != FORMAT_NAME:
        raise ValueError(f"unknown format {name!r}: expected {FORMAT_NAME!r}")


def _check_version(array: np.ndarray) -> None:
    if array.ndim != 0 or array.dtype.kind not in "iu":
        raise ValueError(f"entry 'version' must be an integer, got {array.dtype} of shape {array.shape}")
    version = int(array)
    if version > FORMAT_VERSION:
        raise ValueError(f"saved by a newer fastnet (format {version}); "
                         f"this fastnet reads format <= {FORMAT_VERSION}")
    if version < 1:
        raise ValueError(f"invalid format version {version}")


def _sizes(sizes) -> List[int]:
    """The stored layer sizes, from an int array or a JSON list (``check_sizes``)."""
    if isinstance(sizes, np.ndarray):
        if sizes.ndim != 1 or sizes.dtype.kind not in "iu":
            raise ValueError(f"sizes must be a 1-D integer array, got {sizes.dtype} of shape {sizes.shape}")
        sizes = sizes.tolist()
    if not isinstance(sizes, list):
        raise ValueError(f"sizes must be a list of integers, got {sizes!r}")
    return check_sizes(sizes)


def _check_dtype_name(name: str):
    if name not in _DTYPES:
        raise ValueError(f"dtype must be 'float32' or 'float64', got {name!r}")
    return _DTYPES[name]


def _parse_metadata(text: str) -> Dict[str, Any]:
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"metadata is not valid JSON: {error}") from None
    except RecursionError:
        raise ValueError("metadata is JSON nested too deeply") from None
    return _check_metadata(meta)


def _check_metadata(meta) -> Dict[str, Any]:
    if not isinstance(meta, dict):
        raise ValueError(f"metadata must be a JSON object, got {type(meta).__name__}")
    history = meta.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise ValueError("metadata 'history' must be a list of objects, one per epoch")
    return dict(meta)


def _json_layers(layers, name: str, shapes: List[Tuple[int, int]]) -> List[np.ndarray]:
    """Nested lists -> arrays of the ``shapes`` that sizes imply (their values are
    checked later); true and false, which numpy would take as 1 and 0, are refused."""
    if not isinstance(layers, list) or len(layers) != len(shapes):
        raise ValueError(f"{name} must be a list of {len(shapes)} layers for these sizes")
    arrays = []
    for l, (layer, shape) in enumerate(zip(layers, shapes)):
        what = f"{name}[{l}] ({name[0]}{l})"
        try:
            array = np.array(layer)
        except (ValueError, RecursionError):
            raise ValueError(f"{name}[{l}] is not a rectangular array of numbers") from None
        _check_shape(array.shape, shape, what)
        if array.dtype.kind in "biuf" and any(type(x) is bool for row in layer for x in row):
            raise ValueError(f"{what} must hold numbers, not true or false")
        arrays.append(array)
    return arrays


def _check_architecture(meta: Dict[str, Any]) -> Dict[str, Any]:
    """The constructor keywords stored under meta["architecture"] (checked: names only)."""
    architecture = meta.get("architecture")
    architecture = {} if architecture is None else architecture
    if not isinstance(architecture, dict) or not set(architecture) <= {"activation", "output", "cost"} \
            or not all(isinstance(v, str) for v in architecture.values()):
        raise ValueError(f"metadata 'architecture' must map activation/output/cost to names, "
                         f"got {architecture!r}")
    return dict(architecture)


def _encoding(meta: Dict[str, Any]) -> Optional[str]:
    encoding = meta.get("encoding")
    if encoding is not None and (not isinstance(encoding, str) or encoding not in ENCODINGS):
        raise ValueError(f"unknown output encoding {encoding!r} (known: {sorted(ENCODINGS)})")
    return encoding


def _build(sizes: List[int], weights: List[np.ndarray], biases: List[np.ndarray], dtype,
           meta: Dict[str, Any], cls=None) -> Network:
    """Make the network (no random draws); ``from_parameters`` checks every layer against
    ``sizes``, naming it by its key in the file."""
    net = (cls or Network).from_parameters(sizes, weights, biases, dtype=check_dtype(dtype),
                                           encoding=_encoding(meta),
                                           layer_names=("weights[{l}] (w{l})", "biases[{l}] (b{l})"),
                                           **_check_architecture(meta))
    return _with_metadata(net, meta)


def _empty(sizes: List[int], dtype, meta: Dict[str, Any], cls=None) -> Network:
    """The network of ``sizes`` and the metadata's architecture, its parameters all 0."""
    net = (cls or Network).zeros(sizes, check_dtype(dtype), _encoding(meta),
                                 **_check_architecture(meta))
    return _with_metadata(net, meta)


def _with_metadata(net: Network, meta: Dict[str, Any]) -> Network:
    net.history = list(meta.get("history", []))
    net.metadata = meta
    return net
