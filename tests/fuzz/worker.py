"""The fuzz worker: reads ``(name, params)`` cases on stdin (length-prefixed pickles),
runs each (``cases.run``) and writes its verdict back the same way. Anything the code
under test prints goes to /dev/null, so it never mixes with the answers."""
import os
import pickle
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the oracles

import cases  # noqa: E402  (tests/fuzz/cases.py, beside this file)

HEADER = struct.Struct("<Q")


def _read(stream, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return b""
        data += chunk
    return data


def main() -> None:
    answers = os.fdopen(os.dup(1), "wb")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    sys.stdout = open(os.devnull, "w")
    requests = sys.stdin.buffer
    while True:
        header = _read(requests, HEADER.size)
        if not header:
            return
        name, params = pickle.loads(_read(requests, HEADER.unpack(header)[0]))
        verdict = cases.run(name, params)
        data = pickle.dumps(verdict)
        answers.write(HEADER.pack(len(data)) + data)
        answers.flush()


if __name__ == "__main__":
    main()
