"""Download the four MNIST IDX ``.gz`` files, verified, into the cache folder.

Only the standard library is used (``urllib.request``, ``hashlib``): four files do not
justify a dependency such as pooch. Checksums, an atomic rename and a mirror fallback are
all that is needed.

Every file is verified before it is used: a download is streamed into a temporary
file in the target folder while its SHA-256 is computed, and is renamed to its final
name only if it matches (:func:`fastnet.io.atomic.write_atomically`). A partial or
wrong download is deleted and the next mirror is tried. A file already in the folder
is checked the same way; a wrong one is deleted and downloaded again, never used.

A file is accepted if either its own SHA-256 is the one the mirrors serve
(:data:`SHA256`) or the SHA-256 of its decompressed IDX content is MNIST's
(:data:`CONTENT_SHA256`); the second covers the same data gzipped again (e.g. with
other compression settings), which changes the ``.gz`` bytes but not the data.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import socket
import sys
import urllib.error
import urllib.request
import warnings
import zlib
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Tuple, Union

from .atomic import write_atomically
from .idx import IDX_FILES, PARTS, data_env, default_cache_dir, find_data

__all__ = ["SHA256", "CONTENT_SHA256", "MIRRORS", "DownloadError", "fetch_mnist", "verify"]

#: SHA-256 of each ``.gz`` file as the public mirrors serve it (LeCun's original files;
#: sizes 9,912,422 / 28,881 / 1,648,877 / 4,542 bytes).
SHA256 = {
    "train-images-idx3-ubyte.gz":
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz":
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz":
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz":
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

#: SHA-256 of each file's decompressed IDX content (47,040,016 / 60,008 / 7,840,016 /
#: 10,008 bytes), independent of how it was gzipped.
CONTENT_SHA256 = {
    "train-images-idx3-ubyte.gz":
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte.gz":
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte.gz":
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz":
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: Base URLs tried in this order.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

_CHUNK = 1 << 16
_MAX_BYTES = 64 << 20  # no MNIST file, compressed or not, is near this; bounds a bad mirror

Progress = Callable[[str, int, Optional[int]], None]


class DownloadError(RuntimeError):
    """No mirror delivered a verified copy of ``name``; ``failures`` is [(url, reason)]."""

    def __init__(self, name: str, failures: List[Tuple[str, str]]):
        self.name, self.failures = name, failures
        lines = "\n".join(f"  - {url}: {reason}" for url, reason in failures)
        super().__init__(f"could not download {name} from any mirror:\n{lines}")


class _MirrorFailed(Exception):
    """One mirror did not deliver a verified file; the argument says why."""


def _content_sha256(path: Path) -> Optional[str]:
    """SHA-256 of the gunzipped content of ``path``, or None if it is not valid gzip."""
    h, n = hashlib.sha256(), 0
    try:
        with gzip.open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                n += len(chunk)
                if n > _MAX_BYTES:
                    return None
                h.update(chunk)
    except (OSError, EOFError, zlib.error):
        return None
    return h.hexdigest()


def _matches(name: str, path: Path, file_sha256: str) -> bool:
    if file_sha256 == SHA256[name]:
        return True
    content = CONTENT_SHA256.get(name)
    return content is not None and _content_sha256(path) == content


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def verify(path: Union[str, os.PathLike]) -> bool:
    """True if the file at ``path`` is the MNIST file its name says.

    Checks the file's SHA-256 against :data:`SHA256` (or, failing that, its
    decompressed content against :data:`CONTENT_SHA256`). False if the file does not
    exist; ``ValueError`` if its name is not one of the four MNIST file names.
    """
    path = Path(path)
    if path.name not in SHA256:
        raise ValueError(f"{path.name!r} is not an MNIST file name; expected one of "
                         f"{', '.join(SHA256)}")
    return path.is_file() and _matches(path.name, path, _file_sha256(path))


def _reason(err: BaseException, timeout: float) -> str:
    """A short, human-readable reason for a failed request."""
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code} {err.reason}".rstrip()
    if isinstance(err, urllib.error.URLError) and isinstance(err.reason, BaseException):
        err = err.reason
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, (TimeoutError, socket.timeout)):  # distinct before Python 3.10
        return f"timed out after {timeout:g} s"
    if isinstance(err, urllib.error.URLError):
        return str(err.reason)
    return f"{type(err).__name__}: {err}"


def _stream(url: str, out, name: str, timeout: float,
            progress: Optional[Progress]) -> Tuple[str, int]:
    """Write the body at ``url`` to the open file ``out``; return (sha256 hex, size).

    Raises _MirrorFailed on any network error or a body shorter than its
    Content-Length. Errors writing ``out`` (local disk) propagate unchanged.
    """
    net_errors = (OSError, http.client.HTTPException, ValueError)
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except net_errors as e:
        raise _MirrorFailed(_reason(e, timeout)) from e
    with response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.strip().isdigit() else None
        h, done = hashlib.sha256(), 0
        while True:
            try:
                chunk = response.read(_CHUNK)
            except http.client.IncompleteRead as e:
                got = done + len(e.partial)
                raise _MirrorFailed(f"truncated: {got} of {total or '?'} bytes") from e
            except net_errors as e:
                raise _MirrorFailed(f"{_reason(e, timeout)} after {done} bytes") from e
            if not chunk:
                break
            out.write(chunk)
            h.update(chunk)
            done += len(chunk)
            if done > _MAX_BYTES:
                raise _MirrorFailed(f"body larger than {_MAX_BYTES} bytes")
            if progress is not None:
                progress(name, done, total)
    if total is not None and done != total:
        raise _MirrorFailed(f"truncated: {done} of {total} bytes")
    return h.hexdigest(), done


def _fetch_file(name: str, folder: Path, mirrors: Tuple[str, ...], timeout: float,
                progress: Optional[Progress]) -> None:
    """Download ``name`` into ``folder`` from the first mirror that serves it correctly."""
    failures = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + name
        received = {}

        def stream(out) -> None:
            received["digest"], received["size"] = _stream(url, out, name, timeout, progress)

        def check(part: Path) -> None:
            if not _matches(name, part, received["digest"]):
                raise _MirrorFailed(f"checksum mismatch: got sha256 {received['digest']} "
                                    f"({received['size']} bytes), expected {SHA256[name]}")
        try:
            write_atomically(folder / name, stream, verify=check)
            return
        except _MirrorFailed as e:
            failures.append((url, str(e)))
    raise DownloadError(name, failures)


MIRRORS_ENV = "FASTNET_MNIST_MIRRORS"  # comma-separated base URLs tried before MIRRORS


def mirrors_to_try() -> Tuple[str, ...]:
    """``$FASTNET_MNIST_MIRRORS`` (e.g. a local mirror), then the public ``MIRRORS``."""
    own = [url.strip() for url in os.environ.get(MIRRORS_ENV, "").split(",") if url.strip()]
    return tuple(url if url.endswith("/") else url + "/" for url in own) + MIRRORS


def fetch_mnist(folder: Optional[Union[str, os.PathLike]] = None,
                mirrors: Optional[Iterable[str]] = None, timeout: float = 30.0,
                progress: Optional[Progress] = None, parts: Tuple[str, ...] = PARTS) -> Path:
    """Make sure ``folder`` holds the four verified MNIST ``.gz`` files (those of
    ``parts``: ``("test",)`` for the test set's two); return it.

    ``folder`` defaults to :func:`fastnet.data.default_cache_dir` and is created if
    needed. Files already there are verified first and kept if correct; a wrong one
    is reported (``UserWarning``), deleted and downloaded again. Each missing file is
    fetched from ``mirrors`` in order (default: :func:`mirrors_to_try`; ``timeout``
    seconds per network operation),
    through a temporary file in ``folder``; it gets its final name only once its
    SHA-256 is verified, and a partial or wrong download is deleted.

    ``progress(name, bytes_done, bytes_total_or_None)`` is called for each chunk read.

    Raises :class:`DownloadError` (a ``RuntimeError``) listing each mirror tried and
    why it failed if no mirror delivers a file; no partial or unverified file is left
    under that name. Files fetched before the failure stay (they are verified).
    """
    if mirrors is None:
        mirrors = mirrors_to_try()
    mirrors = (mirrors,) if isinstance(mirrors, str) else tuple(mirrors)
    if not mirrors:
        raise ValueError("mirrors must name at least one base URL")
    folder = Path(folder) if folder is not None else default_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for name in (f"{n}.gz" for k, n in IDX_FILES.items() if k.startswith(parts)):
        path = folder / name
        if path.is_file():
            if verify(path):
                continue
            warnings.warn(f"{path} has the wrong checksum (sha256 {_file_sha256(path)}); "
                          "deleting it and downloading it again", UserWarning, stacklevel=2)
            path.unlink()
        _fetch_file(name, folder, mirrors, timeout, progress)
    return folder


def find_or_fetch(path: Optional[Union[str, os.PathLike]] = None, argument: str = "path=",
                  parts: Tuple[str, ...] = PARTS) -> Path:
    """Where the data is (``find_data``); when no data was named (no ``path``, no
    ``$FASTNET_DATA``) and the cache folder holds none, MNIST is downloaded into the
    cache folder first (``fetch_mnist``, said on stderr). A named place that does not
    hold the data stays a FileNotFoundError (``argument`` names it). ``parts``: the
    parts needed (``("test",)``: only the test set is looked for and fetched)."""
    try:
        return find_data(path, argument, parts)
    except FileNotFoundError:
        if path is not None or data_env() is not None:
            raise
    print(f"MNIST not found: downloading it into {default_cache_dir()}", file=sys.stderr)
    return fetch_mnist(default_cache_dir(), parts=parts)
