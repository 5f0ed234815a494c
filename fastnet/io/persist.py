"""Saving and loading networks in files that never unpickle.

Two formats, chosen on ``save`` by the file's suffix and on ``load`` by its content:

- ``.npz`` (format 1): a numpy archive read with ``allow_pickle=False``. Keys:
  ``format`` ("fastnet-model"), ``version`` (1), ``sizes`` (int64), ``dtype``
  ("float32" or "float64"), ``w0``.. and ``b0``.. (the layers, in ``dtype``; biases
  (n, 1)) and ``metadata`` (JSON text: ``fastnet_version``, ``history``,
  ``architecture`` (activation, output, cost names) and the caller's ``metadata``).
  Parameters are restored bit for bit.
- ``.json``: the book's network2.py format, ``{"sizes", "weights", "biases", "cost"}``,
  which network2.load reads, plus a ``"metadata"`` object that it ignores (and
  ``"activation"``/``"output"`` for networks of other than sigmoid neurons). The cost is
  the class name ("QuadraticCost", "CrossEntropyCost", "LogLikelihoodCost"; none: the
  quadratic cost, as the book's first network2.py), trained with after loading and kept
  in ``net.metadata["cost"]``; any other name, or a ``cost``/``activation``/``output``
  that contradicts the metadata's ``architecture``, is refused.

Writes are atomic (:mod:`fastnet.io.atomic`): a failure leaves any previous file intact.
Every problem with a file being loaded is a ``ValueError`` that says what is wrong.
"""
import json
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Callable, Dict, List, Mapping, Optional, Union

import numpy as np

from ..core.encodings import ENCODINGS
from ..core.model import Network
from ..core.registry import COSTS
from ..core.validate import check_dtype, check_sizes
from .atomic import write_atomically

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
_RESERVED = ("fastnet_version", "history", "encoding", "architecture")  # metadata keys save() fills in itself
_READ_ERRORS = (zipfile.BadZipFile, EOFError, OSError, zlib.error, ValueError, KeyError)


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
    except (TypeError, ValueError) as error:
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

    Raises FileNotFoundError for a missing file and ValueError, saying what is wrong,
    for anything else: not a model file, corrupt or truncated, wrong format or newer
    version, inconsistent sizes or shapes, NaN or infinity, pickled objects (never
    unpickled), invalid metadata. ``cls``: the Network class to build (default
    ``fastnet.network.Network``; ``fastnet.network2.load`` passes its own).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no model file at {str(path)!r}")
    with open(path, "rb") as f:
        head = f.read(64)
    try:
        return _load_detected(path, head, dtype, cls)
    except ValueError as error:  # every message names the file
        if str(error).startswith(repr(str(path))):
            raise
        raise ValueError(f"{str(path)!r}: {error}") from None


def _load_detected(path: Path, head: bytes, dtype, cls) -> Network:
    """Dispatch on the first bytes: zip magic for .npz, '{' for JSON."""
    if head.startswith(b"PK"):
        return _load_npz(path, dtype, cls)
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"{") or (head and not text):  # JSON object (or blank so far)
        return _load_json(path, dtype, cls)
    if not head:
        raise ValueError(f"{str(path)!r} is empty: corrupt or truncated model file")
    raise ValueError(f"{str(path)!r} is not a model file: expected a fastnet .npz archive "
                     f"or the book's network2 JSON")


def _load_npz(path: Path, dtype, cls) -> Network:
    try:
        archive = np.load(path, allow_pickle=False)
    except _READ_ERRORS as error:
        raise _corrupt(path, error) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{str(path)!r} is not a fastnet .npz archive")
    with archive:
        _check_format(_text(_member(archive, "format", path), "format"))
        _check_version(_member(archive, "version", path))
        sizes = _sizes(_member(archive, "sizes", path))
        saved = _check_dtype_name(_text(_member(archive, "dtype", path), "dtype"))
        meta = (_parse_metadata(_text(_member(archive, "metadata", path), "metadata"))
                if "metadata" in archive.files else {})
        weights, biases = [], []
        for l in range(len(sizes) - 1):
            weights.append(_member(archive, f"w{l}", path))
            biases.append(_member(archive, f"b{l}", path))
    return _build(sizes, weights, biases, saved if dtype is None else dtype, meta, cls)


