"""Results as JSON lines: appended durably, read back with bad lines named."""
import os

import pytest

from fastnet.io.jsonl import RecordAppender, read_records


def test_appended_records_read_back_in_order(tmp_path):
    path = tmp_path / "r.jsonl"
    assert read_records(path) == []
    with RecordAppender(path) as appender:
        appender.append({"b": 1, "a": [1.5, None]})
        appender.append({"nan": float("nan")})
    rows = read_records(path)
    assert rows[0] == {"a": [1.5, None], "b": 1} and rows[1]["nan"] != rows[1]["nan"]
    assert path.read_text().count("\n") == 2


def test_appending_keeps_what_is_there_and_mends_a_missing_newline(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"old": 1}')
    with RecordAppender(path) as appender:
        appender.append({"new": 2})
    assert read_records(path) == [{"old": 1}, {"new": 2}]
    assert path.read_text().startswith('{"old": 1}\n')


@pytest.mark.parametrize("content, line", [('{"a": 1}\n{"a": \n', 2), ('[1, 2]\n', 1),
                                           ("\n\n{oops}\n", 3), ("[" * 100000 + "\n", 1)])
def test_a_bad_line_is_named_and_the_file_left_alone(tmp_path, content, line):
    path = tmp_path / "r.jsonl"
    path.write_text(content)
    with pytest.raises(ValueError, match=f"r.jsonl line {line} is not a JSON"):
        read_records(path, "r.jsonl")
    assert path.read_text() == content


def test_not_a_regular_file_is_refused(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        read_records(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        RecordAppender(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        read_records(tmp_path)


def test_an_unwritable_place_names_the_file(tmp_path):
    with pytest.raises(OSError, match="missing/r.jsonl: cannot append results"):
        RecordAppender(tmp_path / "missing" / "r.jsonl")
