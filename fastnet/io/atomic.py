"""The one way fastnet writes a file: completely, or not at all.

Each file is written to a temporary file in its destination's folder, flushed and
fsynced, and only then renamed onto its name (``os.replace``, atomic on one file
system). An error or Ctrl-C at any point removes the temporary files and leaves every
destination as it was; an ``OSError`` about the file being written names the
destination, not the temporary file. A destination that exists and is not a regular
file (a FIFO, a device, a folder) is refused, never replaced.

:func:`open_regular` is the other side: the one way fastnet opens a file it reads,
refusing anything but a regular file at once (reading a FIFO would block forever).
"""
import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO, Callable, List, Mapping, Optional, Union

__all__ = ["write_atomically", "write_files_atomically", "open_regular"]

PathLike = Union[str, "os.PathLike[str]"]
Writer = Callable[[BinaryIO], None]
#: characters of the destination's name kept in the temporary name (a name may have 255)
NAME_KEPT = 32


def write_atomically(path: PathLike, write: Writer,
                     verify: Optional[Callable[[Path], None]] = None) -> Path:
    """Call ``write(f)`` on a binary file that becomes ``path`` once ``write`` returns.

    ``verify(temporary_path)``, if given, runs on the complete, fsynced file before the
    rename: raising there leaves ``path`` untouched (a download's checksum). Returns
    ``path`` as a ``Path``."""
    return write_files_atomically({path: write}, verify)[0]


def write_files_atomically(writers: Mapping[PathLike, Writer],
                           verify: Optional[Callable[[Path], None]] = None) -> List[Path]:
    """Write several files, each through its own temporary file (``verify`` runs on
    each); rename them onto their names only once all are complete, so a failure while
    writing any of them replaces none. Returns the destinations, in order."""
    paths = [Path(path) for path in writers]
    for path in paths:
        check_replaceable(path)
    temps: List[Path] = []
    current = paths[0] if paths else None
    try:
        for path, write in zip(paths, writers.values()):
            current = path
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:NAME_KEPT]}.",
                                        suffix=".tmp")
            temps.append(Path(name))
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            if verify is not None:
                verify(temps[-1])
            os.chmod(name, _file_mode(path))
        for temp, path in zip(temps, paths):
            current = path
            os.replace(temp, path)
    except BaseException as error:
        for temp in temps:
            with suppress(OSError):
                os.unlink(temp)
        if isinstance(error, OSError) and _about(error, paths):
            raise _naming(error, current) from error
        raise
    for folder in dict.fromkeys(path.parent for path in paths):
        _fsync_directory(folder)
    return paths


def open_regular(path: PathLike, name: Optional[str] = None) -> BinaryIO:
    """``path`` opened for reading in binary mode; ValueError naming it (as ``name``,
    default the path) unless it is a regular file. The file is opened without blocking
    and checked on its descriptor, so a FIFO is refused at once and a file swapped in
    between the check and the reading cannot slip through. FileNotFoundError when
    there is nothing at ``path``."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ValueError(f"{str(path) if name is None else name} is not a regular file "
                             f"but {_kind(mode)}")
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_replaceable(path: Path) -> None:
    """ValueError unless ``path`` is absent or a regular file (or a link to one): a
    FIFO, a device or a folder is never replaced by a file."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # nothing there (or unreadable: the write itself says why)
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path} is not a regular file but {_kind(mode)}: "
                         f"not replacing it; give the name of a file to write")


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device")]
    return next((word for test, word in kinds if test(mode)), "not a file")


def _about(error: OSError, paths: List[Path]) -> bool:
    """Whether ``error`` concerns a file being written (it names a temporary file, or no
    file at all), not some other file that a writer reads."""
    if error.filename is None:
        return True
    name = Path(os.fsdecode(error.filename))
    return (name.name.startswith(".") and name.suffix == ".tmp"
            and any(name.parent == path.parent for path in paths))


def _naming(error: OSError, path: Path) -> OSError:
    """``error`` again (same type and errno), naming ``path``."""
    try:
        if error.errno is None:
            return type(error)(f"{path}: {error}")
        return type(error)(error.errno, error.strerror, str(path))
    except TypeError:  # an OSError subclass with other constructor arguments
        return error


def _file_mode(path: Path) -> int:
    """The permissions of the file being replaced, else what ``open`` would give
    (``mkstemp`` makes files readable by their owner only)."""
    with suppress(OSError):
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_directory(folder: Path) -> None:
    """Make the renames durable where the platform can sync a directory (POSIX)."""
    with suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