def _load_json(path: Path, dtype, cls) -> Network:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{str(path)!r} is malformed JSON (corrupt or truncated model "
                         f"file?): {error}") from None
    if not isinstance(data, dict):
        raise ValueError(f"a network2 JSON model is an object, got {type(data).__name__}")
    missing = [key for key in ("sizes", "weights", "biases") if key not in data]
    if missing:
        raise ValueError(f"network2 JSON model lacks {', '.join(map(repr, missing))}")
    sizes = _sizes(data["sizes"])
    weights = _json_layers(data["weights"], "weights", len(sizes) - 1)
    biases = _json_layers(data["biases"], "biases", len(sizes) - 1)
    cost = data.get("cost", QUADRATIC_COST)
    if not isinstance(cost, str):
        raise ValueError(f"'cost' must be the name of a cost class, got {cost!r}")
    if cost not in _COST_NAMES:
        raise ValueError(f"field 'cost': unknown cost {cost!r}; a network2 JSON model names "
                         f"one of the cost classes {sorted(_COST_NAMES)}")
    meta = _check_metadata(data.get("metadata", {}))
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
    return _build(sizes, weights, biases, np.float64 if dtype is None else dtype, meta, cls)


# -- checks -----------------------------------------------------------------------------
def _corrupt(path: Path, error: BaseException) -> ValueError:
    return ValueError(f"{str(path)!r}: corrupt or truncated model file "
                      f"({type(error).__name__}: {error})")


def _member(archive: "np.lib.npyio.NpzFile", key: str, path: Path) -> np.ndarray:
    """One array of the archive, read without unpickling."""
    if key not in archive.files:
        raise ValueError(f"{str(path)!r} is not a complete fastnet model: no {key!r} entry")
    try:
        return archive[key]
    except ValueError as error:
        if "pickle" in str(error):
            raise ValueError(f"{str(path)!r}: entry {key!r} holds Python objects, which only "
                             f"unpickling could read; fastnet never unpickles model files") from None
        raise _corrupt(path, error) from None
    except _READ_ERRORS as error:
        raise _corrupt(path, error) from None


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
    return _check_metadata(meta)


def _check_metadata(meta) -> Dict[str, Any]:
    if not isinstance(meta, dict):
        raise ValueError(f"metadata must be a JSON object, got {type(meta).__name__}")
    history = meta.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise ValueError("metadata 'history' must be a list of objects, one per epoch")
    return dict(meta)


def _json_layers(layers, name: str, count: int) -> List[np.ndarray]:
    """Nested lists of numbers -> arrays (shapes and values are checked later)."""
    if not isinstance(layers, list) or len(layers) != count:
        raise ValueError(f"{name} must be a list of {count} layers for these sizes")
    arrays = []
    for l, layer in enumerate(layers):
        try:
            arrays.append(np.array(layer))
        except ValueError:
            raise ValueError(f"{name}[{l}] is not a rectangular array of numbers") from None
    return arrays


def _check_architecture(meta: Dict[str, Any]) -> Dict[str, Any]:
    """The constructor keywords stored under meta["architecture"] (checked: names only)."""
    architecture = meta.get("architecture") or {}
    if not isinstance(architecture, dict) or not set(architecture) <= {"activation", "output", "cost"} \
            or not all(isinstance(v, str) for v in architecture.values()):
        raise ValueError(f"metadata 'architecture' must map activation/output/cost to names, "
                         f"got {architecture!r}")
    return dict(architecture)


def _build(sizes: List[int], weights: List[np.ndarray], biases: List[np.ndarray], dtype,
           meta: Dict[str, Any], cls=None) -> Network:
    """Make the network (no random draws); ``from_parameters`` checks every layer against
    ``sizes``, naming it by its key in the file."""
    encoding = meta.get("encoding")
    if encoding is not None and encoding not in ENCODINGS:
        raise ValueError(f"unknown output encoding {encoding!r} (known: {sorted(ENCODINGS)})")
    net = (cls or Network).from_parameters(sizes, weights, biases, dtype=check_dtype(dtype),
                                           encoding=encoding,
                                           layer_names=("weights[{l}] (w{l})", "biases[{l}] (b{l})"),
                                           **_check_architecture(meta))
    net.history = list(meta.get("history", []))
    net.metadata = meta
    return net
