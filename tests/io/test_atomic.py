"""fastnet.io.atomic: a file is written completely or not at all; every writer uses it."""
import gzip
import os

import numpy as np
import pytest

from fastnet.io import atomic
from fastnet.io.atomic import write_atomically, write_files_atomically
from fastnet.io.idx import read_idx, write_idx


def test_writes_the_file_and_leaves_nothing_else(tmp_path):
    path = write_atomically(tmp_path / "a.bin", lambda f: f.write(b"hello"))
    assert path == tmp_path / "a.bin" and path.read_bytes() == b"hello"
    assert os.listdir(tmp_path) == ["a.bin"]


def test_new_files_get_the_usual_permissions_and_replaced_files_keep_theirs(tmp_path):
    umask = os.umask(0o022)
    try:
        new = write_atomically(tmp_path / "new", lambda f: f.write(b"x"))
        assert new.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0o600
        os.chmod(new, 0o640)
        write_atomically(new, lambda f: f.write(b"y"))
        assert new.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(umask)


@pytest.mark.parametrize("interrupt", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failure_midway_leaves_the_destination_untouched(tmp_path, interrupt):
    path = tmp_path / "model.bin"
    path.write_bytes(b"previous")

    def half(f):
        f.write(b"half a fi")
        raise interrupt
    with pytest.raises(type(interrupt)):
        write_atomically(path, half)
    assert path.read_bytes() == b"previous" and os.listdir(tmp_path) == ["model.bin"]


def test_errors_name_the_users_path_not_the_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "out.bin"

    def disk_full(f):
        raise OSError("disk full")
    with pytest.raises(OSError, match=f"{path}: disk full"):
        write_atomically(path, disk_full)
    with pytest.raises(FileNotFoundError) as missing:  # the folder does not exist
        write_atomically(tmp_path / "nowhere" / "out.bin", lambda f: f.write(b"x"))
    assert missing.value.filename == str(tmp_path / "nowhere" / "out.bin")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", src, None, dst)
    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError) as refused:
        write_atomically(path, lambda f: f.write(b"x"))
    assert refused.value.filename == str(path) and refused.value.errno == 13
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_errors_about_other_files_are_left_as_they_are(tmp_path):
    def copy_missing(f):
        with open(tmp_path / "source.bin", "rb") as source:
            f.write(source.read())
    with pytest.raises(FileNotFoundError) as error:
        write_atomically(tmp_path / "copy.bin", copy_missing)
    assert error.value.filename == str(tmp_path / "source.bin")


def test_the_temporary_name_stays_short_for_the_longest_file_name(tmp_path, monkeypatch):
    name = "m" * 251 + ".npz"  # 255 characters: the longest name most file systems allow
    seen = []
    monkeypatch.setattr(atomic, "_fsync_directory", lambda folder: seen.extend(os.listdir(folder)))
    path = write_atomically(tmp_path / name, lambda f: seen.extend(os.listdir(tmp_path)))
    assert path.name == name and os.listdir(tmp_path) == [name]
    temporary = seen[0]
    assert temporary != name and temporary.startswith(".mmm") and len(temporary) < 64


def test_verify_runs_on_the_complete_file_before_the_rename(tmp_path):
    path = tmp_path / "download.gz"
    path.write_bytes(b"previous")

    def reject(part):
        assert part.read_bytes() == b"new content" and part != path
        raise ValueError("checksum mismatch")
    with pytest.raises(ValueError, match="checksum mismatch"):
        write_atomically(path, lambda f: f.write(b"new content"), verify=reject)
    assert path.read_bytes() == b"previous" and os.listdir(tmp_path) == ["download.gz"]


def test_several_files_are_renamed_only_once_all_are_written(tmp_path):
    (tmp_path / "a").write_bytes(b"old a")

    def fails(f):
        f.write(b"partial b")
        raise OSError("disk full")
    with pytest.raises(OSError, match="disk full"):
        write_files_atomically({tmp_path / "a": lambda f: f.write(b"new a"), tmp_path / "b": fails})
    assert (tmp_path / "a").read_bytes() == b"old a" and sorted(os.listdir(tmp_path)) == ["a"]
    paths = write_files_atomically({tmp_path / "a": lambda f: f.write(b"new a"),
                                    tmp_path / "b": lambda f: f.write(b"new b")})
    assert [p.read_bytes() for p in paths] == [b"new a", b"new b"]


@pytest.mark.parametrize("name", ["labels-idx1-ubyte.gz", "labels-idx1-ubyte"])
def test_write_idx_is_atomic(tmp_path, monkeypatch, name):
    path = write_idx(tmp_path / name, np.arange(5, dtype=np.uint8))
    previous = path.read_bytes()

    def failing_fsync(fd):
        raise OSError("I/O error")
    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match=f"{path}: I/O error"):
        write_idx(path, np.arange(7, dtype=np.uint8))
    monkeypatch.undo()
    assert path.read_bytes() == previous and os.listdir(tmp_path) == [name]
    np.testing.assert_array_equal(read_idx(path), np.arange(5))
    if name.endswith(".gz"):
        assert gzip.decompress(previous)[:4] == bytes([0, 0, 8, 1])
