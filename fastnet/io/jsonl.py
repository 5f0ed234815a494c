"""Results kept as JSON lines: one JSON object per line, appended as each result comes.

An append never rewrites what the file holds: each record is one ``write`` of a whole
line, flushed and fsynced before ``append`` returns, so a crash or Ctrl-C loses at
most the record being written, never an earlier one. Reading checks every line and
names the first one that is not a JSON object, leaving the file as it is.
"""
import json
import os
import stat
from pathlib import Path
from typing import List, Optional, Union

from .atomic import open_regular

PathLike = Union[str, "os.PathLike[str]"]


def read_records(path: PathLike, name: Optional[str] = None) -> List[dict]:
    """The records in the JSON-lines file at ``path`` (none when it does not exist).
    ValueError naming the file (as ``name``, default the path) and the line when a line
    is not a JSON object or the path is not a regular file; blank lines are skipped."""
    path = Path(path)
    name = name or str(path)
    if not path.exists():
        return []
    records = []
    with open_regular(path, name) as file:
        for number, raw in enumerate(file, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except (ValueError, RecursionError) as error:
                raise ValueError(f"{name} line {number} is not a JSON record ({_short(error)}); "
                                 "the file is left as it is: repair or remove that line, "
                                 "or name another file") from None
            if not isinstance(record, dict):
                raise ValueError(f"{name} line {number} is not a JSON object "
                                 f"(got {type(record).__name__}); the file is left as it is")
            records.append(record)
    return records


class RecordAppender:
    """Appends records to a JSON-lines file, each durable before ``append`` returns.
    Opens (creating) the file at once, so an unwritable destination fails before any
    work; use as a context manager or call ``close``."""

    def __init__(self, path: PathLike, name: Optional[str] = None):
        self.path = Path(path)
        name = name or str(self.path)
        if self.path.exists() and not stat.S_ISREG(self.path.stat().st_mode):
            raise ValueError(f"{name} is not a regular file (a folder, pipe or device): "
                             "name a results file")
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as error:
            raise OSError(error.errno, f"{name}: cannot append results "
                          f"({error.strerror or error})") from None
        # a last line without its newline (edited by hand) must not run into the next
        size = os.fstat(self._fd).st_size
        self._separate = size > 0 and _last_byte(self.path) != b"\n"

    def append(self, record: dict) -> None:
        """Write ``record`` as one line; flushed and fsynced when this returns."""
        line = json.dumps(record, sort_keys=True) + "\n"
        data = (("\n" if self._separate else "") + line).encode()
        self._separate = False
        while data:
            written = os.write(self._fd, data)
            data = data[written:]
        os.fsync(self._fd)

    def fileno(self) -> int:
        return self._fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "RecordAppender":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _last_byte(path: Path) -> bytes:
    with open(path, "rb") as file:
        file.seek(-1, os.SEEK_END)
        return file.read(1)


def _short(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 80 else text[:77] + "..."
