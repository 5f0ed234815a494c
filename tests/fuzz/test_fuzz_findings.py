"""The defects the fuzz suite found, each at its minimal failing input: a clear error
naming the argument instead of a silent default, a numpy OverflowError or a TypeError
about hashing."""
import numpy as np
import pytest

import fastnet


def test_dtype_none_is_refused_not_read_as_float64():
    # numpy reads dtype=None as float64: the network was silently float64
    with pytest.raises(ValueError, match="dtype must be float32 or float64, got None"):
        fastnet.Network([1, 1], dtype=None)


@pytest.mark.parametrize("sizes", [[1, 2**70], [2**62, 3], [3, 2**40, 2**40]])
def test_sizes_beyond_any_memory_are_a_memory_error_naming_sizes(sizes):
    # was OverflowError: Python int too large to convert to C long (numpy, building the layout)
    with pytest.raises(MemoryError, match=r"sizes \[.*\] imply .* parameters"):
        fastnet.Network(sizes)


@pytest.mark.parametrize("name", ["activation", "output", "cost", "init"])
def test_sklearn_unhashable_names_are_refused_naming_the_parameter(name):
    pytest.importorskip("sklearn")
    from fastnet.sklearn import MLPClassifier
    # was TypeError: unhashable type: 'list', naming nothing
    with pytest.raises(ValueError, match=f"^{name} must be"):
        MLPClassifier(**{name: [3]}).fit(np.zeros((4, 2)), [0, 1, 0, 1])


def test_cli_sizes_beyond_any_memory_are_refused_when_parsed(capsys):
    from fastnet.cli import build_parser
    # was accepted by the parser: the run then went on to find (or download) the data
    with pytest.raises(SystemExit) as exit:
        build_parser().parse_args(["train", "--sizes", "1,10000000000000000000000"])
    assert exit.value.code == 2
    assert "argument --sizes" in capsys.readouterr().err
